from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import Base, TimestampMixin

if TYPE_CHECKING:
    from core.members.people import Person


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


class Account(UserMixin, TimestampMixin, Base):
    """The login of a person who uses the intranet."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), unique=True
    )
    # Empty until the person chose a password through the emailed link.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    is_collective_admin: Mapped[bool] = mapped_column(default=False)
    # Part of the login cookie: changing it (password reset) ends every open session.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    last_login_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship(back_populates="account")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        return self.person.active and self.password_hash is not None

    @property
    def email(self) -> str | None:
        return self.person.email
