"""Shared rooms (lots of kind « shared room ») reserved by the hour by the association's
members: the opening hours, the rules a reservation follows, the week of a room, and the
reservations as agenda items.

Times are typed and shown in Paris time and stored in UTC. Two reservations of one room never
overlap: the core's ``save_without_overlap`` (on SQLite the POST holds the write lock; on
PostgreSQL the exclusion constraint of the migration refuses the second of two requests that
passed the check together). Nothing here commits: the view does, once, or rolls back.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from babel.dates import format_date
from flask import current_app, has_request_context, url_for
from sqlalchemy import select

from core.plugin_api import (
    AgendaItem,
    AssociationRef,
    Overlap,
    columns_as,
    day_bounds,
    in_paris,
    paris_to_utc,
    people_names,
    save_without_overlap,
    session,
)
from plugins.sites.models import Allocation, Lot, LotKind, Site
from plugins.sites.models_rooms import RoomReservation

TITLE = "Salles partagées"
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
CLOCK_MESSAGE = "Heure invalide (exemples : 8 h, 08:00, 8:30)."
# What people type for a time of day: « 8 h », « 8h30 », « 8 h 30 », « 08:00 », « 8:30 », « 8 »;
# a browser's time picker sends « 08:30 ». ASCII digits only.
_CLOCK = re.compile(r"(\d{1,2})\s*(?:[hH]\s*(\d{2})?|:(\d{2}))?", re.ASCII)
UPCOMING_DAYS = 14  # the rooms' list shows the reservations of the next two weeks
UPCOMING_SHOWN = 3  # … that many a room
SUGGESTED_LENGTH = timedelta(hours=2)  # a free stretch's « Réserver » fills the form with two hours
AGENDA_KIND = "other"  # a room taken: none of the agenda's own kinds fits better


class ReservationRefused(Exception):
    """``str(error)`` is the French reason; ``field`` the form field it belongs next to
    (``day``, ``start``, ``end`` or ``allocation_id``)."""

    def __init__(self, message: str, field: str = "start") -> None:
        super().__init__(message)
        self.field = field


# --- times and words ---------------------------------------------------------------------------


def parse_clock(text: str) -> time:
    """A time of day as people type it; ``ValueError`` with the French message otherwise."""
    found = _CLOCK.fullmatch(text.strip())
    if found is None:
        raise ValueError(CLOCK_MESSAGE)
    hour, minute = int(found.group(1)), int(found.group(2) or found.group(3) or 0)
    if hour > 23 or minute > 59:
        raise ValueError(CLOCK_MESSAGE)
    return time(hour, minute)


def clock_label(moment: time) -> str:
    """« 8 h », « 8 h 30 »: how French writes an hour."""
    return f"{moment.hour} h {moment.minute:02d}" if moment.minute else f"{moment.hour} h"


def at_label(moment: datetime) -> str:
    """A stored instant as « 10 h », in Paris time."""
    return clock_label(in_paris(moment).time())


def day_label(day: date) -> str:
    return format_date(day, "EEEE d MMMM y", locale="fr_FR")


def days_label(days: Iterable[int]) -> str:
    """« du lundi au samedi » for a run of days, « le lundi, le mercredi et le vendredi »
    otherwise, « tous les jours » for the whole week."""
    chosen = sorted(set(days))
    if len(chosen) == 7:
        return "tous les jours"
    if len(chosen) > 2 and chosen == list(range(chosen[0], chosen[-1] + 1)):
        return f"du {WEEKDAYS[chosen[0]]} au {WEEKDAYS[chosen[-1]]}"
    names = [f"le {WEEKDAYS[d]}" for d in chosen]
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} et {names[-1]}"


@dataclass(frozen=True)
class OpeningHours:
    """When the association's shared rooms may be reserved (its settings)."""

    opening: time
    closing: time
    days: frozenset[int]  # 0 = Monday
    max_hours: int

    @property
    def label(self) -> str:
        return f"de {clock_label(self.opening)} à {clock_label(self.closing)}, {days_label(self.days)}"


def exists_in_paris(day: date, moment: time) -> bool:
    """Whether Paris clocks ever show that time that day: not the hour skipped when summer
    time starts (2:00 to 2:59 on the last Sunday of March), which would be stored as the
    hour after it."""
    local = datetime.combine(day, moment)
    return in_paris(paris_to_utc(local)).replace(tzinfo=None) == local


# --- writing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReservationFields:
    """What a member types: a Paris day, a start and an end time, what for, and the occupant
    of the site it is for, if any."""

    day: date
    start: time
    end: time
    purpose: str
    allocation_id: int | None = None


