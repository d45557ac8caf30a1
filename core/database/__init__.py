"""Database access for the core and plugins: one engine per app, one session per app context."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, cast

from flask import Flask, current_app, g
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.local import LocalProxy

from core.database.base import Base, TimestampMixin, UTCDateTime, string_enum, utcnow
from core.database.engine import (
    create_database_engine,
    deferred_begin,
    is_sqlite,
    write_intent,
    writing_request,
)

__all__ = [
    "Base",
    "Database",
    "TimestampMixin",
    "UTCDateTime",
    "get_database",
    "get_session",
    "init_app",
    "is_sqlite",
    "reads_first",
    "session",
    "string_enum",
    "utcnow",
    "write_intent",
]

EXTENSION_KEY = "maillage.database"


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        self.engine: Engine = create_database_engine(url, echo=echo)
        self.session_factory = sessionmaker(self.engine, expire_on_commit=False)
        self.is_sqlite = self.engine.dialect.name == "sqlite"

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


def get_database(app: Flask | None = None) -> Database:
    return cast(Database, (app or current_app).extensions[EXTENSION_KEY])


def get_session() -> Session:
    """The session of the current app context, opened on first use."""
    if "_maillage_session" not in g:
        g._maillage_session = get_database().session_factory()
    return cast(Session, g._maillage_session)


def _close_session(_exc: BaseException | None) -> None:
    db_session = g.pop("_maillage_session", None)
    if db_session is not None:
        db_session.close()


@contextmanager
def reads_first() -> Iterator[None]:
    """The reads a writing request makes before it writes: who is asking, what about.

    On SQLite such a request takes the write lock at its first statement (BEGIN IMMEDIATE), so
    that it never fails half-way; reads inside this block run in a transaction of their own,
    ended on leaving (what they loaded stays usable), so that the lock is held for the writes
    alone and concurrent bookings wait for it far less. Nothing may be written inside. Where a
    transaction is already open, in a GET, or on PostgreSQL (whose reads take no lock), it
    changes nothing.
    """
    db_session = get_session()
    if not writing_request() or db_session.in_transaction() or not get_database().is_sqlite:
        yield
        return
    with deferred_begin():
        try:
            yield
        except BaseException:
            db_session.rollback()
            raise
    if db_session.new or db_session.dirty or db_session.deleted:
        raise RuntimeError("reads_first(): a change was made inside; write after the block")
    db_session.commit()  # nothing to write: ends the read snapshot, keeps the objects


def init_app(app: Flask) -> Database:
    database = Database(app.config["DATABASE_URL"], echo=app.config.get("SQL_ECHO", False))
    app.extensions[EXTENSION_KEY] = database
    app.teardown_appcontext(_close_session)
    return database


if TYPE_CHECKING:
    session: Session
else:
    session = LocalProxy(get_session)
