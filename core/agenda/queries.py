"""Reading the agenda: the events of a period, filtered, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, column, func, or_, select, true, union_all, values
from sqlalchemy.orm import aliased, joinedload

from core.agenda.bookables import Bookable
from core.agenda.bookings import Booking, BookingStatus
from core.agenda.events import LENGTH_BOUNDS, Event, EventKind
from core.database import UTCDateTime, session


def running_at(moment: datetime) -> ColumnElement[bool]:
    """Events started before ``moment`` and not yet over. Filed by length, each class is
    searched only back to its longest length (events.LENGTH_BOUNDS): the index on
    (length_class, starts_at) then reads about the events running, however long the past."""
    return and_(Event.ends_at > moment, or_(*(
        and_(Event.length_class == k, Event.starts_at > moment - bound, Event.starts_at < moment)
        for k, bound in enumerate(LENGTH_BOUNDS))))


def _filtered(query: Select[Any], visible: ColumnElement[bool], *, association_id: int | None,
              kind: EventKind | None, places_only: bool, include_cancelled: bool) -> Select[Any]:
    query = query.where(visible)
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


def events_query(visible: ColumnElement[bool], *, start: datetime | None = None,
                 end: datetime | None = None, first: int | None = None,
                 association_id: int | None = None, kind: EventKind | None = None,
                 places_only: bool = False, include_cancelled: bool = True,
                 columns: tuple[Any, ...] = ()) -> Select[Any]:
    """Events matching the filters that are not over at ``start`` and begin before ``end``,
    in start order, with what pages show loaded alongside; with ``columns``, only those.
    Without ``end``, ``first`` says how many rows the caller reads at most (offset included),
    and ``visible`` names only the events' columns."""
    if columns:
        query = select(*columns)
    else:
        query = select(Event).options(
            joinedload(Event.bookable), joinedload(Event.association), joinedload(Event.partner))
    query = query.order_by(Event.starts_at, Event.id)
    filters = {"association_id": association_id, "kind": kind, "places_only": places_only,
               "include_cancelled": include_cancelled}
    if start is not None and end is None:
        # An open-ended list: the few events running, then the first ``first`` to come in
        # the index's order. One OR of both would have the index read all the past, or sort
        # all the future. The outer limit tells the planner how few ids come out.
        running = _filtered(select(Event.id, Event.starts_at), visible, **filters).where(running_at(start))
        later = (_filtered(select(Event.id, Event.starts_at), visible, **filters)
                 .where(Event.starts_at >= start).order_by(Event.starts_at, Event.id).limit(first).subquery())
        wanted = union_all(running, select(later)).subquery()
        query = query.where(Event.id.in_(
            select(wanted.c.id).order_by(wanted.c.starts_at, wanted.c.id).limit(first)))
        # The places joined on the outer query too, as on a range: callers that read the
        # places (core/agenda/cards.py) then find them joined in both cases.
        if places_only:
            query = query.join(Bookable, Bookable.id == Event.bookable_id)
        return query
    query = _filtered(query, visible, **filters)
    if start is not None:
        query = query.where(or_(and_(Event.starts_at >= start, Event.starts_at < end),
                                running_at(start)))
    elif end is not None:
        query = query.where(Event.starts_at < end)
    return query


def first_of_each_day(visible: ColumnElement[bool], day_starts: list[datetime], per_day: int, *,
                      association_id: int | None = None, kind: EventKind | None = None,
                      places_only: bool = False) -> Select[Any]:
    """The first ``per_day`` events beginning on each day (id, title, times, cancelled), in
    start order, each with ``on_day``: how many begin that day. ``day_starts`` are the
    instants the days begin, then the one the last ends: computed in Python (Paris days, a
    change of time included), so that SQL only compares.

    Each day's read stops after ``per_day`` rows in the index's order: a window over the whole
    month would read and sort every event of it to keep a few."""
    filters = {"association_id": association_id, "kind": kind, "places_only": places_only,
               "include_cancelled": True}

    def of_the_day(day_start: Any, day_end: Any) -> tuple[Any, Any]:
        that_day = (Event.starts_at >= day_start, Event.starts_at < day_end)
        on_day = (_filtered(select(func.count().label("on_day")).select_from(Event), visible, **filters)
                  .where(*that_day))
        first = (_filtered(select(Event.id, Event.title, Event.starts_at, Event.ends_at, Event.cancelled),
                           visible, **filters)
                 .where(*that_day).order_by(Event.starts_at, Event.id).limit(per_day))
        return first, on_day

    if session.get_bind().dialect.name == "postgresql":
        # PostgreSQL plans a union of 42 days in longer than it runs it (12 ms against 5): there
        # the days are a VALUES list, each read by one LATERAL branch planned once.
        days = values(column("day_start", UTCDateTime()), column("day_end", UTCDateTime()),
                      name="days").data(list(pairwise(day_starts)))
        first, on_day = of_the_day(days.c.day_start, days.c.day_end)
        lateral = first.lateral("first_of_day")
        # The count in a LATERAL of its own: once a day, not once per event shown.
        counted = on_day.lateral("day_count")
        return (select(lateral, counted.c.on_day).select_from(days)
                .join(counted, true()).join(lateral, true())
                .order_by(lateral.c.starts_at, lateral.c.id))
    # SQLite has no LATERAL, and plans the union at once: one branch a day.
    branches = []
    for day_start, day_end in pairwise(day_starts):
        first, on_day = of_the_day(day_start, day_end)
        branches.append(select(first.add_columns(on_day.scalar_subquery().correlate(None).label("on_day")).subquery()))
    month = union_all(*branches).subquery()
    return select(month).order_by(month.c.starts_at, month.c.id)


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
