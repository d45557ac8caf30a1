"""The booking API for plugins, re-exported by ``core.plugin_api``.

A plugin's bookable thing (a work session, a visit, a training) gets places, a waitlist
and attendance from the core's booking engine, under a policy of its own. Plugins see
plain frozen dataclasses, never the core's models.

Nothing here commits: the plugin's view commits once, so that a refusal anywhere leaves
everything as it was. The write lock comes from the request (a POST takes SQLite's lock
at its first statement) or, in a command, from ``write_intent()``. Emails (promotions,
cancellations) leave only after that commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, func, select, update

from core.agenda import engine
from core.agenda.bookables import AGENDA_OWNER, Bookable
from core.agenda.bookings import Attendance, Booking, BookingStatus
from core.agenda.engine import BookingRefused
from core.agenda.notify import tell_event_cancelled, tell_promoted
from core.database import session, utcnow
from core.pluginhost.contributions import AssociationRef

TITLE_MAX = 200  # Bookable.title

__all__ = [
    "BookableInfo",
    "BookingInfo",
    "BookingPolicy",
    "BookingRefused",
    "PlacesInfo",
    "book",
    "bookable_info",
    "bookings_of",
    "bookings_of_person",
    "cancel_bookable",
    "cancel_booking",
    "counted_absences",
    "create_bookable",
    "delete_bookable",
    "mark_attendance",
    "places",
    "update_bookable",
    "waitlist_position",
]


@dataclass(frozen=True)
class BookingPolicy:
    """How a bookable thing takes bookings.

    ``capacity`` places in all, of which ``held_back`` only for people booked with
    ``referral=True``; when full, a queue (``waitlist``) or a refusal; no cancelling online
    less than ``cancellation_cutoff_minutes`` before the start; whether an absence there
    counts against the person (``absences_count``); sign-up open from ``opens_at`` until
    ``closes_at`` (aware datetimes, ``None``: from now, until the start).
    """

    capacity: int
    held_back: int = 0
    waitlist: bool = True
    cancellation_cutoff_minutes: int = 0
    absences_count: bool = False
    opens_at: datetime | None = None
    closes_at: datetime | None = None


@dataclass(frozen=True)
class BookableInfo:
    id: int
    owner: str
    owner_id: int | None
    association_id: int | None
    title: str
    starts_at: datetime
    cancelled: bool
    policy: BookingPolicy


@dataclass(frozen=True)
class BookingInfo:
    """One booking. ``status`` is ``"confirmed"``, ``"waitlisted"`` or ``"cancelled"``;
    ``pool`` is ``"open"``, ``"held"`` (a held-back place) or ``None`` (no place);
    ``attendance`` is ``"present"``, ``"absent"``, ``"excused"`` or ``None``;
    ``waitlist_position`` counts from 1, ``None`` unless waitlisted."""

    id: int
    bookable_id: int
    person_id: int
    status: str
    pool: str | None
    referral: bool
    attendance: str | None
    queued_at: datetime
    waitlist_position: int | None = None


@dataclass(frozen=True)
class PlacesInfo:
    """Places now: ``remaining_open`` for anyone, ``remaining_held`` for referrals only."""

    capacity: int
    held_back: int
    taken: int
    remaining_open: int
    remaining_held: int
    waitlisted: int


# --- reading ---------------------------------------------------------------------------------


def _info(booking: Booking, position: int | None = None) -> BookingInfo:
    return BookingInfo(
        id=booking.id, bookable_id=booking.bookable_id, person_id=booking.person_id,
        status=booking.status.value, pool=booking.pool, referral=booking.referral,
        attendance=booking.attendance.value if booking.attendance else None,
        queued_at=booking.queued_at, waitlist_position=position,
    )


def _positions(bookable_ids: set[int]) -> dict[int, int]:
    """Booking id -> place in its queue, for every waitlisted booking of these bookables,
    in one query whatever their number."""
    if not bookable_ids:
        return {}
    position = func.row_number().over(partition_by=Booking.bookable_id,
                                      order_by=(Booking.queued_at, Booking.id))
    rows = session.execute(
        select(Booking.id, position)
        .where(Booking.bookable_id.in_(bookable_ids), Booking.status == BookingStatus.WAITLISTED)
    )
    return {booking_id: place for booking_id, place in rows}


def _infos(query: Select[tuple[Booking]]) -> list[BookingInfo]:
    bookings = list(session.scalars(query))
    waiting = {b.bookable_id for b in bookings if b.status is BookingStatus.WAITLISTED}
    positions = _positions(waiting)
    return [_info(booking, positions.get(booking.id)) for booking in bookings]


def _get_bookable(bookable_id: int) -> Bookable:
    bookable = session.get(Bookable, bookable_id)
    if bookable is None:
        raise BookingRefused("Cette activité n'existe pas.")
    return bookable


def _plugins_bookable(bookable_id: int) -> Bookable:
    """A bookable a plugin may change: the agenda's events keep their bookable in step
    with the event (title, start), so only the agenda's pages change those."""
    bookable = _get_bookable(bookable_id)
    if bookable.owner == AGENDA_OWNER:
        raise ValueError("an agenda event's places are changed on the agenda's pages")
    return bookable


