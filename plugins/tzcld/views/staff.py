"""The EBE's staff: contracts and their working time, the monthly table of full-time
equivalents, and the CDE per month and per year from the yearly rates. For the territory's
team only; a contract of another association answers 404."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import flash, request
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from core.plugin_api import (
    INVALID_FORM_STATUS,
    AssociationRef,
    Level,
    Series,
    access,
    add_error,
    add_months,
    bar_chart,
    month_label,
    paris_today,
    people_of,
    see_other,
    session,
)
from plugins.tzcld.cde import MonthCde, YearCde, monthly_cde, rates_by_year, yearly_cde
from plugins.tzcld.forms_register import CHOOSE
from plugins.tzcld.forms_staff import ContractForm, EndForm, RatesForm, WorkingTimeForm
from plugins.tzcld.models import CdeRates, Employment, Ppde, WorkingTime
from plugins.tzcld.settings import rules_of
from plugins.tzcld.staff import MonthFigures, contracts_of, monthly_figures
from plugins.tzcld.views import bp, own_or_404, render, team, team_or_reader


def _names(current: AssociationRef) -> dict[int | None, str]:
    return {p.id: f"{p.last_name} {p.first_name}" for p in people_of(current)}


def _name(current: AssociationRef, contract: Employment) -> str:
    return _names(current).get(contract.person_id, "Salarié·e")


def hours_on(contract: Employment, day: date) -> Decimal | None:
    """The weekly hours in force that day (the first ones before the contract starts): a change
    to come is not today's time."""
    in_force = [w for w in contract.hours if w.effective_on <= day] or contract.hours[:1]
    return in_force[-1].weekly_hours if in_force else None


def contracts_with_hours(current: AssociationRef) -> list[Employment]:
    """The EBE's contracts, those running first, with their working times (two queries)."""
    return list(session.scalars(select(Employment).options(selectinload(Employment.hours))
                                .where(Employment.association_id == current.id)
                                .order_by(Employment.ended_on.is_not(None), Employment.started_on.desc(),
                                          Employment.id)))


@bp.get("/<association>/salaries/")
@access(Level.MANAGER)
def contract_list(association: str) -> tuple[str, int]:
    current = team()
    contracts = contracts_with_hours(current)
    today = paris_today()
    hours = {c.id: hours_on(c, today) for c in contracts}
    return render("contract_list.html", association=current, contracts=contracts, hours=hours,
                  names=_names(current), today=today)


@bp.route("/<association>/salaries/nouveau", methods=["GET", "POST"])
@access(Level.MANAGER)
def contract_create(association: str) -> Response | tuple[str, int]:
    current = team()
    today = paris_today()
    form = ContractForm(data={"started_on": today} if request.method == "GET" else None)
    form.person_id.choices = [CHOOSE, *((p.id, f"{p.last_name} {p.first_name}") for p in people_of(current))]
    valid = form.validate_on_submit()
    if valid and form.started_on.data > add_months(today, 12):
        add_error(form.started_on, "Un contrat s'enregistre au plus un an avant son début.")
    elif valid:
        contract = Employment(association_id=current.id, person_id=form.person_id.data, ppde=False,
                              job=form.job.data or "", started_on=form.started_on.data)
        contract.hours.append(WorkingTime(effective_on=form.started_on.data, weekly_hours=form.hours))
        session.add(contract)
        session.commit()
        flash("Contrat enregistré.", "success")
        return see_other("tzcld.contract_list", association=current.slug)
    return render("staff_form.html", INVALID_FORM_STATUS if form.errors else 200, association=current,
                  form=form, heading="Nouveau contrat avec l'EBE", submit="Enregistrer")


@bp.route("/<association>/salaries/<int:employment_id>/temps", methods=["GET", "POST"])
@access(Level.MANAGER)
def working_time(association: str, employment_id: int) -> Response | tuple[str, int]:
    current = team()
    contract = own_or_404(Employment, employment_id, current)
    form = WorkingTimeForm(data={"effective_on": paris_today()} if request.method == "GET" else None)
    if form.validate_on_submit():
        day: date = form.effective_on.data
        limit = rules_of(current).full_time_hours if contract.ppde else None
        same_day = next((w for w in contract.hours if w.effective_on == day), None)
        if day < contract.started_on or (contract.ended_on and day > contract.ended_on):
            add_error(form.effective_on, "Le changement tombe entre le début du contrat et sa fin.")
        elif limit is not None and form.hours is not None and form.hours > limit:
            # As at the hire: a PPDE's chosen time is at most a full-time week.
            add_error(form.weekly_hours, f"Entre 1 et {limit} heures par semaine pour une personne "
                                         "du registre (un temps plein).")
        else:
            if same_day is not None:  # a correction of that day's hours (a typo at the hire, say)
                same_day.weekly_hours = form.hours
            else:
                contract.hours.append(WorkingTime(effective_on=day, weekly_hours=form.hours))
            session.commit()
            flash("Temps de travail corrigé." if same_day is not None else "Temps de travail enregistré.",
                  "success")
            return see_other("tzcld.contract_list", association=current.slug)
    return render("staff_form.html", INVALID_FORM_STATUS if form.errors else 200, association=current,
                  form=form, heading=f"Temps de travail — {_name(current, contract)}",
                  submit="Enregistrer")


