"""The register of PPDE: the list, an entry with its eligibility and its steps, and the
exhaustiveness page (who waits, for how long). For the territory's team only; an entry of
another association answers 404."""

from __future__ import annotations

from datetime import date

from flask import flash, request
from sqlalchemy import select
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
    current_person,
    month_label,
    months_between,
    paris_today,
    people_of,
    person_in,
    see_other,
    session,
)
from plugins.tzcld.forms_register import CHOOSE, MoveForm, PpdeForm
from plugins.tzcld.models import Ppde, PpdeStatus
from plugins.tzcld.register import (
    EXIT_LABELS,
    NEXT,
    STATUS_LABELS,
    TransitionRefused,
    eligibility_of,
    enter,
    hires_by_month,
    move,
    waiting_of,
)
from plugins.tzcld.settings import rules_of
from plugins.tzcld.views import bp, own_or_404, render, team, team_or_reader


def _name(current: AssociationRef, person_id: int) -> str:
    person = person_in(current, person_id)
    return f"{person.first_name} {person.last_name}" if person else "Personne retirée de l'association"


def wanted_status() -> PpdeStatus | None:
    """The step the register is filtered on (``?statut=``), if it names one."""
    wanted = request.args.get("statut", "")
    return PpdeStatus(wanted) if wanted in {s.value for s in PpdeStatus} else None


def entries_of(current: AssociationRef, status: PpdeStatus | None) -> list[Ppde]:
    """The register (at that step), by name: the page's list and its download."""
    query = select(Ppde).where(Ppde.association_id == current.id)
    if status is not None:
        query = query.where(Ppde.status == status)
    names = {p.id: (p.last_name.casefold(), p.first_name.casefold()) for p in people_of(current)}
    return sorted(session.scalars(query), key=lambda e: (names.get(e.person_id, ("", "")), e.id))


@bp.get("/<association>/registre/")
@access(Level.MANAGER)
def register_list(association: str) -> tuple[str, int]:
    current = team()
    status = wanted_status()
    names = {p.id: f"{p.last_name} {p.first_name}" for p in people_of(current)}
    return render("register_list.html", association=current, entries=entries_of(current, status),
                  names=names, wanted=status.value if status else "", statuses=list(PpdeStatus),
                  today=paris_today())


@bp.route("/<association>/registre/nouveau", methods=["GET", "POST"])
@access(Level.MANAGER)
def register_create(association: str) -> Response | tuple[str, int]:
    current = team()
    form = PpdeForm(data={"identified_on": paris_today()} if request.method == "GET" else None)
    listed = set(session.scalars(select(Ppde.person_id).where(Ppde.association_id == current.id)))
    form.person_id.choices = [CHOOSE, *((p.id, f"{p.last_name} {p.first_name}")
                                        for p in people_of(current) if p.id not in listed)]
    if form.validate_on_submit():
        me = current_person()
        entry = enter(current.id, form.person_id.data, form.identified_on.data,
                      recorded_by_id=me.id if me else None,
                      without_work_since=form.without_work_since.data,
                      resident_since=form.resident_since.data, consent_on=form.consent_on.data)
        session.commit()
        flash("Personne inscrite au registre.", "success")
        return see_other("tzcld.register_detail", association=current.slug, ppde_id=entry.id)
    return render("register_form.html", INVALID_FORM_STATUS if form.errors else 200,
                  association=current, form=form, heading="Inscrire au registre",
                  submit="Inscrire", empty=len(form.person_id.choices) == 1)


@bp.get("/<association>/registre/<int:ppde_id>")
@access(Level.MANAGER)
def register_detail(association: str, ppde_id: int) -> tuple[str, int]:
    current = team()
    entry = own_or_404(Ppde, ppde_id, current)
    form = MoveForm(data={"on": paris_today()})
    form.offer(NEXT[entry.status])
    return _detail(current, entry, form)


def _detail(current: AssociationRef, entry: Ppde, form: MoveForm, status: int = 200) -> tuple[str, int]:
    today = paris_today()
    rules = rules_of(current)
    return render("register_detail.html", status, association=current, entry=entry,
                  name=_name(current, entry.person_id), form=form,
                  eligibility=eligibility_of(entry, today, rules), today=today,
                  exit_labels=EXIT_LABELS,
                  waited=(today - entry.waiting_since).days if entry.waiting_since else None)


