"""Booking races on two Maillage instances sharing one database: nobody overbooked, ever.

Run from the repository root::

    .venv/bin/python bench/race.py [--database-url URL] [--events 250] [--clients 40]

It builds a small agenda data set (bench/agenda.py's generator, ``--background`` events),
gives ``--clients`` people an account and adds ``--events`` events of the whole collective
with ``--capacity`` places each and no waiting list. It starts ``--instances`` gunicorn
servers of Maillage (``--workers`` each) on the same database, logs each client in through
one of them (client n on instance n modulo the instances), then starts every client at
once: each books each event once, all in the same order, so that every client fights for
the same few places at the same moment, on all the workers of all the instances.

Then it checks every event in the database: the counter ``taken_open`` equals the confirmed
bookings, no more confirmed than places (and, with more clients than places, every event
full), nobody booked twice; and every answer was 303 (a place) or 409 (full). It prints the
totals and exits 1 if anything is wrong. See bench/README.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import agenda
from agenda import markdown_table, progress
from serving import Browser, Job, Setup, Stage, Tally, drive, maillage_env, start_server, tally
from sqlalchemy import Engine

from core.database import get_database

PLACE, FULL = 303, 409  # the only answers a booking may get here
WARMUP_EVENTS = 2


@dataclass
class Race:
    """What the clients sent and got, and what the database holds afterwards."""

    attempts: int
    seconds: float
    statuses: Counter[int]
    by_instance: dict[int, Counter[int]]
    tallies: list[Tally]
    capacity: int
    clients: int

    @property
    def confirmed(self) -> int:
        return sum(t.confirmed for t in self.tallies)

    @property
    def overbooked(self) -> int:
        return sum(max(0, t.confirmed - self.capacity) for t in self.tallies)

    @property
    def full(self) -> int:
        return sum(t.confirmed == self.capacity for t in self.tallies)

    def problems(self) -> list[str]:
        # With more clients than places, every event must end full: a lost place is a bug too.
        expected = self.capacity if self.clients >= self.capacity else self.clients
        found = [p for t in self.tallies for p in t.problems(self.capacity, expected)]
        unexpected = {status: n for status, n in self.statuses.items() if status not in (PLACE, FULL)}
        if unexpected:
            found.append(f"answers other than {PLACE} or {FULL}: {unexpected}")
        if self.statuses[PLACE] != self.confirmed:
            found.append(f"{self.statuses[PLACE]} answers {PLACE} for {self.confirmed} confirmed bookings")
        return found


def log_in(browsers: list[Browser], emails: list[str]) -> list[str]:
    """Each client logs in on its own instance, in parallel (argon2 takes a while)."""
    tokens = [""] * len(browsers)
    failures: list[BaseException] = []

    def one(index: int) -> None:
        try:
            tokens[index] = browsers[index].login(emails[index])
        except BaseException as error:  # a thread's SystemExit: reported below
            failures.append(error)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"{len(failures)} logins failed, first: {failures[0]}")
    return tokens


def jobs(browsers: list[Browser], tokens: list[str], stage: Stage) -> list[list[Job]]:
    """One list per client: every event of the stage, in the same order for all."""
    return [[(browser, f"/agenda/{event_id}/inscription", {"csrf_token": token})
             for event_id in stage.event_ids]
            for browser, token in zip(browsers, tokens, strict=True)]


def by_instance(browsers: list[Browser], ports: list[int]) -> dict[int, Counter[int]]:
    """Answers per instance, from each browser's own record."""
    counts: dict[int, Counter[int]] = {number: Counter() for number in range(1, len(ports) + 1)}
    for browser in browsers:
        counts[ports.index(browser.port) + 1].update(browser.statuses)
    return counts


