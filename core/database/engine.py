"""Engine creation: the SQLite settings that make it safe under concurrent requests."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from flask import has_request_context, request
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SQLITE_BUSY_TIMEOUT_MS = 30_000

_write_intent: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "maillage_write_intent", default=False
)
_reading: contextvars.ContextVar[bool] = contextvars.ContextVar("maillage_reading", default=False)


@contextmanager
def write_intent() -> Iterator[None]:
    """Declare that transactions opened inside will write (CLI commands, scripts).

    On SQLite they then start with ``BEGIN IMMEDIATE``: a deferred transaction that
    reads and later writes fails with "database is locked" when another writer
    slipped in between, instead of waiting its turn.
    """
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


def _wants_immediate() -> bool:
    if _write_intent.get():
        return True
    if _reading.get():
        return False
    # A state-changing request writes: take the write lock at its first statement.
    return has_request_context() and request.method not in SAFE_METHODS


def writing_request() -> bool:
    """Whether the current request may write (a POST and the like)."""
    return has_request_context() and request.method not in SAFE_METHODS


@contextmanager
def deferred_begin() -> Iterator[None]:
    """Statements run inside read, even in a writing request (reads_first): a transaction
    opened inside starts deferred, as a *read phase* that the first statement run outside
    ends by taking the write lock (_end_read_phase)."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


_READ_PHASE = "maillage_read_phase"  # in Connection.info: a deferred transaction of reads_first


def in_read_phase(connection: Connection) -> bool:
    """Whether the connection's transaction still only reads, its write lock not taken."""
    return bool(connection.info.get(_READ_PHASE))


def _end_read_phase(connection: Connection) -> None:
    """Turn the read phase into a write transaction: its snapshot ends (nothing was written),
    and BEGIN IMMEDIATE waits for the write lock. SQLite cannot take the lock inside a
    deferred transaction once another writer went by since its first read."""
    connection.info[_READ_PHASE] = False
    driver = connection.connection.dbapi_connection
    assert driver is not None
    driver.execute("COMMIT")
    driver.execute("BEGIN IMMEDIATE")


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_database_engine(url: str, *, echo: bool = False) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return create_engine(parsed, echo=echo, pool_pre_ping=True)

    engine = create_engine(
        parsed, echo=echo, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}
    )
    in_memory = parsed.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN, not the driver.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        immediate = _wants_immediate()
        connection.info[_READ_PHASE] = not immediate and _reading.get()
        # On the driver's connection: through SQLAlchemy, a BEGIN costs as much as a query.
        driver = connection.connection.dbapi_connection
        assert driver is not None
        driver.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")

    @event.listens_for(engine, "before_cursor_execute")
    def _write_after_reads(connection: Connection, *_statement: object) -> None:
        if connection.info.get(_READ_PHASE) and not _reading.get():
            _end_read_phase(connection)

    return engine
