"""The template date filters give Flask-Babel's text, character for character, for every
pattern the templates use, around both changes of time and at the edges of the day."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import flask_babel
import pytest
from flask import Flask

from core.web.dates import DEFAULT_DATE, DEFAULT_DATETIME

ROOT = Path(__file__).resolve().parent.parent
FILTER_USE = re.compile(r"\|\s*(date|datetime)\(\s*([\"'])(.+?)\2\s*\)")


def _template_patterns() -> set[tuple[str, str]]:
    found = set()
    for folder in ("core", "plugins"):
        for template in (ROOT / folder).rglob("*.html"):
            found |= {(name, pattern) for name, _, pattern in FILTER_USE.findall(template.read_text())}
    return found


# Beyond the templates': every number field the filters write without babel, and literals.
NUMBER_PATTERNS = {("datetime", "H'h'mm"), ("datetime", "d/M HH'h'mm {}"), ("date", "dd/MM"),
                   ("date", "d.M")}
PATTERNS = sorted(_template_patterns() | NUMBER_PATTERNS
                  | {("date", DEFAULT_DATE), ("datetime", DEFAULT_DATETIME)})


def _moments() -> list[datetime]:
    moments = []
    # Each side of the changes of 2026 (29 March, 25 October, at 01:00 UTC) and of midnight.
    for change in (datetime(2026, 3, 29, 1, tzinfo=UTC), datetime(2026, 10, 25, 1, tzinfo=UTC)):
        moments += [change + timedelta(minutes=minutes) for minutes in range(-150, 151, 15)]
    moments += [datetime(2026, 12, 31, 22, 59, tzinfo=UTC), datetime(2026, 6, 30, 22, 0, tzinfo=UTC)]
    # A year every 37 hours: each weekday and month, both offsets.
    moments += [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=37 * step) for step in range(240)]
    # Naive values are read as UTC; other zones are converted.
    moments += [datetime(2026, 7, 14, 23, 30), datetime(2026, 1, 1, 0, 5)]
    moments += [datetime(2026, 3, 29, 3, 30, tzinfo=timezone(timedelta(hours=5)))]
    return moments


def test_the_templates_use_patterns_this_test_knows() -> None:
    assert ("datetime", "HH:mm") in PATTERNS
    assert len(PATTERNS) >= 10


@pytest.mark.parametrize(("name", "pattern"), PATTERNS)
def test_filters_match_flask_babel(app: Flask, name: str, pattern: str) -> None:
    ours = app.jinja_env.filters[name]
    theirs = flask_babel.format_date if name == "date" else flask_babel.format_datetime
    values: list[date] = list(_moments())
    if name == "date":
        values += [date(2026, 1, 1) + timedelta(days=day) for day in range(0, 366, 5)]
    with app.test_request_context("/"):
        for value in values:
            assert ours(value, pattern) == theirs(value, pattern), (pattern, value)


@pytest.mark.parametrize(("name", "theirs"), [("date_fr", flask_babel.format_date),
                                             ("datetime_fr", flask_babel.format_datetime)])
def test_french_default_filters_match_flask_babel(app: Flask, name: str, theirs) -> None:
    pattern = DEFAULT_DATE if name == "date_fr" else DEFAULT_DATETIME
    with app.test_request_context("/"):
        for value in _moments():
            assert app.jinja_env.filters[name](value) == theirs(value, pattern), value
        assert app.jinja_env.filters[name](None) == ""
