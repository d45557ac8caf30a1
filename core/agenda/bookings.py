"""A person's place (or place in the queue) on a bookable."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Enum, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from core.database import Base, utcnow


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


class Attendance(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"


def _enum(enum_class: type, name: str) -> Enum:
    return Enum(enum_class, name=name, native_enum=False, create_constraint=True, length=20,
                values_callable=lambda members: [member.value for member in members])


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        # One live booking per person and bookable; cancelled ones stay as history.
        Index("uq_bookings_live", "bookable_id", "person_id", unique=True,
              sqlite_where=text("status != 'cancelled'"),
              postgresql_where=text("status != 'cancelled'")),
        Index("ix_bookings_queue", "bookable_id", "status", "queued_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    bookable_id: Mapped[int] = mapped_column(ForeignKey("bookables.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    booked_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    status: Mapped[BookingStatus] = mapped_column(_enum(BookingStatus, "booking_status"))
    # Which pool the place came from, so that a cancellation frees the right one.
    pool: Mapped[str | None] = mapped_column(String(10))  # "open", "held" or None (queued)
    referral: Mapped[bool] = mapped_column(default=False)
    attendance: Mapped[Attendance | None] = mapped_column(_enum(Attendance, "attendance"))
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
