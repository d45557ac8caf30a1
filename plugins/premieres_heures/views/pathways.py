"""Pathways, hours plan, reviews, waivers, support actions and exit.

Every page is for the coordinators and admins of the association, under
``/p/premieres_heures/<association>/parcours/``; a pathway (or one of its records) of another
association answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import abort, flash, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.plugin_api import (
    INVALID_FORM_STATUS,
    AssociationRef,
    Level,
    PersonRef,
    access,
    add_error,
    current_person,
    id_arg,
    paris_today,
    partners,
    people_of,
    person_in,
    plugin_associations,
    see_other,
    session,
)
from plugins.premieres_heures import TITLE, plan
from plugins.premieres_heures.forms_pathways import (
    CHOOSE_PERSON,
    NONE,
    ExitForm,
    PathwayForm,
    ReviewForm,
    StageForm,
    SupportForm,
    WaiverForm,
)
from plugins.premieres_heures.models import (
    Decision,
    ExitOutcome,
    Pathway,
    PathwayStatus,
    Review,
    SupportAction,
    SupportDomain,
    SupportStatus,
    Waiver,
)
from plugins.premieres_heures.monthly import hours_chart
from plugins.premieres_heures.pathways import (
    CLOSED_STATUSES,
    DECISION_LABELS,
    DOMAIN_LABELS,
    OUTCOME_LABELS,
    STATUS_LABELS,
    SUPPORT_STATUS_LABELS,
    WAIVER_THRESHOLD_HOURS,
    Refused,
    ReviewInput,
    SupportInput,
    WaiverInput,
    WaiverState,
    add_stage,
    apply_review,
    change_start,
    create_pathway,
    default_planned_end,
    longest_waiver_end,
    next_review_date,
    next_reviews,
    pathway_of_person,
    pathway_or_404,
    record_exit,
    renewal_start,
    save_support,
    save_waiver,
    waiver_state_of,
    waiver_states,
)
from plugins.premieres_heures.settings import ladder_of, settings_of
from plugins.premieres_heures.views import bp, coordination

LABELS = {
    "status": STATUS_LABELS,
    "decision": DECISION_LABELS,
    "outcome": OUTCOME_LABELS,
    "domain": DOMAIN_LABELS,
    "support_status": SUPPORT_STATUS_LABELS,
}


@bp.get("/")
@access(Level.MANAGER)
def home() -> str:
    """The associations of the user that run Premières Heures."""
    return render_template("premieres_heures/home.html", associations=plugin_associations())


# --- Helpers ------------------------------------------------------------------------------

def full_name(person: PersonRef | None) -> str:
    return f"{person.first_name} {person.last_name}" if person else "Fiche désactivée ou retirée"


def render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(f"premieres_heures/{template}", title=TITLE, labels=LABELS,
                           **context), status


def form_status(form: Any) -> int:
    return INVALID_FORM_STATUS if form.errors else 200


def refuse(form: Any, refused: Refused) -> None:
    """Undo what the request wrote, and put the message next to its field."""
    session.rollback()
    add_error(getattr(form, refused.field), str(refused))


def _pathway_page(current: AssociationRef, pathway_id: int) -> tuple[Pathway, PersonRef | None]:
    pathway = pathway_or_404(current.id, pathway_id)
    return pathway, person_in(current, pathway.person_id)


def _record_of(model: type[Any], record_id: int, pathway: Pathway) -> Any:
    record = session.get(model, record_id)
    if record is None or record.pathway_id != pathway.id:
        abort(404)
    return record


def _fill_pathway_choices(form: PathwayForm, current: AssociationRef,
                          keep_host: int | None = None) -> None:
    """Hosts are insertion structures and EBEs, plus the pathway's own host whatever its
    kind now (a partner re-filed elsewhere must not be dropped from a pathway by an edit)."""
    every_partner = partners()
    form.orienteur_partner_id.choices = [(NONE, "Non renseignée")] + [
        (p.id, p.name) for p in every_partner]
    form.host_partner_id.choices = [(NONE, "Non renseignée")] + [
        (p.id, p.name) for p in every_partner
        if p.kind in ("insertion_structure", "ebe") or p.id == keep_host]
    form.referent_id.choices = [(NONE, "Pas encore désigné·e")] + [
        (p.id, full_name(p)) for p in people_of(current, roles=("coordinator", "admin", "volunteer"))]


def _list_url(current: AssociationRef) -> str:
    return url_for("premieres_heures.pathway_list", association=current.slug)


def _detail_url(current: AssociationRef, pathway: Pathway) -> str:
    return url_for("premieres_heures.pathway_detail", association=current.slug,
                   pathway_id=pathway.id)


def _optional_id(value: int | None) -> int | None:
    return value or None


# --- Pathways -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    pathway: Pathway
    name: str
    target: int | None
    next_review: date | None
    waiver: WaiverState


@bp.get("/<association>/parcours/")
@access(Level.MANAGER)
def pathway_list(association: str) -> tuple[str, int]:
    current = coordination()
    settings = settings_of(current)
    wanted = request.args.get("statut", "")
    query = select(Pathway).where(Pathway.association_id == current.id)
    if wanted in {s.value for s in PathwayStatus}:
        query = query.where(Pathway.status == PathwayStatus(wanted))
    else:
        wanted = ""
    pathways = session.scalars(query).all()
    today = paris_today()
    reviews = next_reviews([p.id for p in pathways], settings["review_interval_weeks"])
    states = waiver_states(list(pathways), today, settings["waiver_warning_days"])
    people = {p.id: p for p in people_of(current)}
    rows = []
    for pathway in pathways:
        state = states[pathway.id]
        person = people.get(pathway.person_id)
        rows.append(Row(pathway=pathway, name=full_name(person), target=state.target,
                        next_review=reviews.get(pathway.id), waiver=state))
    rows.sort(key=lambda r: (r.pathway.status is PathwayStatus.ENDED, r.name.casefold()))
    return render("pathway_list.html", association=current, rows=rows, wanted=wanted, today=today,
                  statuses=list(PathwayStatus))


@bp.route("/<association>/parcours/nouveau", methods=["GET", "POST"])
@access(Level.MANAGER)
def pathway_create(association: str) -> Response | tuple[str, int]:
    current = coordination()
    settings = settings_of(current)
    today = paris_today()
    defaults = {"start_date": today, "person_id": id_arg("personne")}
    form = PathwayForm(data=defaults if request.method == "GET" else None)
    del form.status
    supported = people_of(current, roles=("supported",))
    followed = set(session.scalars(select(Pathway.person_id)
                                   .where(Pathway.association_id == current.id)))
    form.person_id.choices = [CHOOSE_PERSON] + [
        (p.id, full_name(p) + (" — a déjà un parcours" if p.id in followed else ""))
        for p in supported]
    _fill_pathway_choices(form, current)
    if form.validate_on_submit():
        start = form.start_date.data
        try:
            pathway = create_pathway(
                current.id, form.person_id.data, start_date=start,
                planned_end=form.planned_end.data or default_planned_end(
                    start, settings["duration_months"]),
                first_hours=ladder_of(current)[0], orienteur_name=form.orienteur_name.data,
                orienteur_contact=form.orienteur_contact.data or "",
                orienteur_partner_id=_optional_id(form.orienteur_partner_id.data),
                referent_id=_optional_id(form.referent_id.data),
                host_partner_id=_optional_id(form.host_partner_id.data))
        except Refused as refused:
            refuse(form, refused)
        else:
            session.commit()
            flash("Parcours ouvert.", "success")
            return see_other("premieres_heures.pathway_detail", association=current.slug,
                             pathway_id=pathway.id)
    existing = None
    if form.person_id.data and form.person_id.data in followed:
        existing = pathway_of_person(current.id, form.person_id.data)
    return render("pathway_form.html", form_status(form), association=current, form=form,
                  heading="Ouvrir un parcours", submit="Ouvrir le parcours", existing=existing,
                  duration_months=settings["duration_months"], no_supported=not supported,
                  cancel=_list_url(current))


@bp.get("/<association>/parcours/<int:pathway_id>")
@access(Level.MANAGER)
def pathway_detail(association: str, pathway_id: int) -> tuple[str, int]:
    current = coordination()
    pathway, person = _pathway_page(current, pathway_id)
    settings = settings_of(current)
    today = paris_today()
    stages = sorted(pathway.stages, key=lambda s: s.effective_date)
    reviews = session.scalars(select(Review).where(Review.pathway_id == pathway.id)
                              .order_by(Review.held_on.desc(), Review.id.desc())).all()
    waiver = waiver_state_of(pathway, today, settings["waiver_warning_days"])
    actions = session.scalars(select(SupportAction).where(SupportAction.pathway_id == pathway.id)
                              .order_by(SupportAction.opened_on.desc(), SupportAction.id.desc())).all()
    target = waiver.target
    review_dates = {r.id: r.held_on for r in reviews}
    plan_rows = [
        {"stage": stage,
         "until": stages[i + 1].effective_date - timedelta(days=1) if i + 1 < len(stages) else None,
         "review_date": review_dates.get(stage.review_id),
         "origin": "Début du parcours" if i == 0 else "Ajout par la coordination",
         "current": stage.effective_date <= today and (
             i + 1 == len(stages) or stages[i + 1].effective_date > today)}
        for i, stage in enumerate(stages)]
    every_partner = {p.id: p for p in partners()}
    referent = person_in(current, pathway.referent_id) if pathway.referent_id else None
    next_review = next_review_date(pathway, reviews[0] if reviews else None,
                                   settings["review_interval_weeks"])
    return render(
        "pathway_detail.html", association=current, pathway=pathway, name=full_name(person),
        person=person, referent=referent, partners=every_partner, target=target,
        plan_rows=plan_rows, reviews=reviews, waivers=waiver.waivers, actions=actions, today=today,
        next_review=next_review, waiver=waiver, threshold=WAIVER_THRESHOLD_HOURS,
        hours_chart=hours_chart(pathway, today))


@bp.route("/<association>/parcours/<int:pathway_id>/modifier", methods=["GET", "POST"])
@access(Level.MANAGER)
def pathway_edit(association: str, pathway_id: int) -> Response | tuple[str, int]:
    current = coordination()
    pathway, person = _pathway_page(current, pathway_id)
    settings = settings_of(current)
    form = PathwayForm(obj=pathway if request.method == "GET" else None)
    if request.method == "GET":
        for name in ("orienteur_partner_id", "referent_id", "host_partner_id"):
            getattr(form, name).data = getattr(pathway, name) or NONE
        form.status.data = pathway.status.value
    del form.person_id
    if pathway.status is PathwayStatus.ENDED:
        del form.status
    _fill_pathway_choices(form, current, keep_host=pathway.host_partner_id)
    if form.validate_on_submit():
        start = form.start_date.data
        planned_end = form.planned_end.data or default_planned_end(start, settings["duration_months"])
        try:
            change_start(pathway, start)
        except Refused as refused:
            refuse(form, refused)
        else:
            pathway.planned_end = planned_end
            pathway.orienteur_name = form.orienteur_name.data
            pathway.orienteur_contact = form.orienteur_contact.data or ""
            pathway.orienteur_partner_id = _optional_id(form.orienteur_partner_id.data)
            pathway.referent_id = _optional_id(form.referent_id.data)
            pathway.host_partner_id = _optional_id(form.host_partner_id.data)
            if "status" in form:
                pathway.status = PathwayStatus(form.status.data)
            session.commit()
            flash("Parcours enregistré.", "success")
            return see_other("premieres_heures.pathway_detail", association=current.slug,
                             pathway_id=pathway.id)
    return render("pathway_form.html", form_status(form), association=current, form=form,
                  heading=f"Modifier le parcours de {full_name(person)}", submit="Enregistrer",
                  existing=None, duration_months=settings["duration_months"], no_supported=False,
                  cancel=_detail_url(current, pathway))


# --- Hours plan ---------------------------------------------------------------------------

@bp.route("/<association>/parcours/<int:pathway_id>/paliers/nouveau", methods=["GET", "POST"])
@access(Level.MANAGER)
def stage_create(association: str, pathway_id: int) -> Response | tuple[str, int]:
    current = coordination()
    pathway, person = _pathway_page(current, pathway_id)
    ladder = ladder_of(current)
    today = paris_today()
    form = StageForm(data={"effective_date": today} if request.method == "GET" else None)
    form.set_ladder(ladder)
    if form.validate_on_submit():
        try:
            add_stage(pathway, form.effective_date.data, form.hours)
        except Refused as refused:
            refuse(form, refused)
        else:
            session.commit()
            flash("Palier ajouté au plan.", "success")
            return see_other("premieres_heures.pathway_detail", association=current.slug,
                             pathway_id=pathway.id)
    return render("pathway_stage_form.html", form_status(form), association=current, form=form,
                  pathway=pathway, name=full_name(person), ladder=ladder,
                  target=plan.current_target(pathway.stages, today), cancel=_detail_url(current, pathway))


# --- Reviews ------------------------------------------------------------------------------

@bp.route("/<association>/parcours/<int:pathway_id>/bilans/nouveau", methods=["GET", "POST"])
@access(Level.MANAGER)
def review_create(association: str, pathway_id: int) -> Response | tuple[str, int]:
    current = coordination()
    pathway, person = _pathway_page(current, pathway_id)
    settings = settings_of(current)
    ladder = ladder_of(current)
    today = paris_today()
    defaults = None
    if request.method == "GET":
        me = current_person()
        names = [full_name(person) if person else "", pathway.orienteur_name,
                 full_name(me) if me else ""]
        defaults = {"held_on": today, "participants": ", ".join(n for n in names if n)}
    form = ReviewForm(data=defaults)
    if form.validate_on_submit():
        data = ReviewInput(held_on=form.held_on.data, participants=form.participants.data,
                           observations=form.observations.data or "",
                           decision=Decision(form.decision.data),
                           new_weekly_hours=form.new_weekly_hours.data,
                           next_review_on=form.next_review_on.data)
        try:
            apply_review(pathway, data, ladder=ladder, interval_weeks=settings["review_interval_weeks"])
        except Refused as refused:
            refuse(form, refused)
        else:
            session.commit()
            if data.decision is Decision.END:
                flash("Bilan enregistré. Le parcours s'arrête : précisez la sortie.", "success")
                return see_other("premieres_heures.exit_edit", association=current.slug,
                                 pathway_id=pathway.id)
            flash("Bilan enregistré.", "success")
            return see_other("premieres_heures.pathway_detail", association=current.slug,
                             pathway_id=pathway.id)
    target = plan.current_target(pathway.stages, today)
    return render("review_form.html", form_status(form), association=current, form=form,
                  pathway=pathway, name=full_name(person), target=target,
                  up=plan.step(ladder, target, +1), down=plan.step(ladder, target, -1),
                  interval_weeks=settings["review_interval_weeks"],
                  cancel=_detail_url(current, pathway))


# --- Waivers ------------------------------------------------------------------------------

def _waiver_page(current: AssociationRef, pathway: Pathway, person: PersonRef | None,
                 waiver: Waiver | None) -> Response | tuple[str, int]:
    waivers = session.scalars(select(Waiver).where(Waiver.pathway_id == pathway.id)
                              .order_by(Waiver.starts_on)).all()
    reviews = session.scalars(select(Review).where(Review.pathway_id == pathway.id)
                              .order_by(Review.held_on.desc(), Review.id.desc())).all()
    today = paris_today()
    defaults = None
    if request.method == "GET":
        if waiver is not None:
            defaults = {"starts_on": waiver.starts_on, "ends_on": waiver.ends_on,
                        "review_id": waiver.review_id or NONE}
        else:
            start = renewal_start(list(waivers), pathway, today)
            defaults = {"starts_on": start, "ends_on": longest_waiver_end(start),
                        "review_id": reviews[0].id if waivers and reviews else NONE}
    form = WaiverForm(data=defaults)
    form.review_id.choices = [(NONE, "Aucun bilan")] + [
        (r.id, f"{r.held_on:%d/%m/%Y} — {DECISION_LABELS[r.decision]}") for r in reviews]
    if form.validate_on_submit():
        data = WaiverInput(starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                           review_id=_optional_id(form.review_id.data))
        try:
            save_waiver(pathway, data, waiver)
        except Refused as refused:
            refuse(form, refused)
        else:
            session.commit()
            flash("Dérogation enregistrée.", "success")
            return see_other("premieres_heures.pathway_detail", association=current.slug,
                             pathway_id=pathway.id)
    return render("waiver_form.html", form_status(form), association=current, form=form,
                  pathway=pathway, name=full_name(person), waiver=waiver, waivers=waivers,
                  threshold=WAIVER_THRESHOLD_HOURS, cancel=_detail_url(current, pathway))


@bp.route("/<association>/parcours/<int:pathway_id>/derogations/nouvelle", methods=["GET", "POST"])
@access(Level.MANAGER)
def waiver_create(association: str, pathway_id: int) -> Response | tuple[str, int]:
    current = coordination()
    pathway, person = _pathway_page(current, pathway_id)
    return _waiver_page(current, pathway, person, None)


@bp.route("/<association>/parcours/<int:pathway_id>/derogations/<int:waiver_id>/modifier",
          methods=["GET", "POST"])
@access(Level.MANAGER)
def waiver_edit(association: str, pathway_id: int, waiver_id: int) -> Response | tuple[str, int]:
    current = coordination()
    pathway, person = _pathway_page(current, pathway_id)
    return _waiver_page(current, pathway, person, _record_of(Waiver, waiver_id, pathway))


# --- Social support -----------------------------------------------------------------------

def _support_page(current: AssociationRef, pathway: Pathway, person: PersonRef | None,
                  action: SupportAction | None) -> Response | tuple[str, int]:
    today = paris_today()
    defaults = None
    if request.method == "GET":
        defaults = ({"domain": action.domain.value, "description": action.description,
                     "status": action.status.value, "opened_on": action.opened_on,
                     "closed_on": action.closed_on} if action is not None
                    else {"opened_on": today, "status": SupportStatus.PLANNED.value})
    form = SupportForm(data=defaults)
    if form.validate_on_submit():
        status = SupportStatus(form.status.data)
        closed_on = form.closed_on.data
        if closed_on is None and status in CLOSED_STATUSES:
            closed_on = max(today, form.opened_on.data)
        data = SupportInput(domain=SupportDomain(form.domain.data), description=form.description.data,
                            status=status, opened_on=form.opened_on.data, closed_on=closed_on)
        try:
            save_support(pathway, data, action)
        except Refused as refused:
            refuse(form, refused)
        else:
            session.commit()
            flash("Action d'accompagnement enregistrée.", "success")
            return see_other("premieres_heures.pathway_detail", association=current.slug,
                             pathway_id=pathway.id, _anchor="accompagnement")
    return render("support_form.html", form_status(form), association=current, form=form,
                  pathway=pathway, name=full_name(person), action=action,
                  cancel=_detail_url(current, pathway))


@bp.route("/<association>/parcours/<int:pathway_id>/accompagnement/nouvelle", methods=["GET", "POST"])
@access(Level.MANAGER)
def support_create(association: str, pathway_id: int) -> Response | tuple[str, int]:
    current = coordination()
    pathway, person = _pathway_page(current, pathway_id)
    return _support_page(current, pathway, person, None)


@bp.route("/<association>/parcours/<int:pathway_id>/accompagnement/<int:action_id>/modifier",
          methods=["GET", "POST"])
@access(Level.MANAGER)
def support_edit(association: str, pathway_id: int, action_id: int) -> Response | tuple[str, int]:
    current = coordination()
    pathway, person = _pathway_page(current, pathway_id)
    return _support_page(current, pathway, person, _record_of(SupportAction, action_id, pathway))


# --- Exit ---------------------------------------------------------------------------------

@bp.route("/<association>/parcours/<int:pathway_id>/sortie", methods=["GET", "POST"])
@access(Level.MANAGER)
def exit_edit(association: str, pathway_id: int) -> Response | tuple[str, int]:
    current = coordination()
    pathway, person = _pathway_page(current, pathway_id)
    defaults = None
    if request.method == "GET":
        defaults = {"exit_date": pathway.exit_date or paris_today(),
                    "exit_outcome": pathway.exit_outcome.value if pathway.exit_outcome else None,
                    "exit_note": pathway.exit_note}
    form = ExitForm(data=defaults)
    if form.validate_on_submit():
        try:
            record_exit(pathway, form.exit_date.data, ExitOutcome(form.exit_outcome.data),
                        form.exit_note.data or "")
        except Refused as refused:
            refuse(form, refused)
        else:
            session.commit()
            flash("Sortie enregistrée : le parcours est terminé.", "success")
            return see_other("premieres_heures.pathway_detail", association=current.slug,
                             pathway_id=pathway.id)
    return render("exit_form.html", form_status(form), association=current, form=form,
                  pathway=pathway, name=full_name(person), cancel=_detail_url(current, pathway))

