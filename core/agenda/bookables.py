"""Something people book places in — an agenda event, a plugin's work session — with its policy.

Places are counted in two pools: open places, which anyone eligible may take, and places
held back for people referred by a coordinator. Each pool has its own counter, and
CHECK constraints keep both within their limits whatever the code does.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from core.database import Base, TimestampMixin

# The owner of the agenda's own events' bookables: never a plugin's name.
AGENDA_OWNER = "agenda"


class Bookable(TimestampMixin, Base):
    __tablename__ = "bookables"
    __table_args__ = (
        CheckConstraint("held_back >= 0 AND held_back <= capacity", name="held_back_within_capacity"),
        CheckConstraint("taken_open >= 0 AND taken_open <= capacity - held_back", name="open_within_limit"),
        CheckConstraint("taken_held >= 0 AND taken_held <= held_back", name="held_within_limit"),
        CheckConstraint("capacity >= 0", name="capacity_not_negative"),
        Index("ix_bookables_owner", "owner", "owner_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Who the bookable belongs to: AGENDA_OWNER for events, a plugin's name for its things.
    owner: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[int | None]
    association_id: Mapped[int | None] = mapped_column(
        ForeignKey("associations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime]
    capacity: Mapped[int]
    held_back: Mapped[int] = mapped_column(default=0)
    taken_open: Mapped[int] = mapped_column(default=0)
    taken_held: Mapped[int] = mapped_column(default=0)
    # Policy
    waitlist: Mapped[bool] = mapped_column(default=True)
    opens_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]
    cancellation_cutoff_minutes: Mapped[int] = mapped_column(default=0)
    absences_count: Mapped[bool] = mapped_column(default=False)
    cancelled: Mapped[bool] = mapped_column(default=False)

    @property
    def taken(self) -> int:
        return self.taken_open + self.taken_held

    @property
    def open_left(self) -> int:
        return open_places_left(self.capacity, self.held_back, self.taken_open)


def open_places_left(capacity: int, held_back: int, taken_open: int) -> int:
    """Open places still free (held-back ones are counted apart)."""
    return max(capacity - held_back - taken_open, 0)
