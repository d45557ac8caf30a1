"""Pages that show the same rows must cost the same with four times the events.

Run from the repository root::

    .venv/bin/python bench/flatness.py [--database-url URL] [--events 50000] [--requests 50]

It builds the data set of bench/agenda.py twice, at N events and at 4N (``--factor``;
bookings are 2 × events, the people stay 5,000), in two databases: two SQLite files in a
temporary folder, or, with ``--database-url``, that PostgreSQL database and a second one
named after it with ``_x4`` appended (both emptied first; the name must contain ``bench``).
Logged in as the volunteer of ``Banc01`` on each, it times the upcoming list, the busiest
month's grid and the busiest week (those of the N data set, on both), alternating one
request on each database in a single loop, and prints medians, p95, the ratio 4N/N, the
SQL statements, the rows the ORM read and the events each page links to, then how the
database read the events table for each page. See bench/README.md to read the figures.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import agenda
from agenda import (
    Recorder,
    Statement,
    database_version,
    explain,
    markdown_table,
    plan_summary,
    progress,
    shown_rows,
)
from flask import Flask
from flask.testing import FlaskClient
from machine_load import Activity, describe_machine, median_ms, p95_ms
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import ORMExecuteState

from core.database import get_database
from core.testing import login

PAGES = ("upcoming list (page 1)", "busiest month", "busiest week")


@dataclass
class Size:
    """One data set: its app, its logged-in volunteer, what it took to build."""

    label: str
    events: int
    url: str
    app: Flask
    client: FlaskClient
    recorder: Recorder
    plan: agenda.Plan
    generated_s: float
    counting: bool = False  # untimed requests only: freezing results costs
    fetched: list[int] = field(default_factory=list)  # rows each ORM statement returned

    def count_rows(self, state: ORMExecuteState) -> Any:
        if not self.counting:
            return None
        frozen = state.invoke_statement().freeze()
        self.fetched.append(len(frozen.data))
        return frozen()


@dataclass
class Timing:
    page: str
    url: str
    wall: dict[str, list[int]] = field(default_factory=dict)  # size label -> ns
    queries: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)  # rows read by the ORM, one request
    shown: dict[str, int] = field(default_factory=dict)
    heaviest: dict[str, Statement] = field(default_factory=dict)  # the slowest statement


def second_url(url: str, factor: int) -> str:
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_x{factor}").render_as_string(hide_password=False)


def build(label: str, events: int, folder: Path, database_url: str | None, seed: int) -> Size:
    progress(f"Data set {label}:")
    started = time.perf_counter()
    data = agenda.data_set(folder, database_url, events=events, seed=seed, name=f"flat-{label.lower()}")
    app, plan, url = data.app, data.plan, data.url
    generated_s = time.perf_counter() - started
    progress(f"  done in {generated_s:.1f} s (" + ", ".join(
        f"{name} {seconds:.1f} s" for name, seconds in plan.timings.items()) + ")")
    client = app.test_client()
    login(client, agenda.VOLUNTEER_EMAIL)
    size = Size(label, events, url, app, client, Recorder(get_database(app).engine), plan, generated_s)
    event.listen(get_database(app).session_factory, "do_orm_execute", size.count_rows)
    return size


def get(size: Size, url: str) -> tuple[int, list[Statement], str]:
    size.recorder.start()
    started = time.perf_counter_ns()
    response = size.client.get(url)
    body = response.get_data(as_text=True)
    response.close()
    elapsed = time.perf_counter_ns() - started
    statements = size.recorder.stop()
    if response.status_code != 200:
        raise SystemExit(f"GET {url} on {size.label} answered {response.status_code}:\n{body[:1000]}")
    return elapsed, statements, body


def measure(sizes: list[Size], args: argparse.Namespace) -> list[Timing]:
    plan = sizes[0].plan  # the same period on both data sets
    urls = ["/agenda/", f"/agenda/mois?mois={plan.busy_month:%Y-%m}",
            f"/agenda/semaine?jour={plan.busy_week.isoformat()}"]
    timings = []
    for page, url in zip(PAGES, urls, strict=True):
        timing = Timing(page, url, wall={size.label: [] for size in sizes})
        for size in sizes:
            size.fetched, size.counting = [], True
            _elapsed, statements, body = get(size, url)
            size.counting = False
            timing.rows[size.label] = sum(size.fetched)
            timing.queries[size.label] = len(statements)
            timing.shown[size.label] = shown_rows(body)
            for _ in range(args.warmup):
                get(size, url)
        gc.collect()
        for n in range(args.requests):
            # Which size goes first alternates: neither always follows the other's cache misses.
            for size in sizes if n % 2 == 0 else reversed(sizes):
                elapsed, statements, _body = get(size, url)
                timing.wall[size.label].append(elapsed)
                heaviest = max(statements, key=lambda s: s.ns)
                kept = timing.heaviest.get(size.label)
                if kept is None or heaviest.ns < kept.ns:  # the least disturbed sample
                    timing.heaviest[size.label] = heaviest
        small, big = (median_ms(timing.wall[s.label]) for s in sizes)
        progress(f"  {page:<24} {sizes[0].label} {small:7.1f} ms, {sizes[1].label} {big:7.1f} ms "
                 f"(×{big / small:.2f})")
        timings.append(timing)
    return timings


def report(sizes: list[Size], timings: list[Timing], others: float | None, args: argparse.Namespace) -> None:
    engine = get_database(sizes[0].app).engine
    kind = "PostgreSQL" if engine.dialect.name == "postgresql" else "SQLite"
    small, big = sizes
    print(f"# Flatness: the same pages at {small.events:,} and {big.events:,} events ({kind})\n")
    print(f"Machine: {describe_machine(database_version(engine))}")
    if others is not None:
        print(f"While timing, other processes kept {others:.2f} of the {os.cpu_count()} CPUs busy.")
    for size in sizes:
        print(f"- {size.label}: {size.events:,} events, generated in {size.generated_s:.1f} s; its busiest "
              f"week {size.plan.busy_week:%d/%m/%Y}, month {size.plan.busy_month:%m/%Y}")
    print(f"\nBoth are timed on the week of {small.plan.busy_week:%d/%m/%Y} and the month "
          f"{small.plan.busy_month:%m/%Y}, {args.requests} requests each, alternately.\n")
    a, b = small.label, big.label
    markdown_table(
        ["page", f"{a} median ms", "p95", f"{b} median ms", "p95", f"ratio {b}/{a}", "queries",
         "rows read", "shown"],
        [[t.page, f"{median_ms(t.wall[a]):.1f}", f"{p95_ms(t.wall[a]):.1f}", f"{median_ms(t.wall[b]):.1f}",
          f"{p95_ms(t.wall[b]):.1f}", f"{median_ms(t.wall[b]) / median_ms(t.wall[a]):.2f}×",
          f"{t.queries[a]} / {t.queries[b]}", f"{t.rows[a]} / {t.rows[b]}", f"{t.shown[a]} / {t.shown[b]}"]
         for t in timings], left=1)
    print(f"\nratio: median at {b} over median at {a}; the aim is at most 1.2×. queries: SQL statements "
          "of one request (on SQLite, the BEGIN included). rows read: rows the ORM's statements "
          "returned in one request. shown: events the page links to. Pairs are N / 4N.\n")
    print("## How the slowest statement of each page reads the events table\n")
    for timing in timings:
        for size in sizes:
            statement = timing.heaviest[size.label]
            lines = explain(get_database(size.app).engine, statement)
            print(f"- {timing.page}, {size.label} ({statement.ns / 1e6:.1f} ms): {plan_summary(lines)}")
            if args.plans:
                print("\n```\n" + "\n".join(lines) + "\n```\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", metavar="URL",
                        help="PostgreSQL database for N, emptied first, its name containing 'bench'; "
                             "4N goes to the same name + '_x4' (default: two SQLite files)")
    parser.add_argument("--events", type=int, default=agenda.EVENTS, metavar="N",
                        help=f"events of the smaller data set (default {agenda.EVENTS:,})")
    parser.add_argument("--factor", type=int, default=4, help="the larger set has N × this (default 4)")
    parser.add_argument("--requests", type=int, default=50, metavar="N",
                        help="timed requests per page and size (default 50)")
    parser.add_argument("--warmup", type=int, default=5, metavar="N")
    parser.add_argument("--plans", action="store_true", help="print the whole plans too")
    parser.add_argument("--seed", type=int, default=agenda.SEED)
    args = parser.parse_args(argv)
    if args.requests < 20:
        parser.error("--requests must be at least 20 (for a 95th percentile)")

    with tempfile.TemporaryDirectory(prefix="maillage-bench-flatness-") as folder:
        root = Path(folder)
        urls: list[str | None] = [None, None]  # SQLite files in the folder
        if args.database_url:
            urls = [args.database_url, second_url(args.database_url, args.factor)]
        counts = [args.events, args.events * args.factor]
        labels = ["N", f"{args.factor}N"]
        sizes = [build(label, count, root, url, args.seed)
                 for label, count, url in zip(labels, counts, urls, strict=True)]
        progress("Timing the pages, each size in turn:")
        activity = Activity.now()
        timings = measure(sizes, args)
        others = Activity.now().others_since(activity)
        report(sizes, timings, others, args)
        for size in sizes:
            get_database(size.app).dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
