"""Login sessions kept on the server, so that logging out really ends them.

The signed cookie holds only a random token; the database keeps its digest (a leaked
table opens nothing), the account, a short device name and when it was opened and last
seen. Logging out deletes the row: a copy of the cookie taken before is worth nothing.

The user loader finds the account through its session in the one query it already ran.
``last_seen_at`` is written at most every ``LAST_SEEN_EVERY``, never on every request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app, request
from sqlalchemy import ForeignKey, Select, String, bindparam, delete, or_, select, update
from sqlalchemy.orm import Mapped, joinedload, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from core.auth.accounts import Account
from core.auth.permissions import packed_roles, remember_roles
from core.auth.tokens import digest, new_token
from core.auth.user_agents import device_name
from core.database import Base, get_database, reads_first, session, utcnow, write_intent
from core.database.engine import SAFE_METHODS

LAST_SEEN_EVERY = timedelta(minutes=5)
DEVICE_LENGTH = 80


class AccountSession(Base):
    __tablename__ = "account_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    device: Mapped[str] = mapped_column(String(DEVICE_LENGTH))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


def _idle_limit() -> datetime:
    return utcnow() - timedelta(days=current_app.config["SESSION_IDLE_DAYS"])


def _age_limit() -> datetime:
    return utcnow() - timedelta(days=current_app.config["SESSION_MAX_DAYS"])


def _alive() -> list:
    return [AccountSession.last_seen_at >= _idle_limit(), AccountSession.created_at >= _age_limit()]


def open_session(account: Account) -> None:
    """A new session for this browser, which ``login_user`` then writes in the cookie.
    The caller commits."""
    token = new_token()
    device = device_name(request.headers.get("User-Agent"))[:DEVICE_LENGTH]
    row = AccountSession(account_id=account.id, token_digest=digest(token), device=device)
    session.add(row)
    # Ended sessions are useless: this is as good a moment as any to forget them.
    session.execute(
        delete(AccountSession).where(
            or_(
                AccountSession.last_seen_at < _idle_limit(),
                AccountSession.created_at < _age_limit(),
            )
        )
    )
    session.flush()
    account.current_session = row
    account.session_cookie_id = token


@cache
def _account_of_session() -> Select[tuple[Account, AccountSession, str | None]]:
    """The query every signed-in request runs, built once: its compiled form and cache key are
    then reused, where building it anew costs more than running it. It finds the session by
    its token alone: whether it is still alive is checked on the row (two dates less to send)."""
    return (
        select(Account, AccountSession, packed_roles(Account.person_id))
        .join(AccountSession, AccountSession.account_id == Account.id)
        .options(joinedload(Account.person))
        .where(AccountSession.token_digest == bindparam("token_digest"))
    )


def load_account(token: str) -> Account | None:
    """The Flask-Login user loader: the account behind a live session, or None."""
    if not token:
        return None
    # Outside the write lock of a POST: nothing here writes (the touch below comes after).
    with reads_first():
        found = session.execute(_account_of_session(), {"token_digest": digest(token)}).one_or_none()
    if found is None:
        return None
    account, row, roles = found
    if row.last_seen_at < _idle_limit() or row.created_at < _age_limit() or not account.is_active:
        return None
    remember_roles(roles)
    account.current_session = row
    account.session_cookie_id = token
    if row.last_seen_at < utcnow() - LAST_SEEN_EVERY:
        _touch(row)
    return account


def _touch(row: AccountSession) -> None:
    now = utcnow()
    statement = (
        update(AccountSession)
        .where(AccountSession.id == row.id, AccountSession.last_seen_at < now - LAST_SEEN_EVERY)
        .values(last_seen_at=now)
    )
    if request.method not in SAFE_METHODS:
        # The request already writes: one more row in its transaction, committed with it.
        session.execute(statement)
    else:
        # A GET reads in a deferred transaction, which on SQLite cannot turn into a write
        # once another writer went by: write on a connection of its own, that waits its turn.
        with write_intent(), get_database().engine.begin() as connection:
            connection.execute(statement)
    # Told as already stored: a change pending in the session would be flushed, as a write,
    # by the GET's next query.
    set_committed_value(row, "last_seen_at", now)


@dataclass(frozen=True)
class OpenSession:
    id: int
    device: str
    created_at: datetime
    last_seen_at: datetime
    current: bool


def sessions_of(account: Account) -> list[OpenSession]:
    """The account's live sessions, most recently seen first."""
    current = account.current_session.id if account.current_session else None
    rows = session.execute(
        select(
            AccountSession.id,
            AccountSession.device,
            AccountSession.created_at,
            AccountSession.last_seen_at,
        )
        .where(AccountSession.account_id == account.id, *_alive())
        .order_by(AccountSession.last_seen_at.desc(), AccountSession.id.desc())
    ).all()
    return [OpenSession(*row, current=row.id == current) for row in rows]


def end_session(account: Account, session_id: int) -> bool:
    """End one of the account's sessions; False if it has none of that id. The caller
    commits."""
    ended = session.execute(
        delete(AccountSession).where(
            AccountSession.id == session_id, AccountSession.account_id == account.id
        )
    )
    return ended.rowcount == 1


def end_sessions(account_id: int, *, keep: AccountSession | None = None) -> None:
    """End every session of the account, but ``keep`` if given. The caller commits."""
    statement = delete(AccountSession).where(AccountSession.account_id == account_id)
    if keep is not None:
        statement = statement.where(AccountSession.id != keep.id)
    session.execute(statement)
