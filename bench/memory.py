"""Memory of a gunicorn worker: Maillage against its lower bound, after mixed requests.

Run from the repository root::

    .venv/bin/python bench/memory.py [--database-url URL] [--events 10000] [--requests 1000]

It builds the agenda data set of bench/agenda.py (scaled by ``--events``, as versus.py
does), starts Maillage (``core:create_app()``) and the bare app of bench/lower_bound.py
under gunicorn (``--workers`` each) on the same database, reads every worker's memory once
it has booted, then sends ``--requests`` mixed requests to each server from a few client
threads (the upcoming list and later pages, weeks, months, event pages, the dashboard and
the own bookings for Maillage, a few bookings, and on Maillage a few logins: each
argon2 hash takes 19 MiB) and reads the memory again, from
``/proc/<pid>/status``: VmRSS (resident), RssAnon (the process's own heap: what the
Python objects take), VmHWM (the peak). See bench/README.md.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import agenda
from agenda import markdown_table, progress
from serving import Browser, Setup, maillage_env, start_server
from sqlalchemy import Engine, or_, select

from core.agenda.clock import paris_today
from core.agenda.events import Event, Visibility
from core.database import get_database

TARGET_MB = 80
CLIENTS = 4  # threads sending the requests: enough to keep every worker busy
BOOKINGS = 20  # of the requests, per app
LOGINS = 20  # of Maillage's requests, besides one per client thread first (the bound has none)
FIELDS = ("VmRSS", "RssAnon", "RssFile", "VmHWM")


def worker_memory(master: int) -> dict[int, dict[str, float]]:
    """The master's children (the workers) and their memory, in MB."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    found = {}
    for pid in map(int, children):
        values = {}
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in FIELDS:
                values[name] = int(rest.split()[0]) / 1024  # kB
        found[pid] = values
    return found


@dataclass
class Mix:
    """The requests of one app, shuffled together: pages to GET, bookings to POST, and
    logins (Maillage: each client logs in again, a new session, as people come and go)."""

    gets: list[str]
    posts: list[tuple[str, dict[str, str | int]]]
    logins: int = 0


def visible_events(engine: Engine, association_id: int, count: int, rng: random.Random) -> list[int]:
    """Events the volunteer of the big association may open, spread over the data set."""
    with engine.connect() as connection:
        ids = list(connection.scalars(select(Event.id).where(or_(
            Event.association_id == association_id,
            Event.visibility.in_([Visibility.COLLECTIVE, Visibility.PUBLIC])))))
    return rng.sample(ids, min(count, len(ids)))


def mixes(plan: agenda.Plan, engine: Engine, requests: int, booking_event_ids: list[int],
          booking_bookable_ids: list[int], rng: random.Random) -> tuple[Mix, Mix]:
    """The same pages on both apps, with varied parameters: caches keyed by the page see
    many keys, as on a site in use."""
    big = plan.big_association_id
    view = f"person={plan.volunteer_id}&associations={big}"
    events = visible_events(engine, big, 200, rng)
    today = paris_today()
    ours, bound = [], []
    for index in range(requests - len(booking_event_ids) - LOGINS):
        kind = index % 10
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=rng.randint(-20, 20))
        first = (today.replace(day=1) + timedelta(days=31 * rng.randint(-6, 6))).replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        grid = (first - timedelta(days=first.weekday()),
                last - timedelta(days=last.weekday()) + timedelta(days=7))
        event = rng.choice(events)
        page = rng.randint(2, 30)
        ours.append(["/agenda/", f"/agenda/?page={page}", f"/agenda/semaine?jour={monday.isoformat()}",
                     f"/agenda/semaine?jour={monday.isoformat()}", f"/agenda/mois?mois={first:%Y-%m}",
                     f"/agenda/mois?mois={first:%Y-%m}", f"/agenda/{event}", f"/agenda/{event}", "/",
                     "/agenda/mes-inscriptions"][kind])
        bound.append([f"/upcoming?{view}", f"/upcoming?page={page}&{view}", f"/week?monday={monday}&{view}",
                      f"/week?monday={monday}&{view}", f"/month?start={grid[0]}&end={grid[1]}&{view}",
                      f"/month?start={grid[0]}&end={grid[1]}&{view}", f"/event/{event}?{view}",
                      f"/event/{event}?{view}", f"/upcoming?{view}", f"/upcoming?{view}"][kind])
    bound += bound[:LOGINS]  # no login on the bound: as many pages instead
    return (Mix(ours, [(f"/agenda/{e}/inscription", {}) for e in booking_event_ids], LOGINS),
            Mix(bound, [(f"/book/{b}", {"person": plan.volunteer_id}) for b in booking_bookable_ids]))


Work = tuple[str, str, dict[str, str | int]]  # method ("LOGIN" too), path, form


