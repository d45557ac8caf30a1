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
import http.client
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import agenda
from agenda import Recorder, database_version, markdown_table, prepare_database, progress, shown_rows
from flask import Flask
from flask.testing import FlaskClient
from lower_bound import create_app as create_bound_app
from machine_load import Activity, describe_machine, median_ms, p95_ms
from sqlalchemy import Engine, func, insert, select, text
from sqlalchemy.engine import make_url

from core.agenda.bookables import AGENDA_OWNER, Bookable
from core.agenda.bookings import Booking, BookingStatus
from core.agenda.events import Event, EventKind, Visibility
from core.auth.accounts import Account
from core.auth.passwords import hash_password
from core.database import Base, get_database, utcnow
from core.database.migrate import upgrade
from core.members import Person
from core.testing import TEST_PASSWORD, login, make_app

ROOT = Path(__file__).resolve().parent.parent
RACE_CAPACITY = 5
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


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


@dataclass
class Stage:
    """Events set aside for one timed run (or a race) and the people who book them."""

    bookable_ids: list[int]
    event_ids: list[int]


class Setup:
    """Untimed: bookers with accounts and events with room, added after the data set."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        with engine.connect() as connection:
            self.next_event = connection.scalar(select(func.max(Event.id))) + 1
            self.next_bookable = connection.scalar(select(func.max(Bookable.id))) + 1

    def bookers(self, count: int) -> list[tuple[int, str]]:
        """People with an email and no account yet, given one: (person id, email)."""
        with self.engine.begin() as connection:
            taken = select(Account.person_id)
            rows = list(connection.execute(
                select(Person.id, Person.email).where(Person.email.is_not(None), Person.id.not_in(taken))
                .order_by(Person.id).limit(count)))
            if len(rows) < count:
                raise SystemExit(f"only {len(rows)} people left to give an account to, {count} needed")
            password_hash = hash_password(TEST_PASSWORD)
            now = utcnow()
            connection.execute(insert(Account), [
                {"person_id": pid, "password_hash": password_hash, "is_collective_admin": False,
                 "created_at": now, "updated_at": now} for pid, _email in rows])
        return [(pid, email) for pid, email in rows]

    def events(self, count: int, capacity: int) -> Stage:
        """Events of the whole collective, in three weeks, no waitlist, no cutoff."""
        now = utcnow().replace(microsecond=0)
        stamp = {"created_at": now, "updated_at": now}
        starts_at = now + timedelta(days=21)
        bookables, events = [], []
        for _ in range(count):
            event_id, bookable_id = self.next_event, self.next_bookable
            self.next_event, self.next_bookable = event_id + 1, bookable_id + 1
            bookables.append({
                "id": bookable_id, "owner": AGENDA_OWNER, "owner_id": event_id, "association_id": None,
                "title": "Banc de réservation", "starts_at": starts_at, "capacity": capacity,
                "held_back": 0, "taken_open": 0, "taken_held": 0, "waitlist": False, "opens_at": None,
                "closes_at": None, "cancellation_cutoff_minutes": 0, "absences_count": False,
                "cancelled": False, **stamp})
            events.append({
                "id": event_id, "association_id": None, "title": "Banc de réservation", "description": "",
                "kind": EventKind.WORKSHOP, "place": "Salle 1", "partner_id": None,
                "starts_at": starts_at, "ends_at": starts_at + timedelta(hours=2),
                "visibility": Visibility.COLLECTIVE, "cancelled": False, "bookable_id": bookable_id,
                "series_id": None, "detached": False, "created_by_id": None, **stamp})
        tables = Base.metadata.tables
        with self.engine.begin() as connection:
            connection.execute(insert(tables["bookables"]), bookables)
            connection.execute(insert(tables["events"]), events)
            if self.engine.dialect.name == "postgresql":
                for name in ("bookables", "events"):
                    connection.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                                            f"(SELECT max(id) FROM {name}))"))
        return Stage([b["id"] for b in bookables], [e["id"] for e in events])


class Browser:
    """One HTTP client with its cookies: enough for a login, a CSRF token and POSTs."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def send(self, method: str, path: str, form: dict[str, Any] | None = None) -> tuple[int, str]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text_body = response.read().decode()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        connection.close()
        return response.status, text_body

    def token(self, path: str) -> str:
        status, body = self.send("GET", path)
        found = _CSRF.search(body)
        if status != 200 or not found:
            raise SystemExit(f"no CSRF token on {path} ({status})")
        return found.group(1)

    def login(self, email: str) -> str:
        status, _ = self.send("POST", "/login", {"email": email, "password": TEST_PASSWORD,
                                                 "csrf_token": self.token("/login")})
        if status != 303:
            raise SystemExit(f"login of {email} through gunicorn answered {status}")
        return self.token("/mot-de-passe/oublie")  # the logged-in session's token


