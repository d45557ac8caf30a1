"""Single-use, time-limited password (re)set links."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import ForeignKey, String, select, update
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.auth.accounts import Account
from core.auth.tokens import digest, new_token
from core.database import Base, session, utcnow


class PasswordResetToken(Base):
    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    # Only a digest is stored: a database leak must not hand out working links.
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    account: Mapped[Account] = relationship()


def issue_token(account: Account) -> str:
    token = new_token()
    lifetime = timedelta(minutes=current_app.config["RESET_TOKEN_MINUTES"])
    session.add(
        PasswordResetToken(
            account=account, token_digest=digest(token), expires_at=utcnow() + lifetime
        )
    )
    return token


def find_valid_token(token: str) -> PasswordResetToken | None:
    found = session.scalar(
        select(PasswordResetToken).where(PasswordResetToken.token_digest == digest(token))
    )
    if found is None or found.used_at is not None or found.expires_at <= utcnow():
        return None
    if not found.account.person.active:
        return None
    return found


def consume_token(token: str) -> Account | None:
    """Marks the token used; two simultaneous submissions cannot both succeed."""
    found = find_valid_token(token)
    if found is None:
        return None
    claimed = session.execute(
        update(PasswordResetToken)
        .where(PasswordResetToken.id == found.id, PasswordResetToken.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if claimed.rowcount != 1:
        return None
    # Any other link still pending for this account dies with this one.
    session.execute(
        update(PasswordResetToken)
        .where(
            PasswordResetToken.account_id == found.account_id,
            PasswordResetToken.used_at.is_(None),
        )
        .values(used_at=utcnow())
    )
    return found.account