def bookable_info(bookable_id: int) -> BookableInfo | None:
    """The bookable as it is now, or ``None``. Check ``owner`` and ``association_id``
    before acting on an id that came from a URL."""
    bookable = session.get(Bookable, bookable_id)
    if bookable is None:
        return None
    return BookableInfo(
        id=bookable.id, owner=bookable.owner, owner_id=bookable.owner_id,
        association_id=bookable.association_id, title=bookable.title,
        starts_at=bookable.starts_at, cancelled=bookable.cancelled,
        policy=BookingPolicy(
            capacity=bookable.capacity, held_back=bookable.held_back,
            waitlist=bookable.waitlist,
            cancellation_cutoff_minutes=bookable.cancellation_cutoff_minutes,
            absences_count=bookable.absences_count, opens_at=bookable.opens_at,
            closes_at=bookable.closes_at,
        ),
    )


def places(bookable_id: int) -> PlacesInfo:
    """The counters as the database has them now (one query)."""
    waitlisted = (select(func.count(Booking.id))
                  .where(Booking.bookable_id == Bookable.id,
                         Booking.status == BookingStatus.WAITLISTED)
                  .scalar_subquery())
    row = session.execute(
        select(Bookable.capacity, Bookable.held_back, Bookable.taken_open, Bookable.taken_held,
               waitlisted.label("waitlisted"))
        .where(Bookable.id == bookable_id)
    ).one_or_none()
    if row is None:
        raise BookingRefused("Cette activité n'existe pas.")
    return PlacesInfo(
        capacity=row.capacity, held_back=row.held_back, taken=row.taken_open + row.taken_held,
        remaining_open=row.capacity - row.held_back - row.taken_open,
        remaining_held=row.held_back - row.taken_held, waitlisted=row.waitlisted,
    )


def bookings_of(bookable_id: int) -> list[BookingInfo]:
    """Live bookings (confirmed, then the queue), in the order they were made."""
    confirmed_first = (Booking.status != BookingStatus.CONFIRMED)
    return _infos(
        select(Booking)
        .where(Booking.bookable_id == bookable_id, Booking.status != BookingStatus.CANCELLED)
        .order_by(confirmed_first, Booking.queued_at, Booking.id)
    )


def bookings_of_person(person_id: int, plugin: str, *,
                       include_cancelled: bool = False) -> list[BookingInfo]:
    """The person's bookings on the plugin's bookables, soonest activity first."""
    query = (
        select(Booking)
        .join(Bookable, Bookable.id == Booking.bookable_id)
        .where(Booking.person_id == person_id, Bookable.owner == plugin)
        .order_by(Bookable.starts_at, Booking.id)
    )
    if not include_cancelled:
        query = query.where(Booking.status != BookingStatus.CANCELLED)
    return _infos(query)


