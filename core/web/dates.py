"""Dates as the pages show them: French, in Paris time, from CLDR patterns.

A week of the agenda formats some 700 dates. Flask-Babel's ``format_datetime`` finds the
request's locale and time zone, converts with pytz and looks the pattern up again for each
one; here the locale is parsed once, the conversion is zoneinfo's, and babel's parsed
pattern is applied directly. The output is Flask-Babel's, character for character
(tests/test_date_filters.py compares them over every pattern the templates use).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import parse_pattern, tokenize_pattern

LOCALE_NAME = "fr"
TIMEZONE_NAME = "Europe/Paris"
DEFAULT_DATE = "d MMMM yyyy"
DEFAULT_DATETIME = "d MMMM yyyy 'à' HH:mm"

_LOCALE = Locale.parse(LOCALE_NAME)
_ZONE = ZoneInfo(TIMEZONE_NAME)


def _local(moment: datetime) -> datetime:
    # A naive datetime is UTC, as Flask-Babel reads it.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_ZONE)


# Numbers need no locale data: str.format writes them as babel does, some five times
# faster (every agenda card shows « HH:mm – HH:mm »; strftime is no faster than babel).
_NUMBER_FIELDS = {("H", 1): "{0.hour}", ("H", 2): "{0.hour:02d}", ("m", 2): "{0.minute:02d}",
                  ("d", 1): "{0.day}", ("d", 2): "{0.day:02d}",
                  ("M", 1): "{0.month}", ("M", 2): "{0.month:02d}"}


@cache
def _number_format(pattern: str) -> str | None:
    """A str.format template writing ``pattern``, if it has only numbers in it."""
    parts = []
    for kind, value in tokenize_pattern(pattern):
        if kind == "chars":
            parts.append(value.replace("{", "{{").replace("}", "}}"))
        elif value in _NUMBER_FIELDS:
            parts.append(_NUMBER_FIELDS[value])
        else:
            return None
    return "".join(parts)


def _format(value: date, pattern: str) -> str:
    numbers = _number_format(pattern)
    if numbers is not None:
        return numbers.format(value)
    return parse_pattern(pattern).apply(value, _LOCALE)


def format_datetime(value: datetime | None, pattern: str = DEFAULT_DATETIME) -> str:
    if not value:
        return ""
    return _format(_local(value), pattern)


def format_date(value: date | None, pattern: str = DEFAULT_DATE) -> str:
    """A datetime is shown as its day in Paris."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    return _format(value, pattern)
