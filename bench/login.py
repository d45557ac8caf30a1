"""Server time of POST /login, for a known and for an unknown email.

Run from the repository root::

    .venv/bin/python bench/login.py [--database-url URL] [--requests 60] [--former-costs]

The database is a fresh SQLite file in a temporary folder, or, with ``--database-url``,
a PostgreSQL database whose name contains ``bench`` (emptied first, as bench/agenda.py
does). The real migrations build the schema; one person gets an account.

Each timed request is a fresh browser's POST /login through Flask's test client: the
known email with the right password (303, a session opened) or an unknown email (422),
alternately, so that a slowdown of the machine hits both alike. The throttle's limits are
raised out of reach so that it counts every attempt (its queries run) without refusing
any. ``--former-costs`` hashes with the argon2 costs used before issue 9 (64 MiB, 3
passes, 4 lanes), for comparison. See bench/README.md to read the figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from argon2 import PasswordHasher
from machine_load import Activity, describe_machine, median_ms, p95_ms
from sqlalchemy.engine import make_url

from core.auth import passwords
from core.auth.accounts import Account
from core.database import get_database, session
from core.database.migrate import upgrade
from core.members import Person
from core.testing import TEST_PASSWORD, csrf_token, make_app

KNOWN = "connue@bench.invalid"
UNKNOWN = "inconnue@bench.invalid"
FORMER_COSTS = {"time_cost": 3, "memory_cost": 65_536, "parallelism": 4}
MIN_SAMPLES = 20
OUT_OF_REACH = 10**9


def add_account(app) -> None:
    with app.app_context():
        person = Person(first_name="Connue", last_name="Bench", email=KNOWN)
        person.account = Account(password_hash=passwords.hash_password(TEST_PASSWORD))
        session.add(person)
        session.commit()


def timed_login(app, email: str, expected: int) -> tuple[int, int]:
    """Wall and CPU nanoseconds of one POST /login from a fresh browser."""
    client = app.test_client()
    data = {"email": email, "password": TEST_PASSWORD, "csrf_token": csrf_token(client)}
    wall, cpu = time.perf_counter_ns(), time.thread_time_ns()
    response = client.post("/login", data=data)
    wall, cpu = time.perf_counter_ns() - wall, time.thread_time_ns() - cpu
    if response.status_code != expected:
        raise SystemExit(f"POST /login for {email}: {response.status_code}, expected {expected}")
    return wall, cpu


def measure(app, requests: int, warmup: int) -> dict[str, tuple[list[int], list[int]]]:
    samples: dict[str, tuple[list[int], list[int]]] = {"known": ([], []), "unknown": ([], [])}
    for index in range(warmup + requests):
        for kind, email, expected in (("known", KNOWN, 303), ("unknown", UNKNOWN, 422)):
            wall, cpu = timed_login(app, email, expected)
            if index >= warmup:
                samples[kind][0].append(wall)
                samples[kind][1].append(cpu)
    return samples


def report(samples, database: str, costs: str, others: float | None) -> None:
    print(f"Machine: {describe_machine(database)}")
    if others is not None:
        print(f"Other processes kept {others:.2f} cores busy on average during the timings.")
    print(f"argon2id costs: {costs}")
    print()
    print("| POST /login | n | median ms | p95 ms | median CPU ms |")
    print("|---|---|---|---|---|")
    for kind, (wall, cpu) in samples.items():
        print(f"| {kind} email | {len(wall)} | {median_ms(wall):.1f} | {p95_ms(wall):.1f} "
              f"| {median_ms(cpu):.1f} |")
    gap = median_ms(samples["known"][0]) - median_ms(samples["unknown"][0])
    print()
    print(f"Known minus unknown, median: {gap:+.1f} ms (the answer must not tell them apart; "
          "the known login also opens a session).")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", metavar="URL",
                        help="PostgreSQL database to use, emptied first; its name must contain "
                             "'bench' (default: a fresh SQLite file in a temporary folder)")
    parser.add_argument("--requests", type=int, default=60, metavar="N",
                        help="timed logins of each kind (default: 60)")
    parser.add_argument("--warmup", type=int, default=5, metavar="N",
                        help="untimed logins of each kind first (default: 5)")
    parser.add_argument("--former-costs", action="store_true",
                        help="hash with the argon2 costs used before issue 9, for comparison")
    args = parser.parse_args(argv)
    if args.requests < MIN_SAMPLES:
        parser.error(f"--requests must be at least {MIN_SAMPLES} (for a 95th percentile)")
    if args.former_costs:
        passwords._hasher = PasswordHasher(**FORMER_COSTS)
    hasher = passwords._hasher
    costs = f"m={hasher.memory_cost} KiB, t={hasher.time_cost}, p={hasher.parallelism}"

    with tempfile.TemporaryDirectory(prefix="maillage-bench-login-") as folder:
        root = Path(folder)
        os.environ["MAILLAGE_INSTANCE_PATH"] = str(root / "instance")
        if args.database_url:
            from agenda import prepare_database

            url = args.database_url
            prepare_database(url)
        else:
            url = f"sqlite:///{root / 'login-bench.sqlite3'}"
        app = make_app(url, TESTING=False, LOG_LEVEL="WARNING",
                       LOGIN_MAX_FAILURES_PER_ACCOUNT=OUT_OF_REACH,
                       LOGIN_MAX_FAILURES_PER_ADDRESS=OUT_OF_REACH)
        upgrade(app)
        add_account(app)
        activity = Activity.now()
        samples = measure(app, args.requests, args.warmup)
        others = Activity.now().others_since(activity)
        database = make_url(url).get_backend_name()
        report(samples, "SQLite" if database == "sqlite" else "PostgreSQL", costs, others)
        get_database(app).dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
