"""Rate limiting of login and reset requests, stored in the database.

The counts live in the database rather than in process memory so that the limit
holds across several gunicorn workers. Emails are kept only as a keyed hash: the
table must not become a list of addresses someone tried.

Guessing is slowed without handing anyone a way to lock someone else out:

- from one client address, LOGIN_MAX_FAILURES_PER_ACCOUNT failures on one account, or
  LOGIN_MAX_FAILURES_PER_ADDRESS on all accounts, and that address waits for the window
  to pass (429);
- past LOGIN_MAX_FAILURES_PER_ACCOUNT failures on an account from all addresses, each
  new try on it waits a delay that doubles with every failure, up to
  LOGIN_DELAY_MAX_SECONDS: guesses spread over many addresses are slowed, and the
  owner waits at most that long, never a whole window;
- a browser that logged in to the account before (``known_devices``) is counted apart:
  only its own failures limit it, so the owner's phone is never locked by strangers.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import Index, String, delete, func, or_, select, update
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

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
    # Made from a browser that logged in to this account before (see known_devices).
    known_device: Mapped[bool] = mapped_column(default=False)
    succeeded: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TooManyAttempts(Exception):
    """Refused before checking anything; ``retry_after`` is in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = max(1, retry_after)

    @property
    def message(self) -> str:
        minutes = -(-self.retry_after // 60)
        wait = f"{self.retry_after} secondes" if self.retry_after < 60 else (
            "1 minute" if minutes == 1 else f"{minutes} minutes")
        return f"Trop de tentatives en peu de temps. Réessayez dans {wait}."


def subject_key(email: str) -> str:
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_WINDOW_MINUTES"])


@dataclass(frozen=True)
class _Failures:
    """Failed attempts of one kind in the window, as seen by one attempt (itself included)."""

    by_address: int  # from this address, on every account, unknown devices
    by_address_and_account: int  # from this address, on this account, unknown devices
    by_account: int  # on this account, from every unknown device
    by_known_device: int  # on this account, from its known devices
    latest_other: datetime | None  # the last other failure on this account, unknown devices


def _failures(attempt: LoginAttempt) -> _Failures:
    here = LoginAttempt.address == attempt.address
    this_account = LoginAttempt.subject == attempt.subject
    unknown = LoginAttempt.known_device.is_(False)
    counts = (
        select(
            func.count().filter(here, unknown),
            func.count().filter(here, this_account, unknown),
            func.count().filter(this_account, unknown),
            func.count().filter(this_account, LoginAttempt.known_device.is_(True)),
            func.max(LoginAttempt.created_at).filter(
                this_account, unknown, LoginAttempt.id != attempt.id
            ),
        )
        .where(LoginAttempt.kind == attempt.kind, LoginAttempt.succeeded.is_(False))
        .where(LoginAttempt.created_at >= utcnow() - _window())
        .where(or_(here, this_account))
    )
    return _Failures(*session.execute(counts).one())


def _wait(attempt: LoginAttempt, failures: _Failures) -> int:
    """Seconds this attempt must wait, 0 if it may go on."""
    config = current_app.config
    per_account = config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    window = int(_window().total_seconds())
    if attempt.known_device:
        return window if failures.by_known_device > per_account else 0
    if (
        failures.by_address > config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
        or failures.by_address_and_account > per_account
    ):
        return window
    excess = failures.by_account - per_account
    if excess <= 0 or failures.latest_other is None:
        return 0
    delay = min(config["LOGIN_DELAY_MAX_SECONDS"], DELAY_BASE_SECONDS * 2 ** (excess - 1))
    elapsed = (utcnow() - failures.latest_other).total_seconds()
    return max(0, math.ceil(delay - elapsed))


DELAY_BASE_SECONDS = 5


def start_attempt(kind: str, address: str, email: str, *,
                  known_device: bool = False) -> LoginAttempt:
    """Count an attempt as failed *before* checking the limits; raise TooManyAttempts
    when over them.

    The row is committed before the count so that the limit holds under concurrency
    (several workers, or one attacker firing many requests at once): of N simultaneous
    attempts, the k-th to commit sees at least k rows, so at most the limit get through.
    Reading the count first and writing afterwards would let all N through. (For the
    delay, simultaneous attempts see each other as the latest failure: they are all
    refused, which errs on the safe side.)

    A refused attempt is not kept, so waiting out the window always lifts the lock, and
    hammering a delayed account does not lengthen its delay. The caller settles a
    successful attempt with ``mark_succeeded``; a failed one needs nothing more. Commits
    the session.
    """
    attempt = LoginAttempt(kind=kind, address=address, subject=subject_key(email),
                           known_device=known_device, succeeded=False)
    session.add(attempt)
    # Old rows are useless once out of every window.
    session.execute(
        delete(LoginAttempt).where(LoginAttempt.created_at < utcnow() - timedelta(days=1))
    )
    session.commit()
    wait = _wait(attempt, _failures(attempt))
    if wait:
        # Not session.delete(): a concurrent successful login may have removed it already.
        session.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt.id))
        session.expunge(attempt)
        session.commit()
        raise TooManyAttempts(wait)
    return attempt


def mark_succeeded(attempt: LoginAttempt) -> None:
    """The password was right: the failures it stands for are forgiven.

    Those of this account from this address (and, from a known device, the account's
    known-device failures): the owner's own typos. Not the account's failures from
    elsewhere, which a stranger made, nor the address's on other accounts: one good
    login must not let an address go on trying other accounts. The caller commits.
    """
    # A statement, not the object: another login of the same account, at the same moment,
    # may already have forgiven (deleted) this attempt, and an UPDATE of the object would
    # then raise instead of finding nothing to mark.
    session.execute(update(LoginAttempt).where(LoginAttempt.id == attempt.id).values(succeeded=True)
                    .execution_options(synchronize_session=False))
    set_committed_value(attempt, "succeeded", True)
    mine = LoginAttempt.address == attempt.address
    if attempt.known_device:
        mine = or_(mine, LoginAttempt.known_device.is_(True))
    session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.kind == attempt.kind,
            LoginAttempt.subject == attempt.subject,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.id != attempt.id,
            mine,
        )
    )


def forgive_login_failures(email: str) -> None:
    """Lift an account's login limits: its owner just proved they hold the mailbox
    (password link) and chose a new password, so the guesses made so far are worthless.
    The address limits on other accounts stay. The caller commits."""
    session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.kind == "login",
            LoginAttempt.subject == subject_key(email),
            LoginAttempt.succeeded.is_(False),
        )
    )
