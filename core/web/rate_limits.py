"""A limit on how often one client address may send a form open to the public (an
application to a call, a contact form): past it, the request is refused with 429 and a
French message saying when to try again.

The counts share the login throttle's table (``login_attempts``, kind ``form``), in the
database so that the limit holds across workers, and with the same order: the row is
committed before counting, so that of N simultaneous submissions at most the limit get
through. The form's name is kept as a keyed hash, the address as the client's. Rows older
than a day are removed by the login throttle's own clean-up, so a window is at most a day.
"""

from __future__ import annotations

import math
from datetime import timedelta

from flask import request
from sqlalchemy import delete, func, select

from core.auth.throttle import LoginAttempt, subject_key
from core.database import session, utcnow

KIND = "form"
LONGEST_WINDOW = timedelta(days=1)


class RateLimited(Exception):
    """Refused before anything was read or saved; ``retry_after`` in seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = max(1, retry_after)

    @property
    def message(self) -> str:
        minutes = -(-self.retry_after // 60)
        if self.retry_after < 60:
            wait = f"{self.retry_after} secondes"
        elif minutes < 120:
            wait = "1 minute" if minutes == 1 else f"{minutes} minutes"
        else:
            wait = f"{math.ceil(minutes / 60)} heures"
        return f"Trop d'envois depuis votre connexion en peu de temps. Réessayez dans {wait}."


def client_address() -> str:
    """The client's address as the app sees it (behind the configured proxies)."""
    return (request.remote_addr or "inconnue")[:64]


def rate_limit(form: str, limit: int, per: timedelta) -> None:
    """Count one submission of ``form`` from the client's address; raise ``RateLimited``
    when more than ``limit`` were made in the last ``per`` (at most a day). Call it before
    validating, so that a flood of bad submissions is limited too. Commits the session
    (nothing of the request should be pending yet)."""
    if not timedelta(0) < per <= LONGEST_WINDOW:
        raise ValueError("a rate limit's window is between a second and a day")
    address = client_address()
    subject = subject_key(f"form:{form}")
    row = LoginAttempt(kind=KIND, address=address, subject=subject, succeeded=False)
    session.add(row)
    session.commit()
    since = utcnow() - per
    count, oldest = session.execute(
        select(func.count(), func.min(LoginAttempt.created_at))
        .where(LoginAttempt.kind == KIND, LoginAttempt.address == address,
               LoginAttempt.subject == subject, LoginAttempt.created_at >= since)
    ).one()
    if count > limit:
        # A refused submission is not kept: waiting out the window always lifts the limit.
        session.execute(delete(LoginAttempt).where(LoginAttempt.id == row.id))
        session.expunge(row)
        session.commit()
        retry = (oldest + per - utcnow()).total_seconds() if oldest else per.total_seconds()
        raise RateLimited(math.ceil(retry))
