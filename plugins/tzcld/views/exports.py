"""Every table of the plugin as a CSV or Excel file, through the core's ``export_table``.

One address per table, ``/p/tzcld/<association>/telecharger/<table>.<csv|xlsx>``, with the
filters of its page (``?statut=`` for the register, ``?annee=`` for the monthly table,
``?inscription=`` for one person's steps). Each file holds what its page shows, read by the
same functions. Tables of names and people's situations are the team's; the committee's
readers may download what they may read: the committee, its decisions, the activities and
the figures counted over everyone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import abort, request
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from core.plugin_api import (
    AssociationRef,
    ExportColumn,
    Level,
    access,
    export_table,
    month_label,
    paris_today,
    people_of,
    session,
)
from plugins.tzcld.committee import OUTCOME_LABELS, SUBJECT_LABELS
from plugins.tzcld.forms_committee import PROPOSER_LABELS
from plugins.tzcld.models import (
    Activity,
    CdeRates,
    Consultation,
    Decision,
    Meeting,
    MeetingAttendee,
    Ppde,
    Transition,
)
from plugins.tzcld.register import EXIT_LABELS, STATUS_LABELS, eligibility_of, waiting_of
from plugins.tzcld.settings import rules_of
from plugins.tzcld.views import bp, names_by_id, own_or_404, team_or_reader
from plugins.tzcld.views.activities import STATUS_LABELS as ACTIVITY_LABELS
from plugins.tzcld.views.activities import activities_of, proposer_name
from plugins.tzcld.views.committee import meetings_of, members_of
from plugins.tzcld.views.register import entries_of, last_twelve_months, wanted_status
from plugins.tzcld.views.staff import contracts_with_hours, hours_on, months_of, year_of_table, years_of

GONE = "Personne retirée de l'association"
Rows = Callable[[AssociationRef, bool], Iterable[Any]]  # the association, whether the team asks


@dataclass(frozen=True)
class Table:
    filename: str
    columns: tuple[ExportColumn, ...]
    rows: Rows
    readers: bool = False  # the committee's readers may download it: no one's file in it


def _people(current: AssociationRef) -> dict[int, tuple[str, str]]:
    return {p.id: (p.last_name, p.first_name) for p in people_of(current)}


def _named(person_id: int | None, people: dict[int, tuple[str, str]], **values: Any) -> dict[str, Any]:
    last, first = people.get(person_id, (GONE, "")) if person_id is not None else (GONE, "")
    return {"last_name": last, "first_name": first, **values}


NAME_COLUMNS = (ExportColumn("Nom", "last_name"), ExportColumn("Prénom", "first_name"))


def _register(current: AssociationRef, in_team: bool) -> Iterable[dict[str, Any]]:
    people, today, rules = _people(current), paris_today(), rules_of(current)
    for entry in entries_of(current, wanted_status()):
        yield _named(entry.person_id, people, status=STATUS_LABELS[entry.status],
                     without_work_since=entry.without_work_since, resident_since=entry.resident_since,
                     consent_on=entry.consent_on, waiting_since=entry.waiting_since,
                     waited=(today - entry.waiting_since).days if entry.waiting_since else None,
                     eligible=eligibility_of(entry, today, rules).eligible)


def _steps(current: AssociationRef, in_team: bool) -> Iterable[dict[str, Any]]:
    query = (select(Transition, Ppde.person_id).join(Ppde, Ppde.id == Transition.ppde_id)
             .where(Transition.association_id == current.id))
    one = request.args.get("inscription", type=int)
    if one is not None:
        query = query.where(Transition.ppde_id == own_or_404(Ppde, one, current).id)
    rows = session.execute(query).all()
    people = _people(current)
    recorders = names_by_id({step.recorded_by_id for step, _ in rows})
    rows.sort(key=lambda row: (people.get(row[1], (GONE, "")), row[1], row[0].on, row[0].id))
    for step, person_id in rows:
        yield _named(person_id, people, status=STATUS_LABELS[step.status], on=step.on,
                     reason=EXIT_LABELS[step.exit_reason] if step.exit_reason else "",
                     hours=step.weekly_hours, note=step.note,
                     recorded_by=recorders.get(step.recorded_by_id, "") if step.recorded_by_id else "")


def _waiting(current: AssociationRef, in_team: bool) -> Iterable[dict[str, Any]]:
    rules = rules_of(current)
    people = _people(current)
    for item in waiting_of(current.id, paris_today(), rules.waiting_alert_days).waiting:
        yield _named(item.person_id, people, since=item.since, days=item.days,
                     over=item.days > rules.waiting_alert_days)


def _distribution(current: AssociationRef, in_team: bool) -> list[tuple[str, int]]:
    return waiting_of(current.id, paris_today(), rules_of(current).waiting_alert_days).distribution


def _hires(current: AssociationRef, in_team: bool) -> list[tuple[str, int]]:
    return last_twelve_months(current, paris_today())


def _contracts(current: AssociationRef, in_team: bool) -> Iterable[dict[str, Any]]:
    people = _people(current)
    for contract in contracts_with_hours(current):
        yield _named(contract.person_id, people, ppde=contract.ppde, job=contract.job,
                     started_on=contract.started_on, ended_on=contract.ended_on,
                     end_reason=contract.end_reason,
                     hours=hours_on(contract, paris_today()))


def _working_times(current: AssociationRef, in_team: bool) -> Iterable[dict[str, Any]]:
    people = _people(current)
    for contract in contracts_with_hours(current):
        for change in contract.hours:
            yield _named(contract.person_id, people, job=contract.job, ppde=contract.ppde,
                         effective_on=change.effective_on, hours=change.weekly_hours)


def _months(current: AssociationRef, in_team: bool) -> Iterable[dict[str, Any]]:
    for figures, cde in months_of(current, year_of_table()):
        yield {"month": month_label(figures.month), "etp_ppde": figures.etp_ppde,
               "etp_other": figures.etp_other, "etp": figures.etp,
               "share": figures.other_share * 100 if figures.other_share is not None else None,
               "over_cap": figures.over_cap, "headcount": figures.headcount,
               "entries": figures.entries, "exits": figures.exits,
               "state": cde.state, "departement": cde.departement}


def _rates_rows(current: AssociationRef, in_team: bool) -> Iterable[Any]:
    return session.scalars(select(CdeRates).where(CdeRates.association_id == current.id)
                           .order_by(CdeRates.year))


def _members(current: AssociationRef, in_team: bool) -> Iterable[dict[str, Any]]:
    members = [member for member, _label in members_of(current)]
    names = names_by_id({member.person_id for member in members})
    for member in members:
        yield {"name": names.get(member.person_id, "") if member.person_id else member.name,
               "organisation": member.organisation, "role": member.role, "reads": member.reads_decisions}


def _meetings(current: AssociationRef, in_team: bool) -> Iterable[dict[str, Any]]:
    meetings = meetings_of(current)
    present = dict(session.execute(
        select(MeetingAttendee.meeting_id, func.count())
        .join(Meeting, Meeting.id == MeetingAttendee.meeting_id)
        .where(Meeting.association_id == current.id).group_by(MeetingAttendee.meeting_id)).all())
    for meeting in meetings:
        yield {"starts_at": meeting.starts_at, "ends_at": meeting.ends_at, "place": meeting.place,
               "agenda": meeting.agenda, "present": present.get(meeting.id, 0), "minutes": meeting.minutes}


def _decisions(current: AssociationRef, in_team: bool) -> Iterable[dict[str, Any]]:
    rows = session.execute(
        select(Decision, Meeting.starts_at, Activity.title)
        .join(Meeting, Meeting.id == Decision.meeting_id)
        .outerjoin(Activity, Activity.id == Decision.activity_id)
        .options(selectinload(Decision.versions))
        .where(Decision.association_id == current.id)
        .order_by(Meeting.starts_at, Decision.id)).all()
    for decision, held, activity in rows:
        yield {"held": held, "subject": SUBJECT_LABELS[decision.subject], "activity": activity or "",
               "title": decision.title, "outcome": OUTCOME_LABELS[decision.outcome],
               "reasons": decision.reasons, "versions": len(decision.versions),
               "changed": decision.versions[-1].replaced_at if decision.versions else None}


def _activities(current: AssociationRef, in_team: bool) -> Iterable[dict[str, Any]]:
    activities = activities_of(current)
    reviews = {activity_id: (count, competition) for activity_id, count, competition in session.execute(
        select(Consultation.activity_id, func.count(), func.max(case((Consultation.competition, 1), else_=0)))
        .join(Activity, Activity.id == Consultation.activity_id)
        .where(Activity.association_id == current.id).group_by(Consultation.activity_id))}
    for activity in activities:
        consulted, competition = reviews.get(activity.id, (0, 0))
        yield {"title": activity.title, "need": activity.need,
               "proposer": PROPOSER_LABELS[activity.proposer],
               "proposer_name": proposer_name(activity, in_team),
               "proposed_on": activity.proposed_on, "status": ACTIVITY_LABELS[activity.status],
               "started_on": activity.started_on, "jobs": activity.jobs if activity.started_on else None,
               "ended_on": activity.ended_on, "consulted": consulted, "competition": bool(competition)}


def _consultations(current: AssociationRef, in_team: bool) -> Iterable[Any]:
    return session.execute(
        select(Activity.title, Consultation.consulted, Consultation.consulted_on, Consultation.answer,
               Consultation.competition)
        .join(Activity, Activity.id == Consultation.activity_id)
        .where(Activity.association_id == current.id)
        .order_by(Activity.title, Consultation.consulted_on, Consultation.id))


def _years(current: AssociationRef, in_team: bool) -> Iterable[Any]:
    return years_of(current)


ETP = {"decimals": 2}
EUROS = {"decimals": 2}

TABLES: dict[str, Table] = {
    "registre": Table("Registre PPDE", (
        *NAME_COLUMNS, ExportColumn("Étape", "status"),
        ExportColumn("Sans emploi depuis", "without_work_since"),
        ExportColumn("Réside sur le territoire depuis", "resident_since"),
        ExportColumn("Volontaire depuis", "consent_on"), ExportColumn("En attente depuis", "waiting_since"),
        ExportColumn("Jours d'attente", "waited"), ExportColumn("Éligible aujourd'hui", "eligible")),
        _register),
    "etapes": Table("Étapes du registre", (
        *NAME_COLUMNS, ExportColumn("Étape", "status"), ExportColumn("Date", "on"),
        ExportColumn("Motif de sortie", "reason"), ExportColumn("Heures par semaine", "hours", decimals=2),
        ExportColumn("Note", "note"), ExportColumn("Enregistrée par", "recorded_by")), _steps),
    "attente": Table("Personnes en attente d'embauche", (
        *NAME_COLUMNS, ExportColumn("En attente depuis", "since"), ExportColumn("Jours d'attente", "days"),
        ExportColumn("Au-delà du seuil", "over")), _waiting),
    "attente-par-duree": Table("Attente par durée", (
        ExportColumn("Temps d'attente", lambda row: row[0]), ExportColumn("Personnes", lambda row: row[1])),
        _distribution, readers=True),
    "embauches-par-mois": Table("Embauches par mois", (
        ExportColumn("Mois", lambda row: row[0]), ExportColumn("Embauches", lambda row: row[1])),
        _hires, readers=True),
    "salaries": Table("Salariés de l'EBE", (
        *NAME_COLUMNS, ExportColumn("PPDE", "ppde"), ExportColumn("Poste", "job"),
        ExportColumn("Début", "started_on"), ExportColumn("Fin", "ended_on"),
        ExportColumn("Motif de fin", "end_reason"),
        ExportColumn("Heures par semaine", "hours", decimals=2)), _contracts),
    "temps-de-travail": Table("Temps de travail", (
        *NAME_COLUMNS, ExportColumn("Poste", "job"), ExportColumn("PPDE", "ppde"),
        ExportColumn("À partir du", "effective_on"),
        ExportColumn("Heures par semaine", "hours", decimals=2)), _working_times),
    "etp": Table("ETP et contribution par mois", (
        ExportColumn("Mois", "month"), ExportColumn("ETP PPDE", "etp_ppde", **ETP),
        ExportColumn("ETP non PPDE", "etp_other", **ETP), ExportColumn("ETP en tout", "etp", **ETP),
        ExportColumn("Part non PPDE (%)", "share", decimals=1),
        ExportColumn("Au-dessus du plafond", "over_cap"),
        ExportColumn("Effectif fin de mois", "headcount"), ExportColumn("Entrées", "entries"),
        ExportColumn("Sorties", "exits"), ExportColumn("Part de l'État (€)", "state", **EUROS),
        ExportColumn("Part du département (€)", "departement", **EUROS)), _months, readers=True),
    "cde-par-annee": Table("Contribution par année", (
        ExportColumn("Année", "year", kind="text"), ExportColumn("Mois comptés", "months"),
        ExportColumn("Part de l'État (€)", "state", **EUROS),
        ExportColumn("Part du département (€)", "departement", **EUROS)), _years, readers=True),
    "taux": Table("Taux de la contribution", (
        ExportColumn("Année", "year", kind="text"),
        ExportColumn("SMIC horaire brut (€)", "hourly_minimum_wage", decimals=4),
        ExportColumn("Part de l'État (% du SMIC)", "state_rate", decimals=3),
        ExportColumn("Part du département (% de celle de l'État)", "departement_share", decimals=3),
        ExportColumn("Heures par an", "hours_per_year")), _rates_rows, readers=True),
    "cle-membres": Table("Membres du comité", (
        ExportColumn("Membre", "name"), ExportColumn("Organisation", "organisation"),
        ExportColumn("Rôle", "role"), ExportColumn("Lit les décisions", "reads")), _members, readers=True),
    "reunions": Table("Réunions du comité", (
        ExportColumn("Début", "starts_at"), ExportColumn("Fin", "ends_at"), ExportColumn("Lieu", "place"),
        ExportColumn("Ordre du jour", "agenda"), ExportColumn("Présents", "present"),
        ExportColumn("Compte rendu", "minutes")), _meetings, readers=True),
    "decisions": Table("Décisions du comité", (
        ExportColumn("Réunion", "held"), ExportColumn("Objet", "subject"),
        ExportColumn("Activité", "activity"), ExportColumn("Intitulé", "title"),
        ExportColumn("Décision", "outcome"), ExportColumn("Motifs", "reasons"),
        ExportColumn("Versions précédentes", "versions"), ExportColumn("Dernière modification", "changed")),
        _decisions, readers=True),
    "activites": Table("Activités utiles", (
        ExportColumn("Activité", "title"), ExportColumn("Besoin", "need"),
        ExportColumn("Proposée par", "proposer"), ExportColumn("Proposant", "proposer_name"),
        ExportColumn("Proposée le", "proposed_on"), ExportColumn("Étape", "status"),
        ExportColumn("Démarrée le", "started_on"), ExportColumn("Emplois", "jobs"),
        ExportColumn("Terminée le", "ended_on"), ExportColumn("Consultations", "consulted"),
        ExportColumn("Concurrence possible notée", "competition")), _activities, readers=True),
    "consultations": Table("Examen de non-concurrence", (
        ExportColumn("Activité", "title"), ExportColumn("Entreprise ou réseau consulté", "consulted"),
        ExportColumn("Date", "consulted_on"), ExportColumn("Réponse", "answer"),
        ExportColumn("Concurrence possible", "competition")), _consultations, readers=True),
}


@bp.get("/<association>/telecharger/<table>.<format>")
@access(Level.MEMBER)
def download(association: str, table: str, format: str) -> Response:
    current, in_team = team_or_reader()
    wanted = TABLES.get(table)
    if wanted is None:
        abort(404)
    if not (in_team or wanted.readers):
        abort(403)
    filename = wanted.filename
    if table == "etp":
        filename = f"{filename} {year_of_table()}"
    # Excel cuts a sheet's name at 31 characters: the table's name, the year first.
    sheet = f"ETP {year_of_table()}" if table == "etp" else wanted.filename
    return export_table(format, f"{filename} — {current.short_name}", wanted.columns,
                        wanted.rows(current, in_team), title=sheet)

