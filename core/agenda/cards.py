"""The agenda's cards (list and week pages), read as columns.

A week shows hundreds of cards: building each event with its places, association and partner
as ORM objects, and looking the viewer's bookings up apart, cost more than the rest of the
page. One query reads what a card prints, the viewer's booking included (CONTRIBUTING.md,
« Fast pages »).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_

from core.agenda.bookables import Bookable, open_places_left
from core.agenda.bookings import Booking, BookingStatus
from core.agenda.events import Event, EventKind, place_text
from core.agenda.queries import events_query
from core.members.associations import Association
from core.partners.models import Partner
from core.web.reading import columns_as


@dataclass(frozen=True, slots=True)
class EventCard:
    """What a card shows of an event; the places are None for an event without sign-up."""

    id: int
    title: str
    kind: EventKind
    starts_at: datetime
    ends_at: datetime
    cancelled: bool
    place: str
    bookable_id: int | None
    association: str | None  # its short name; None for an event of the whole collective
    partner: str | None
    partner_address: str | None
    capacity: int | None
    held_back: int | None
    taken_open: int | None
    waitlist: bool | None
    my_status: BookingStatus | None  # the viewer's live booking, if any

    @property
    def where(self) -> str:
        return place_text(self.partner, self.partner_address, self.place)

    @property
    def left(self) -> int | None:
        """Open places still free."""
        if self.capacity is None or self.held_back is None or self.taken_open is None:
            return None
        return open_places_left(self.capacity, self.held_back, self.taken_open)


def card_query(visible: ColumnElement[bool], *, person_id: int, places_only: bool = False,
               **filters: Any) -> Select[Any]:
    """The cards of the events ``events_query`` selects with the same filters, with
    ``person_id``'s live booking on each: ``session.scalars`` of it gives EventCards."""
    cards = columns_as(
        EventCard, Event.id, Event.title, Event.kind, Event.starts_at, Event.ends_at, Event.cancelled,
        Event.place, Event.bookable_id, Association.short_name, Partner.name, Partner.address,
        Bookable.capacity, Bookable.held_back, Bookable.taken_open, Bookable.waitlist, Booking.status)
    query = events_query(visible, places_only=places_only, columns=(cards,), **filters)
    if not places_only:  # events_query joins the places itself to filter on them
        query = query.outerjoin(Bookable, Bookable.id == Event.bookable_id)
    # At most one live booking per person and bookable (uq_bookings_live): one row per event.
    return (query.outerjoin(Association, Association.id == Event.association_id)
            .outerjoin(Partner, Partner.id == Event.partner_id)
            .outerjoin(Booking, and_(Booking.bookable_id == Event.bookable_id,
                                     Booking.person_id == person_id,
                                     Booking.status != BookingStatus.CANCELLED)))
