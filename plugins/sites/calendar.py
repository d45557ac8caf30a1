"""Months: the unit fees, income and the timeline are counted in."""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, timedelta

SHORT_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
                "nov.", "déc.")


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), or the month's last day if it has none."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def month_end(month: date) -> date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def months_from(first: date, count: int) -> Iterator[date]:
    """The first day of ``count`` months, from ``first``'s month."""
    month = first.replace(day=1)
    for _ in range(count):
        yield month
        month = (month + timedelta(days=32)).replace(day=1)


def month_label(month: date) -> str:
    return f"{SHORT_MONTHS[month.month - 1]} {month.year}"
