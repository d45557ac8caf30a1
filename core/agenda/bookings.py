"""A person's place (or place in the queue) on a bookable."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import Base, string_enum, utcnow

if TYPE_CHECKING:
    from core.members.people import Person


class BookingStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return _STATUS_LABELS[self]


class Attendance(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    EXCUSED = "excused"

    @property
    def label(self) -> str:
        return _ATTENDANCE_LABELS[self]


# As the event page says them (and the downloaded list of bookings, through ``label``).
_STATUS_LABELS = {BookingStatus.CONFIRMED: "Inscrit·e", BookingStatus.WAITLISTED: "Liste d'attente",
                  BookingStatus.CANCELLED: "Annulée"}
_ATTENDANCE_LABELS = {Attendance.PRESENT: "Présent·e", Attendance.ABSENT: "Absent·e",
                      Attendance.EXCUSED: "Excusé·e"}


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
    status: Mapped[BookingStatus] = mapped_column(string_enum(BookingStatus, "booking_status", 20))
    # Which pool the place came from, so that a cancellation frees the right one.
    pool: Mapped[str | None] = mapped_column(String(10))  # "open", "held" or None (queued)
    referral: Mapped[bool] = mapped_column(default=False)
    attendance: Mapped[Attendance | None] = mapped_column(string_enum(Attendance, "attendance", 20))
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    # Set when `maillage agenda remind` claims the booking, so a second run sends nothing.
    reminded_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship(foreign_keys=[person_id])
