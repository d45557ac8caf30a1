"""Aller-vers and the referrals at scale: bench/allervers.py's data holds only what the forms
could have recorded (a referral's events match its status, contacts have their consent, the
people reached add up); the referrals list and the funnel read as many queries for a small
association as for one ten times bigger; and both pages show the figures of their bound."""

from __future__ import annotations

import argparse
import importlib
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import func, select

from tests.support import count_queries, login

BENCH = Path(__file__).resolve().parent.parent / "bench"


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCH))  # the bench's modules import each other by name
    return importlib.import_module("allervers")


def _build(app, password_hash, bench, slug: str, *, contacts: int, referrals: int, actions: int = 12):
    volumes = bench.data.Volumes(actions=actions, contacts=contacts, referrals=referrals, partners=6,
                                 coordinators=3)
    return bench.data.build(app, volumes, slug=slug, password_hash=password_hash)


def test_the_data_holds_what_the_forms_could_have_recorded(app, password_hash, bench):
    from core.database import session
    from core.referrals.models import Referral, ReferralEvent
    from plugins.allervers.models_outreach import Contact, Tally

    plan = _build(app, password_hash, bench, "allervers-coherent", contacts=600, referrals=300)
    with app.app_context():
        pathways = bench.data.Pathway
        tallies = session.scalar(select(func.count()).select_from(Tally)
                                 .where(Tally.association_id == plan.association_id))
        contacts = session.scalars(select(Contact).where(Contact.association_id == plan.association_id)).all()
        direct = sum(1 for c in contacts if c.tally_id is None)
        assert tallies + direct == 600 and 0 < direct < len(contacts) < tallies  # each reached once
        assert all(c.consent_explained and c.consent_on and c.consent_by_id for c in contacts)
        engaged = {c.id: c for c in contacts if c.person_id is not None}
        rows = session.scalars(select(pathways).where(pathways.association_id == plan.association_id)).all()
        linked = [p for p in rows if p.contact_id is not None]
        assert {p.contact_id for p in linked} == set(engaged) and len(rows) > len(linked)
        assert all(engaged[p.contact_id].person_id == p.person_id for p in linked)
        ended = [p for p in rows if p.ended_on is not None]
        assert ended and all(p.exit_outcome is not None for p in ended) and len(ended) < len(rows)

        referrals = session.scalars(
            select(Referral).where(Referral.association_id == plan.association_id)).all()
        assert len(referrals) == 300 and len({r.status for r in referrals}) == 6
        assert len({r.partner_id for r in referrals}) > 1 and len({r.referent_id for r in referrals}) == 3
        history: dict[int, list[ReferralEvent]] = {}
        for event in session.scalars(select(ReferralEvent).join(Referral)
                                     .where(Referral.association_id == plan.association_id)
                                     .order_by(ReferralEvent.id)):
            history.setdefault(event.referral_id, []).append(event)
        for r in referrals:
            events = history[r.id]
            assert events[0].status == "sent" and events[0].at == r.sent_at, r.id
            assert events[-1].status == r.status and [e.at for e in events] == sorted(e.at for e in events)
            assert (r.token_digest is not None) == (r.status == "sent")  # a link only while it waits
            assert (r.answered_at is not None) == (r.status in ("accepted", "done", "refused"))
            assert (r.appointment_on is not None) == (r.status in ("accepted", "done"))
            assert (r.closed_at is None) == (r.status in ("sent", "accepted"))
            assert bool(r.refusal_reason) == (r.status == "refused")
        assert Counter(r.status.value for r in referrals) == plan.statuses


