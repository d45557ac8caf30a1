"""Reading what a URL or a form carries besides its fields: ids, page numbers, days, months.

Anything can be typed into an address bar. What Python reads without complaint can still
break further on: an integer past 32 bits makes PostgreSQL raise instead of finding nothing
(SQLite past 64), so does a NUL character in a text, and a day at the edge of the calendar
(year 1, year 9999) overflows as soon as a week is added or it is converted to UTC. These
helpers stop such values at the door: an id that no row can have is "not found", a day
outside the calendar is refused.
"""

from __future__ import annotations

from datetime import date

from flask import abort, request
from werkzeug.routing import IntegerConverter

# Ids are INTEGER columns: 32 bits on PostgreSQL, which raises on a larger number (SQLite
# past 64 bits); no row has an id beyond this.
MAX_ID = 2**31 - 1
# The days Maillage deals with. Far enough from date.min and date.max that a date moved by
# weeks, months or a Paris/UTC conversion stays a date.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)
OUT_OF_CALENDAR = (f"Cette date est hors du calendrier : choisissez-la entre "
                   f"{FIRST_DAY.year} et {LAST_DAY.year}.")


class DatabaseIdConverter(IntegerConverter):
    """``<int:…>`` in routes: a number no row can have does not match, so the URL is a 404
    before any query runs."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


NUL_REFUSED = ("La demande contient un caractère nul, qu'aucun texte ne peut contenir : "
               "rien n'a été enregistré.")


def refuse_nul_characters() -> None:
    """Before every request: a NUL character in the address, the query string or a form is
    refused (400) before it reaches a query, where PostgreSQL would raise."""
    texts = [request.path, *request.args.keys(), *request.args.values(),
             *request.form.keys(), *request.form.values()]
    if any("\x00" in text for text in texts):
        abort(400, NUL_REFUSED)


def as_id(value: object) -> int | None:
    """``value`` as an id (a positive 64-bit integer), or None when it cannot be one."""
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if 0 < number <= MAX_ID else None


def id_arg(name: str) -> int | None:
    """An id from the query string (a filter, a preselected choice); None when absent or
    when no row can have it, as an unknown filter is ignored."""
    value = request.args.get(name)
    return None if value is None else as_id(value)


# A page number is multiplied into an offset: beyond this, nothing is left to show anyway.
MAX_PAGE = 10**9


def page_arg() -> int:
    """The page of a list asked for in the query string (``?page=``), from 1; anything else
    gives the first page, a number too large the last one Maillage will count to."""
    try:
        number = int(request.args.get("page", "1"))
    except ValueError:
        return 1
    return min(max(number, 1), MAX_PAGE)


def in_calendar(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def day_param(value: str | None, default: date) -> date:
    """The day a query string or a hidden field names (``?jour=YYYY-MM-DD``): ``default``
    when absent or not a date; a 400 with a French message when outside the calendar."""
    if not value:
        return default
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return default
    if not in_calendar(day):
        abort(400, OUT_OF_CALENDAR)
    return day


def month_param(value: str | None, default: date) -> date:
    """The first day of the month a query string names (``?mois=YYYY-MM``): ``default``
    when absent or not a month; a 400 with a French message when outside the calendar."""
    try:
        year, month = (int(part) for part in (value or "").strip().split("-"))
        first = date(year, month, 1)
    except ValueError:
        return default
    if not in_calendar(first):
        abort(400, OUT_OF_CALENDAR)
    return first
