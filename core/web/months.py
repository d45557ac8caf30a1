"""Months: the unit plugins count fees, ETP and timelines in (``core.plugin_api``)."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, timedelta

from core.web.dates import MONTHS, MONTHS_ABBREVIATED


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), or the month's last day if it has none
    (31 January + 1 month = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def month_bounds(month: date) -> tuple[date, date]:
    """First and last day of the month of ``month``."""
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def months_between(first: date, last: date) -> Iterator[date]:
    """The first day of every month from ``first``'s to ``last``'s, both included."""
    month = first.replace(day=1)
    while month <= last:
        yield month
        month = (month + timedelta(days=32)).replace(day=1)


def month_label(month: date, *, short: bool = False) -> str:
    """« janvier 2026 », or « janv. 2026 » where room is short (a chart's axis)."""
    names = MONTHS_ABBREVIATED if short else MONTHS
    return f"{names[month.month - 1]} {month.year}"
