from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from core.database import Base, TimestampMixin
from core.web.text import fold

if TYPE_CHECKING:
    from core.auth.accounts import Account
    from core.members.memberships import Membership


class Person(TimestampMixin, Base):
    """Anyone the collective knows: staff, volunteers and the people supported.

    Only what is needed is kept: no birth date, no social security number. Most
    people supported never log in, so the account lives apart (see Account).
    """

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80), index=True)
    # Stored lower-cased so that uniqueness and login ignore case.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str] = mapped_column(String(30), default="")
    active: Mapped[bool] = mapped_column(default=True, index=True)
    deactivated_at: Mapped[datetime | None]
    # Folded names and email, kept up to date on every write (see fold()).
    search_key: Mapped[str] = mapped_column(String(500), default="")

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="person", cascade="all, delete-orphan"
    )
    account: Mapped[Account | None] = relationship(
        back_populates="person", cascade="all, delete-orphan", uselist=False
    )

    @validates("email")
    def _normalise_email(self, _key: str, value: str | None) -> str | None:
        value = (value or "").strip().lower()
        return value or None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def sort_name(self) -> str:
        return f"{self.last_name} {self.first_name}"


@event.listens_for(Person, "before_insert")
@event.listens_for(Person, "before_update")
def _refresh_search_key(_mapper, _connection, person: Person) -> None:
    person.search_key = fold(
        f"{person.first_name} {person.last_name} {person.last_name} {person.first_name} "
        f"{person.email or ''}"
    )
