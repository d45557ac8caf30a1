"""Pathways: the list, a new pathway for a person already supported, the pathway page and
its timeline, the move to the next stage, barriers, actions, the change of referent and
the exit.

Every page is for the coordinators and admins of the association, under
``/p/allervers/<association>/parcours/``; a pathway of another association answers 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import flash, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import aliased
from werkzeug.wrappers import Response

from core.plugin_api import (
    BARRIER_LABELS,
    INVALID_FORM_STATUS,
    AssociationRef,
    Level,
    ReferralRefused,
    access,
    add_error,
    create_referral,
    current_person,
    id_arg,
    neighbourhoods,
    paris_today,
    partner_services,
    partners,
    people_names,
    people_of,
    person_in,
    see_other,
    session,
)
from plugins.allervers import NAME, TITLE
from plugins.allervers.forms_pathways import (
    NONE,
    ActionForm,
    BarrierForm,
    EngageForm,
    ExitForm,
    NextStageForm,
    PathwayForm,
    ReferentForm,
)
from plugins.allervers.models_pathways import BarrierStatus, ExitOutcome, Pathway, PathwayStage
from plugins.allervers.pathways import (
    BARRIER_STATUS_LABELS,
    Refused,
    add_action,
    change_referent,
    current_stage,
    move_to_next_stage,
    next_stage_name,
    open_pathway_of,
    pathway_or_404,
    record_exit,
    set_barrier,
    start_pathway,
)
from plugins.allervers.sections import LABELS, pathway_context
from plugins.allervers.settings import stages_of
from plugins.allervers.timeline import people_and_partners
from plugins.allervers.views import bp, coordination

REFERENT_ROLES = ("coordinator", "admin", "volunteer")
OPEN, ENDED, EVERY = "en_cours", "termines", "tous"
STATE_LABELS = {OPEN: "En cours", ENDED: "Terminés", EVERY: "Tous"}


# --- Helpers ------------------------------------------------------------------------------

def render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(f"allervers/{template}", title=TITLE, labels=LABELS, **context), status


def form_status(form: Any) -> int:
    return INVALID_FORM_STATUS if form.errors else 200


def refuse(form: Any, refused: Refused) -> None:
    """Undo what the request wrote, and put the message next to its field."""
    session.rollback()
    add_error(getattr(form, refused.field), str(refused))


def full_name(person: Any) -> str:
    return f"{person.first_name} {person.last_name}" if person else "Fiche retirée"


def partner_choices(first: str = "L'association elle-même") -> list[tuple[int, str]]:
    return [(NONE, first)] + [(p.id, p.name) for p in partners()]


def referent_choices(current: AssociationRef) -> list[tuple[Any, str]]:
    return [("", "Choisir la personne référente")] + [
        (p.id, full_name(p)) for p in people_of(current, REFERENT_ROLES)]


def fill_start_choices(form: EngageForm | PathwayForm, current: AssociationRef) -> None:
    form.referent_id.choices = referent_choices(current)
    form.stage_partner_id.choices = partner_choices()


def _detail(current: AssociationRef, pathway: Pathway, anchor: str | None = None) -> Response:
    return see_other("allervers.pathway_detail", association=current.slug, pathway_id=pathway.id,
                     _anchor=anchor)


def _detail_url(current: AssociationRef, pathway: Pathway) -> str:
    return url_for("allervers.pathway_detail", association=current.slug, pathway_id=pathway.id)


def _page(current: AssociationRef, pathway_id: int) -> tuple[Pathway, str]:
    pathway = pathway_or_404(current.id, pathway_id)
    return pathway, full_name(person_in(current, pathway.person_id))


# --- The list -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    pathway: Pathway
    name: str
    referent: str
    stage: str | None
    stage_since: date | None


@bp.get("/<association>/parcours/")
@access(Level.MANAGER)
def pathway_list(association: str) -> tuple[str, int]:
    """The association's pathways, with their person, referent and current stage, in one
    query whatever their number (plus the filters' lists)."""
    current = coordination()
    stages = stages_of(current)
    state = request.args.get("etat", OPEN)
    if state not in STATE_LABELS:
        state = OPEN
    referent_id = id_arg("referent")
    wanted_stage = request.args.get("etape", "")
    if wanted_stage not in stages:
        wanted_stage = ""
    person, referent = aliased(people_names), aliased(people_names)
    query = (select(Pathway, person.c.first_name, person.c.last_name, referent.c.first_name,
                    referent.c.last_name, PathwayStage.name, PathwayStage.started_on)
             .outerjoin(person, person.c.id == Pathway.person_id)
             .outerjoin(referent, referent.c.id == Pathway.referent_id)
             .outerjoin(PathwayStage, (PathwayStage.pathway_id == Pathway.id)
                        & PathwayStage.ended_on.is_(None))
             .where(Pathway.association_id == current.id)
             .order_by(person.c.last_name, person.c.first_name, Pathway.id))
    if state == OPEN:
        query = query.where(Pathway.ended_on.is_(None))
    elif state == ENDED:
        query = query.where(Pathway.ended_on.is_not(None))
    if referent_id is not None:
        query = query.where(Pathway.referent_id == referent_id)
    if wanted_stage:
        query = query.where(PathwayStage.name == wanted_stage)
    rows = [Row(pathway=p, name=f"{pf} {pl}" if pl else "Fiche retirée",
                referent=f"{rf} {rl}" if rl else "Non désignée", stage=stage, stage_since=since)
            for p, pf, pl, rf, rl, stage, since in session.execute(query)]
    filtered = state != OPEN or referent_id is not None or bool(wanted_stage)
    return render("pathway_list.html", association=current, rows=rows, state=state,
                  states=STATE_LABELS, stages=stages, wanted_stage=wanted_stage,
                  referent_id=referent_id, referents=people_of(current, REFERENT_ROLES),
                  filtered=filtered)


# --- A new pathway for a person already supported ----------------------------------------

@bp.route("/<association>/parcours/nouveau", methods=["GET", "POST"])
@access(Level.MANAGER)
def pathway_create(association: str) -> Response | tuple[str, int]:
    current = coordination()
    today = paris_today()
    me = current_person()
    defaults = None
    if request.method == "GET":
        defaults = {"started_on": today, "first_contact_on": today,
                    "person_id": id_arg("personne"), "referent_id": me.id if me else None}
    form = PathwayForm(data=defaults)
    supported = people_of(current, ("supported",))
    followed = set(session.scalars(select(Pathway.person_id).where(
        Pathway.association_id == current.id, Pathway.ended_on.is_(None))))
    form.person_id.choices = [("", "Choisir une personne")] + [
        (p.id, full_name(p) + (" — a déjà un parcours en cours" if p.id in followed else ""))
        for p in supported]
    form.neighbourhood_id.choices = [(NONE, "Non renseigné")] + [
        (n.id, f"{n.name} ({n.city})" + (" — QPV" if n.qpv_code else "")) for n in neighbourhoods()]
    fill_start_choices(form, current)
    stages = stages_of(current)
    if form.validate_on_submit():
        try:
            pathway = start_pathway(
                current.id, form.person_id.data, first_contact_on=form.first_contact_on.data,
                started_on=form.started_on.data, first_stage=stages[0], today=today,
                referent_id=form.referent_id.data,
                stage_partner_id=form.stage_partner_id.data or None,
                age_at_first_contact=form.age_at_first_contact.data,
                neighbourhood_id=form.neighbourhood_id.data or None)
        except Refused as refused:
            refuse(form, refused)
        else:
            session.commit()
            flash(f"Parcours ouvert à l'étape « {stages[0]} ».", "success")
            return _detail(current, pathway)
    existing = None
    if form.person_id.data and form.person_id.data in followed:
        existing = open_pathway_of(current.id, form.person_id.data)
    return render("pathway_form.html", form_status(form), association=current, form=form,
                  heading="Ouvrir un parcours", submit="Ouvrir le parcours", existing=existing,
                  no_supported=not supported, first_stage=stages[0],
                  cancel=url_for("allervers.pathway_list", association=current.slug))


# --- The pathway page ---------------------------------------------------------------------

@bp.get("/<association>/parcours/<int:pathway_id>")
@access(Level.MANAGER)
def pathway_detail(association: str, pathway_id: int) -> tuple[str, int]:
    current = coordination()
    pathway, name = _page(current, pathway_id)
    context = pathway_context(current, pathway)
    barriers = sorted(pathway.barriers, key=lambda b: (b.status is BarrierStatus.LIFTED,
                                                       list(BARRIER_LABELS).index(b.barrier)
                                                       if b.barrier in BARRIER_LABELS else 99))
    return render("pathway_detail.html", association=current, name=name, barriers=barriers,
                  next_stage=next_stage_name(pathway, stages_of(current)), **context)


# --- Stages -------------------------------------------------------------------------------

@bp.route("/<association>/parcours/<int:pathway_id>/etape-suivante", methods=["GET", "POST"])
@access(Level.MANAGER)
def stage_next(association: str, pathway_id: int) -> Response | tuple[str, int]:
    current = coordination()
    pathway, name = _page(current, pathway_id)
    today = paris_today()
    stages = stages_of(current)
    form = NextStageForm(data={"on": today, "partner_id": NONE} if request.method == "GET" else None)
    form.partner_id.choices = partner_choices()
    if form.validate_on_submit():
        try:
            stage = move_to_next_stage(pathway, stages, form.on.data, form.partner_id.data or None,
                                       today)
        except Refused as refused:
            refuse(form, refused)
        else:
            session.commit()
            flash(f"Étape « {stage.name} » commencée.", "success")
            return _detail(current, pathway, "etapes")
    return render("pathway_stage_form.html", form_status(form), association=current, form=form,
                  pathway=pathway, name=name, stage=current_stage(pathway),
                  next_stage=next_stage_name(pathway, stages), cancel=_detail_url(current, pathway))


# --- Barriers -----------------------------------------------------------------------------

@bp.route("/<association>/parcours/<int:pathway_id>/freins", methods=["GET", "POST"])
@access(Level.MANAGER)
def barrier_edit(association: str, pathway_id: int) -> Response | tuple[str, int]:
    current = coordination()
    pathway, name = _page(current, pathway_id)
    today = paris_today()
    defaults = None
    if request.method == "GET":
        wanted = request.args.get("frein", "")
        row = next((b for b in pathway.barriers if b.barrier == wanted), None)
        defaults = {"on": today, "barrier": wanted if wanted in BARRIER_LABELS else "",
                    "status": _next_status(row.status).value if row else BarrierStatus.IDENTIFIED.value}
    form = BarrierForm(data=defaults)
    form.barrier.choices = [("", "Choisir un frein"), *BARRIER_LABELS.items()]
    if form.validate_on_submit():
        status = BarrierStatus(form.status.data)
        try:
            set_barrier(pathway, form.barrier.data, status, form.on.data, today, BARRIER_LABELS)
        except Refused as refused:
            refuse(form, refused)
        else:
            session.commit()
            flash(f"Frein « {BARRIER_LABELS[form.barrier.data]} » : "
                  f"{BARRIER_STATUS_LABELS[status].lower()}.", "success")
            return _detail(current, pathway, "freins")
    return render("pathway_barrier_form.html", form_status(form), association=current, form=form,
                  pathway=pathway, name=name, cancel=_detail_url(current, pathway))


def _next_status(status: BarrierStatus) -> BarrierStatus:
    order = list(BarrierStatus)
    return order[min(order.index(status) + 1, len(order) - 1)]


# --- Actions ------------------------------------------------------------------------------

REFERRAL_FIELDS = {"reason": "description", "partner_id": "partner_id", "service_id": "service_id",
                   "barriers": "barriers", "recipient_email": "recipient_email"}


@bp.route("/<association>/parcours/<int:pathway_id>/actions/nouvelle", methods=["GET", "POST"])
@access(Level.MANAGER)
def action_create(association: str, pathway_id: int) -> Response | tuple[str, int]:
    """An action of the pathway; with « orienter », a referral to the partner (and one of its
    services) through the core's engine, the action keeping its id."""
    current = coordination()
    pathway, name = _page(current, pathway_id)
    today = paris_today()
    defaults = {"done_on": today, "partner_id": NONE, "service_id": NONE}
    form = ActionForm(data=defaults if request.method == "GET" else None)
    form.partner_id.choices = partner_choices("Aucun")
    services = partner_services()
    form.service_id.choices = [(NONE, "Aucun service en particulier")] + [
        (s.id, f"{s.partner_name} — {s.name}") for s in services]
    form.barriers.choices = list(BARRIER_LABELS.items())
    if form.validate_on_submit():
        me = current_person()
        try:
            referral_id = _referral_of(form, current, pathway) if form.orient.data else None
            add_action(pathway, done_on=form.done_on.data, description=form.description.data,
                       partner_id=form.partner_id.data or None, by_person_id=me.id if me else None,
                       referral_id=referral_id)
        except Refused as refused:
            refuse(form, refused)
        else:
            session.commit()
            flash("Orientation envoyée au partenaire." if form.orient.data else "Action enregistrée.",
                  "success")
            return _detail(current, pathway, "actions")
    return render("pathway_action_form.html", form_status(form), association=current, form=form,
                  pathway=pathway, name=name, cancel=_detail_url(current, pathway))


def _referral_of(form: ActionForm, current: AssociationRef, pathway: Pathway) -> int:
    """The referral the action makes, created in the request's transaction (the partner's
    e-mail leaves after the commit): its id."""
    if pathway.ended_on is not None:
        raise Refused("Ce parcours est terminé.", "orient")
    if not form.partner_id.data:
        raise Refused("Choisissez le partenaire vers qui orienter.", "partner_id")
    try:
        referral = create_referral(
            current, pathway.person_id, partner_id=form.partner_id.data,
            reason=form.description.data, service_id=form.service_id.data or None,
            barriers=form.barriers.data or (), referent_id=pathway.referent_id,
            recipient_email=form.recipient_email.data or None, plugin=NAME)
    except ReferralRefused as refused:
        raise Refused(str(refused), REFERRAL_FIELDS.get(refused.field or "", "orient")) from None
    return referral.id


# --- Referent -----------------------------------------------------------------------------

@bp.route("/<association>/parcours/<int:pathway_id>/referent", methods=["GET", "POST"])
@access(Level.MANAGER)
def referent_edit(association: str, pathway_id: int) -> Response | tuple[str, int]:
    current = coordination()
    pathway, name = _page(current, pathway_id)
    today = paris_today()
    form = ReferentForm(data={"on": today} if request.method == "GET" else None)
    form.referent_id.choices = referent_choices(current)
    if form.validate_on_submit():
        try:
            change_referent(pathway, form.referent_id.data, form.on.data, today)
        except Refused as refused:
            refuse(form, refused)
        else:
            session.commit()
            flash("Personne référente changée ; la précédente reste dans l'historique.", "success")
            return _detail(current, pathway)
    names, _ = people_and_partners(pathway)
    return render("pathway_referent_form.html", form_status(form), association=current, form=form,
                  pathway=pathway, name=name, names=names, cancel=_detail_url(current, pathway))


# --- Exit ---------------------------------------------------------------------------------

@bp.route("/<association>/parcours/<int:pathway_id>/sortie", methods=["GET", "POST"])
@access(Level.MANAGER)
def exit_edit(association: str, pathway_id: int) -> Response | tuple[str, int]:
    current = coordination()
    pathway, name = _page(current, pathway_id)
    today = paris_today()
    form = ExitForm(data={"ended_on": today} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            record_exit(pathway, form.ended_on.data, ExitOutcome(form.exit_outcome.data),
                        form.exit_note.data or "", today)
        except Refused as refused:
            refuse(form, refused)
        else:
            session.commit()
            flash("Sortie enregistrée : le parcours est terminé.", "success")
            return _detail(current, pathway)
    return render("pathway_exit_form.html", form_status(form), association=current, form=form,
                  pathway=pathway, name=name, cancel=_detail_url(current, pathway))
