"""Maillage against its lower bound: the same agenda rows, the same database, one run.

Run from the repository root::

    .venv/bin/python bench/versus.py [--database-url URL] [--events 10000] [--requests 100]

It builds the agenda data set of bench/agenda.py (scaled by ``--events``; ``--events 50000``
is agenda.py's full size), then:

1. pages: the upcoming list, the busiest week, the busiest month and an event page with 65
   bookings, each timed on Maillage (test client, logged in) and on the bare app of
   bench/lower_bound.py (one hand-written query, a minimal template), alternately in one
   loop, so that a slower moment of the machine hits both;
2. booking: both apps under gunicorn (``--workers`` each, on the same database), driven by
   ``--clients`` concurrent client threads posting bookings of distinct people on events with
   room to spare; then a race of every client on a few places, checked for overbooking.

See bench/README.md to read the figures.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import agenda
from agenda import Recorder, database_version, markdown_table, progress, shown_rows
from flask import Flask
from flask.testing import FlaskClient
from lower_bound import create_app as create_bound_app
from machine_load import Activity, describe_machine, median_ms, p95_ms
from serving import Browser, Job, Setup, Stage, Throughput, check_stage, drive, maillage_env, start_server
from sqlalchemy import Engine

from core.database import get_database
from core.testing import login

RACE_CAPACITY = 5


# --- pages -----------------------------------------------------------------------------------


@dataclass
class Pair:
    page: str
    maillage_url: str
    bound_url: str
    maillage: list[int] = field(default_factory=list)
    bound: list[int] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    bound_queries: list[int] = field(default_factory=list)
    maillage_rows: int = 0
    bound_rows: int = 0


def timed(client: FlaskClient, url: str, recorder: Recorder) -> tuple[int, int, str]:
    recorder.start()
    started = time.perf_counter_ns()
    response = client.get(url)
    body = response.get_data(as_text=True)
    response.close()
    elapsed = time.perf_counter_ns() - started
    count = len(recorder.stop())
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}:\n{body[:1000]}")
    return elapsed, count, body


def pages(app: Flask, plan: agenda.Plan, args: argparse.Namespace) -> list[Pair]:
    volunteer, coordinator = app.test_client(), app.test_client()
    login(volunteer, agenda.VOLUNTEER_EMAIL)
    login(coordinator, agenda.COORDINATOR_EMAIL)
    bound = create_bound_app(str(get_database(app).engine.url.render_as_string(hide_password=False)))
    bound_client = bound.test_client()
    recorder = Recorder(get_database(app).engine)
    bound_recorder = Recorder(bound.extensions["bound_engine"])
    big = plan.big_association_id
    volunteer_view = f"person={plan.volunteer_id}&associations={big}"
    coordinator_view = f"person={plan.coordinator_id}&associations={big}"
    first = plan.busy_month
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    grid_start = first - timedelta(days=first.weekday())
    grid_end = last - timedelta(days=last.weekday()) + timedelta(days=7)
    cases = [
        (Pair("upcoming list (page 1)", "/agenda/", f"/upcoming?{volunteer_view}"), volunteer),
        (Pair("busiest week", f"/agenda/semaine?jour={plan.busy_week.isoformat()}",
              f"/week?monday={plan.busy_week.isoformat()}&{volunteer_view}"), volunteer),
        (Pair("busiest month", f"/agenda/mois?mois={plan.busy_month:%Y-%m}",
              f"/month?start={grid_start.isoformat()}&end={grid_end.isoformat()}&{volunteer_view}"),
         volunteer),
        (Pair("event page (65 bookings)", f"/agenda/{plan.showcase_event_id}",
              f"/event/{plan.showcase_event_id}?{coordinator_view}"), coordinator),
    ]
    for pair, client in cases:
        for _ in range(args.warmup):
            timed(client, pair.maillage_url, recorder)
            timed(bound_client, pair.bound_url, bound_recorder)
        gc.collect()
        for n in range(args.requests):
            # Which app goes first alternates too: neither always follows the other's cache misses.
            order = [(client, pair.maillage_url, recorder, pair.maillage, pair.queries),
                     (bound_client, pair.bound_url, bound_recorder, pair.bound, pair.bound_queries)]
            for who, url, rec, samples, counts in order if n % 2 == 0 else reversed(order):
                elapsed, count, body = timed(who, url, rec)
                samples.append(elapsed)
                counts.append(count)
                if who is client:
                    pair.maillage_rows = shown_rows(body)
                else:
                    pair.bound_rows = shown_rows(body)
        progress(f"  {pair.page:<26} Maillage {median_ms(pair.maillage):7.1f} ms, "
                 f"bound {median_ms(pair.bound):6.1f} ms")
    bound.extensions["bound_engine"].dispose()
    return [pair for pair, _client in cases]


# --- booking under gunicorn ------------------------------------------------------------------


def bookings(url: str, engine: Engine, args: argparse.Namespace, folder: Path
             ) -> tuple[list[Throughput], list[str]]:
    setup = Setup(engine)
    most = max(args.clients)
    people = setup.bookers(most)
    servers = []
    try:
        maillage, maillage_port = start_server("core:create_app()", maillage_env(url, folder / "gunicorn"),
                                               args.workers, folder, "maillage")
        servers.append(maillage)
        bound, bound_port = start_server("lower_bound:create_app()", {"BOUND_DATABASE_URL": url},
                                         args.workers, folder, "bound")
        servers.append(bound)
        progress(f"  logging {most} clients in through gunicorn…")
        browsers, tokens = [], []
        for _pid, email in people:
            browser = Browser(maillage_port)
            tokens.append(browser.login(email))
            browsers.append(browser)
        bare = [Browser(bound_port) for _ in people]

        def maillage_jobs(stage: Stage, clients: int) -> list[list[Job]]:
            return [[(browsers[c], f"/agenda/{e}/inscription", {"csrf_token": tokens[c]})
                     for e in stage.event_ids] for c in range(clients)]

        def bound_jobs(stage: Stage, clients: int) -> list[list[Job]]:
            return [[(bare[c], f"/book/{b}", {"person": people[c][0]}) for b in stage.bookable_ids]
                    for c in range(clients)]

        results, checks = [], []
        for clients in args.clients:
            per_client = max(1, args.bookings // clients)
            for name, jobs in (("Maillage", maillage_jobs), ("bound", bound_jobs)):
                # Warm each worker up (imports, connections), on events of its own.
                drive(name, jobs(setup.events(2, most), clients))
                stage = setup.events(per_client, most)
                result = drive(name, jobs(stage, clients))
                results.append(result)
                checks.append(f"{name}, {clients} clients: {check_stage(engine, stage, most, clients)}")
                progress(f"  {name:<8} {clients:>2} clients: {result.per_second:6.1f} bookings/s")
        for name, jobs in (("Maillage", maillage_jobs), ("bound", bound_jobs)):
            race = setup.events(1, RACE_CAPACITY)
            result = drive(name, jobs(race, most))
            verdict = check_stage(engine, race, RACE_CAPACITY, RACE_CAPACITY)
            checks.append(f"race, {name}, {most} clients on {RACE_CAPACITY} places: {verdict}; "
                          f"answers {dict(sorted(result.statuses.items()))}; 0 overbooked")
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
    return results, checks


# --- report and main -------------------------------------------------------------------------


def report(engine: Engine, plan: agenda.Plan, pairs: list[Pair], throughputs: list[Throughput],
           checks: list[str], others: float | None, args: argparse.Namespace, booking_rows: int) -> None:
    kind = "PostgreSQL" if engine.dialect.name == "postgresql" else "SQLite"
    print(f"# Maillage against the lower bound ({kind})\n")
    print(f"Machine: {describe_machine(database_version(engine))}")
    if others is not None:
        print(f"While timing the pages, other processes kept {others:.2f} of the {os.cpu_count()} CPUs busy.")
    print(f"Data: {agenda.PEOPLE:,} people, {args.events:,} events, {booking_rows:,} bookings; "
          f"busiest week {plan.busy_week:%d/%m/%Y}, month {plan.busy_month:%m/%Y}.\n")
    print(f"## Pages: {args.requests} requests each, alternately on each app (test client)\n")
    markdown_table(
        ["page", "Maillage median ms", "p95", "bound median ms", "p95", "ratio", "Maillage queries",
         "bound queries", "rows Maillage", "rows bound"],
        [[p.page, f"{median_ms(p.maillage):.1f}", f"{p95_ms(p.maillage):.1f}", f"{median_ms(p.bound):.1f}",
          f"{p95_ms(p.bound):.1f}", f"{median_ms(p.maillage) / median_ms(p.bound):.1f}×",
          _range(p.queries), _range(p.bound_queries), str(p.maillage_rows), str(p.bound_rows)]
         for p in pairs], left=1)
    if not throughputs:
        return
    print(f"\n## Booking: gunicorn, {args.workers} workers each, same database\n")
    rows = []
    for clients in args.clients:
        ours = next(t for t in throughputs if t.app == "Maillage" and t.clients == clients)
        bare = next(t for t in throughputs if t.app == "bound" and t.clients == clients)
        rows.append([str(clients), str(ours.requests), *_throughput(ours), *_throughput(bare),
                     f"{ours.per_second / bare.per_second:.2f}×"])
    markdown_table(["clients", "bookings", "Maillage /s", "median ms", "p95 ms", "bound /s", "median ms",
                    "p95 ms", "Maillage / bound"], rows, left=1)
    print()
    for line in checks:
        print(f"- {line}")


def _throughput(run: Throughput) -> list[str]:
    return [f"{run.per_second:.1f}", f"{median_ms(run.latencies):.0f}", f"{p95_ms(run.latencies):.0f}"]


def _range(values: list[int]) -> str:
    low, high = min(values), max(values)
    return str(low) if low == high else f"{low}–{high}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", metavar="URL",
                        help="PostgreSQL database, emptied first; its name must contain 'bench' "
                             "(default: a fresh SQLite file in a temporary folder)")
    parser.add_argument("--events", type=int, default=10_000, metavar="N",
                        help="events in the data set (default 10,000; 50,000 is agenda.py's full "
                             "size); bookings scale with it, people stay 5,000")
    parser.add_argument("--requests", type=int, default=100, metavar="N",
                        help="timed requests per page and app (default 100)")
    parser.add_argument("--warmup", type=int, default=5, metavar="N")
    parser.add_argument("--bookings", type=int, default=400, metavar="N",
                        help="timed bookings per app and client count (default 400)")
    parser.add_argument("--clients", type=lambda s: [int(n) for n in s.split(",")], default=[8, 32],
                        metavar="N,M", help="concurrent clients (default 8,32)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers per app (default 4)")
    parser.add_argument("--no-booking", action="store_true", help="time the pages only")
    parser.add_argument("--seed", type=int, default=agenda.SEED)
    args = parser.parse_args(argv)
    if args.requests < 20:
        parser.error("--requests must be at least 20 (for a 95th percentile)")

    with tempfile.TemporaryDirectory(prefix="maillage-bench-versus-") as folder:
        root = Path(folder)
        data = agenda.data_set(root, args.database_url, events=args.events, seed=args.seed, name="versus")
        app, plan, url, booking_rows = data.app, data.plan, data.url, data.bookings
        engine = get_database(app).engine
        progress("Timing the pages, Maillage and the bound alternately:")
        activity = Activity.now()
        pairs = pages(app, plan, args)
        others = Activity.now().others_since(activity)
        throughputs: list[Throughput] = []
        checks: list[str] = []
        if not args.no_booking:
            progress("Timing bookings through gunicorn:")
            throughputs, checks = bookings(url, engine, args, root)
        report(engine, plan, pairs, throughputs, checks, others, args, booking_rows)
        get_database(app).dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
