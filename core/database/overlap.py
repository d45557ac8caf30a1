"""Time ranges that must not overlap (a person's work sessions, a room, a lot).

One function for both databases. On SQLite, write transactions hold the database's write
lock from their first statement (``BEGIN IMMEDIATE`` in POST requests, ``write_intent()``
elsewhere), so checking and then inserting cannot interleave with another writer. On
PostgreSQL two transactions can both pass the check, so an exclusion constraint on the
table refuses the second insert; ``add_overlap_exclusion`` creates it from a migration.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import InstrumentedAttribute

from core.database import session

if TYPE_CHECKING:  # alembic is for migrations: the app must not load it at start
    from alembic.operations import Operations


class Overlap(Exception):
    """The range overlaps another one; ``str(error)`` is the French message for the user."""


def _value(row: Any, column: InstrumentedAttribute[Any]) -> Any:
    return getattr(row, column.key)


DEADLOCK_DETECTED = "40P01"  # PostgreSQL's SQLSTATE


def save_without_overlap(row: Any, *, owner: InstrumentedAttribute[Any],
                         start: InstrumentedAttribute[datetime],
                         end: InstrumentedAttribute[datetime], message: str) -> None:
    """Add (or update) ``row`` unless another row of the same ``owner`` value overlaps
    [start, end). Raises ``Overlap(message)``; the transaction stays usable. Half-open
    ranges: a session ending at 12:00 and the next starting at 12:00 do not overlap."""
    model = type(row)
    primary_key = model.__mapper__.primary_key[0]
    clash = select(primary_key).where(
        owner == _value(row, owner), start < _value(row, end), end > _value(row, start))
    row_id = getattr(row, primary_key.key, None)
    if row_id is not None:
        clash = clash.where(primary_key != row_id)
    with session.no_autoflush:
        found = session.scalar(clash.limit(1))
    if found is not None:
        raise Overlap(message)
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError as error:  # the exclusion constraint, on PostgreSQL
        if "exclu" not in str(error.orig).lower() and "conflicting key" not in str(error.orig):
            raise
        raise Overlap(message) from None
    except OperationalError as error:
        # Two overlapping rows saved at once may wait on each other while PostgreSQL checks the
        # exclusion constraint; it then ends one of them with a deadlock (40P01). That one's
        # savepoint is rolled back, the other row stands: the loser overlaps it.
        if getattr(error.orig, "sqlstate", None) != DEADLOCK_DETECTED:
            raise
        raise Overlap(message) from None


def add_overlap_exclusion(op: Operations, *, table: str, name: str, owner: str, start: str,
                          end: str) -> None:
    """In a migration: on PostgreSQL, forbid overlapping [start, end) ranges per ``owner``
    (needs the btree_gist extension, created if missing). Nothing to do on SQLite."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" EXCLUDE USING gist '
               f'("{owner}" WITH =, tstzrange("{start}", "{end}", \'[)\') WITH &&)')


def drop_overlap_exclusion(op: Operations, *, table: str, name: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{name}"')
