from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column

from core.database import Base, TimestampMixin


class Neighbourhood(TimestampMixin, Base):
    """A neighbourhood served, usually a priority neighbourhood (QPV)."""

    __tablename__ = "neighbourhoods"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    city: Mapped[str] = mapped_column(String(120), default="")
    # Official QPV code (e.g. QN09301M) when the neighbourhood is a QPV.
    qpv_code: Mapped[str | None] = mapped_column(String(20), unique=True)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.city})" if self.city else self.name


association_neighbourhoods = Table(
    "association_neighbourhoods",
    Base.metadata,
    Column("association_id", ForeignKey("associations.id", ondelete="CASCADE"), primary_key=True),
    Column("neighbourhood_id", ForeignKey("neighbourhoods.id", ondelete="CASCADE"), primary_key=True),
)
