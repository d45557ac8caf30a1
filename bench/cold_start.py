"""Cold start: from launching gunicorn to the first ``/healthz`` that answers 200.

Run from the repository root::

    .venv/bin/python bench/cold_start.py [--workers 1] [--runs 5] [--preload]

Each run starts ``gunicorn "core:create_app()"`` on a free port with a fresh instance
folder (an empty SQLite database, migrated once beforehand so every run starts the same),
polls ``/healthz`` every 10 ms, stops gunicorn, and records the time. It prints the median
and the individual runs, then the same for a bare Flask app that answers ``/healthz`` with
nothing else loaded: the lower bound of what gunicorn and Flask cost by themselves.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
BARE_APP = '''
from flask import Flask
app = Flask(__name__)
@app.get("/healthz")
def healthz():
    return {"status": "ok"}
'''


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def time_one(app_spec: str, workers: int, env: dict[str, str], cwd: Path,
             preload: bool = False) -> float:
    port = free_port()
    url = f"http://127.0.0.1:{port}/healthz"
    start = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [str(GUNICORN), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         *(["--preload"] if preload else []), app_spec],
        cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {process.returncode} before answering")
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return time.perf_counter() - start
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.01)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def report(label: str, timings: list[float]) -> None:
    runs = ", ".join(f"{value:.2f}" for value in timings)
    print(f"{label}: median {statistics.median(timings):.2f} s  (runs: {runs})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--preload", action="store_true",
                        help="gunicorn --preload: the app is built once, before the fork")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="maillage-cold-") as folder:
        env = {
            **os.environ,
            "MAILLAGE_INSTANCE_PATH": folder,
            "MAILLAGE_SECRET_KEY": "cold-start-bench",
            "MAILLAGE_LOG_LEVEL": "WARNING",
        }
        env.pop("MAILLAGE_DATABASE_URL", None)
        subprocess.run(
            [sys.executable, "-m", "core", "db", "upgrade"],
            cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL,
        )
        timings = [time_one("core:create_app()", args.workers, env, ROOT, args.preload)
                   for _ in range(args.runs)]
        report(f"maillage, {args.workers} worker(s){', preloaded' if args.preload else ''}",
               timings)

        bare_folder = Path(folder) / "bare"
        bare_folder.mkdir()
        (bare_folder / "bare_app.py").write_text(BARE_APP)
        bare = [time_one("bare_app:app", args.workers, env, bare_folder) for _ in range(args.runs)]
        report(f"bare Flask, {args.workers} worker(s)", bare)


if __name__ == "__main__":
    main()
