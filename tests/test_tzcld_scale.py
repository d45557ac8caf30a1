"""Territoire zéro chômeur at scale: the exhaustiveness page, the monthly table and the home
page read the same, exact number of queries for a territory of 20 people on the register as
for one of 200, built by bench/tzcld.py through the plugin's own steps (waits, hires, exits,
returns, changes of working time, supervisors); and that benchmark runs."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest

from core.agenda.clock import paris_today
from tests.support import count_queries, login

BENCH = Path(__file__).resolve().parent.parent / "bench"

# The account and its roles, the plugin state (with the settings), the page's own reads, the
# collective's name for the layout. Names are read (people_of) only when someone waits longer
# than the alert threshold, which both territories have.
EXPECTED = {
    "exhaustivite": 6,  # + who waits, the hires per day, the names
    "etp?annee={year}": 6,  # + the contracts, their working times, the CDE rates
    "": 8,  # + the territory, who waits, this month's contracts and their working times, the names
}


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCH))  # the bench's modules import each other by name
    return importlib.import_module("tzcld")


def test_the_pages_read_as_many_queries_for_200_people_as_for_20(app, password_hash, bench):
    year = paris_today().year - 1
    counts, shown = {}, {}
    for people, employments in ((20, 6), (200, 40)):
        plan = bench.build(app, people=people, employments=employments, slug=f"territoire-{people}",
                           password_hash=password_hash)
        assert plan.statuses["waiting"] and plan.statuses["hired"] and plan.contracts == employments
        client = app.test_client()
        login(client, plan.coordinator_email)
        for page in EXPECTED:
            with count_queries(app) as statements:
                response = client.get(f"/p/tzcld/{plan.slug}/{page.format(year=year)}")
            assert response.status_code == 200, page
            counts[people, page] = len(statements)
            shown[people, page] = len(re.findall(r"jours \(depuis le|data-label=\"Mois\"", response.text))
    for page, expected in EXPECTED.items():
        assert (counts[20, page], counts[200, page]) == (expected, expected), page
    # Someone waits too long in both territories (their names are read); more of them in the larger.
    assert 0 < shown[20, "exhaustivite"] < shown[200, "exhaustivite"]
    assert 0 < shown[20, ""] < shown[200, ""]
    assert shown[20, "etp?annee={year}"] == shown[200, "etp?annee={year}"] == 12


def test_the_benchmark_runs_and_both_apps_show_the_same_figures(bench, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MAILLAGE_INSTANCE_PATH", str(tmp_path))  # main() points it at its own folder
    assert bench.main(["--people", "30", "--employments", "10", "--rounds", "2", "--warmup", "0"]) == 0
    report = capsys.readouterr().out
    for page in ("exhaustiveness", f"monthly table {paris_today().year - 1}", "home"):
        row = next(line for line in report.splitlines() if line.startswith(f"| {page} "))
        assert int(row.rsplit("|", 2)[1]) > 0, row  # figures compared, found alike on both
