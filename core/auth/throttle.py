"""Rate limiting of login and reset requests, stored in the database.

The counts live in the database rather than in process memory so that the limit
holds across several gunicorn workers. Emails are kept only as a keyed hash: the
table must not become a list of addresses someone tried.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Index, String, delete, func, or_, select
from sqlalchemy.orm import Mapped, mapped_column

from core.database import Base, session, utcnow


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_address_created", "address", "created_at"),
        Index("ix_login_attempts_subject_created", "subject", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))  # "login" or "reset"
    address: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def subject_key(email: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def _window_start() -> datetime:
    return utcnow() - timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])


def is_throttled(kind: str, address: str, email: str) -> bool:
    """True when this address or this account has failed too often lately."""
    config = current_app.config
    since = _window_start()
    failures = (
        select(
            func.count().filter(LoginAttempt.address == address),
            func.count().filter(LoginAttempt.subject == subject_key(email)),
        )
        .where(LoginAttempt.kind == kind, LoginAttempt.succeeded.is_(False))
        .where(LoginAttempt.created_at >= since)
        .where(or_(LoginAttempt.address == address, LoginAttempt.subject == subject_key(email)))
    )
    by_address, by_account = session.execute(failures).one()
    return (
        by_address >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
        or by_account >= config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    )


def record_attempt(kind: str, address: str, email: str, *, succeeded: bool) -> None:
    session.add(
        LoginAttempt(
            kind=kind, address=address, subject=subject_key(email), succeeded=succeeded
        )
    )
    if succeeded and kind == "login":
        # A successful login clears that account's failures, not the address's.
        session.execute(
            delete(LoginAttempt).where(
                LoginAttempt.subject == subject_key(email),
                LoginAttempt.succeeded.is_(False),
            )
        )
    # Old rows are useless once out of every window.
    session.execute(
        delete(LoginAttempt).where(LoginAttempt.created_at < utcnow() - timedelta(days=1))
    )