def _clash(lot_id: int, starts_at: datetime, ends_at: datetime) -> RoomReservation | None:
    with session.no_autoflush:
        return session.scalar(
            select(RoomReservation)
            .where(RoomReservation.lot_id == lot_id, RoomReservation.starts_at < ends_at,
                   RoomReservation.ends_at > starts_at)
            .order_by(RoomReservation.starts_at).limit(1))


def _taken(other: RoomReservation | None) -> str:
    if other is None:  # saved by another request in the same instant, and gone since
        return "La salle est déjà réservée sur une partie de ce créneau."
    return f"La salle est déjà réservée de {at_label(other.starts_at)} à {at_label(other.ends_at)}."


def _check_times(fields: ReservationFields, hours: OpeningHours, site: Site, today: date) -> None:
    """The rules that need no query, in the order a person would fix them."""
    if fields.end <= fields.start:
        # An end typed before the start and before the rooms open (« 22 h » to « 1 h ») is an
        # evening running past midnight; otherwise a slip between the two fields.
        if fields.end < fields.start and (fields.end <= hours.opening or fields.end == time(0)):
            raise ReservationRefused("Une réservation se termine le jour même : elle ne peut pas "
                                     "passer minuit.", "end")
        raise ReservationRefused("La fin doit être après le début.", "end")
    if fields.day < today:
        raise ReservationRefused("Ce jour est passé : choisissez aujourd'hui ou un jour à venir.", "day")
    if fields.day.weekday() not in hours.days:
        raise ReservationRefused(f"Les salles ne sont pas ouvertes le {WEEKDAYS[fields.day.weekday()]} : "
                                 f"elles le sont {days_label(hours.days)}.", "day")
    if not site.available_from <= fields.day <= site.available_until:
        raise ReservationRefused(
            f"Le site n'est disponible que du {format_date(site.available_from, 'd MMMM y', locale='fr_FR')} "
            f"au {format_date(site.available_until, 'd MMMM y', locale='fr_FR')}.", "day")
    for name, moment in (("start", fields.start), ("end", fields.end)):
        if not exists_in_paris(fields.day, moment):
            raise ReservationRefused(
                f"Cette heure n'existe pas le {format_date(fields.day, 'd MMMM y', locale='fr_FR')} : "
                "au passage à l'heure d'été, les horloges passent de 2 h à 3 h.", name)
    if fields.start < hours.opening:
        raise ReservationRefused(f"Les salles ouvrent à {clock_label(hours.opening)} "
                                 f"(ouvertes {hours.label}).", "start")
    if fields.end > hours.closing:
        raise ReservationRefused(f"Les salles ferment à {clock_label(hours.closing)} "
                                 f"(ouvertes {hours.label}).", "end")


def save_reservation(site: Site, lot: Lot, fields: ReservationFields, hours: OpeningHours, *,
                     person_id: int | None, now: datetime) -> RoomReservation:
    """Add a reservation of ``lot`` in the current transaction. Raises ``ReservationRefused``
    — end before start or past midnight, a past day or hour, a closed day, outside the
    site's availability, the hour skipped in March, outside opening hours, longer than
    allowed, an occupant not on the site that day, the room already taken — after which the
    caller rolls back."""
    today = in_paris(now).date()
    _check_times(fields, hours, site, today)
    starts_at = paris_to_utc(datetime.combine(fields.day, fields.start))
    ends_at = paris_to_utc(datetime.combine(fields.day, fields.end))
    if starts_at < now:
        raise ReservationRefused("Cette heure est passée : choisissez une heure à venir.", "start")
    # Counted on the instants: the night clocks go back, 1 h to 4 h lasts four hours.
    if ends_at - starts_at > timedelta(hours=hours.max_hours):
        raise ReservationRefused(f"Une réservation dure {hours.max_hours} h au plus.", "end")
    if fields.allocation_id is not None:
        _check_occupant(site, fields)
    other = _clash(lot.id, starts_at, ends_at)
    if other is not None:
        raise ReservationRefused(_taken(other))
    row = RoomReservation(association_id=lot.association_id, lot_id=lot.id, starts_at=starts_at,
                          ends_at=ends_at, purpose=fields.purpose, person_id=person_id,
                          allocation_id=fields.allocation_id)
    try:
        save_without_overlap(row, owner=RoomReservation.lot_id, start=RoomReservation.starts_at,
                             end=RoomReservation.ends_at, message=_taken(None))
    except Overlap:  # another member reserved it at the same moment (PostgreSQL)
        raise ReservationRefused(_taken(_clash(lot.id, starts_at, ends_at))) from None
    return row