def waitlist_position(booking_id: int) -> int | None:
    """Place in the queue, from 1; ``None`` when the booking is not waitlisted."""
    booking = session.get(Booking, booking_id)
    return engine.waitlist_position(booking) if booking is not None else None


def counted_absences(person_id: int, since: datetime | None = None) -> int:
    """Absences of the person on activities whose policy counts them, whoever runs them
    (a plugin may refuse a booking after too many: the count is collective-wide)."""
    query = (
        select(func.count(Booking.id))
        .join(Bookable, Bookable.id == Booking.bookable_id)
        .where(Booking.person_id == person_id, Booking.attendance == Attendance.ABSENT,
               Bookable.absences_count.is_(True))
    )
    if since is not None:
        query = query.where(Bookable.starts_at >= since)
    return session.scalar(query) or 0


# --- the bookable ----------------------------------------------------------------------------


def _check_aware(**moments: datetime | None) -> None:
    for name, moment in moments.items():
        if moment is not None and moment.utcoffset() is None:
            raise ValueError(f"{name} must be an aware datetime")


def _check_policy(policy: BookingPolicy) -> None:
    """Refuse, in French, a policy a coordinator could have typed wrong."""
    _check_aware(opens_at=policy.opens_at, closes_at=policy.closes_at)
    if policy.capacity < 0:
        raise BookingRefused("Le nombre de places ne peut pas être négatif.")
    if not 0 <= policy.held_back <= policy.capacity:
        raise BookingRefused("Les places réservées doivent être comprises entre 0 et la capacité.")
    if policy.cancellation_cutoff_minutes < 0:
        raise BookingRefused("Le délai d'annulation ne peut pas être négatif.")
    if policy.opens_at and policy.closes_at and policy.closes_at <= policy.opens_at:
        raise BookingRefused("La clôture des inscriptions doit venir après leur ouverture.")


def _check_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise BookingRefused("Le titre est obligatoire.")
    if len(title) > TITLE_MAX:
        raise BookingRefused(f"Le titre ne doit pas dépasser {TITLE_MAX} caractères.")
    return title


def create_bookable(plugin: str, owner_id: int, association: AssociationRef, title: str,
                    starts_at: datetime, policy: BookingPolicy) -> int:
    """A new bookable thing of ``plugin`` (``owner_id``: the id of your own record).
    Returns its id: keep it on your record."""
    if not plugin or plugin == AGENDA_OWNER:
        raise ValueError(f"a plugin's name is needed, not {plugin!r}")
    _check_aware(starts_at=starts_at)
    _check_policy(policy)
    bookable = Bookable(
        owner=plugin, owner_id=owner_id, association_id=association.id,
        title=_check_title(title), starts_at=starts_at, capacity=policy.capacity,
        held_back=policy.held_back, waitlist=policy.waitlist, opens_at=policy.opens_at,
        closes_at=policy.closes_at, cancellation_cutoff_minutes=policy.cancellation_cutoff_minutes,
        absences_count=policy.absences_count,
    )
    session.add(bookable)
    session.flush()
    return bookable.id


def update_bookable(bookable_id: int, *, title: str | None = None,
                    starts_at: datetime | None = None,
                    policy: BookingPolicy | None = None) -> list[BookingInfo]:
    """Change what is given. Places never drop below those taken (``BookingRefused``, and
    nothing changed); more places go to the queue at once. Returns who was promoted (they
    are emailed after the commit)."""
    _check_aware(starts_at=starts_at)
    if policy is not None:
        _check_policy(policy)
    new_title = _check_title(title) if title is not None else None
    bookable = _plugins_bookable(bookable_id)
    # The capacity first: it is the change that may be refused, before any other is made.
    promoted = (engine.set_capacity(bookable_id, policy.capacity, policy.held_back)
                if policy is not None else [])
    if new_title is not None:
        bookable.title = new_title
    if starts_at is not None:
        bookable.starts_at = starts_at
    if policy is not None:
        bookable.waitlist, bookable.opens_at, bookable.closes_at = (
            policy.waitlist, policy.opens_at, policy.closes_at)
        bookable.cancellation_cutoff_minutes = policy.cancellation_cutoff_minutes
        bookable.absences_count = policy.absences_count
    session.flush()
    tell_promoted(promoted)
    return [_info(booking) for booking in promoted]


