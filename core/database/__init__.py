"""Database access for the core and plugins: one engine per app, one session per app context."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from flask import Flask, current_app, g
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.local import LocalProxy

from core.database.base import Base, TimestampMixin, UTCDateTime, string_enum, utcnow
from core.database.engine import create_database_engine, is_sqlite, write_intent

__all__ = [
    "Base",
    "Database",
    "TimestampMixin",
    "UTCDateTime",
    "get_database",
    "get_session",
    "init_app",
    "is_sqlite",
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

    @property
    def is_sqlite(self) -> bool:
        return is_sqlite(self.url)

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


def init_app(app: Flask) -> Database:
    database = Database(app.config["DATABASE_URL"], echo=app.config.get("SQL_ECHO", False))
    app.extensions[EXTENSION_KEY] = database
    app.teardown_appcontext(_close_session)
    return database


if TYPE_CHECKING:
    session: Session
else:
    session = LocalProxy(get_session)
