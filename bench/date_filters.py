"""The template date filters: 700 values, about what the agenda's week page formats.

Run from the repository root::

    .venv/bin/python bench/date_filters.py [--rounds 30]

Each round formats 700 datetimes (aware UTC, spread over a year so both offsets of Paris
appear) through the ``datetime`` and ``date`` filters with the patterns the agenda's
templates use, inside a request as a page would. Prints the median round and the cost per
value, then the lower bound: the same datetimes turned into Paris time and formatted with
``strftime`` (no locale, no CLDR pattern).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from core import create_app
from core.agenda.clock import PARIS

PATTERNS = [("datetime", "HH:mm"), ("datetime", "EEEE d MMMM · HH:mm"), ("date", "EEEE d MMMM"),
            ("datetime", "d MMMM yyyy 'à' HH:mm"), ("date", "d MMMM")]
VALUES = 700


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    start = datetime(2026, 1, 1, 7, 30, tzinfo=UTC)
    moments = [start + timedelta(hours=12.5 * index) for index in range(VALUES)]
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": f"sqlite:///{Path(folder) / 'b.db'}"})
        filters = app.jinja_env.filters
        calls = [(filters[name], pattern) for name, pattern in PATTERNS]
        rounds, bound = [], []
        with app.test_request_context("/"):
            for _ in range(args.rounds):
                began = time.perf_counter()
                for index, moment in enumerate(moments):
                    formatter, pattern = calls[index % len(calls)]
                    formatter(moment, pattern)
                rounds.append(time.perf_counter() - began)
                began = time.perf_counter()
                for moment in moments:
                    moment.astimezone(PARIS).strftime("%d %m %Y %H:%M")
                bound.append(time.perf_counter() - began)
    median = statistics.median(rounds)
    print(f"filters: {median * 1000:.1f} ms per {VALUES} values ({median / VALUES * 1e6:.1f} µs each)")
    lower = statistics.median(bound)
    print(f"lower bound (zoneinfo + strftime): {lower * 1000:.1f} ms per {VALUES} values")


if __name__ == "__main__":
    main()