@bp.route("/<association>/salaries/<int:employment_id>/fin", methods=["GET", "POST"])
@access(Level.MANAGER)
def contract_end(association: str, employment_id: int) -> Response | tuple[str, int]:
    current = team()
    contract = own_or_404(Employment, employment_id, current)
    form = EndForm(obj=contract)
    # A PPDE's contract ends with their exit from the register, and only so: its end (open or
    # set by the exit) is not edited here. Once the person is erased, the team may end it.
    hired = (session.scalar(select(Ppde.id).where(
        Ppde.association_id == current.id, Ppde.person_id == contract.person_id))
        if contract.ppde and contract.person_id is not None else None)
    if hired is not None:
        # One way out for a PPDE: the register's exit, which ends this contract with it.
        flash("Pour une personne du registre, enregistrez sa sortie depuis le registre : "
              "son contrat se termine avec elle.", "warning")
        return see_other("tzcld.register_detail", association=current.slug, ppde_id=hired)
    if form.validate_on_submit():
        if form.ended_on.data < contract.started_on:
            add_error(form.ended_on, "La fin ne peut pas précéder le début du contrat.")
        else:
            contract.ended_on, contract.end_reason = form.ended_on.data, form.end_reason.data
            session.commit()
            flash("Fin du contrat enregistrée.", "success")
            return see_other("tzcld.contract_list", association=current.slug)
    return render("staff_form.html", INVALID_FORM_STATUS if form.errors else 200, association=current,
                  form=form, heading=f"Fin du contrat — {_name(current, contract)}",
                  submit="Enregistrer")


FIRST_YEAR = 2016  # the experiment's first territories


def year_of_table() -> int:
    """The year the monthly table is for (``?annee=``), this year if missing or absurd."""
    today = paris_today()
    year = request.args.get("annee", today.year, type=int)
    return year if year is not None and FIRST_YEAR <= year <= today.year + 1 else today.year


def months_of(current: AssociationRef, year: int) -> list[tuple[MonthFigures, MonthCde]]:
    """Each month of the year: its figures and the CDE owed for it (the page and its download)."""
    first, last = date(year, 1, 1), date(year, 12, 1)
    figures = monthly_figures(contracts_of(current.id, first, date(year, 12, 31)), first, last,
                              rules_of(current))
    return list(zip(figures, monthly_cde(figures, rates_by_year(current.id)), strict=True))


def years_of(current: AssociationRef) -> list[YearCde]:
    """The CDE of every year from the EBE's first contract to this month: this year's months to
    come are not owed yet (none without contracts)."""
    today = paris_today()
    first = session.scalar(select(func.min(Employment.started_on))
                           .where(Employment.association_id == current.id))
    if first is None or first > today:
        return []
    start, end = date(first.year, 1, 1), today.replace(day=1)
    figures = monthly_figures(contracts_of(current.id, start, today), start, end, rules_of(current))
    return yearly_cde(monthly_cde(figures, rates_by_year(current.id)))


def _so_far(rows: list[tuple[MonthFigures, MonthCde]], this_month: date) -> YearCde | None:
    """The year's CDE over its months up to this one: the months to come are a forecast."""
    elapsed = [cde for figures, cde in rows if figures.month <= this_month]
    return yearly_cde(elapsed)[0] if elapsed else None


@bp.get("/<association>/etp")
@access(Level.MEMBER)
def monthly_table(association: str) -> tuple[str, int]:
    """Full-time equivalents, headcount, entries and exits month by month for a year, with
    the CDE owed for each month and the year. Counts over everyone: the committee's readers
    see it too."""
    current, in_team = team_or_reader()
    year = year_of_table()
    rows = months_of(current, year)
    figures = [f for f, _ in rows]
    chart = bar_chart(
        f"Équivalents temps plein par mois en {year}", [month_label(f.month) for f in figures],
        [Series("PPDE", [float(f.etp_ppde) for f in figures]),
         Series("Non PPDE", [float(f.etp_other) for f in figures])],
        unit="ETP", stacked=True, category="Mois",
        caption="Encadrement et appui comptés à part (non PPDE).", empty_message="Aucun salarié cette année.")
    this_month = paris_today().replace(day=1)
    return render("monthly_table.html", association=current, year=year, rows=rows,
                  totals=_so_far(rows, this_month), this_month=this_month, month_label=month_label,
                  rules=rules_of(current), has_rates=all(c.state is not None for _, c in rows),
                  chart=chart, in_team=in_team, first_year=FIRST_YEAR, last_year=this_month.year + 1)


@bp.route("/<association>/cde/taux", methods=["GET", "POST"])
@access(Level.MANAGER)
def rates(association: str) -> Response | tuple[str, int]:
    current = team()
    saved = session.scalars(select(CdeRates).where(CdeRates.association_id == current.id)
                            .order_by(CdeRates.year.desc())).all()
    defaults = {"year": paris_today().year, "hours_per_year": 1820}
    form = RatesForm(data=defaults if request.method == "GET" else None)
    if form.validate_on_submit():
        row = next((r for r in saved if r.year == form.year.data), None)
        if row is None:
            row = CdeRates(association_id=current.id, year=form.year.data)
            session.add(row)
        for name, value in form.figures().items():
            setattr(row, name, value)
        row.hours_per_year = form.hours_per_year.data
        session.commit()
        flash(f"Taux {form.year.data} enregistrés.", "success")
        return see_other("tzcld.rates", association=current.slug)
    return render("rates.html", INVALID_FORM_STATUS if form.errors else 200, association=current,
                  form=form, saved=saved, years=years_of(current))
