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
    in_read_phase,
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
    that it never fails half-way. Reads inside this block run instead in a deferred transaction,
    which the first statement run after the block turns into a write transaction (it ends
    the reads' snapshot, then waits for the lock): the lock is held for the writes alone, and
    concurrent bookings wait for it far less. Several blocks in one request (the user loader's,
    then the view's) read in the same transaction; what they loaded stays usable. Nothing may
    be written inside. Where the request already writes, in a GET, or on PostgreSQL (whose
    reads take no lock), it changes nothing.
    """
    db_session = get_session()
    if not writing_request() or not get_database().is_sqlite or (
            db_session.in_transaction() and not in_read_phase(db_session.connection())):
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


def init_app(app: Flask) -> Database:
    database = Database(app.config["DATABASE_URL"], echo=app.config.get("SQL_ECHO", False))
    app.extensions[EXTENSION_KEY] = database
    app.teardown_appcontext(_close_session)
    return database


if TYPE_CHECKING:
    session: Session
else:
    session = LocalProxy(get_session)
