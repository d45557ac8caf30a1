from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from core.database import Base, TimestampMixin


class Collective(TimestampMixin, Base):
    """The one collective an installation serves (a single row)."""

    __tablename__ = "collective"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150))
    territory: Mapped[str] = mapped_column(String(150), default="")
