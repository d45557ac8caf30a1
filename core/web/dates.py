"""Dates as the pages show them: French, in Paris time, from CLDR patterns.

A week of the agenda formats some 700 dates. Flask-Babel's ``format_datetime`` finds the
request's locale and time zone, converts with pytz and looks the pattern up again for each
one; here the conversion is zoneinfo's and each pattern is parsed once. The output is
Flask-Babel's, character for character (tests/test_date_filters.py compares them over every
pattern the templates use).

The fields the pages use (day, weekday, month, year, hours, minutes) come from the French
names below, which are CLDR's (the tests compare them with Babel's): Babel would load all its
locale data for them, some 5 MB per worker. Any other field hands the pattern to Babel.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

LOCALE_NAME = "fr"
TIMEZONE_NAME = "Europe/Paris"
DEFAULT_DATE = "d MMMM yyyy"
DEFAULT_DATETIME = "d MMMM yyyy 'à' HH:mm"

# CLDR's French names, format context (the stand-alone ones are the same), January and Monday first.
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
MONTHS_ABBREVIATED = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
                      "oct.", "nov.", "déc.")
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
DAYS_ABBREVIATED = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")

_ZONE = ZoneInfo(TIMEZONE_NAME)
# A quoted literal ('' inside is a quote), a run of one pattern letter, or other text.
_TOKEN = re.compile(r"'((?:[^']|'')*)'|(([A-Za-z])\3*)|([^'A-Za-z]+)")

Part = Callable[[date], str]


def _number(attribute: str, width: int) -> Part:
    return lambda value: f"{getattr(value, attribute):0{width}d}"


def _field(letters: str) -> Part | None:
    """The field as Babel formats it, or None when Babel has to do it."""
    letter, width = letters[0], len(letters)
    if letter == "d" and width <= 2:
        return _number("day", width)
    if letter == "M" and width <= 4:
        if width <= 2:
            return _number("month", width)
        names = MONTHS if width == 4 else MONTHS_ABBREVIATED
        return lambda value: names[value.month - 1]
    if letter == "E" and width <= 4:
        names = DAYS if width == 4 else DAYS_ABBREVIATED
        return lambda value: names[value.weekday()]
    if letter == "y" and width != 3:
        if width == 2:
            return lambda value: f"{value.year:02d}"[-2:]
        return _number("year", width)
    if letter in "Hm" and width <= 2:
        return _number("hour" if letter == "H" else "minute", width)
    return None


@functools.lru_cache(maxsize=256)  # the patterns of the templates, and a few of the code's
def _compile(pattern: str) -> tuple[list[Part | str], bool] | None:
    """The pattern as literals and fields, and whether it shows a time; None: Babel's job."""
    parts: list[Part | str] = []
    timed = False
    matches = list(_TOKEN.finditer(pattern))
    if sum(len(match.group()) for match in matches) != len(pattern):  # an unclosed quote
        return None
    for index, match in enumerate(matches):
        quoted, letters, _letter, text = match.groups()
        if letters is not None:
            part = _ordinal_day if letters == "d" and _month_name_follows(matches, index) else _field(letters)
            if part is None:
                return None
            timed = timed or letters[0] in "Hm"
            parts.append(part)
        else:
            parts.append(text if quoted is None else quoted.replace("''", "'") or "'")
    return parts, timed


def _month_name_follows(matches: list[re.Match[str]], index: int) -> bool:
    """« d MMMM »: the day is written before the month's name, « 1er » then."""
    following = [match.group() for match in matches[index + 1:index + 3]]
    return len(following) == 2 and following[0] == " " and following[1] in ("MMM", "MMMM")


def _ordinal_day(value: date) -> str:
    # French writes the first of the month as an ordinal: « le 1er mars », « le 2 mars ».
    return "1er" if value.day == 1 else str(value.day)


def _format(value: date, pattern: str) -> str:
    compiled = _compile(pattern)
    if compiled is None or (compiled[1] and not isinstance(value, datetime)):
        return _with_babel(value, pattern)
    return "".join(part if isinstance(part, str) else part(value) for part in compiled[0])


def _with_babel(value: date, pattern: str) -> str:
    from babel.dates import parse_pattern  # only for fields the pages do not use: see above

    return parse_pattern(pattern).apply(value, LOCALE_NAME)


def _local(moment: datetime) -> datetime:
    # A naive datetime is UTC, as Flask-Babel reads it.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(_ZONE)


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