def _live(bookable_id: int) -> list[Booking]:
    return list(session.scalars(
        select(Booking)
        .where(Booking.bookable_id == bookable_id, Booking.status != BookingStatus.CANCELLED)
        .order_by(Booking.queued_at, Booking.id)
    ))


def cancel_bookable(bookable_id: int) -> list[BookingInfo]:
    """Cancel the activity: no more bookings; the people booked or queued are emailed after
    the commit. Their bookings stay, as the record of who was expected. Returns them."""
    bookable = _plugins_bookable(bookable_id)
    # Conditional, so that two cancellations at once send one round of emails.
    changed = session.execute(
        update(Bookable).where(Bookable.id == bookable_id, Bookable.cancelled.is_(False))
        .values(cancelled=True)
    )
    if changed.rowcount != 1:
        raise BookingRefused("Cette activité est déjà annulée.")
    bookings = _live(bookable_id)
    tell_event_cancelled(bookings, bookable.title, bookable.starts_at)
    return [_info(booking) for booking in bookings]


def delete_bookable(bookable_id: int) -> None:
    """Delete a bookable nobody is booked or queued on (cancelled bookings go with it)."""
    _plugins_bookable(bookable_id)
    # Lock the row: a booking being made now is then either seen below, or waits for this
    # deletion and finds nothing to book (SQLite: the request already holds the write lock).
    session.execute(select(Bookable.id).where(Bookable.id == bookable_id).with_for_update())
    if _live(bookable_id):
        raise BookingRefused(
            "Des personnes sont inscrites : annulez l'activité ou leurs inscriptions d'abord."
        )
    session.execute(delete(Bookable).where(Bookable.id == bookable_id))


# --- bookings --------------------------------------------------------------------------------


def book(bookable_id: int, person_id: int, *, booked_by_id: int | None = None,
         referral: bool = False) -> BookingInfo:
    """A place if one is free (a held-back one first when ``referral``), else a place in
    the queue if the policy has one. ``BookingRefused`` says why not, in French."""
    booking = engine.book(bookable_id, person_id, booked_by_id=booked_by_id, referral=referral)
    return _info(booking, engine.waitlist_position(booking))


def cancel_booking(booking_id: int, *, enforce_cutoff: bool = True) -> list[BookingInfo]:
    """Cancel a booking or leave the queue. With ``enforce_cutoff`` a confirmed place is
    not given up later than the policy allows (pass ``False`` for a coordinator). Returns
    who got the freed place (emailed after the commit)."""
    promoted = engine.cancel(booking_id, enforce_cutoff=enforce_cutoff)
    tell_promoted(promoted)
    return [_info(booking) for booking in promoted]


def mark_attendance(booking_id: int, attendance: str) -> None:
    """``"present"``, ``"absent"`` or ``"excused"``, on a confirmed booking, once the
    activity has started (an absence noted in advance would count against someone)."""
    try:
        value = Attendance(attendance)
    except ValueError:
        raise ValueError(f"attendance must be one of {[a.value for a in Attendance]}") from None
    starts_at = session.scalar(
        select(Bookable.starts_at).join(Booking, Booking.bookable_id == Bookable.id)
        .where(Booking.id == booking_id)
    )
    if starts_at is not None and starts_at > utcnow():
        raise BookingRefused("Les présences se notent à partir du début de l'activité.")
    engine.mark_attendance(booking_id, value)
