"""The local employment committee: its members, its meetings (in the shared agenda for the
team) and their decisions, whose every change keeps the previous wording, dated and signed."""

from __future__ import annotations

from flask import flash, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from core.plugin_api import (
    INVALID_FORM_STATUS,
    AssociationRef,
    Level,
    access,
    add_error,
    current_person,
    paris_to_utc,
    partner_contacts,
    partners,
    people_of,
    see_other,
    session,
    utcnow,
)
from plugins.tzcld.committee import OUTCOME_LABELS, SUBJECT_LABELS, DecisionRefused, amend, decide
from plugins.tzcld.forms_committee import NONE, DecisionForm, MeetingForm, MemberForm
from plugins.tzcld.models import (
    Activity,
    CleMember,
    Decision,
    DecisionSubject,
    Meeting,
    MeetingAttendee,
    Outcome,
)
from plugins.tzcld.views import bp, names_by_id, own_or_404, render, team, team_or_reader


def _member_label(member: CleMember, names: dict[int, str]) -> str:
    who = names.get(member.person_id, "") if member.person_id else member.name
    where = f" ({member.organisation})" if member.organisation else ""
    return f"{who}{where}" + (f" — {member.role}" if member.role else "")


def members_of(current: AssociationRef) -> list[tuple[CleMember, str]]:
    """The committee's members with their label (name, organisation, role), two queries."""
    members = session.scalars(select(CleMember).where(CleMember.association_id == current.id)
                              .order_by(CleMember.id)).all()
    names = names_by_id({m.person_id for m in members})
    return [(m, _member_label(m, names)) for m in members]


def meetings_of(current: AssociationRef) -> list[Meeting]:
    return list(session.scalars(select(Meeting).where(Meeting.association_id == current.id)
                                .order_by(Meeting.starts_at.desc(), Meeting.id)))


@bp.get("/<association>/cle/")
@access(Level.MEMBER)
def committee(association: str) -> tuple[str, int]:
    current, in_team = team_or_reader()
    return render("committee.html", association=current, meetings=meetings_of(current),
                  members=members_of(current), in_team=in_team)


@bp.route("/<association>/cle/membres/nouveau", methods=["GET", "POST"])
@access(Level.MANAGER)
def member_create(association: str) -> Response | tuple[str, int]:
    current = team()
    form = MemberForm()
    form.person_id.choices = [(NONE, "Aucune"), *((p.id, f"{p.last_name} {p.first_name}")
                                                  for p in people_of(current))]
    contacts = {c.id: c for c in partner_contacts()}
    form.contact_id.choices = [(NONE, "Aucun"), *((c.id, f"{c.full_name} ({c.partner_name})")
                                                  for c in contacts.values())]
    directory = partners()
    form.partner_id.choices = [(NONE, "Aucune"), *((p.id, p.name) for p in directory)]
    if form.validate_on_submit():
        person_id = form.person_id.data or None
        contact = contacts.get(form.contact_id.data)
        if person_id and session.scalar(select(CleMember.id).where(
                CleMember.association_id == current.id, CleMember.person_id == person_id)):
            add_error(form.person_id, "Cette personne siège déjà au comité.")
        else:
            # A partner's contact: their name and organisation as the directory has them today.
            wanted = contact.partner_id if contact else form.partner_id.data
            partner = next((p for p in directory if p.id == wanted), None)
            name = form.name.data or (contact.full_name if contact and not person_id else "")
            session.add(CleMember(association_id=current.id, person_id=person_id, name=name,
                                  partner_id=partner.id if partner else None,
                                  organisation=form.organisation.data or (partner.name if partner else ""),
                                  role=form.role.data or (contact.job_title if contact else ""),
                                  reads_decisions=form.reads_decisions.data))
            session.commit()
            flash("Membre du comité ajouté.", "success")
            return see_other("tzcld.committee", association=current.slug)
    return render("committee_form.html", INVALID_FORM_STATUS if form.errors else 200, association=current,
                  form=form, heading="Nouveau membre du comité local pour l'emploi", submit="Ajouter")


def _meeting_form(current: AssociationRef, form: MeetingForm) -> None:
    form.attendees.choices = [(m.id, label) for m, label in members_of(current)]


@bp.route("/<association>/cle/reunions/nouvelle", methods=["GET", "POST"])
@access(Level.MANAGER)
def meeting_create(association: str) -> Response | tuple[str, int]:
    current = team()
    form = MeetingForm()
    _meeting_form(current, form)
    if form.validate_on_submit():
        meeting = Meeting(association_id=current.id, starts_at=paris_to_utc(form.starts_at.data),
                          ends_at=paris_to_utc(form.ends_at.data), place=form.place.data or "",
                          agenda=form.agenda.data or "", minutes=form.minutes.data or "",
                          attendees=[MeetingAttendee(member_id=m) for m in form.attendees.data])
        session.add(meeting)
        session.commit()
        flash("Réunion enregistrée : elle paraît dans l'agenda de l'équipe.", "success")
        return see_other("tzcld.meeting_detail", association=current.slug, meeting_id=meeting.id)
    return render("committee_form.html", INVALID_FORM_STATUS if form.errors else 200, association=current,
                  form=form, heading="Nouvelle réunion du comité", submit="Enregistrer")