@dataclass
class Throughput:
    app: str
    clients: int
    requests: int
    seconds: float
    latencies: list[int]
    statuses: dict[int, int]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def drive(name: str, jobs: list[list[tuple[Browser, str, dict[str, Any]]]]) -> Throughput:
    """Each list of jobs runs in its own thread, all started together; wall time to the last."""
    barrier = threading.Barrier(len(jobs) + 1)
    latencies: list[int] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def work(mine: list[tuple[Browser, str, dict[str, Any]]]) -> None:
        barrier.wait()
        for browser, path, form in mine:
            started = time.perf_counter_ns()
            status, _ = browser.send("POST", path, form)
            elapsed = time.perf_counter_ns() - started
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=work, args=(mine,)) for mine in jobs]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return Throughput(name, len(jobs), sum(len(j) for j in jobs), time.perf_counter() - started,
                      latencies, statuses)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(app_spec: str, env: dict[str, str], workers: int, folder: Path, name: str
                 ) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    log = (folder / f"{name}.log").open("wb")
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [str(Path(sys.executable).with_name("gunicorn")), "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}", "--chdir", str(ROOT / "bench"), "--log-level", "warning", app_spec],
        env={**os.environ, "PYTHONPATH": str(ROOT), **env}, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, port
        except OSError:
            if server.poll() is not None:
                raise SystemExit(f"gunicorn for {name} stopped: see {folder / f'{name}.log'}") from None
            time.sleep(0.3)
    raise SystemExit(f"gunicorn for {name} did not start")


def check_stage(engine: Engine, stage: Stage, capacity: int, expected: int | None) -> str:
    """taken == confirmed bookings and taken <= capacity on every event of the stage."""
    with engine.connect() as connection:
        rows = list(connection.execute(
            select(Bookable.id, Bookable.taken_open, func.count(Booking.id))
            .outerjoin(Booking, (Booking.bookable_id == Bookable.id)
                       & (Booking.status == BookingStatus.CONFIRMED))
            .where(Bookable.id.in_(stage.bookable_ids)).group_by(Bookable.id, Bookable.taken_open)))
    problems = [f"bookable {bid}: taken {taken}, {confirmed} confirmed" for bid, taken, confirmed in rows
                if taken != confirmed or taken > capacity or (expected is not None and confirmed != expected)]
    if problems:
        raise SystemExit("booking went wrong: " + "; ".join(problems[:5]))
    return f"{sum(r[2] for r in rows)} confirmed on {len(rows)} events, counters agree"


def bookings(url: str, engine: Engine, args: argparse.Namespace, folder: Path
             ) -> tuple[list[Throughput], list[str]]:
    setup = Setup(engine)
    most = max(args.clients)
    people = setup.bookers(most)
    maillage_env = {"MAILLAGE_DATABASE_URL": url, "MAILLAGE_SECRET_KEY": "banc-d-essai",
                    "MAILLAGE_SECURE_COOKIES": "false", "MAILLAGE_MAIL_BACKEND": "memory",
                    "MAILLAGE_LOG_LEVEL": "WARNING", "MAILLAGE_INSTANCE_PATH": str(folder / "gunicorn")}
    servers = []
    try:
        maillage, maillage_port = start_server("core:create_app()", maillage_env, args.workers, folder,
                                               "maillage")
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

        def maillage_jobs(stage: Stage, clients: int) -> list[list[tuple[Browser, str, dict[str, Any]]]]:
            return [[(browsers[c], f"/agenda/{e}/inscription", {"csrf_token": tokens[c]})
                     for e in stage.event_ids] for c in range(clients)]

        def bound_jobs(stage: Stage, clients: int) -> list[list[tuple[Browser, str, dict[str, Any]]]]:
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

    # The people stay 5,000: the associations need enough members to fill 40 places and a queue.
    booking_rows = round(agenda.BOOKINGS * args.events / agenda.EVENTS)
    with tempfile.TemporaryDirectory(prefix="maillage-bench-versus-") as folder:
        root = Path(folder)
        os.environ["MAILLAGE_INSTANCE_PATH"] = str(root / "instance")
        if args.database_url:
            url = args.database_url
            progress(f"Emptying {make_url(url).render_as_string(hide_password=True)}…")
            prepare_database(url)
        else:
            url = f"sqlite:///{root / 'versus.sqlite3'}"
        app = make_app(url, TESTING=False, LOG_LEVEL="WARNING")
        engine = get_database(app).engine
        upgrade(app)
        progress(f"Generating {agenda.PEOPLE:,} people, {args.events:,} events, "
                 f"{booking_rows:,} bookings…")
        plan = agenda.generate(app, 1, args.seed, events=args.events, bookings=booking_rows)
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