@bp.post("/<association>/registre/<int:ppde_id>/etape")
@access(Level.MANAGER)
def register_move(association: str, ppde_id: int) -> Response | tuple[str, int]:
    current = team()
    entry = own_or_404(Ppde, ppde_id, current)
    form = MoveForm()
    form.offer(NEXT[entry.status])
    if form.validate():
        me = current_person()
        try:
            move(entry, form.status.data, form.on.data, rules=rules_of(current), today=paris_today(),
                 recorded_by_id=me.id if me else None, exit_reason=form.reason,
                 weekly_hours=form.hours, note=form.note.data or "")
        except TransitionRefused as refused:
            session.rollback()
            entry = own_or_404(Ppde, ppde_id, current)
            add_error(getattr(form, refused.field), str(refused))
        else:
            session.commit()
            flash(f"Étape enregistrée : {STATUS_LABELS[entry.status]}.", "success")
            return see_other("tzcld.register_detail", association=current.slug, ppde_id=entry.id)
    return _detail(current, entry, form, INVALID_FORM_STATUS)


@bp.route("/<association>/registre/<int:ppde_id>/modifier", methods=["GET", "POST"])
@access(Level.MANAGER)
def register_edit(association: str, ppde_id: int) -> Response | tuple[str, int]:
    current = team()
    entry = own_or_404(Ppde, ppde_id, current)
    form = PpdeForm(obj=entry)
    del form.person_id, form.identified_on
    if form.validate_on_submit():
        entry.without_work_since = form.without_work_since.data
        entry.resident_since = form.resident_since.data
        entry.consent_on = form.consent_on.data
        session.commit()
        flash("Situation enregistrée.", "success")
        if entry.status is PpdeStatus.WAITING and entry.waiting_since is not None:
            verdict = eligibility_of(entry, entry.waiting_since, rules_of(current))
            if not verdict.eligible:
                # A correction may be right: say what it means rather than refuse it.
                flash("Avec ces dates, la personne n'était pas éligible le jour de son entrée en "
                      "liste d'attente : " + " ".join(verdict.missing), "warning")
        return see_other("tzcld.register_detail", association=current.slug, ppde_id=entry.id)
    return render("register_form.html", INVALID_FORM_STATUS if form.errors else 200,
                  association=current, form=form, heading=f"Situation de {_name(current, entry.person_id)}",
                  submit="Enregistrer", empty=False, entry=entry)


def last_twelve_months(current: AssociationRef, today: date) -> list[tuple[str, int]]:
    """Hires per month over the last 12 months, this one included (month label, hires)."""
    first = add_months(today.replace(day=1), -11)
    hires = hires_by_month(current.id, first, today)
    return [(month_label(m), hires.get(m, 0)) for m in months_between(first, today)]


@bp.get("/<association>/exhaustivite")
@access(Level.MEMBER)
def exhaustiveness(association: str) -> tuple[str, int]:
    """The team's daily to-do: who waits, for how long, and the hires of the last 12 months.
    The committee's readers see the counts, never the names."""
    current, in_team = team_or_reader()
    rules = rules_of(current)
    today = paris_today()
    waiting = waiting_of(current.id, today, rules.waiting_alert_days)
    months = last_twelve_months(current, today)
    listed = {w.person_id for w in waiting.over_threshold} if in_team else set()
    names = {p.id: f"{p.first_name} {p.last_name}" for p in people_of(current, ids=listed)}
    distribution = bar_chart(
        "Personnes en attente, par durée d'attente", [label for label, _ in waiting.distribution],
        [Series("Personnes", [count for _, count in waiting.distribution])],
        category="Temps d'attente", empty_message="Personne n'est en attente d'embauche.")
    hires_chart = bar_chart(
        "Embauches par l'EBE, par mois", [label for label, _ in months],
        [Series("Embauches", [count for _, count in months])], category="Mois",
        caption="Les 12 derniers mois.", empty_message="Aucune embauche sur les 12 derniers mois.")
    return render("exhaustiveness.html", association=current, waiting=waiting, names=names,
                  threshold=rules.waiting_alert_days, distribution=distribution, hires_chart=hires_chart,
                  in_team=in_team)
