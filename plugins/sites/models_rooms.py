"""Reservations of shared rooms (lots of kind « shared room ») by the hour. Two
reservations of one room never overlap: the core's overlap guard, and on PostgreSQL an
exclusion constraint."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.plugin_api import Base, TimestampMixin


class RoomReservation(TimestampMixin, Base):
    __tablename__ = "sites_room_reservations"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="period"),
        Index("ix_sites_room_reservations_lot_start", "lot_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_id: Mapped[int] = mapped_column(ForeignKey("associations.id", ondelete="CASCADE"),
                                                index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("sites_lots.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    purpose: Mapped[str] = mapped_column(String(150))
    # Who reserved it (a member, or an occupant's contact with an account): personal data.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"),
                                                  index=True)
    # For an occupant of the site, when the reservation is theirs.
    allocation_id: Mapped[int | None] = mapped_column(
        ForeignKey("sites_allocations.id", ondelete="SET NULL"), index=True)
