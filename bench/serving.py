"""What the benchmarks that book through gunicorn share (versus.py, race.py): people given
an account and events with room, added after the data set; gunicorn servers on the bench
database; HTTP clients with their own cookies; client threads started together; and the
check that nothing was overbooked."""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, distinct, func, insert, select, text

from core.agenda.bookables import AGENDA_OWNER, Bookable
from core.agenda.bookings import Booking, BookingStatus
from core.agenda.events import Event, EventKind, Visibility, length_class
from core.auth.accounts import Account
from core.auth.passwords import hash_password
from core.database import Base, utcnow
from core.members import Person
from core.testing import TEST_PASSWORD

ROOT = Path(__file__).resolve().parent.parent
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def maillage_env(url: str, instance: Path) -> dict[str, str]:
    """The environment of a Maillage gunicorn on the bench database (several instances
    started with it share the secret key, so a session opened on one is valid on all)."""
    return {"MAILLAGE_DATABASE_URL": url, "MAILLAGE_SECRET_KEY": "banc-d-essai",
            "MAILLAGE_SECURE_COOKIES": "false", "MAILLAGE_MAIL_BACKEND": "memory",
            "MAILLAGE_LOG_LEVEL": "WARNING", "MAILLAGE_INSTANCE_PATH": str(instance)}


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
                "series_id": None, "detached": False, "created_by_id": None,
                "length_class": length_class(timedelta(hours=2)), **stamp})
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
        self.statuses: Counter[int] = Counter()  # every answer this client got

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
        self.statuses[response.status] += 1
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


Job = tuple[Browser, str, dict[str, Any]]  # a POST: who sends it, where, the form


def drive(name: str, jobs: list[list[Job]]) -> Throughput:
    """Each list of jobs runs in its own thread, all started together; wall time to the last."""
    barrier = threading.Barrier(len(jobs) + 1)
    latencies: list[int] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def work(mine: list[Job]) -> None:
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


@dataclass(frozen=True)
class Tally:
    """One event after a run: its counter and its booking rows."""

    bookable_id: int
    taken: int  # the counter, bookables.taken_open
    confirmed: int  # confirmed rows
    live: int  # rows not cancelled: confirmed or waiting
    people: int  # distinct people among the live rows

    def problems(self, capacity: int, expected: int | None) -> list[str]:
        found = []
        if self.taken != self.confirmed:
            found.append(f"counter {self.taken}, {self.confirmed} confirmed")
        if self.confirmed > capacity:
            found.append(f"{self.confirmed} confirmed on {capacity} places")
        if self.people != self.live:
            found.append(f"{self.live} bookings for {self.people} people")
        if expected is not None and self.confirmed != expected:
            found.append(f"{self.confirmed} confirmed, {expected} expected")
        return [f"bookable {self.bookable_id}: {problem}" for problem in found]


def tally(engine: Engine, stage: Stage) -> list[Tally]:
    confirmed = Booking.status == BookingStatus.CONFIRMED
    with engine.connect() as connection:
        rows = connection.execute(
            select(Bookable.id, Bookable.taken_open, func.count(Booking.id).filter(confirmed),
                   func.count(Booking.id), func.count(distinct(Booking.person_id)))
            .outerjoin(Booking, (Booking.bookable_id == Bookable.id)
                       & (Booking.status != BookingStatus.CANCELLED))
            .where(Bookable.id.in_(stage.bookable_ids)).group_by(Bookable.id, Bookable.taken_open)
            .order_by(Bookable.id))
        return [Tally(*row) for row in rows]


def check_stage(engine: Engine, stage: Stage, capacity: int, expected: int | None) -> str:
    """On every event of the stage: taken == confirmed bookings, taken <= capacity, nobody
    booked twice (and, with ``expected``, exactly that many confirmed)."""
    tallies = tally(engine, stage)
    problems = [p for t in tallies for p in t.problems(capacity, expected)]
    if problems:
        raise SystemExit("booking went wrong: " + "; ".join(problems[:5]))
    return f"{sum(t.confirmed for t in tallies)} confirmed on {len(tallies)} events, counters agree"
