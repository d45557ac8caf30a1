"""Useful-work activities: the proposal (an unmet need, who proposed it), the non-competition
review (local businesses and networks consulted, their answers), the CLE's decision, then
the run. An activity starts only once the CLE approved it."""

from __future__ import annotations

from flask import flash
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from core.plugin_api import (
    INVALID_FORM_STATUS,
    AssociationRef,
    Level,
    access,
    add_error,
    in_paris,
    paris_today,
    see_other,
    session,
)
from plugins.tzcld.committee import OUTCOME_LABELS, approved_at
from plugins.tzcld.forms_committee import (
    PROPOSER_LABELS,
    ActivityForm,
    ConsultationForm,
    EndActivityForm,
    StartForm,
)
from plugins.tzcld.models import Activity, ActivityStatus, Consultation, Decision, Meeting, Proposer
from plugins.tzcld.views import bp, names_by_id, own_or_404, render, team, team_or_reader

# Who proposed it, by name, only where the name is an organisation's: a resident's or a PPDE's
# name is not for the committee's readers (it could be a name of the register).
NAMED_PROPOSERS = frozenset({Proposer.PARTNER, Proposer.LOCAL_AUTHORITY})


def proposer_name(activity: Activity, in_team: bool) -> str:
    return activity.proposer_name if in_team or activity.proposer in NAMED_PROPOSERS else ""


STATUS_LABELS = {
    ActivityStatus.PROPOSED: "Proposée", ActivityStatus.APPROVED: "Approuvée par le comité",
    ActivityStatus.REFUSED: "Refusée", ActivityStatus.POSTPONED: "Reportée",
    ActivityStatus.RUNNING: "En cours", ActivityStatus.ENDED: "Terminée",
}


def activities_of(current: AssociationRef) -> list[Activity]:
    return list(session.scalars(select(Activity).where(Activity.association_id == current.id)
                                .order_by(Activity.proposed_on.desc(), Activity.id)))


@bp.get("/<association>/activites/")
@access(Level.MEMBER)
def activity_list(association: str) -> tuple[str, int]:
    current, in_team = team_or_reader()
    return render("activity_list.html", association=current, activities=activities_of(current),
                  activity_labels=STATUS_LABELS, proposer_labels=PROPOSER_LABELS, in_team=in_team,
                  proposer_name=proposer_name)


@bp.route("/<association>/activites/nouvelle", methods=["GET", "POST"])
@access(Level.MANAGER)
def activity_create(association: str) -> Response | tuple[str, int]:
    current = team()
    form = ActivityForm(data={"proposed_on": paris_today()})
    valid = form.validate_on_submit()
    if valid and form.proposed_on.data > paris_today():
        add_error(form.proposed_on, "La date ne peut pas être dans le futur.")
    elif valid:
        activity = Activity(association_id=current.id, title=form.title.data, need=form.need.data,
                            proposer=Proposer(form.proposer.data),
                            proposer_name=form.proposer_name.data or "",
                            proposed_on=form.proposed_on.data)
        session.add(activity)
        session.commit()
        flash("Activité proposée : consultez les entreprises du territoire avant la décision du comité.",
              "success")
        return see_other("tzcld.activity_detail", association=current.slug, activity_id=activity.id)
    return render("committee_form.html", INVALID_FORM_STATUS if form.errors else 200, association=current,
                  form=form, heading="Proposer une activité utile", submit="Enregistrer")


def _page(current: AssociationRef, activity: Activity, status: int = 200, *, in_team: bool = True,
          **forms: object) -> tuple[str, int]:
    """The activity, its review and the committee's decisions about it, each with its earlier
    versions; the forms for the team only."""
    decisions = session.execute(
        select(Decision, Meeting.starts_at).join(Meeting, Meeting.id == Decision.meeting_id)
        .options(selectinload(Decision.versions))
        .where(Decision.activity_id == activity.id).order_by(Decision.id)).all()
    names = names_by_id({v.replaced_by_id for d, _ in decisions for v in d.versions})
    meetings, defaults = [], {}
    if in_team:
        meetings = session.scalars(select(Meeting).where(Meeting.association_id == current.id)
                                   .order_by(Meeting.starts_at.desc()).limit(5)).all()
        defaults = {"consultation": ConsultationForm(formdata=None, data={"consulted_on": paris_today()}),
                    "start": StartForm(formdata=None, data={"started_on": paris_today(), "jobs": 0}),
                    "end": EndActivityForm(formdata=None, data={"ended_on": paris_today()})}
    return render("activity_detail.html", status, association=current, activity=activity, decisions=decisions,
                  meetings=meetings, activity_labels=STATUS_LABELS, outcome_labels=OUTCOME_LABELS,
                  proposer_labels=PROPOSER_LABELS, names=names, in_team=in_team, proposer_name=proposer_name,
                  **{**defaults, **forms})