def _check_occupant(site: Site, fields: ReservationFields) -> None:
    allocation = session.get(Allocation, fields.allocation_id)
    lot_site = session.scalar(select(Lot.site_id).where(Lot.id == allocation.lot_id)) if allocation else None
    if allocation is None or lot_site != site.id:
        raise ReservationRefused("Choisissez un occupant du site dans la liste.", "allocation_id")
    if not allocation.starts_on <= fields.day <= allocation.ends_on:
        raise ReservationRefused(
            f"« {allocation.occupant} » occupe le site du "
            f"{format_date(allocation.starts_on, 'd MMMM y', locale='fr_FR')} au "
            f"{format_date(allocation.ends_on, 'd MMMM y', locale='fr_FR')} : choisissez un jour "
            "de cette période.", "day")


def occupants_of(site_id: int, today: date) -> list[tuple[int, str]]:
    """The site's allocations running today, as (id, « occupant (lot A1) ») — one query."""
    return [(allocation_id, f"{occupant} (lot {code})") for allocation_id, occupant, code in session.execute(
        select(Allocation.id, Allocation.occupant, Lot.code).join(Lot, Lot.id == Allocation.lot_id)
        .where(Lot.site_id == site_id, Allocation.starts_on <= today, Allocation.ends_on >= today)
        .order_by(Allocation.occupant, Lot.code, Allocation.id))]


# --- reading ---------------------------------------------------------------------------------


def is_room(lot: Lot) -> bool:
    return lot.kind == LotKind.SHARED_ROOM


@dataclass(frozen=True, slots=True)
class ReservationLine:
    """A reservation as the pages show it, read as columns."""

    id: int
    lot_id: int
    starts_at: datetime
    ends_at: datetime
    purpose: str
    person_id: int | None
    first_name: str | None
    last_name: str | None
    occupant: str | None

    @property
    def day(self) -> date:
        return in_paris(self.starts_at).date()

    @property
    def slot(self) -> str:
        return f"de {at_label(self.starts_at)} à {at_label(self.ends_at)}"

    is_free = False

    @property
    def author(self) -> str:
        return f"{self.first_name} {self.last_name}" if self.first_name is not None else ""


def _lines(*criteria: object) -> list[ReservationLine]:
    query = (select(columns_as(ReservationLine, RoomReservation.id, RoomReservation.lot_id,
                               RoomReservation.starts_at, RoomReservation.ends_at, RoomReservation.purpose,
                               RoomReservation.person_id, people_names.c.first_name,
                               people_names.c.last_name, Allocation.occupant))
             .outerjoin(people_names, people_names.c.id == RoomReservation.person_id)
             .outerjoin(Allocation, Allocation.id == RoomReservation.allocation_id)
             .where(*criteria)  # type: ignore[arg-type]
             .order_by(RoomReservation.starts_at, RoomReservation.id))
    return list(session.scalars(query))


@dataclass(frozen=True, slots=True)
class RoomLine:
    id: int
    code: str
    area: Decimal
    accessible: bool
    accessibility: str
    site_id: int
    site_name: str
    address: str


def rooms_of(association_id: int, today: date) -> list[RoomLine]:
    """The association's shared rooms on sites still lent (today or later), by site then code
    — one query."""
    return list(session.scalars(
        select(columns_as(RoomLine, Lot.id, Lot.code, Lot.area, Lot.accessible, Lot.accessibility, Site.id,
                          Site.name, Site.address))
        .join(Site, Site.id == Lot.site_id)
        .where(Lot.association_id == association_id, Lot.kind == LotKind.SHARED_ROOM,
               Site.available_until >= today)
        .order_by(Site.name, Site.id, Lot.code)))


def upcoming(association_id: int, now: datetime) -> dict[int, list[ReservationLine]]:
    """The next reservations of each room of the association (not over yet, in the next
    ``UPCOMING_DAYS`` days), at most ``UPCOMING_SHOWN`` a room — one query."""
    _, horizon = day_bounds(in_paris(now).date(), UPCOMING_DAYS)
    found: dict[int, list[ReservationLine]] = defaultdict(list)
    for line in _lines(RoomReservation.association_id == association_id, RoomReservation.ends_at > now,
                       RoomReservation.starts_at < horizon):
        if len(found[line.lot_id]) < UPCOMING_SHOWN:
            found[line.lot_id].append(line)
    return dict(found)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Free:
    """A free stretch of a day, to reserve from."""

    start: time
    end: time
    suggested_end: time  # what its « Réserver » fills the form with
    is_free = True

    @property
    def slot(self) -> str:
        return f"de {clock_label(self.start)} à {clock_label(self.end)}"


