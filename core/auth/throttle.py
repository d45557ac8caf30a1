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


def _failures(kind: str, address: str, subject: str) -> tuple[int, int]:
    """Failed attempts of this kind in the window: (by address, by account)."""
    counts = (
        select(
            func.count().filter(LoginAttempt.address == address),
            func.count().filter(LoginAttempt.subject == subject),
        )
        .where(LoginAttempt.kind == kind, LoginAttempt.succeeded.is_(False))
        .where(LoginAttempt.created_at >= _window_start())
        .where(or_(LoginAttempt.address == address, LoginAttempt.subject == subject))
    )
    by_address, by_account = session.execute(counts).one()
    return by_address, by_account


def start_attempt(kind: str, address: str, email: str) -> LoginAttempt | None:
    """Count an attempt as failed *before* checking the limits; None when over them.

    The row is committed before the count so that the limit holds under concurrency
    (several workers, or one attacker firing many requests at once): of N simultaneous
    attempts, the k-th to commit sees at least k rows, so at most the limit get through.
    Reading the count first and writing afterwards would let all N through.

    A refused attempt is not kept, so waiting out the window always lifts the lock. The
    caller settles a successful attempt with ``mark_succeeded``; a failed one needs
    nothing more. Commits the session.
    """
    config = current_app.config
    subject = subject_key(email)
    attempt = LoginAttempt(kind=kind, address=address, subject=subject, succeeded=False)
    session.add(attempt)
    # Old rows are useless once out of every window.
    session.execute(
        delete(LoginAttempt).where(LoginAttempt.created_at < utcnow() - timedelta(days=1))
    )
    session.commit()
    by_address, by_account = _failures(kind, address, subject)
    if (
        by_address > config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
        or by_account > config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    ):
        # Not session.delete(): a concurrent successful login may have removed it already.
        session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt.id))
        session.expunge(attempt)
        session.commit()
        return None
    return attempt


def mark_succeeded(attempt: LoginAttempt) -> None:
    """The password was right: this account's earlier failures are forgiven.

    Only the account's failures of the same kind, not the address's: one good login
    must not let an address go on trying other accounts. The caller commits.
    """
    attempt.succeeded = True
    session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.kind == attempt.kind,
            LoginAttempt.subject == attempt.subject,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.id != attempt.id,
        )
    )


def forgive_login_failures(email: str) -> None:
    """Lift an account's login lock: its owner just proved they hold the mailbox
    (password link). Otherwise someone locked out by a guesser stays locked after
    resetting. The address limits stay. The caller commits."""
    session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.kind == "login",
            LoginAttempt.subject == subject_key(email),
            LoginAttempt.succeeded.is_(False),
        )
    )
