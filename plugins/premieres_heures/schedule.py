"""The weekly schedule at the host structure: work sessions, attendance, hours against the
target, and the flags raised by a run of absences.

Times are typed and shown in Paris time and stored in UTC. Nothing here commits: the
views (and the hooks) commit once, so that a refusal leaves nothing half done.

People and partners are the core's rows. To read a name or an address in the same query
as the sessions, this module joins ``people_names`` and ``partner_names``, the columns of
the core's tables that ``core.plugin_api`` promises.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from babel.dates import format_date
from flask import current_app, has_request_context, url_for
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from core.plugin_api import (
    AgendaItem,
    AssociationRef,
    Overlap,
    columns_as,
    day_bounds,
    in_paris,
    paris_to_utc,
    partner_names,
    people_names,
    save_without_overlap,
    session,
    utcnow,
)
from plugins.premieres_heures.models import (
    Attendance,
    HoursStage,
    Pathway,
    PathwayStatus,
    WorkSession,
)
from plugins.premieres_heures.plan import targets_on, week_of

AGENDA_KIND = "other"  # paid work: none of the agenda's own kinds fits better
ATTENDANCE_LABELS = {
    Attendance.PRESENT: "Présent·e",
    Attendance.ABSENT: "Absent·e",
    Attendance.EXCUSED: "Excusé·e",
}

class SessionRefused(Exception):
    """A session that cannot be saved. ``str(error)`` is the French message for the user,
    ``field`` the form field it belongs next to (``day``, ``start`` or ``end``)."""

    def __init__(self, message: str, field: str = "start") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SessionFields:
    """What a coordinator types for a session: a Paris day, a start and an end time."""

    day: date
    start: time
    end: time
    supervisor: str = ""
    task: str = ""


@dataclass(frozen=True)
class Saved:
    """A session added or changed (not committed) and the warning to show, if any."""

    row: WorkSession
    warning: str | None


# --- times and words ---------------------------------------------------------------------------


def at_paris(day: date, moment: time) -> datetime:
    """A wall-clock time in Paris on ``day`` as an aware UTC datetime."""
    return paris_to_utc(datetime.combine(day, moment))


def week_bounds(monday: date) -> tuple[datetime, datetime]:
    """The UTC instants at which the Paris week starting on ``monday`` begins and ends."""
    return day_bounds(monday, 7)


def clock_label(moment: datetime) -> str:
    """« 9 h 00 », in Paris time."""
    local = in_paris(moment)
    return f"{local.hour} h {local.minute:02d}"


def hours_label(hours: float | int | None) -> str:
    """12 -> « 12 h », 3.5 -> « 3 h 30 », None -> « — »."""
    if hours is None:
        return "—"
    minutes = round(hours * 60)
    whole, rest = divmod(minutes, 60)
    return f"{whole} h {rest:02d}" if rest else f"{whole} h"


def day_label(day: date) -> str:
    return format_date(day, "d MMMM yyyy", locale="fr_FR")


def over_target_message(planned: float, target: int) -> str:
    return f"{hours_label(planned)} prévues pour un objectif de {hours_label(target)}"


def absence_flag_message(count: int) -> str:
    return f"{count} absences de suite : à voir avec le référent"


def week_targets(pathway_ids: Iterable[int], monday: date) -> dict[int, int]:
    """The target of the week for each pathway: the weekly hours in force on its Sunday, so
    that a stage raised during the week counts for that week (no entry before the first
    stage) — one query."""
    return targets_on(sorted(set(pathway_ids)), monday + timedelta(days=6))


# --- reading ---------------------------------------------------------------------------------


def session_in(association_id: int, pathway_id: int, session_id: int) -> WorkSession | None:
    """The session if it belongs to the association and to that pathway."""
    row = session.get(WorkSession, session_id)
    if row is None or row.association_id != association_id or row.pathway_id != pathway_id:
        return None
    return row


def person_name(person_id: int) -> str:
    with session.no_autoflush:  # also asked while a changed session waits to be checked
        row = session.execute(select(people_names.c.first_name, people_names.c.last_name)
                              .where(people_names.c.id == person_id)).first()
    return f"{row[0]} {row[1]}" if row else "Cette personne"


@dataclass(frozen=True, slots=True)
class SessionLine:
    """A session as the week views show it, read as columns (names are for coordinators'
    pages only)."""

    id: int
    pathway_id: int
    starts_at: datetime
    ends_at: datetime
    supervisor: str
    task: str
    attendance: Attendance | None
    first_name: str
    last_name: str
    host_name: str

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600

    @property
    def person_label(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def day(self) -> date:
        return in_paris(self.starts_at).date()


def sessions_of_week(association_id: int, monday: date, *, pathway_id: int | None = None,
                     host_partner_id: int | None = None) -> list[SessionLine]:
    """The association's sessions of the Paris week starting ``monday``, with the person's
    name and the host structure's, by start time — one query, read as columns (the week
    views only show them). ``pathway_id`` or ``host_partner_id`` narrow it to one person or
    one host structure."""
    start, end = week_bounds(monday)
    lines = columns_as(
        SessionLine, WorkSession.id, WorkSession.pathway_id, WorkSession.starts_at,
        WorkSession.ends_at, WorkSession.supervisor, WorkSession.task, WorkSession.attendance,
        func.coalesce(people_names.c.first_name, ""), func.coalesce(people_names.c.last_name, ""),
        func.coalesce(partner_names.c.name, ""))
    query = (
        select(lines)
        .select_from(WorkSession)
        .join(people_names, people_names.c.id == WorkSession.person_id)
        .outerjoin(partner_names, partner_names.c.id == WorkSession.host_partner_id)
        .where(WorkSession.association_id == association_id,
               WorkSession.starts_at >= start, WorkSession.starts_at < end)
        .order_by(WorkSession.starts_at, people_names.c.last_name, WorkSession.id)
    )
    if pathway_id is not None:
        query = query.where(WorkSession.pathway_id == pathway_id)
    if host_partner_id is not None:
        query = query.where(WorkSession.host_partner_id == host_partner_id)
    return list(session.scalars(query))


def planned_hours_by_pathway(association_id: int, monday: date,
                             pathway_ids: Iterable[int]) -> dict[int, float]:
    """Hours planned in the week for each of these pathways, wherever they work — one query."""
    ids = sorted(set(pathway_ids))
    if not ids:
        return {}
    start, end = week_bounds(monday)
    totals: dict[int, float] = defaultdict(float)
    for pathway_id, starts_at, ends_at in session.execute(
            select(WorkSession.pathway_id, WorkSession.starts_at, WorkSession.ends_at)
            .where(WorkSession.association_id == association_id, WorkSession.pathway_id.in_(ids),
                   WorkSession.starts_at >= start, WorkSession.starts_at < end)):
        totals[pathway_id] += (ends_at - starts_at).total_seconds() / 3600
    return dict(totals)


def host_in_use(association_id: int, partner_id: int) -> tuple[str, str] | None:
    """(name, address) of the partner if it hosts one of the association's pathways or
    sessions; None otherwise (the week view answers 404) — one query."""
    used = or_(
        select(Pathway.id).where(Pathway.association_id == association_id,
                                 Pathway.host_partner_id == partner_id).exists(),
        select(WorkSession.id).where(WorkSession.association_id == association_id,
                                     WorkSession.host_partner_id == partner_id).exists(),
    )
    row = session.execute(select(partner_names.c.name, partner_names.c.address)
                          .where(partner_names.c.id == partner_id, used)).first()
    return (row[0], row[1] or "") if row else None


@dataclass(frozen=True)
class HostLine:
    partner_id: int
    name: str
    people: int
    planned_hours: float


def hosts_in_use(association_id: int, monday: date) -> list[HostLine]:
    """Host structures of the association's pathways still running, and of the week's
    sessions, with how many people and hours are planned there that week — one query."""
    start, end = week_bounds(monday)
    in_week = and_(WorkSession.pathway_id == Pathway.id, WorkSession.starts_at >= start,
                   WorkSession.starts_at < end)
    rows = session.execute(
        select(Pathway.id, Pathway.host_partner_id, Pathway.status, WorkSession.host_partner_id,
               WorkSession.starts_at, WorkSession.ends_at)
        .outerjoin(WorkSession, in_week)
        .where(Pathway.association_id == association_id)
    ).all()
    people: dict[int, set[int]] = defaultdict(set)
    hours: dict[int, float] = defaultdict(float)
    for pathway_id, pathway_host, status, session_host, starts_at, ends_at in rows:
        if pathway_host is not None and status != PathwayStatus.ENDED:
            people.setdefault(pathway_host, set())
        if session_host is not None:
            people[session_host].add(pathway_id)
            hours[session_host] += (ends_at - starts_at).total_seconds() / 3600
    if not people:
        return []
    names = dict(session.execute(select(partner_names.c.id, partner_names.c.name)
                                 .where(partner_names.c.id.in_(list(people)))).all())
    lines = [HostLine(pid, names.get(pid, "Structure supprimée"), len(ids), hours.get(pid, 0.0))
             for pid, ids in people.items()]
    return sorted(lines, key=lambda line: line.name.lower())


# --- writing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Slot:
    session_id: int | None
    person_id: int
    starts_at: datetime
    ends_at: datetime


def _clash(slot: _Slot) -> WorkSession | None:
    query = select(WorkSession).where(WorkSession.person_id == slot.person_id,
                                      WorkSession.starts_at < slot.ends_at,
                                      WorkSession.ends_at > slot.starts_at)
    if slot.session_id is not None:
        query = query.where(WorkSession.id != slot.session_id)
    with session.no_autoflush:
        return session.scalars(query.order_by(WorkSession.starts_at).limit(1)).first()


def _double_booking(slot: _Slot, other: WorkSession | None) -> str:
    who = person_name(slot.person_id)
    if other is None:  # seen by the database only, and gone since
        return f"{who} a déjà une séance à ce moment-là."
    same_day = in_paris(other.starts_at).date() == in_paris(slot.starts_at).date()
    when = "ce jour-là" if same_day else f"le {day_label(in_paris(other.starts_at).date())}"
    return (f"{who} a déjà une séance de {clock_label(other.starts_at)} à "
            f"{clock_label(other.ends_at)} {when}.")


def check_pathway_allows(pathway: Pathway, day: date) -> None:
    """Raise SessionRefused unless the pathway is running and ``day`` is within its dates
    (its start to its exit date, or its planned end)."""
    if pathway.status == PathwayStatus.ENDED:
        raise SessionRefused("Ce parcours est terminé : on ne peut plus y prévoir de séance.", "day")
    last = pathway.exit_date or pathway.planned_end
    if not pathway.start_date <= day <= last:
        raise SessionRefused(
            f"La séance doit avoir lieu pendant le parcours : entre le {day_label(pathway.start_date)} "
            f"et le {day_label(last)}.", "day")


def save_session(pathway: Pathway, fields: SessionFields, *,
                 existing: WorkSession | None = None) -> Saved:
    """Add a session to ``pathway`` (or change ``existing``) in the current transaction,
    without committing. Raises ``SessionRefused`` — end before start, pathway ended, day
    outside the pathway, the person already booked then (on PostgreSQL the exclusion
    constraint catches two coordinators saving at once; on SQLite the POST holds the
    write lock) — after which the caller rolls back. Returns the row and, when the week's
    planned hours now exceed the target, the warning to show (the session is saved all
    the same)."""
    if fields.end <= fields.start:
        raise SessionRefused("La fin doit être après le début.", "end")
    check_pathway_allows(pathway, fields.day)
    row = existing if existing is not None else WorkSession(
        pathway_id=pathway.id, person_id=pathway.person_id, association_id=pathway.association_id,
        host_partner_id=pathway.host_partner_id)
    if row.host_partner_id is None:
        row.host_partner_id = pathway.host_partner_id
    row.starts_at = at_paris(fields.day, fields.start)
    row.ends_at = at_paris(fields.day, fields.end)
    row.supervisor = fields.supervisor
    row.task = fields.task
    if row.attendance is not None and row.starts_at > utcnow():
        row.attendance = None  # moved to later: nobody can have come yet
    # Kept aside: a refused savepoint expires the row's new values.
    slot = _Slot(row.id, row.person_id, row.starts_at, row.ends_at)
    other = _clash(slot)
    if other is not None:
        raise SessionRefused(_double_booking(slot, other))
    try:
        save_without_overlap(row, owner=WorkSession.person_id, start=WorkSession.starts_at,
                             end=WorkSession.ends_at,
                             message="Cette personne a déjà une séance à ce moment-là.")
    except Overlap:  # another coordinator saved one at the same moment
        raise SessionRefused(_double_booking(slot, _clash(slot))) from None
    monday, _ = week_of(fields.day)
    planned = planned_hours_by_pathway(pathway.association_id, monday, [pathway.id]).get(pathway.id, 0.0)
    target = week_targets([pathway.id], monday).get(pathway.id)
    warning = None
    if target is not None and planned > target:
        warning = (f"Attention : {over_target_message(planned, target)} la semaine du "
                   f"{day_label(monday)}. La séance est enregistrée.")
    return Saved(row, warning)


def mark_attendances(association_id: int, chosen: dict[int, str], *,
                     pathway_id: int | None = None, host_partner_id: int | None = None,
                     now: datetime | None = None) -> int:
    """Record attendance for sessions of the association (``{session_id: "present" |
    "absent" | "excused" | ""}``, "" to clear), without committing; narrowed to a pathway
    or a host structure when given. Returns how many sessions were noted. Raises
    ``LookupError`` for a session outside that scope (the view answers 404) and
    ``SessionRefused`` for a value not offered or a session not started yet (nothing is
    changed then). Absences never block anything: they are only recorded."""
    if not chosen:
        return 0
    values = {a.value for a in Attendance}
    if any(value not in values and value != "" for value in chosen.values()):
        raise SessionRefused("Une des présences n'est pas un choix possible.")
    query = select(WorkSession).where(WorkSession.association_id == association_id,
                                      WorkSession.id.in_(list(chosen)))
    if pathway_id is not None:
        query = query.where(WorkSession.pathway_id == pathway_id)
    if host_partner_id is not None:
        query = query.where(WorkSession.host_partner_id == host_partner_id)
    rows = session.scalars(query).all()
    if len(rows) != len(chosen):
        raise LookupError("session outside the page's scope")
    moment = now or utcnow()
    if any(row.starts_at > moment and chosen[row.id] for row in rows):
        raise SessionRefused("Les présences se notent à partir du début de la séance.")
    for row in rows:
        row.attendance = Attendance(chosen[row.id]) if chosen[row.id] else None
    return len(rows)


# --- for the dashboard, the week views and the agenda ---------------------------------------------


def absence_flags(association_id: int, threshold: int) -> dict[int, int]:
    """``{pathway_id: n}`` for the association's running pathways whose ``n`` most recent
    noted sessions are all absences, when ``n >= threshold`` (the setting
    ``absence_flag_threshold``): a flag for the referent, never a block. Only a presence
    ends a run; excused absences and sessions not noted yet (future ones included) are
    left out of the count. One query."""
    last_present = (
        select(WorkSession.pathway_id, func.max(WorkSession.starts_at).label("at"))
        .where(WorkSession.association_id == association_id,
               WorkSession.attendance == Attendance.PRESENT)
        .group_by(WorkSession.pathway_id)
        .subquery()
    )
    count = func.count(WorkSession.id)
    rows = session.execute(
        select(WorkSession.pathway_id, count)
        .join(Pathway, Pathway.id == WorkSession.pathway_id)
        .outerjoin(last_present, last_present.c.pathway_id == WorkSession.pathway_id)
        .where(WorkSession.association_id == association_id,
               WorkSession.attendance == Attendance.ABSENT,
               Pathway.status != PathwayStatus.ENDED,
               or_(last_present.c.at.is_(None), WorkSession.starts_at > last_present.c.at))
        .group_by(WorkSession.pathway_id)
        .having(count >= max(threshold, 1))
    ).all()
    return {pathway_id: n for pathway_id, n in rows}


@dataclass(frozen=True)
class WeekLine:
    """One person's week: planned hours (every session), worked hours (sessions marked
    present) and the target (None before the first stage). Names are for coordinators."""

    pathway_id: int
    person_id: int
    first_name: str
    last_name: str
    host_partner_id: int | None
    host_name: str
    status: PathwayStatus
    planned_hours: float
    worked_hours: float
    target: int | None

    @property
    def person_label(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def over_target(self) -> bool:
        return self.target is not None and self.planned_hours > self.target


def week_summary(association_id: int, monday: date) -> list[WeekLine]:
    """The people active in the Paris week starting ``monday`` (a pathway not ended that
    has started by the week's end, or any session that week), by name, with their planned
    and worked hours and their target — one query (the target as a subquery)."""
    start, end = week_bounds(monday)
    sunday = monday + timedelta(days=6)
    stage = aliased(HoursStage)
    target = (
        select(stage.weekly_hours)
        .where(stage.pathway_id == Pathway.id, stage.effective_date <= sunday)
        .order_by(stage.effective_date.desc()).limit(1)
        .correlate(Pathway).scalar_subquery()
    )
    in_week = and_(WorkSession.pathway_id == Pathway.id, WorkSession.starts_at >= start,
                   WorkSession.starts_at < end)
    rows = session.execute(
        select(Pathway.id, Pathway.person_id, Pathway.host_partner_id, Pathway.status,
               Pathway.start_date, people_names.c.first_name, people_names.c.last_name,
               partner_names.c.name, target.label("target"), WorkSession.id,
               WorkSession.starts_at, WorkSession.ends_at, WorkSession.attendance)
        .join(people_names, people_names.c.id == Pathway.person_id)
        .outerjoin(partner_names, partner_names.c.id == Pathway.host_partner_id)
        .outerjoin(WorkSession, in_week)
        .where(Pathway.association_id == association_id)
        .order_by(people_names.c.last_name, people_names.c.first_name, Pathway.id)
    ).all()
    lines: dict[int, WeekLine] = {}
    active: set[int] = set()
    for (pathway_id, person_id, host_id, status, start_date, first, last, host, goal,
         session_id, starts_at, ends_at, attendance) in rows:
        line = lines.get(pathway_id) or WeekLine(
            pathway_id=pathway_id, person_id=person_id, first_name=first or "",
            last_name=last or "", host_partner_id=host_id, host_name=host or "", status=status,
            planned_hours=0.0, worked_hours=0.0, target=goal)
        if status != PathwayStatus.ENDED and start_date <= sunday:
            active.add(pathway_id)
        if session_id is not None:
            active.add(pathway_id)
            hours = (ends_at - starts_at).total_seconds() / 3600
            line = replace(line, planned_hours=line.planned_hours + hours,
                           worked_hours=line.worked_hours + (
                               hours if attendance == Attendance.PRESENT else 0.0))
        lines[pathway_id] = line
    return [line for pathway_id, line in lines.items() if pathway_id in active]


def _week_url(association: AssociationRef, pathway_id: int, day: date) -> str:
    endpoint = "premieres_heures.person_week"
    if not has_request_context() or endpoint not in current_app.view_functions:
        return ""
    return url_for(endpoint, association=association.slug, pathway_id=pathway_id,
                   jour=day.isoformat())


def agenda_items_for(association: AssociationRef, start: datetime, end: datetime) -> list[AgendaItem]:
    """The association's sessions overlapping [start, end) as agenda items — one query.
    Seen only by the person who works (``person_ids``) and the association's coordinators;
    the title names the host structure, never the person (titles go to calendar feeds).
    The link leads to the person's week (a coordinators' page)."""
    rows = session.execute(
        select(WorkSession.id, WorkSession.pathway_id, WorkSession.person_id,
               WorkSession.starts_at, WorkSession.ends_at, partner_names.c.name,
               partner_names.c.address)
        .outerjoin(partner_names, partner_names.c.id == WorkSession.host_partner_id)
        .where(WorkSession.association_id == association.id,
               WorkSession.starts_at < end, WorkSession.ends_at > start)
        .order_by(WorkSession.starts_at, WorkSession.id)
    ).all()
    return [
        AgendaItem(
            title=f"Séance de travail — {host}" if host else "Séance de travail",
            start=starts_at, end=ends_at, kind=AGENDA_KIND, location=address or "",
            url=_week_url(association, pathway_id, in_paris(starts_at).date()),
            uid=f"session-{session_id}", visibility="people", person_ids=frozenset({person_id}))
        for session_id, pathway_id, person_id, starts_at, ends_at, host, address in rows
    ]
