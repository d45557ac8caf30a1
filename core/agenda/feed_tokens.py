"""The secret that opens a user's private calendar feed.

Only a digest is stored, like password links: the address is shown when it is made, and
making a new one revokes the old.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from core.auth.tokens import digest, new_token
from core.database import Base, session, utcnow


class FeedToken(Base):
    __tablename__ = "feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), unique=True
    )
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]


def new_feed_token(person_id: int) -> str:
    """A fresh token for the person; any earlier one stops working. Does not commit."""
    session.execute(delete(FeedToken).where(FeedToken.person_id == person_id))
    token = new_token()
    session.add(FeedToken(person_id=person_id, digest=digest(token)))
    session.flush()
    return token


def revoke_feed_token(person_id: int) -> None:
    session.execute(delete(FeedToken).where(FeedToken.person_id == person_id))


def has_feed_token(person_id: int) -> bool:
    return session.scalar(select(FeedToken.id).where(FeedToken.person_id == person_id)) is not None


def person_for_token(token: str) -> int | None:
    if not token or len(token) > 100:
        return None
    found = session.scalar(select(FeedToken).where(FeedToken.digest == digest(token)))
    return found.person_id if found else None