@dataclass(frozen=True)
class Day:
    day: date
    open: bool
    past: bool
    entries: list[ReservationLine | Free]

    @property
    def label(self) -> str:
        return day_label(self.day)


def _free(start: time, end: time, taken: list[ReservationLine], longest: int) -> list[ReservationLine | Free]:
    """The day's reservations with the free stretches between ``start`` and ``end`` (Paris
    times) around them, in time order; each stretch suggests two hours, or less when the
    stretch or the longest reservation (``longest`` hours) is shorter."""
    length = min(SUGGESTED_LENGTH, timedelta(hours=longest))

    def free(first: time, last: time) -> Free:
        until = datetime.combine(date.min, first) + length
        return Free(first, last, min(last, until.time()) if until.date() == date.min else last)

    entries: list[ReservationLine | Free] = []
    cursor = start
    for line in taken:
        begins, ends = in_paris(line.starts_at).time(), in_paris(line.ends_at).time()
        if begins > cursor and cursor < end:
            entries.append(free(cursor, min(begins, end)))
        entries.append(line)
        cursor = max(cursor, ends)
    if cursor < end:
        entries.append(free(cursor, end))
    return entries


def week_of(lot_id: int, monday: date, hours: OpeningHours, now: datetime) -> list[Day]:
    """The room's Paris week from ``monday``: each day with its reservations and, on open days
    not over yet, the free stretches within opening hours (from now on, today) — one query."""
    start, end = day_bounds(monday, 7)
    taken: dict[date, list[ReservationLine]] = defaultdict(list)
    for line in _lines(RoomReservation.lot_id == lot_id, RoomReservation.starts_at < end,
                       RoomReservation.ends_at > start):
        taken[line.day].append(line)
    local_now = in_paris(now)
    days = []
    for offset in range(7):
        day = monday + timedelta(days=offset)
        reserved = taken.get(day, [])
        is_open = day.weekday() in hours.days
        past = day < local_now.date() or (day == local_now.date() and local_now.time() >= hours.closing)
        if not is_open or past:
            days.append(Day(day, is_open, past, list(reserved)))
            continue
        first = hours.opening
        if day == local_now.date() and local_now.time() > first:
            # From the next quarter of an hour: a free stretch that began in the past cannot be taken.
            minutes = -(-(local_now.hour * 60 + local_now.minute + 1) // 15) * 15
            first = time(minutes // 60, minutes % 60) if minutes < 24 * 60 else hours.closing
        days.append(Day(day, is_open, past, _free(min(first, hours.closing), hours.closing, reserved,
                                                         hours.max_hours)))
    return days


# --- for the shared agenda ---------------------------------------------------------------------


def _week_url(association: AssociationRef, lot_id: int, day: date) -> str:
    endpoint = "sites.room_week"
    if not has_request_context() or endpoint not in current_app.view_functions:
        return ""
    return url_for(endpoint, association=association.slug, lot_id=lot_id, semaine=monday_of(day).isoformat())


def agenda_items_for(association: AssociationRef, start: datetime, end: datetime) -> list[AgendaItem]:
    """The association's reservations overlapping [start, end) as agenda items — one query.
    Seen by the association's members only (``visibility="association"``, never the public
    feed): the purpose may be private. The title names the room and the purpose, never the
    person; the link leads to the room's week."""
    rows = session.execute(
        select(RoomReservation.id, RoomReservation.lot_id, RoomReservation.starts_at, RoomReservation.ends_at,
               RoomReservation.purpose, Lot.code, Site.name, Site.address)
        .join(Lot, Lot.id == RoomReservation.lot_id).join(Site, Site.id == Lot.site_id)
        .where(RoomReservation.association_id == association.id, RoomReservation.starts_at < end,
               RoomReservation.ends_at > start)
        .order_by(RoomReservation.starts_at, RoomReservation.id)).all()
    return [
        AgendaItem(title=f"Salle {code} — {purpose}", start=starts_at, end=ends_at, kind=AGENDA_KIND,
                   location=f"Salle {code}, {site_name}, {address}", uid=f"room-reservation-{reservation_id}",
                   url=_week_url(association, lot_id, in_paris(starts_at).date()), visibility="association")
        for reservation_id, lot_id, starts_at, ends_at, purpose, code, site_name, address in rows
    ]
