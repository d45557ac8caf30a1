"""Reading the agenda: the events of a period, filtered, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import aliased, joinedload

from core.agenda.bookables import Bookable
from core.agenda.bookings import Booking, BookingStatus
from core.agenda.events import MAX_EVENT_LENGTH, Event, EventKind
from core.database import session


def events_query(visible: ColumnElement[bool], *, start: datetime | None = None,
                 end: datetime | None = None, association_id: int | None = None,
                 kind: EventKind | None = None, places_only: bool = False,
                 include_cancelled: bool = True, columns: tuple[Any, ...] = ()) -> Select[Any]:
    """Events matching the filters, in start order, with what pages show loaded alongside;
    with ``columns``, only those (a month grid needs no more than a title and a time)."""
    if columns:
        query = select(*columns).where(visible)
    else:
        query = select(Event).where(visible).options(
            joinedload(Event.bookable), joinedload(Event.association), joinedload(Event.partner))
    query = query.order_by(Event.starts_at, Event.id)
    if start is not None:
        # The bound on starts_at lets the index on it skip the past: "ends after start"
        # alone cannot use it, and events last at most MAX_EVENT_LENGTH.
        query = query.where(Event.ends_at > start, Event.starts_at > start - MAX_EVENT_LENGTH)
    if end is not None:
        query = query.where(Event.starts_at < end)
    if association_id is not None:
        query = query.where(Event.association_id == association_id)
    if kind is not None:
        query = query.where(Event.kind == kind)
    if not include_cancelled or places_only:
        query = query.where(Event.cancelled.is_(False))
    if places_only:
        query = query.join(Bookable, Bookable.id == Event.bookable_id).where(
            Bookable.taken_open < Bookable.capacity - Bookable.held_back
        )
    return query


@dataclass(frozen=True)
class PersonBooking:
    """A live booking with what it is for: an agenda event, or a plugin's bookable."""

    booking: Booking
    bookable: Bookable
    event: Event | None


def bookings_of_person(person_id: int, *, since: datetime,
                       limit: int | None = None) -> list[PersonBooking]:
    """The person's live bookings from ``since`` on, in time order, in one query."""
    event = aliased(Event)
    query = (
        select(Booking, Bookable, event)
        .join(Bookable, Bookable.id == Booking.bookable_id)
        .outerjoin(event, event.bookable_id == Bookable.id)
        .options(joinedload(event.partner))  # pages show each event's place (Event.where)
        .where(Booking.person_id == person_id, Booking.status != BookingStatus.CANCELLED,
               Bookable.starts_at >= since)
        .order_by(Bookable.starts_at, Booking.id)
        .limit(limit)
    )
    return [PersonBooking(*row) for row in session.execute(query)]