def test_the_benchmark_runs_and_both_apps_show_the_same_figures(bench, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MAILLAGE_INSTANCE_PATH", str(tmp_path))  # main() points it at its own folder
    assert bench.main(["--actions", "10", "--contacts", "300", "--referrals", "80", "--rounds", "2",
                       "--warmup", "0"]) == 0
    report = capsys.readouterr().out
    for page in ("referrals list (", "funnel ("):
        row = next(line for line in report.splitlines() if line.startswith(f"| {page}"))
        assert int(row.rsplit("|", 2)[1]) > 0, row  # figures compared, found alike on both


# The referrals list: the account and its roles, the association, the count, the page of rows,
# the partners and the referents of the filters, the collective's name and the plugins' state for
# the layout.
REFERRALS_LIST_QUERIES = 8
# The funnel: the account, the plugin state, the association, the neighbourhoods, the actions
# of the filter, three queries for each of the three breakdowns, the neighbourhoods' names, the
# latest actions, the collective's name.
FUNNEL_QUERIES = 16


def test_the_referrals_list_and_the_funnel_read_as_many_queries_for_ten_times_the_data(
        app, password_hash, bench):
    counts = {}
    for size, (contacts, referrals, actions) in (("small", (60, 12, 4)), ("big", (600, 120, 40))):
        plan = _build(app, password_hash, bench, f"allervers-{size}", contacts=contacts, referrals=referrals,
                      actions=actions)
        client = app.test_client()
        login(client, plan.coordinator_email)
        for case in (*bench.referrals_cases(plan, None), *bench.funnel_cases(plan, None)):
            with count_queries(app) as statements:
                response = client.get(case.url)
            assert response.status_code == 200, case.url
            counts[size, case.url.rsplit("/", 1)[1]] = len(statements)
    assert (counts["small", "orientations"], counts["big", "orientations"]) == (REFERRALS_LIST_QUERIES,) * 2
    assert (counts["small", "entonnoir"], counts["big", "entonnoir"]) == (FUNNEL_QUERIES,) * 2


def test_both_pages_show_the_figures_of_their_bound_on_this_database(app, password_hash, bench):
    """The check the benchmark makes before timing, on the suite's database: more than a page
    of referrals, more actions than the funnel lists."""
    plan = _build(app, password_hash, bench, "allervers-bound", contacts=900, referrals=130, actions=60)
    cases = [*bench.referrals_cases(plan, None), *bench.funnel_cases(plan, None)]
    bound = bench.bound_app(app.config["DATABASE_URL"], list(bench.PARTS.values()))
    bench.measure(app, plan, cases, bound, argparse.Namespace(rounds=2, warmup=0))
    bound.extensions["bound_engine"].dispose()
    referrals, funnel = cases
    assert referrals.compared > 5 * bench.REFERRALS_PAGE  # every cell of a full page
    assert referrals.queries == Counter({REFERRALS_LIST_QUERIES: 2})
    assert funnel.queries == Counter({FUNNEL_QUERIES: 2})
    assert max(funnel.bound_queries) <= 2 and max(referrals.bound_queries) <= 2  # one, and SQLite's BEGIN


def test_the_benchmark_stops_when_the_bound_shows_something_else(app, password_hash, bench, monkeypatch):
    """The bound reading the second page of referrals, then a funnel without the contacts met
    by name straight away: neither may pass."""
    plan = _build(app, password_hash, bench, "allervers-decale", contacts=300, referrals=60, actions=8)
    referrals, funnel = [*bench.referrals_cases(plan, None), *bench.funnel_cases(plan, None)]
    referrals.bound_url += "?page=2"
    bound = bench.bound_app(app.config["DATABASE_URL"], list(bench.PARTS.values()))
    with pytest.raises(SystemExit, match="the page and the bound differ"):
        bench.measure(app, plan, [referrals], bound, argparse.Namespace(rounds=2, warmup=0))
    monkeypatch.setattr(bench, "FUNNEL_QUERY", bench.FUNNEL_QUERY.replace(
        "CASE WHEN c.tally_id IS NULL THEN 1 ELSE 0 END", "0"))
    bound2 = bench.bound_app(app.config["DATABASE_URL"], [bench.PARTS["funnel"]])
    with pytest.raises(SystemExit, match="the page and the bound differ"):
        bench.measure(app, plan, [funnel], bound2, argparse.Namespace(rounds=2, warmup=0))
    bound.extensions["bound_engine"].dispose()
    bound2.extensions["bound_engine"].dispose()
