"""Creating, changing and cancelling events, one-off or in a series.

Nothing here commits: the views do, once, so a refused change leaves everything as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import select

from core.agenda import engine
from core.agenda.bookables import AGENDA_OWNER, Bookable
from core.agenda.bookings import Booking, BookingStatus
from core.agenda.clock import in_paris, paris_to_utc
from core.agenda.events import MAX_EVENT_LENGTH, Event, EventKind, EventSeries, Visibility
from core.database import session

# Two years of a weekly workshop: a longer series is a mistake more often than a plan.
MAX_OCCURRENCES = 104


@dataclass(frozen=True)
class EventFields:
    title: str
    kind: EventKind
    visibility: Visibility
    starts_at: datetime  # aware, any zone
    ends_at: datetime
    association_id: int | None = None
    description: str = ""
    place: str = ""
    partner_id: int | None = None


@dataclass(frozen=True)
class Places:
    """Sign-up rules; an event without them has no sign-up at all."""

    capacity: int
    held_back: int = 0
    waitlist: bool = True
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    cancellation_cutoff_minutes: int = 0


@dataclass(frozen=True)
class Recurrence:
    interval_weeks: int = 1
    until: date | None = None
    count: int | None = None


def occurrence_starts(first: datetime, recurrence: Recurrence) -> list[datetime]:
    """Start times of a series, same wall-clock time in Paris across summer time changes."""
    local = in_paris(first).replace(tzinfo=None)
    starts: list[datetime] = []
    while len(starts) < MAX_OCCURRENCES:
        if recurrence.count is not None and len(starts) >= recurrence.count:
            break
        if recurrence.until is not None and local.date() > recurrence.until:
            break
        starts.append(paris_to_utc(local))
        local += timedelta(weeks=recurrence.interval_weeks)
    return starts


def _bookable_for(fields: EventFields, places: Places) -> Bookable:
    return Bookable(
        owner=AGENDA_OWNER, association_id=fields.association_id, title=fields.title,
        starts_at=fields.starts_at, capacity=places.capacity, held_back=places.held_back,
        waitlist=places.waitlist, opens_at=places.opens_at, closes_at=places.closes_at,
        cancellation_cutoff_minutes=places.cancellation_cutoff_minutes,
    )


def _new_event(fields: EventFields, places: Places | None, created_by_id: int | None,
               series: EventSeries | None = None) -> Event:
    event = Event(
        association_id=fields.association_id, title=fields.title, description=fields.description,
        kind=fields.kind, place=fields.place, partner_id=fields.partner_id,
        starts_at=fields.starts_at, ends_at=fields.ends_at, visibility=fields.visibility,
        created_by_id=created_by_id, series=series,
        bookable=_bookable_for(fields, places) if places else None,
    )
    session.add(event)
    return event


def _check_length(fields: EventFields) -> None:
    # The agenda's queries rely on it (the form says it in French first).
    if not timedelta(0) < fields.ends_at - fields.starts_at <= MAX_EVENT_LENGTH:
        raise ValueError("an event ends after it starts and lasts at most MAX_EVENT_LENGTH")


def create_events(fields: EventFields, places: Places | None, *, recurrence: Recurrence | None = None,
                  created_by_id: int | None = None) -> list[Event]:
    """One event, or every occurrence of a series (sign-up times keep their distance to the
    start, so "opens a week before" holds for each)."""
    _check_length(fields)
    if recurrence is None:
        events = [_new_event(fields, places, created_by_id)]
    else:
        series = EventSeries(association_id=fields.association_id,
                             interval_weeks=recurrence.interval_weeks,
                             until=recurrence.until, occurrences=recurrence.count)
        duration = fields.ends_at - fields.starts_at
        events = []
        for start in occurrence_starts(fields.starts_at, recurrence):
            shift = start - fields.starts_at
            occurrence_places = places and replace(
                places,
                opens_at=places.opens_at + shift if places.opens_at else None,
                closes_at=places.closes_at + shift if places.closes_at else None,
            )
            events.append(_new_event(replace(fields, starts_at=start, ends_at=start + duration),
                                     occurrence_places, created_by_id, series))
    session.flush()
    for event in events:
        if event.bookable is not None:
            event.bookable.owner_id = event.id
    session.flush()
    return events


def live_bookings(bookable_id: int) -> list[Booking]:
    return list(session.scalars(
        select(Booking).where(Booking.bookable_id == bookable_id,
                              Booking.status != BookingStatus.CANCELLED)
    ))


def update_event(event: Event, fields: EventFields, places: Places | None) -> list[Booking]:
    """Change one event (an occurrence leaves its series' pattern). Raises BookingRefused
    when the places would fall below those taken. Returns people promoted from the queue."""
    _check_length(fields)
    for name in ("title", "kind", "visibility", "starts_at", "ends_at", "association_id",
                 "description", "place", "partner_id"):
        setattr(event, name, getattr(fields, name))
    if event.series_id is not None:
        event.detached = True
    promoted: list[Booking] = []
    bookable = event.bookable
    if places is None:
        if bookable is not None and live_bookings(bookable.id):
            raise engine.BookingRefused(
                "Des personnes sont inscrites : gardez les inscriptions ouvertes ou annulez "
                "leurs inscriptions d'abord."
            )
        event.bookable = None
        if bookable is not None:
            session.delete(bookable)
    elif bookable is None:
        event.bookable = _bookable_for(fields, places)
        session.flush()
        event.bookable.owner_id = event.id
    else:
        bookable.title, bookable.starts_at = fields.title, fields.starts_at
        bookable.association_id = fields.association_id
        bookable.waitlist, bookable.opens_at, bookable.closes_at = (
            places.waitlist, places.opens_at, places.closes_at)
        bookable.cancellation_cutoff_minutes = places.cancellation_cutoff_minutes
        session.flush()
        promoted = engine.set_capacity(bookable.id, places.capacity, places.held_back)
    session.flush()
    return promoted


def cancel_event(event: Event) -> list[Booking]:
    """Cancel one event (one occurrence of a series); returns the bookings to tell."""
    event.cancelled = True
    if event.bookable is None:
        return []
    event.bookable.cancelled = True
    session.flush()
    return live_bookings(event.bookable.id)


def local_input(moment: datetime | None) -> datetime | None:
    """A stored time as the naive Paris time a datetime-local field shows."""
    return in_paris(moment).replace(tzinfo=None) if moment else None
