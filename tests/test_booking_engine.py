"""The booking engine: capacity, held-back places, waitlist, cutoff, and the invariants
under concurrent bookings and cancellations (threads, separate sessions, real database:
SQLite, and PostgreSQL when MAILLAGE_TEST_DATABASE_URL is set)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from core.agenda.bookables import Bookable
from core.agenda.bookings import Attendance, Booking, BookingStatus
from core.agenda.engine import (
    BookingRefused,
    book,
    cancel,
    mark_attendance,
    promote_next,
    set_capacity,
    waitlist_position,
)
from core.database import session, utcnow, write_intent
from core.members import Person
from tests.conftest import requires_postgresql
from tests.support import committed, hammer


def make_bookable(db, world, **policy: Any) -> Bookable:
    values = {"owner": "agenda", "title": "Atelier CV", "association_id": world.asso_a.id,
              "starts_at": utcnow() + timedelta(days=2), "capacity": 3, **policy}
    bookable = Bookable(**values)
    db.add(bookable)
    db.commit()
    return bookable


def make_people(db, count: int) -> list[int]:
    people = [Person(first_name="P", last_name=f"{index:03d}") for index in range(count)]
    db.add_all(people)
    db.commit()
    return [person.id for person in people]


def statuses(db, bookable_id: int) -> dict[BookingStatus, int]:
    db.expire_all()
    rows = db.scalars(select(Booking.status).where(Booking.bookable_id == bookable_id)).all()
    return {status: rows.count(status) for status in BookingStatus if status in rows}


def counters(db, bookable_id: int) -> tuple[int, int]:
    db.expire_all()
    bookable = db.get(Bookable, bookable_id)
    return bookable.taken_open, bookable.taken_held


# --- behaviour ----------------------------------------------------------------------------


def test_places_then_waitlist_in_arrival_order(app, db, world):
    bookable = make_bookable(db, world, capacity=2)
    people = make_people(db, 4)
    results = [committed(app, book, bookable.id, person) for person in people]
    assert [b.status for b in results] == [BookingStatus.CONFIRMED] * 2 + [BookingStatus.WAITLISTED] * 2
    with app.app_context():
        assert [waitlist_position(session.get(Booking, b.id)) for b in results] == [None, None, 1, 2]
    assert counters(db, bookable.id) == (2, 0)


def test_a_cancellation_promotes_the_first_in_line(app, db, world):
    bookable = make_bookable(db, world, capacity=1)
    first, second, third = (committed(app, book, bookable.id, p) for p in make_people(db, 3))
    promoted = committed(app, cancel, first.id)
    assert [b.id for b in promoted] == [second.id]
    db.expire_all()
    assert db.get(Booking, second.id).status is BookingStatus.CONFIRMED
    assert db.get(Booking, third.id).status is BookingStatus.WAITLISTED
    assert counters(db, bookable.id) == (1, 0)


def test_held_back_places_are_for_referrals_only(app, db, world):
    bookable = make_bookable(db, world, capacity=3, held_back=1)
    a, b, c, d = make_people(db, 4)
    assert committed(app, book, bookable.id, a).status is BookingStatus.CONFIRMED
    assert committed(app, book, bookable.id, b).status is BookingStatus.CONFIRMED
    assert committed(app, book, bookable.id, c).status is BookingStatus.WAITLISTED  # 1 held back
    referral = committed(app, book, bookable.id, d, referral=True)
    assert (referral.status, referral.pool) == (BookingStatus.CONFIRMED, "held")
    assert counters(db, bookable.id) == (2, 1)


def test_without_waitlist_a_full_activity_refuses(app, db, world):
    bookable = make_bookable(db, world, capacity=1, waitlist=False)
    a, b = make_people(db, 2)
    committed(app, book, bookable.id, a)
    with pytest.raises(BookingRefused, match=r"Il n'y a plus de place\."):
        committed(app, book, bookable.id, b)
    assert statuses(db, bookable.id) == {BookingStatus.CONFIRMED: 1}


def test_no_one_books_twice(app, db, world):
    bookable = make_bookable(db, world)
    [person] = make_people(db, 1)
    committed(app, book, bookable.id, person)
    with pytest.raises(BookingRefused, match="déjà inscrite"):
        committed(app, book, bookable.id, person)
    assert counters(db, bookable.id) == (1, 0)


def test_booking_again_after_cancelling(app, db, world):
    bookable = make_bookable(db, world)
    [person] = make_people(db, 1)
    committed(app, cancel, committed(app, book, bookable.id, person).id)
    assert committed(app, book, bookable.id, person).status is BookingStatus.CONFIRMED


@pytest.mark.parametrize(("policy", "reason"), [
    ({"starts_at": utcnow() - timedelta(hours=1)}, "a déjà commencé"),
    ({"cancelled": True}, "est annulée"),
    ({"closes_at": utcnow() - timedelta(minutes=1)}, "Les inscriptions sont closes."),
    ({"opens_at": utcnow() + timedelta(days=1)}, "Les inscriptions ouvrent le"),
])
def test_closed_or_past_activities_refuse_with_a_reason(app, db, world, policy, reason):
    bookable = make_bookable(db, world, **policy)
    [person] = make_people(db, 1)
    with pytest.raises(BookingRefused, match=reason):
        committed(app, book, bookable.id, person)
    assert statuses(db, bookable.id) == {} and counters(db, bookable.id) == (0, 0)


def test_an_activity_that_does_not_exist_refuses(app, db, world):
    [person] = make_people(db, 1)
    with pytest.raises(BookingRefused, match="n'existe pas"):
        committed(app, book, 999_999, person)


@pytest.mark.parametrize("refusal", ["closed", "full", "missing", "twice", "closed referral"])
def test_a_refused_booking_leaves_nothing_in_the_callers_transaction(app, db, world, refusal):
    """A caller that catches the refusal and goes on (a plugin booking several people in one
    transaction) commits only the bookings that were accepted, on a transaction still usable
    (no foreign-key error ended it on PostgreSQL)."""
    closed = make_bookable(db, world, closes_at=utcnow() - timedelta(minutes=1))
    full = make_bookable(db, world, capacity=1, waitlist=False)
    other = make_bookable(db, world)
    first, person = make_people(db, 2)
    committed(app, book, full.id, first)
    committed(app, book, other.id, first)
    target, who, referral = {"closed": (closed.id, person, False), "full": (full.id, person, False),
                             "missing": (999_999, person, False), "twice": (other.id, first, False),
                             "closed referral": (closed.id, person, True)}[refusal]

    def refused_then_booked() -> None:
        with pytest.raises(BookingRefused):
            book(target, who, referral=referral)
        book(other.id, person)

    committed(app, refused_then_booked)
    db.expire_all()
    rows = db.execute(select(Booking.bookable_id, Booking.person_id, Booking.status)).all()
    assert sorted(rows) == sorted([(full.id, first, BookingStatus.CONFIRMED),
                                   (other.id, first, BookingStatus.CONFIRMED),
                                   (other.id, person, BookingStatus.CONFIRMED)])
    assert counters(db, closed.id) == (0, 0) and counters(db, full.id) == (1, 0)
    assert counters(db, other.id) == (2, 0)


def test_cancellation_cutoff(app, db, world):
    bookable = make_bookable(db, world, starts_at=utcnow() + timedelta(hours=3),
                             cancellation_cutoff_minutes=24 * 60)
    [person] = make_people(db, 1)
    booking = committed(app, book, bookable.id, person)
    with pytest.raises(BookingRefused, match="trop tard pour annuler"):
        committed(app, cancel, booking.id)
    assert statuses(db, bookable.id) == {BookingStatus.CONFIRMED: 1}
    committed(app, cancel, booking.id, enforce_cutoff=False)  # a coordinator may still do it
    assert counters(db, bookable.id) == (0, 0)


def test_capacity_cannot_drop_below_what_is_booked(app, db, world):
    bookable = make_bookable(db, world, capacity=3)
    for person in make_people(db, 3):
        committed(app, book, bookable.id, person)
    with pytest.raises(BookingRefused, match="3 places sont déjà prises"):
        committed(app, set_capacity, bookable.id, 2)
    db.expire_all()
    assert db.get(Bookable, bookable.id).capacity == 3


def test_raising_capacity_promotes_the_queue(app, db, world):
    bookable = make_bookable(db, world, capacity=1)
    bookings = [committed(app, book, bookable.id, p) for p in make_people(db, 3)]
    promoted = committed(app, set_capacity, bookable.id, 2)
    assert [b.id for b in promoted] == [bookings[1].id]
    assert counters(db, bookable.id) == (2, 0)


def test_attendance_only_for_confirmed_bookings(app, db, world):
    bookable = make_bookable(db, world, capacity=1)
    confirmed, queued = (committed(app, book, bookable.id, p) for p in make_people(db, 2))
    committed(app, mark_attendance, confirmed.id, Attendance.EXCUSED)
    with pytest.raises(BookingRefused, match="présence"):
        committed(app, mark_attendance, queued.id, Attendance.PRESENT)
    db.expire_all()
    assert db.get(Booking, confirmed.id).attendance is Attendance.EXCUSED


# --- under load ---------------------------------------------------------------------------


def test_many_people_booking_the_last_places_at_once(app, db, world):
    """Capacity is never exceeded; the waitlist keeps arrival order; cancellations at once
    promote exactly the first ones in line."""
    bookable = make_bookable(db, world, capacity=5)
    people = make_people(db, 24)
    _results, refusals = hammer(app, [
        lambda person=person: committed(app, book, bookable.id, person) for person in people
    ])
    assert refusals == []
    assert statuses(db, bookable.id) == {BookingStatus.CONFIRMED: 5, BookingStatus.WAITLISTED: 19}
    assert counters(db, bookable.id) == (5, 0)

    db.expire_all()
    queue = db.scalars(select(Booking.id).where(Booking.bookable_id == bookable.id,
                                                Booking.status == BookingStatus.WAITLISTED)
                       .order_by(Booking.queued_at, Booking.id)).all()
    confirmed = db.scalars(select(Booking.id).where(Booking.bookable_id == bookable.id,
                                                    Booking.status == BookingStatus.CONFIRMED)).all()
    promoted, refusals = hammer(app, [
        lambda booking=booking: committed(app, cancel, booking) for booking in confirmed
    ])
    assert refusals == []
    assert sorted(b.id for batch in promoted for b in batch) == sorted(queue[:5])
    assert statuses(db, bookable.id) == {BookingStatus.CONFIRMED: 5, BookingStatus.WAITLISTED: 14,
                                         BookingStatus.CANCELLED: 5}
    assert counters(db, bookable.id) == (5, 0)


def test_one_person_submitting_many_times_at_once_books_once(app, db, world):
    bookable = make_bookable(db, world, capacity=5)
    [person] = make_people(db, 1)
    results, refusals = hammer(app, [lambda: committed(app, book, bookable.id, person)] * 8)
    assert len(results) == 1
    assert refusals == ["Cette personne est déjà inscrite ou en liste d'attente."] * 7
    assert counters(db, bookable.id) == (1, 0)


def test_promotion_skips_nothing_when_the_queue_is_empty(app, db, world):
    bookable = make_bookable(db, world, capacity=2)
    with app.app_context(), write_intent():
        assert promote_next(bookable.id) == []


@requires_postgresql
def test_a_cancellation_committed_meanwhile_wins_over_a_booking(app, db, world):
    """The booking read the activity as open; the cancellation commits before its UPDATE.
    (SQLite cannot interleave them: the booking holds the write lock from its first read.)"""
    bookable = make_bookable(db, world, capacity=3)
    [person] = make_people(db, 1)
    with app.app_context():
        assert session.get(Bookable, bookable.id).cancelled is False  # now in this session's map
        db.get(Bookable, bookable.id).cancelled = True
        db.commit()  # the organiser's cancellation, from another connection
        with pytest.raises(BookingRefused, match="annulée"):
            book(bookable.id, person)
        session.rollback()
    assert counters(db, bookable.id) == (0, 0) and statuses(db, bookable.id) == {}


def test_no_promotion_once_the_activity_is_cancelled_or_has_begun(app, db, world):
    for change in ("cancelled", "started"):
        bookable = make_bookable(db, world, capacity=1)
        first, second = make_people(db, 2)
        booked = committed(app, book, bookable.id, first)
        committed(app, book, bookable.id, second)
        row = db.get(Bookable, bookable.id)
        if change == "cancelled":
            row.cancelled = True
        else:
            row.starts_at = utcnow() - timedelta(minutes=1)
        db.commit()
        promoted = committed(app, cancel, booked.id, enforce_cutoff=False)
        assert promoted == []
        assert statuses(db, bookable.id) == {BookingStatus.CANCELLED: 1, BookingStatus.WAITLISTED: 1}
        assert counters(db, bookable.id) == (0, 0)
