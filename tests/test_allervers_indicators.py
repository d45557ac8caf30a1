"""Aller-vers: funder report indicators — reached (anonymous tallies included), identified,
engaged, exits by outcome, referrals by status; small cells masked."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask import Flask

from core.members import Role
from core.plugin_api import MASKED_UNIT, AssociationRef, create_referral, paris_today
from plugins.allervers import pathways as domain
from plugins.allervers.indicators import indicators_for
from plugins.allervers.models_outreach import AgeBand, Gender, Request, Tally
from plugins.allervers.models_pathways import ExitOutcome
from tests.allervers_pathways_world import enable, make_action, make_contact, make_pathway
from tests.conftest import World, add_person
from tests.support import committed

TODAY = paris_today()


@pytest.fixture
def enabled(world, maillage_enable_plugin):
    return enable(world, maillage_enable_plugin)


def ref(association) -> AssociationRef:
    return AssociationRef(id=association.id, slug=association.slug, name=association.name,
                          short_name=association.short_name)


def figures(app: Flask, world: World, start: date, end: date) -> dict[str, tuple[int | float, str]]:
    with app.test_request_context():
        return {i.key: (i.value, i.unit) for i in indicators_for(ref(world.asso_a), start, end)}


def tally(db, action, n: int) -> list[Tally]:
    rows = [Tally(association_id=action.association_id, action_id=action.id, age_band=AgeBand.FROM_18_TO_25,
                  gender=Gender.NOT_STATED, request=Request.JOB, recorded_at=action.starts_at)
            for _ in range(n)]
    db.add_all(rows)
    db.commit()
    return rows


def supported(db, world, n: int) -> list[int]:
    people = [add_person(db, f"P{i}", "Indicateur", None, [(world.asso_a, Role.SUPPORTED)]) for i in range(n)]
    db.commit()
    return [p.id for p in people]


def test_reached_counts_tallies_and_untallied_contacts_once(app, db, enabled, world):
    start = TODAY - timedelta(days=30)
    action = make_action(db, world.asso_a.id, day=TODAY - timedelta(days=10))
    rows = tally(db, action, 5)
    linked = make_contact(db, action, name="Avec comptage")
    linked.tally_id = rows[0].id
    db.commit()
    make_contact(db, action, name="Sans comptage")
    old = make_action(db, world.asso_a.id, day=TODAY - timedelta(days=60))
    tally(db, old, 4)
    theirs = make_action(db, world.asso_b.id, day=TODAY - timedelta(days=10))
    tally(db, theirs, 7)
    got = figures(app, world, start, TODAY)
    assert got["allervers.reached"] == (6, "personnes")  # 5 tallies + 1 contact never counted
    assert got["allervers.identified"] == (2, "personnes")  # totals are never masked
    before = figures(app, world, TODAY - timedelta(days=90), TODAY - timedelta(days=11))
    assert before["allervers.reached"] == (4, "personnes") and before["allervers.identified"][0] == 0


def test_exits_and_referrals_are_masked_under_three(app, db, enabled, world, maillage_outbox):
    people = supported(db, world, 4)
    start = TODAY - timedelta(days=40)
    ids = [make_pathway(app, world, person_id=p, started_on=start) for p in people]

    def refer(pathway_id: int) -> None:
        pathway = domain.pathway_or_404(world.asso_a.id, pathway_id)
        referral = create_referral(ref(world.asso_a), pathway.person_id, partner_id=world.partner.id,
                                   reason="Atelier", recipient_email="ml@test.org",
                                   referent_id=world.coordinator_a.id, plugin="allervers")
        domain.add_action(pathway, done_on=TODAY, description="Atelier", partner_id=world.partner.id,
                          by_person_id=None, referral_id=referral.id)

    def finish(pathway_id: int, outcome: ExitOutcome) -> None:
        pathway = domain.pathway_or_404(world.asso_a.id, pathway_id)
        domain.record_exit(pathway, TODAY, outcome, "", TODAY)

    for pathway_id in ids[:2]:
        with app.test_request_context():
            committed(app, refer, pathway_id)
    for pathway_id in ids[:3]:
        committed(app, finish, pathway_id, ExitOutcome.JOB)
    committed(app, finish, ids[3], ExitOutcome.TRAINING)

    got = figures(app, world, start, TODAY)
    assert got["allervers.engaged"] == (4, "personnes")
    assert got["allervers.exits.job"] == (3, "personnes")
    assert got["allervers.exits.training"] == (0, MASKED_UNIT)  # one person: masked
    assert got["allervers.exits.dropped_out"] == (0, "personnes")  # a zero says nothing of anyone
    assert got["allervers.referrals.sent"] == (0, MASKED_UNIT)  # two referrals waiting
    assert got["allervers.referrals.refused"] == (0, "orientations")
    # No total of the breakdowns, which would give a masked cell away by subtraction.
    assert not any(key in got for key in ("allervers.exits", "allervers.referrals"))
    # Another period: nothing of it.
    earlier = figures(app, world, start - timedelta(days=100), start - timedelta(days=1))
    assert earlier["allervers.engaged"] == (0, "personnes") and earlier["allervers.exits.job"][0] == 0


def test_the_indicators_come_out_of_the_core_command(app, db, enabled, world):
    from core.pluginhost.cli import plugins_group

    make_pathway(app, world, started_on=TODAY - timedelta(days=3))
    result = app.test_cli_runner().invoke(plugins_group, [
        "indicators", "alpha", "--from", (TODAY - timedelta(days=30)).isoformat(), "--to", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    assert "allervers\tallervers.engaged\t1 personnes\tPersonnes entrées en parcours" in result.output
    assert "allervers\tallervers.exits.job\t0 personnes" in result.output
