"""What the agenda holds about a person, for their data-access request.

On erasure, live bookings are cancelled first so their places go back to the queue; the rows
and the feed token then go with the person (ON DELETE CASCADE), and events they created or
bookings they made for others keep no trace of them (ON DELETE SET NULL).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.agenda.bookables import Bookable
from core.agenda.bookings import Booking, BookingStatus
from core.agenda.engine import cancel
from core.agenda.feed_tokens import FeedToken
from core.agenda.notify import tell_promoted
from core.database import session


def export_agenda(person_id: int, *, associations: frozenset[int] | None) -> dict[str, Any]:
    """The person's bookings of the things the associations in ``associations`` run (None:
    all, the collective's own events included). A booking is the part of whoever runs what
    is booked: only they see its list of bookings (agenda.scope.can_manage_event), so another
    association's event — private or public — and the collective's stay out of a
    coordinator's export. The calendar link is the person's own, tied to no association."""
    query = (
        select(Booking, Bookable.title, Bookable.starts_at)
        .join(Bookable, Bookable.id == Booking.bookable_id)
        .where(Booking.person_id == person_id)
        .order_by(Bookable.starts_at, Booking.id)
    )
    if associations is not None:
        query = query.where(Bookable.association_id.in_(associations))
    rows = session.execute(query).all()
    token = session.scalar(select(FeedToken).where(FeedToken.person_id == person_id))
    return {
        "inscriptions": [
            {
                "activite": title,
                "debut": starts_at.isoformat(),
                "statut": booking.status.value,
                "orientation": booking.referral,
                "presence": booking.attendance.value if booking.attendance else None,
                "inscrit_le": booking.queued_at.isoformat(),
                "annule_le": booking.cancelled_at.isoformat() if booking.cancelled_at else None,
            }
            for booking, title, starts_at in rows
        ],
        "lien_calendrier": {"cree_le": token.created_at.isoformat()} if token else None,
    }


def release_bookings(person_id: int) -> int:
    """Before a person is erased: give their places back (the queue moves up and is told),
    so the counters stay equal to the bookings left. Returns how many were live."""
    live = session.scalars(
        select(Booking.id).where(Booking.person_id == person_id,
                                 Booking.status != BookingStatus.CANCELLED)
    ).all()
    for booking_id in live:
        tell_promoted(cancel(booking_id, enforce_cutoff=False))
    return len(live)