def race(url: str, engine: Engine, args: argparse.Namespace, folder: Path) -> Race:
    setup = Setup(engine)
    people = setup.bookers(args.clients)
    warmup = setup.events(WARMUP_EVENTS, args.capacity)
    stage = setup.events(args.events, args.capacity)
    servers, ports = [], []
    try:
        for number in range(1, args.instances + 1):
            server, port = start_server("core:create_app()", maillage_env(url, folder / f"instance-{number}"),
                                        args.workers, folder, f"maillage-{number}")
            servers.append(server)
            ports.append(port)
        browsers = [Browser(ports[index % len(ports)]) for index in range(args.clients)]
        progress(f"  logging {args.clients} clients in through {len(ports)} instances…")
        tokens = log_in(browsers, [email for _pid, email in people])
        # Untimed: every worker imports what a booking needs and opens its connections.
        drive("warm-up", jobs(browsers, tokens, warmup))
        for browser in browsers:
            browser.statuses.clear()
        progress(f"  {args.clients} clients × {args.events} events of {args.capacity} places…")
        result = drive("race", jobs(browsers, tokens, stage))
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
    return Race(result.requests, result.seconds, Counter(result.statuses), by_instance(browsers, ports),
                tally(engine, stage), args.capacity, args.clients)


def report(run: Race, args: argparse.Namespace, kind: str, folder: Path) -> None:
    print(f"# Booking race on {args.instances} Maillage instances ({kind}, {args.workers} workers each)\n")
    print(f"{args.clients} clients (one account each, client n on instance n mod {args.instances}), "
          f"{args.events} events of {args.capacity} places, no waiting list; each client books each "
          f"event once, all in the same order.\n")
    markdown_table(["attempts", "confirmed (303)", "refused (409)", "other answers", "overbooked",
                    "events full", "seconds", "attempts/s"],
                   [[f"{run.attempts:,}", f"{run.statuses[PLACE]:,}", f"{run.statuses[FULL]:,}",
                     f"{sum(n for s, n in run.statuses.items() if s not in (PLACE, FULL)):,}",
                     f"{run.overbooked:,}", f"{run.full:,}/{len(run.tallies):,}", f"{run.seconds:.1f}",
                     f"{run.attempts / run.seconds:.0f}"]], left=0)
    print()
    print("Answers per instance: " + "; ".join(
        f"{number}: {dict(sorted(counts.items()))}" for number, counts in run.by_instance.items()))
    problems = run.problems()
    if not problems:
        print(f"\nChecks: on all {len(run.tallies)} events, taken_open = confirmed bookings "
              f"({run.confirmed:,} in all), at most {args.capacity} confirmed, nobody twice; "
              f"every answer {PLACE} or {FULL}. 0 overbooked.")
        return
    print(f"\nFAILED, {len(problems)} problems; the first:")
    for problem in problems[:10]:
        print(f"- {problem}")
    for log in sorted(folder.glob("maillage-*.log")):
        lines = log.read_text(errors="replace").splitlines()
        if lines:
            print(f"\nLast lines of {log.name}:\n" + "\n".join(lines[-30:]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", metavar="URL",
                        help="PostgreSQL database, emptied first; its name must contain 'bench' "
                             "(default: a fresh SQLite file in a temporary folder)")
    parser.add_argument("--events", type=int, default=250, metavar="N",
                        help="events raced for (default 250: 10,000 attempts with 40 clients)")
    parser.add_argument("--capacity", type=int, default=5, metavar="N", help="places per event (default 5)")
    parser.add_argument("--clients", type=int, default=40, metavar="N",
                        help="client threads, one account each (default 40)")
    parser.add_argument("--instances", type=int, default=2, metavar="N",
                        help="Maillage gunicorn servers on the database (default 2)")
    parser.add_argument("--workers", type=int, default=3, metavar="N",
                        help="gunicorn workers per instance (default 3)")
    parser.add_argument("--background", type=int, default=1_000, metavar="N",
                        help="events of the data set around the race (default 1,000; bookings "
                             "scale with it, people stay 5,000)")
    parser.add_argument("--seed", type=int, default=agenda.SEED)
    args = parser.parse_args(argv)
    if args.clients > agenda.PEOPLE // 2:
        parser.error(f"--clients must stay under {agenda.PEOPLE // 2}")

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="maillage-bench-race-") as name:
        folder = Path(name)
        data = agenda.data_set(folder, args.database_url, events=args.background, seed=args.seed, name="race")
        url, engine = data.url, get_database(data.app).engine
        progress("Racing:")
        run = race(url, engine, args, folder)
        kind = "PostgreSQL" if engine.dialect.name == "postgresql" else "SQLite"
        report(run, args, kind, folder)
        get_database(data.app).dispose()
    progress(f"Ran in {time.perf_counter() - started:.0f} s.")
    return 1 if run.problems() else 0


if __name__ == "__main__":
    sys.exit(main())
