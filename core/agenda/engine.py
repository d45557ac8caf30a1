"""The booking engine: places are taken by conditional UPDATEs, never "read, check, write".

Each function works in the caller's transaction and does not commit. In a POST request
SQLite's write lock is taken at the first statement (BEGIN IMMEDIATE); elsewhere wrap the
call in ``write_intent()``. On PostgreSQL the conditional UPDATE re-checks its condition
after waiting for a concurrent writer's lock, so two people never get the same last place.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache

from flask_babel import format_datetime, ngettext
from sqlalchemy import Update, bindparam, func, or_, select, text, update
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql.dml import ReturningInsert

from core.agenda.bookables import Bookable
from core.agenda.bookings import Attendance, Booking, BookingStatus
from core.database import UTCDateTime, session, utcnow

OPEN, HELD = "open", "held"


class BookingRefused(Exception):
    """The booking or change is refused; ``str(error)`` is the French reason for the user."""


def _refuse_if_closed(bookable: Bookable | None, now: datetime) -> Bookable:
    if bookable is None:
        raise BookingRefused("Cette activité n'existe pas.")
    if bookable.cancelled:
        raise BookingRefused("Cette activité est annulée.")
    if bookable.starts_at <= now:
        raise BookingRefused("Cette activité a déjà commencé : les inscriptions sont closes.")
    if bookable.opens_at and now < bookable.opens_at:
        raise BookingRefused(
            f"Les inscriptions ouvrent le {format_datetime(bookable.opens_at, 'd MMMM à HH:mm')}."
        )
    if bookable.closes_at and now >= bookable.closes_at:
        raise BookingRefused("Les inscriptions sont closes.")
    return bookable


def _take_place(bookable_id: int, *, referral: bool, now: datetime, window: bool = False) -> str | None:
    """Claim a place: held-back ones first for a referral, then an open one. The policy is
    re-checked in the UPDATE itself, so a cancellation that commits between our read and
    our write still wins; with ``window``, the registration window too (a new booking, not a
    promotion from the queue, which goes on after registrations close)."""
    pool = None
    for candidate in (HELD, OPEN) if referral else (OPEN,):
        claimed = session.connection().execute(_claim(candidate, window),
                                               {"bookable_id": bookable_id, "now": now})
        if claimed.rowcount == 1:
            pool = candidate
            break
    _forget_counters(bookable_id)
    return pool


@cache
def _claim(pool: str, window: bool) -> Update:
    """The conditional UPDATE that takes a place of the pool, built once (every booking runs it).

    It is a statement on the table, run on the session's connection: through the session, the
    ORM would copy it at each call to synchronise objects in memory, and compute its cache key
    anew, which costs more than running it. The counters of a loaded activity are expired
    instead (_forget_counters)."""
    table = Bookable.__table__.c
    now = bindparam("now", type_=UTCDateTime())
    taken, free = ((table.taken_held, table.held_back) if pool == HELD
                   else (table.taken_open, table.capacity - table.held_back))
    conditions = [table.id == bindparam("bookable_id"), table.cancelled.is_(False),
                  table.starts_at > now, taken < free]
    if window:  # as _refuse_if_closed, which says why when this finds no place
        conditions += [or_(table.opens_at.is_(None), table.opens_at <= now),
                       or_(table.closes_at.is_(None), table.closes_at > now)]
    return update(Bookable.__table__).where(*conditions).values({taken: taken + 1})


def _forget_counters(bookable_id: int) -> None:
    """Expire the activity's counters if it is loaded: they are read again only if asked,
    cheaper than evaluating the UPDATE on the objects in memory."""
    loaded = session.identity_map.get(identity_key(Bookable, bookable_id))
    if loaded is not None:
        session.expire(loaded, ["taken_open", "taken_held"])


def _free_place(bookable_id: int, pool: str) -> None:
    column = Bookable.taken_held if pool == HELD else Bookable.taken_open
    session.execute(update(Bookable).where(Bookable.id == bookable_id)
                    .values({column: column - 1}).execution_options(synchronize_session=False))
    _forget_counters(bookable_id)


def book(bookable_id: int, person_id: int, *, booked_by_id: int | None = None,
         referral: bool = False, now: datetime | None = None) -> Booking:
    """A place if one is free, else a place in the queue (if the policy has one)."""
    stamp_on_arrival = now is None
    now = now or utcnow()
    # The row first: a second booking of the same person, or one of an activity that does not
    # exist, inserts nothing, before any place is claimed. It is written as the likely outcome
    # (a place, for a plain booking), so that the usual case costs this INSERT and the claim's
    # UPDATE, and reads nothing; another outcome rewrites it before the transaction ends,
    # unseen by anyone.
    booking = _insert_booking(
        bookable_id=bookable_id, person_id=person_id, booked_by_id=booked_by_id,
        referral=referral, queued_at=now,
        **({} if referral else {"status": BookingStatus.CONFIRMED, "pool": OPEN, "confirmed_at": now}),
    )
    if booking is None:
        _refuse_if_closed(session.get(Bookable, bookable_id), now)
        raise BookingRefused("Cette personne est déjà inscrite ou en liste d'attente.")
    # Booking, then activity, as cancel() does, not to deadlock. The claim's UPDATE locks the
    # activity's row; a place taken needs no queue order.
    if not referral and _take_place(bookable_id, referral=False, now=now, window=True) == OPEN:
        return booking
    # No place at first sight (or a referral, which tries held-back places first): lock the
    # activity's row until commit, read it, and only then stamp the booking. Bookings of one
    # activity then take places and queue in the order they commit, so nobody arriving later
    # is put ahead of someone already told their position. (FOR NO KEY UPDATE, as an UPDATE
    # takes: FOR UPDATE would conflict with the key-share locks of concurrent bookings'
    # foreign keys.)
    bookable = session.get(Bookable, bookable_id, with_for_update={"key_share": True},
                           populate_existing=True)
    try:
        _refuse_if_closed(bookable, now)
    except BookingRefused:
        _withdraw(booking)
        raise
    assert bookable is not None
    if stamp_on_arrival:
        now = utcnow()
    pool = _take_place(bookable_id, referral=referral, now=now)
    if pool is not None:
        booking.status, booking.pool, booking.confirmed_at = BookingStatus.CONFIRMED, pool, now
    elif not bookable.waitlist:
        _withdraw(booking)
        raise BookingRefused("Il n'y a plus de place.")
    else:
        booking.status, booking.pool, booking.confirmed_at = BookingStatus.WAITLISTED, None, None
    booking.queued_at = now
    session.flush()
    return booking


def _withdraw(booking: Booking) -> None:
    """Take back the row written first, when the booking is refused after all."""
    session.delete(booking)
    session.flush()


def _insert_booking(**values: object) -> Booking | None:
    """INSERT … SELECT … ON CONFLICT DO NOTHING on the live-booking index: the new booking, or
    None when the person already has one or the activity does not exist (no savepoint, no
    exception to catch)."""
    values = {"status": BookingStatus.WAITLISTED, "pool": None, "confirmed_at": None,
              "attendance": None, "cancelled_at": None, "reminded_at": None, **values}
    connection = session.connection()  # a statement on the table: no ORM work to run it
    booking_id = connection.scalar(_insert_unless_booked(connection.dialect.name), values)
    if booking_id is None:
        return None
    # Every column is known: the object joins the session as loaded, without a SELECT.
    booking = Booking(id=booking_id, **values)
    make_transient_to_detached(booking)
    session.add(booking)
    return booking


@cache
def _insert_unless_booked(dialect: str) -> ReturningInsert[tuple[int]]:
    # Built once: every booking runs it, and building costs more than running. Only the
    # database's own dialect is imported (the other weighs on every worker's memory).
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    live = text("status != 'cancelled'")  # uq_bookings_live's condition
    table = Booking.__table__
    columns = [c for c in table.columns if c.name != "id"]
    # Selected from the activity's row, so that no row means no activity (rather than a
    # foreign-key error, which would end a PostgreSQL transaction).
    row = (select(*(bindparam(c.name, type_=c.type) for c in columns))
           .where(Bookable.__table__.c.id == bindparam("bookable_id")))
    return (insert(table).from_select(columns, row)
            .on_conflict_do_nothing(index_elements=["bookable_id", "person_id"], index_where=live)
            .returning(table.c.id))


def waitlist_position(booking: Booking) -> int | None:
    if booking.status is not BookingStatus.WAITLISTED:
        return None
    ahead = session.scalar(
        select(func.count(Booking.id)).where(
            Booking.bookable_id == booking.bookable_id,
            Booking.status == BookingStatus.WAITLISTED,
            (Booking.queued_at < booking.queued_at)
            | ((Booking.queued_at == booking.queued_at) & (Booking.id < booking.id)),
        )
    )
    return (ahead or 0) + 1


def promote_next(bookable_id: int, now: datetime | None = None) -> list[Booking]:
    """Give free places to the queue, first come first served. Returns who got one
    (the caller tells them)."""
    now = now or utcnow()
    promoted: list[Booking] = []
    while True:
        first = session.scalar(
            select(Booking)
            .where(Booking.bookable_id == bookable_id, Booking.status == BookingStatus.WAITLISTED)
            .order_by(Booking.queued_at, Booking.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if first is None:
            return promoted
        # No place is handed out once the activity is cancelled or has begun.
        pool = _take_place(bookable_id, referral=first.referral, now=now)
        if pool is None:
            return promoted
        claimed = session.execute(
            update(Booking)
            .where(Booking.id == first.id, Booking.status == BookingStatus.WAITLISTED)
            .values(status=BookingStatus.CONFIRMED, pool=pool, confirmed_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:  # cancelled meanwhile: give the place back, try the next
            _free_place(bookable_id, pool)
            continue
        session.refresh(first)
        promoted.append(first)


def cancel(booking_id: int, *, now: datetime | None = None, enforce_cutoff: bool = True
           ) -> list[Booking]:
    """Cancel a booking; a freed place goes to the queue at once. Returns who was promoted."""
    now = now or utcnow()
    booking = session.get(Booking, booking_id)
    if booking is None or booking.status is BookingStatus.CANCELLED:
        raise BookingRefused("Cette inscription est déjà annulée.")
    bookable = session.get(Bookable, booking.bookable_id)
    assert bookable is not None
    cutoff = bookable.starts_at - timedelta(minutes=bookable.cancellation_cutoff_minutes)
    if enforce_cutoff and booking.status is BookingStatus.CONFIRMED and now > cutoff:
        raise BookingRefused(
            "Il est trop tard pour annuler en ligne : prévenez l'équipe de l'association."
        )
    was_confirmed, pool = booking.status is BookingStatus.CONFIRMED, booking.pool
    claimed = session.execute(
        update(Booking)
        .where(Booking.id == booking_id, Booking.status == booking.status)
        .values(status=BookingStatus.CANCELLED, cancelled_at=now, pool=None)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise BookingRefused("Cette inscription est déjà annulée.")
    session.refresh(booking)
    if not was_confirmed or pool is None:
        return []
    _free_place(booking.bookable_id, pool)
    return promote_next(booking.bookable_id, now)


def set_capacity(bookable_id: int, capacity: int, held_back: int = 0,
                 now: datetime | None = None) -> list[Booking]:
    """Change the places; never below what is already booked. Returns who was promoted."""
    if capacity < 0 or held_back < 0 or held_back > capacity:
        raise BookingRefused("Les places réservées doivent être comprises entre 0 et la capacité.")
    changed = session.execute(
        update(Bookable)
        .where(Bookable.id == bookable_id, Bookable.taken_held <= held_back,
               Bookable.taken_open <= capacity - held_back)
        .values(capacity=capacity, held_back=held_back)
    )
    if changed.rowcount != 1:
        bookable = session.get(Bookable, bookable_id)
        taken = bookable.taken if bookable else 0
        raise BookingRefused(ngettext(
            "Impossible : %(num)d place est déjà prise, la capacité ne peut pas descendre en dessous.",
            "Impossible : %(num)d places sont déjà prises, la capacité ne peut pas descendre "
            "en dessous.", taken))
    return promote_next(bookable_id, now)


def mark_attendance(booking_id: int, attendance: Attendance) -> None:
    changed = session.execute(
        update(Booking)
        .where(Booking.id == booking_id, Booking.status == BookingStatus.CONFIRMED)
        .values(attendance=attendance)
        .execution_options(synchronize_session=False)
    )
    if changed.rowcount != 1:
        raise BookingRefused("On ne note la présence que des personnes inscrites.")
