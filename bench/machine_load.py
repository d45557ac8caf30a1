"""The machine a benchmark ran on, how busy it was (timings mean little on a loaded
machine), and the figures both benchmarks print from their samples."""

from __future__ import annotations

import os
import platform
import resource
import statistics
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Activity:
    """What other processes did to the machine during the run, from /proc/stat (Linux)."""

    wall: float
    busy: float | None  # CPU seconds of the whole machine, steal included; None off Linux
    own: float  # CPU seconds of this process

    @staticmethod
    def now() -> Activity:
        own = resource.getrusage(resource.RUSAGE_SELF)
        busy = None
        try:
            fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
            user, nice, system, _idle, _iowait, irq, softirq, steal = fields
            busy = (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError):
            pass
        return Activity(time.perf_counter(), busy, own.ru_utime + own.ru_stime)

    def others_since(self, start: Activity) -> float | None:
        """Cores kept busy by other processes on average (0 = a quiet machine)."""
        if self.busy is None or start.busy is None:
            return None
        return max(0.0, (self.busy - start.busy) - (self.own - start.own)) / (self.wall - start.wall)


def describe_machine(database: str) -> str:
    """CPUs, system, Python and the database, for the report's header."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (f"{os.cpu_count()} CPUs{f' ({cpu})' if cpu else ''}, {platform.system()} "
            f"{platform.release()}, Python {platform.python_version()}, {database}")


def median_ms(samples_ns: list[int]) -> float:
    return statistics.median(samples_ns) / 1e6


def p95_ms(samples_ns: list[int]) -> float:
    return statistics.quantiles(samples_ns, n=20, method="inclusive")[18] / 1e6