def send(browsers: list[Browser], mix: Mix, email: str | None, rng: random.Random) -> None:
    """The mix from ``len(browsers)`` threads at once; each logs in first if ``email``."""
    work: list[Work] = [("GET", path, {}) for path in mix.gets]
    work += [("POST", path, form) for path, form in mix.posts]
    work += [("LOGIN", "/login", {})] * mix.logins
    rng.shuffle(work)
    # One login at a time: two concurrent logins of one account from one address can answer
    # 500 (the first one's success deletes the second one's attempt row before its update).
    one_login = threading.Lock()

    def login(browser: Browser) -> str:
        assert email is not None
        browser.cookies.clear()
        with one_login:
            return browser.login(email)

    def run(browser: Browser, share: list[Work]) -> None:
        token = login(browser) if email else ""
        for method, path, form in share:
            if method == "LOGIN":
                token = login(browser)
            else:
                browser.send(method, path, {**form, "csrf_token": token} if method == "POST" else None)

    threads = [threading.Thread(target=run, args=(browser, work[n::len(browsers)]))
               for n, browser in enumerate(browsers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@dataclass
class Measure:
    app: str
    booted: dict[int, dict[str, float]]
    after: dict[int, dict[str, float]]
    statuses: dict[int, int]
    seconds: float


def measure(name: str, spec: str, env: dict[str, str], mix: Mix, login: str | None, args: argparse.Namespace,
            folder: Path, rng: random.Random) -> Measure:
    server, port = start_server(spec, env, args.workers, folder, name)
    try:
        booted = _wait_booted(server.pid, args.workers)
        browsers = [Browser(port) for _ in range(CLIENTS)]
        started = time.perf_counter()
        send(browsers, mix, login, rng)
        seconds = time.perf_counter() - started
        statuses = dict(sum((browser.statuses for browser in browsers), Counter()))
        after = worker_memory(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    wrong = {s: n for s, n in statuses.items() if s not in (200, 303)}
    if wrong:
        log = (folder / f"{name}.log").read_text(errors="replace").splitlines()
        raise SystemExit(f"{name}: unexpected answers {wrong}; end of its log:\n" + "\n".join(log[-40:]))
    return Measure(name, booted, after, statuses, seconds)


def _wait_booted(master: int, workers: int) -> dict[int, dict[str, float]]:
    """Until every worker has imported the app: its memory stops growing."""
    deadline = time.monotonic() + 60
    previous: dict[int, dict[str, float]] = {}
    while time.monotonic() < deadline:
        current = worker_memory(master)
        if len(current) == workers and previous.keys() == current.keys() and all(
                current[pid]["VmRSS"] == previous[pid]["VmRSS"] for pid in current):
            return current
        previous = current
        time.sleep(0.5)
    raise SystemExit("the workers did not settle")


def report(results: list[Measure], args: argparse.Namespace, kind: str, data: agenda.DataSet) -> None:
    print(f"# Memory of a gunicorn worker ({kind}, {args.workers} workers per app)\n")
    print(f"Data: {agenda.PEOPLE:,} people, {data.events:,} events, {data.bookings:,} bookings. "
          f"{args.requests:,} mixed requests per app from {CLIENTS} client threads, "
          f"{BOOKINGS} of them bookings; on Maillage, {LOGINS} of them logins (a new session: the form, "
          f"the POST, a page), besides one per thread first.\n")
    rows = []
    for result in results:
        for pid in sorted(result.after):
            before, after = result.booted.get(pid, {}), result.after[pid]
            rows.append([result.app, str(pid), f"{before.get('VmRSS', 0):.1f}", f"{after['VmRSS']:.1f}",
                         f"{after['RssAnon']:.1f}", f"{after['RssFile']:.1f}", f"{after['VmHWM']:.1f}"])
    markdown_table(["app", "worker", "VmRSS booted MB", "VmRSS after MB", "RssAnon MB", "RssFile MB",
                    "VmHWM MB"], rows, left=2)
    print()
    for result in results:
        rss = [values["VmRSS"] for values in result.after.values()]
        print(f"- {result.app}: median worker {statistics.median(rss):.1f} MB, largest {max(rss):.1f} MB "
              f"after {sum(result.statuses.values()):,} HTTP requests in {result.seconds:.0f} s "
              f"(answers {dict(sorted(result.statuses.items()))})")
    ours = max(values["VmRSS"] for values in results[0].after.values())
    print(f"\nResult: Maillage's largest worker {ours:.1f} MB; target <= {TARGET_MB} MB: "
          f"{'met' if ours <= TARGET_MB else 'NOT met'}.")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", metavar="URL",
                        help="PostgreSQL database, emptied first; its name must contain 'bench' "
                             "(default: a fresh SQLite file in a temporary folder)")
    parser.add_argument("--events", type=int, default=10_000, metavar="N",
                        help="events in the data set (default 10,000); bookings scale with it")
    parser.add_argument("--requests", type=int, default=1_000, metavar="N",
                        help="mixed requests per app, all workers together (default 1,000)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app (default 2)")
    parser.add_argument("--seed", type=int, default=agenda.SEED)
    args = parser.parse_args(argv)
    if args.requests <= BOOKINGS + LOGINS:
        parser.error(f"--requests must be above {BOOKINGS + LOGINS}")

    started = time.perf_counter()
    rng = random.Random(args.seed)  # noqa: S311 - test data, not secrets
    with tempfile.TemporaryDirectory(prefix="maillage-bench-memory-") as name:
        folder = Path(name)
        data = agenda.data_set(folder, args.database_url, events=args.events, seed=args.seed, name="memory")
        app, plan, url = data.app, data.plan, data.url
        engine = get_database(app).engine
        setup = Setup(engine)
        ours_events, bound_events = setup.events(BOOKINGS, 50), setup.events(BOOKINGS, 50)
        ours, bound = mixes(plan, engine, args.requests, ours_events.event_ids,
                            bound_events.bookable_ids, rng)
        progress(f"Maillage: {args.workers} workers, {args.requests:,} requests…")
        results = [measure("Maillage", "core:create_app()", maillage_env(url, folder / "gunicorn"), ours,
                           agenda.VOLUNTEER_EMAIL, args, folder, rng)]
        progress(f"Bound: {args.workers} workers, {args.requests:,} requests…")
        results.append(measure("bound", "lower_bound:create_app()", {"BOUND_DATABASE_URL": url}, bound,
                               None, args, folder, rng))
        report(results, args, "PostgreSQL" if engine.dialect.name == "postgresql" else "SQLite", data)
        get_database(app).dispose()
    progress(f"Ran in {time.perf_counter() - started:.0f} s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
