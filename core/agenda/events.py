"""Agenda events and the series they may belong to.

A series is expanded into ordinary events when it is saved, so that one occurrence can be
cancelled or moved like any event, bookings hang off real rows, and every page and feed
reads one table. An event's places live in its ``Bookable`` (none when there is no sign-up).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, SmallInteger, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import Base, TimestampMixin, string_enum

if TYPE_CHECKING:
    from core.agenda.bookables import Bookable
    from core.members.associations import Association
    from core.partners.models import Partner


# Longer is not an event but a period.
MAX_EVENT_LENGTH = timedelta(days=31)
# Events are filed by length: class k holds those lasting at most LENGTH_BOUNDS[k]. An event
# still running at t then started less than its class's bound before t, so that finding
# those reads, class by class, the few events started that recently rather than a month of
# the past (queries.running_at). A class too long for the event is never wrong, only slower.
LENGTH_BOUNDS = (timedelta(hours=2), timedelta(hours=6), timedelta(days=1), timedelta(days=4),
                 MAX_EVENT_LENGTH)
LONGEST_CLASS = len(LENGTH_BOUNDS) - 1


def length_class(length: timedelta) -> int:
    return next((k for k, bound in enumerate(LENGTH_BOUNDS) if length <= bound), LONGEST_CLASS)


class EventKind(StrEnum):
    WORKSHOP = "workshop"
    INFORMATION = "information"
    VOLUNTEERING = "volunteering"
    MEETING = "meeting"
    OUTING = "outing"
    OTHER = "other"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS = {
    EventKind.WORKSHOP: "Atelier",
    EventKind.INFORMATION: "Réunion d'information",
    EventKind.VOLUNTEERING: "Créneau bénévole",
    EventKind.MEETING: "Réunion",
    EventKind.OUTING: "Sortie",
    EventKind.OTHER: "Autre",
}


class Visibility(StrEnum):
    """Who sees an event: its association's members, the whole collective, or anyone
    (public events also go to the association's public calendar feed)."""

    ASSOCIATION = "association"
    COLLECTIVE = "collective"
    PUBLIC = "public"

    @property
    def label(self) -> str:
        return VISIBILITY_LABELS[self]


VISIBILITY_LABELS = {
    Visibility.ASSOCIATION: "Membres de l'association",
    Visibility.COLLECTIVE: "Tout le collectif",
    Visibility.PUBLIC: "Public (calendrier public de l'association)",
}


class EventSeries(TimestampMixin, Base):
    """The rule an event series was generated from: every ``interval_weeks`` weeks, until a
    date or for a number of occurrences."""

    __tablename__ = "event_series"
    __table_args__ = (
        CheckConstraint("interval_weeks BETWEEN 1 AND 52", name="interval_in_range"),
        CheckConstraint("(until IS NULL) <> (occurrences IS NULL)", name="until_or_count"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int | None] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE"), index=True
    )
    interval_weeks: Mapped[int] = mapped_column(default=1)
    until: Mapped[date | None]
    occurrences: Mapped[int | None]


class Event(TimestampMixin, Base):
    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        # What the list, week and month pages filter on; with who may see the event, so
        # that the month counts each day's events from the index alone.
        Index("ix_events_starts_visibility", "starts_at", "visibility", "association_id"),
        Index("ix_events_association_starts", "association_id", "starts_at"),
        Index("ix_events_length_starts", "length_class", "starts_at"),  # what is running now
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: an event of the whole collective.
    association_id: Mapped[int | None] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE")
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[EventKind] = mapped_column(string_enum(EventKind, "event_kind"), index=True)
    place: Mapped[str] = mapped_column(String(300), default="")
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="SET NULL"), index=True
    )
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    # length_class(ends_at - starts_at), kept up to date on every ORM write (below); rows
    # inserted without it get the longest class.
    length_class: Mapped[int] = mapped_column(SmallInteger, server_default=text(str(LONGEST_CLASS)))
    visibility: Mapped[Visibility] = mapped_column(string_enum(Visibility, "event_visibility"))
    cancelled: Mapped[bool] = mapped_column(default=False)
    bookable_id: Mapped[int | None] = mapped_column(
        ForeignKey("bookables.id", ondelete="SET NULL"), unique=True
    )
    series_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_series.id", ondelete="SET NULL"), index=True
    )
    # Moved or edited on its own: later changes to the series leave it alone.
    detached: Mapped[bool] = mapped_column(default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))

    association: Mapped[Association | None] = relationship()
    partner: Mapped[Partner | None] = relationship()
    bookable: Mapped[Bookable | None] = relationship()
    series: Mapped[EventSeries | None] = relationship()

    @property
    def where(self) -> str:
        partner = self.partner
        return place_text(partner.name if partner else None, partner.address if partner else "",
                          self.place)


def place_text(partner: str | None, partner_address: str | None, place: str) -> str:
    """Where an event takes place: at its partner's (with the address), or its own place."""
    if partner is not None:
        return f"{partner} — {partner_address}" if partner_address else partner
    return place


@event.listens_for(Event, "before_insert")
@event.listens_for(Event, "before_update")
def _file_by_length(_mapper: object, _connection: object, target: Event) -> None:
    filed = length_class(target.ends_at - target.starts_at)
    if target.length_class != filed:
        target.length_class = filed
