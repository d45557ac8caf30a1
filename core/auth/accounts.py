from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.database import Base, TimestampMixin

if TYPE_CHECKING:
    from core.members.people import Person


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
    last_login_at: Mapped[datetime | None]

    person: Mapped[Person] = relationship(back_populates="account")

    # The server-side session this request runs under, and the token its cookie carries
    # (set by ``core.auth.sessions``: at login, or by the user loader). Not annotated:
    # declarative mapping would take an annotation for a column.
    current_session = None  # AccountSession | None
    session_cookie_id = None  # str | None

    # UserMixin compares accounts by get_id(), which is the session: compare rows instead.
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    def get_id(self) -> str:
        """What Flask-Login keeps in the cookie: the token of the session, never the
        account id (an account has one session per browser). Without a session opened by
        ``core.auth.sessions.open_session``, nothing that a later request would accept:
        ``login_user`` then logs in for the current request only (tests do that)."""
        return self.session_cookie_id or ""

    @property
    def is_active(self) -> bool:
        return self.person.active and self.password_hash is not None

    @property
    def email(self) -> str | None:
        return self.person.email
