"""Sites en transition at scale: a site's timeline and its page read the same number of
queries for a site of 5 lots with a year of allocations as for one of 60 lots with five
years, built by bench/sites.py through the plugin's own ``save_allocation`` (occupancies of 6
to 36 months, back to back or with gaps, lots never let); the review part's call is built as
its README says (lots in favour, lots nobody wishes, applications the coordinator has still
to score); and that benchmark runs, both parts, and stops when a bound shows another thing."""

from __future__ import annotations

import argparse
import importlib
import re
from pathlib import Path
from types import ModuleType

import pytest

from tests.support import count_queries, login

BENCH = Path(__file__).resolve().parent.parent / "bench"

# The account and its roles, the plugin state (with the settings), the site, its lots, the
# allocations overlapping the window, the collective's name for the layout.
TIMELINE_QUERIES = 6
# A cell naming its occupants, then one saying « Libre »: the badge is the only other kind
# of cell inside the site's availability.
OCCUPIED = re.compile(r'<td data-label="[^"]+">(?!<span)')


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCH))  # the bench's modules import each other by name
    return importlib.import_module("sites")


def test_the_timeline_and_the_site_page_read_as_many_queries_for_60_lots_over_5_years_as_for_5_over_1(
        app, password_hash, bench):
    counts, occupied = {}, {}
    for lots, years in ((5, 1), (60, 5)):
        team = bench.found_team(app, slug=f"friches-{lots}", password_hash=password_hash)
        plan = bench.build_site(app, team, lots=lots, years=years)
        assert plan.allocations >= lots * years // 2 and plan.running > 0, plan
        client = app.test_client()
        login(client, team.coordinator_email)
        base = f"/p/sites/{team.slug}/sites/{plan.site_id}"
        for page, url in (("timeline", f"{base}/calendrier?depuis={plan.since.isoformat()}"), ("site", base)):
            with count_queries(app) as statements:
                response = client.get(url)
            assert response.status_code == 200, url
            counts[lots, page] = len(statements)
            if page == "timeline":
                occupied[lots] = len(OCCUPIED.findall(response.text))
                assert response.text.count('data-label="Lot"') == lots
    assert (counts[5, "timeline"], counts[60, "timeline"]) == (TIMELINE_QUERIES, TIMELINE_QUERIES)
    # The site page's sections belong to several parts of the plugin: the same count at both
    # sizes is what matters here, whatever a new section adds to both.
    assert counts[5, "site"] == counts[60, "site"]
    # Months of the big site's lots were shown occupied, far more of them than the small site's.
    assert 0 < occupied[5] < 5 * 12 and occupied[60] > 4 * occupied[5]


def test_the_benchmark_runs_and_both_apps_show_the_same_figures(bench, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MAILLAGE_INSTANCE_PATH", str(tmp_path))  # main() points it at its own folder
    assert bench.main(["--lots", "12", "--years", "2", "--applications", "40", "--rounds", "2",
                       "--warmup", "0"]) == 0
    report = capsys.readouterr().out
    for page in ("timeline (", "site page ", "ranking (40 applications)"):
        row = next(line for line in report.splitlines() if line.startswith(f"| {page}"))
        assert int(row.rsplit("|", 2)[1]) > 0, row  # figures compared, found alike on both


def test_the_benchmark_stops_when_the_bound_shows_something_else(bench, app, password_hash):
    """The check before timing: the bound shown a window a month later must not pass."""
    team = bench.found_team(app, slug="friches-decalees", password_hash=password_hash)
    plan = bench.build_site(app, team, lots=6, years=2)
    timeline, _site = bench.site_cases(plan, None)
    later = bench.add_months(plan.since, 1).isoformat()
    timeline.bound_url = timeline.bound_url.replace(plan.since.isoformat(), later)
    bound = bench.bound_app(app.config["DATABASE_URL"], [bench.PARTS["site"]])
    with pytest.raises(SystemExit, match="the page and the bound differ"):
        bench.measure(app, team, [timeline], bound, argparse.Namespace(rounds=2, warmup=0))
    bound.extensions["bound_engine"].dispose()


def test_the_review_part_builds_a_call_with_favourites_lots_nobody_wishes_and_applications_to_score(
        app, password_hash, bench):
    team = bench.found_team(app, slug="friches-appel", password_hash=password_hash)
    plan = bench.build_review(app, team, lots=20, applications=60)
    assert plan.reviewers == 3 and plan.unwished >= 1 and 0 < plan.to_score < plan.applications // 2, plan
    assert plan.applications <= plan.wishes <= 3 * plan.applications
    assert plan.most_wished > 2 * plan.wishes / plan.lots  # some lots in favour
    assert plan.scores > 2 * len(bench.CRITERIA) * plan.applications  # most scored by most reviewers
    client = app.test_client()
    login(client, team.coordinator_email)
    page = client.get(f"/p/sites/{team.slug}/appels/{plan.call_id}/classement").text
    assert page.count("<h2>Lot ") == plan.lots
    assert page.count("Aucune candidature ne demande ce lot.") == plan.unwished
    assert "À noter par vous (" in page and 'data-label="Rang">1' in page


def test_the_benchmark_stops_when_the_bound_ranks_for_another_viewer(bench, app, password_hash):
    """The ranking's bound read for somebody who scored nothing: no rank, all « à noter »."""
    team = bench.found_team(app, slug="friches-autrui", password_hash=password_hash)
    plan = bench.build_review(app, team, lots=5, applications=12)
    (ranking,) = bench.review_cases(plan, None)
    ranking.bound_url = ranking.bound_url.replace(f"personne={team.coordinator_id}", "personne=0")
    bound = bench.bound_app(app.config["DATABASE_URL"], [bench.PARTS["review"]])
    with pytest.raises(SystemExit, match="the page and the bound differ"):
        bench.measure(app, team, [ranking], bound, argparse.Namespace(rounds=2, warmup=0))
    bound.extensions["bound_engine"].dispose()
