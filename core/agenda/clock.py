"""Agenda times: stored in UTC, typed and shown in Europe/Paris."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")


def paris_to_utc(local: datetime) -> datetime:
    """A wall-clock time in Paris (naive) as an aware UTC datetime."""
    return local.replace(tzinfo=PARIS).astimezone(UTC)


def in_paris(moment: datetime) -> datetime:
    return moment.astimezone(PARIS)


def day_bounds(first: date, days: int = 1) -> tuple[datetime, datetime]:
    """The UTC instants at which Paris days ``first`` .. ``first + days`` begin and end."""
    start = paris_to_utc(datetime.combine(first, time()))
    end = paris_to_utc(datetime.combine(first + timedelta(days=days), time()))
    return start, end


def paris_today(now: datetime | None = None) -> date:
    return in_paris(now or datetime.now(UTC)).date()