def _decision_form(current: AssociationRef, form: DecisionForm) -> None:
    form.activity_id.choices = [(NONE, "Aucune"), *((a.id, a.title) for a in session.scalars(
        select(Activity).where(Activity.association_id == current.id).order_by(Activity.title)))]


def _meeting_page(current: AssociationRef, meeting: Meeting, form: DecisionForm | None,
                  status: int = 200) -> tuple[str, int]:
    decisions = session.scalars(select(Decision).options(selectinload(Decision.versions))
                                .where(Decision.meeting_id == meeting.id).order_by(Decision.id)).all()
    present = {a.member_id for a in meeting.attendees}
    members = session.scalars(select(CleMember).where(CleMember.id.in_(present))).all() if present else []
    names = names_by_id({m.person_id for m in members}
                        | {v.replaced_by_id for d in decisions for v in d.versions})
    return render("meeting_detail.html", status, association=current, meeting=meeting, decisions=decisions,
                  form=form, subject_labels=SUBJECT_LABELS, outcome_labels=OUTCOME_LABELS,
                  present=[_member_label(m, names) for m in members], names=names,
                  held=meeting.starts_at <= utcnow())


@bp.get("/<association>/cle/reunions/<int:meeting_id>")
@access(Level.MEMBER)
def meeting_detail(association: str, meeting_id: int) -> tuple[str, int]:
    """The meeting and its decisions, each with its earlier versions; the decision form for
    the team only."""
    current, in_team = team_or_reader()
    meeting = own_or_404(Meeting, meeting_id, current)
    form = None
    if in_team:
        form = DecisionForm(data={"activity_id": request.args.get("activite", NONE, type=int)})
        _decision_form(current, form)
    return _meeting_page(current, meeting, form)


@bp.post("/<association>/cle/reunions/<int:meeting_id>/decisions")
@access(Level.MANAGER)
def decision_create(association: str, meeting_id: int) -> Response | tuple[str, int]:
    current = team()
    meeting = own_or_404(Meeting, meeting_id, current)
    form = DecisionForm()
    _decision_form(current, form)
    if form.validate():
        activity = own_or_404(Activity, form.activity_id.data, current) if form.activity_id.data else None
        try:
            decide(current.id, meeting.id, subject=DecisionSubject(form.subject.data), activity=activity,
                   title=form.title.data, outcome=Outcome(form.outcome.data), reasons=form.reasons.data or "")
        except DecisionRefused as refused:
            session.rollback()
            meeting = own_or_404(Meeting, meeting_id, current)
            add_error(getattr(form, refused.field), str(refused))
        else:
            session.commit()
            flash("Décision enregistrée.", "success")
            return see_other("tzcld.meeting_detail", association=current.slug, meeting_id=meeting.id)
    return _meeting_page(current, meeting, form, INVALID_FORM_STATUS)


@bp.route("/<association>/cle/decisions/<int:decision_id>/modifier", methods=["GET", "POST"])
@access(Level.MANAGER)
def decision_edit(association: str, decision_id: int) -> Response | tuple[str, int]:
    current = team()
    decision = own_or_404(Decision, decision_id, current)
    form = DecisionForm(data={"subject": decision.subject.value, "activity_id": decision.activity_id or NONE,
                              "title": decision.title, "outcome": decision.outcome.value,
                              "reasons": decision.reasons} if request.method == "GET" else None)
    _decision_form(current, form)
    del form.subject, form.activity_id  # what a decision is about does not change
    if form.validate_on_submit():
        me = current_person()
        try:
            version = amend(decision, title=form.title.data, outcome=Outcome(form.outcome.data),
                            reasons=form.reasons.data or "", by_id=me.id if me else None)
        except DecisionRefused as refused:
            session.rollback()
            add_error(getattr(form, refused.field), str(refused))
        else:
            session.commit()
            flash("Décision modifiée ; la version précédente est gardée." if version else
                  "Rien n'a changé : la décision reste telle quelle.", "success" if version else "info")
            return see_other("tzcld.meeting_detail", association=current.slug, meeting_id=decision.meeting_id)
    return render("decision_form.html", INVALID_FORM_STATUS if form.errors else 200, association=current,
                  form=form, decision=decision, outcome_labels=OUTCOME_LABELS,
                  names=names_by_id({v.replaced_by_id for v in decision.versions}))