@bp.get("/<association>/activites/<int:activity_id>")
@access(Level.MEMBER)
def activity_detail(association: str, activity_id: int) -> tuple[str, int]:
    current, in_team = team_or_reader()
    return _page(current, own_or_404(Activity, activity_id, current), in_team=in_team)


@bp.post("/<association>/activites/<int:activity_id>/consultations")
@access(Level.MANAGER)
def consultation_create(association: str, activity_id: int) -> Response | tuple[str, int]:
    current = team()
    activity = own_or_404(Activity, activity_id, current)
    form = ConsultationForm()
    valid = form.validate()
    if valid and form.consulted_on.data < activity.proposed_on:
        add_error(form.consulted_on, "La consultation ne peut pas précéder la proposition "
                                     f"({activity.proposed_on:%d/%m/%Y}).")
    elif valid and form.consulted_on.data > paris_today():
        add_error(form.consulted_on, "La date ne peut pas être dans le futur.")
    elif valid:
        activity.consultations.append(Consultation(
            consulted=form.consulted.data, consulted_on=form.consulted_on.data,
            answer=form.answer.data or "", competition=form.competition.data))
        session.commit()
        flash("Consultation enregistrée.", "success")
        return see_other("tzcld.activity_detail", association=current.slug, activity_id=activity.id)
    return _page(current, activity, INVALID_FORM_STATUS, consultation=form)


@bp.post("/<association>/activites/<int:activity_id>/demarrage")
@access(Level.MANAGER)
def activity_start(association: str, activity_id: int) -> Response | tuple[str, int]:
    current = team()
    activity = own_or_404(Activity, activity_id, current)
    form = StartForm()
    if form.validate():
        approved_on = approved_at(activity.id) if activity.status is ActivityStatus.APPROVED else None
        if approved_on is None:
            add_error(form.started_on,
                      "Une activité ne démarre qu'après une décision du comité qui l'approuve.")
        elif form.started_on.data > paris_today():
            add_error(form.started_on, "La date ne peut pas être dans le futur : enregistrez le "
                                       "démarrage le jour venu.")
        elif form.started_on.data < in_paris(approved_on).date():
            add_error(form.started_on, "Le démarrage ne peut pas précéder la réunion du comité qui "
                                       f"l'a approuvée ({in_paris(approved_on):%d/%m/%Y}).")
        elif form.started_on.data < activity.proposed_on:
            add_error(form.started_on, "Le démarrage ne peut pas précéder la proposition.")
        else:
            activity.status = ActivityStatus.RUNNING
            activity.started_on, activity.jobs = form.started_on.data, form.jobs.data
            session.commit()
            flash("Activité démarrée.", "success")
            return see_other("tzcld.activity_detail", association=current.slug, activity_id=activity.id)
    return _page(current, activity, INVALID_FORM_STATUS, start=form)


@bp.post("/<association>/activites/<int:activity_id>/fin")
@access(Level.MANAGER)
def activity_end(association: str, activity_id: int) -> Response | tuple[str, int]:
    current = team()
    activity = own_or_404(Activity, activity_id, current)
    form = EndActivityForm()
    if form.validate():
        if activity.status is not ActivityStatus.RUNNING or activity.started_on is None:
            add_error(form.ended_on, "Seule une activité en cours peut prendre fin.")
        elif form.ended_on.data > paris_today():
            add_error(form.ended_on, "La date ne peut pas être dans le futur.")
        elif form.ended_on.data < activity.started_on:
            add_error(form.ended_on, "La fin ne peut pas précéder le démarrage.")
        else:
            activity.status, activity.ended_on = ActivityStatus.ENDED, form.ended_on.data
            session.commit()
            flash("Fin de l'activité enregistrée.", "success")
            return see_other("tzcld.activity_detail", association=current.slug, activity_id=activity.id)
    return _page(current, activity, INVALID_FORM_STATUS, end=form)
