"""The template date filters give Flask-Babel's text, character for character, for every
pattern the templates use, around both changes of time and at the edges of the day."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import flask_babel
import pytest
from babel import Locale
from flask import Flask

from core.web import dates
from core.web.dates import DEFAULT_DATE, DEFAULT_DATETIME, LOCALE_NAME

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


_FIRST_BEFORE_A_MONTH = re.compile(r"(?<!\d)1 (?=(janv\.|févr\.|avr\.|juil\.|sept\.|oct\.|nov\.|déc\.|"
                                   r"janvier|février|mars|avril|mai|juin|juillet|août|septembre|"
                                   r"octobre|novembre|décembre))")


def with_first_as_ordinal(text: str) -> str:
    """Babel's French writes « 1 mars »; French typography, and Maillage, « 1er mars »."""
    return _FIRST_BEFORE_A_MONTH.sub("1er ", text)


@pytest.mark.parametrize(("name", "pattern"), PATTERNS)
def test_filters_match_flask_babel(app: Flask, name: str, pattern: str) -> None:
    ours = app.jinja_env.filters[name]
    theirs = flask_babel.format_date if name == "date" else flask_babel.format_datetime
    values: list[date] = list(_moments())
    if name == "date":
        values += [date(2026, 1, 1) + timedelta(days=day) for day in range(0, 366, 5)]
    with app.test_request_context("/"):
        for value in values:
            assert ours(value, pattern) == with_first_as_ordinal(theirs(value, pattern)), (pattern, value)


@pytest.mark.parametrize(("name", "theirs"), [("date_fr", flask_babel.format_date),
                                             ("datetime_fr", flask_babel.format_datetime)])
def test_french_default_filters_match_flask_babel(app: Flask, name: str, theirs) -> None:
    pattern = DEFAULT_DATE if name == "date_fr" else DEFAULT_DATETIME
    with app.test_request_context("/"):
        for value in _moments():
            assert app.jinja_env.filters[name](value) == with_first_as_ordinal(theirs(value, pattern)), value
        assert app.jinja_env.filters[name](None) == ""


def test_french_names_are_cldr_ones() -> None:
    locale = Locale.parse(LOCALE_NAME)
    for context in ("format", "stand-alone"):
        months, days = locale.months[context], locale.days[context]
        assert [months["wide"][n] for n in range(1, 13)] == list(dates.MONTHS)
        assert [months["abbreviated"][n] for n in range(1, 13)] == list(dates.MONTHS_ABBREVIATED)
        assert [days["wide"][n] for n in range(7)] == list(dates.DAYS)
        assert [days["abbreviated"][n] for n in range(7)] == list(dates.DAYS_ABBREVIATED)


def test_the_templates_patterns_leave_babel_data_unloaded(tmp_path: Path) -> None:
    # Babel's French data weighs some 5 MB in each worker: the pages do without it.
    code = (
        "import babel.core, babel.localedata, datetime, json\n"
        "import core\n"
        "app = core.create_app({'SECRET_KEY': 'dates', 'DATABASE_URL': "
        f"'sqlite:///{tmp_path / 'dates.sqlite3'}'}})\n"
        "moment = datetime.datetime(2026, 3, 29, 1, 30, tzinfo=datetime.UTC)\n"
        f"for name, pattern in {PATTERNS!r}:\n"
        "    app.jinja_env.filters[name](moment, pattern)\n"
        "    app.jinja_env.filters[name](moment.date(), pattern) if name == 'date' else None\n"
        "print(json.dumps([sorted(babel.localedata._cache), babel.core._global_data is not None]))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=ROOT, env={"MAILLAGE_INSTANCE_PATH": str(tmp_path), "PATH": ""})
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [[], False]


@pytest.mark.parametrize("pattern", ["QQQQ y", "EEEEE d", "h:mm a", "'à' HH'h'mm z", "d MMMM 'unclosed"])
def test_other_fields_are_left_to_babel(app: Flask, pattern: str) -> None:
    moment = datetime(2026, 10, 25, 0, 45, tzinfo=UTC)
    with app.test_request_context("/"):
        ours = app.jinja_env.filters["datetime"](moment, pattern)
        assert ours == flask_babel.format_datetime(moment, pattern)
