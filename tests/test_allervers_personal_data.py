"""Aller-vers and the people it holds data on: a person's pathways (stages, barriers,
actions, referents) and the contact row they were before, exported in the requester's scope
and erased; the anonymous tallies stay."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from core.plugin_api import paris_today
from core.pluginhost.refs import person_ref
from plugins.allervers import pathways as domain
from plugins.allervers import plugin
from plugins.allervers.models_outreach import AgeBand, Contact, Gender, Request, Tally
from plugins.allervers.models_pathways import (
    BarrierStatus,
    Pathway,
    PathwayAction,
    PathwayBarrier,
    PathwayReferent,
    PathwayStage,
)
from tests.allervers_pathways_world import count as count_rows
from tests.allervers_pathways_world import enable, make_action, make_contact, make_pathway
from tests.conftest import World
from tests.support import committed, login, post

TODAY = paris_today()


@pytest.fixture
def enabled(world, maillage_enable_plugin):
    return enable(world, maillage_enable_plugin)


def pathway_with_everything(app, db, world: World) -> tuple[int, int, int]:
    """Samir's pathway grown from a contact counted in a tally, with a second stage, a
    barrier, an action and a change of referent; his contact row and its tally."""
    action = make_action(db, world.asso_a.id, neighbourhood_id=world.neighbourhood.id)
    tally = Tally(association_id=world.asso_a.id, action_id=action.id, age_band=AgeBand.FROM_18_TO_25,
                  gender=Gender.MAN, request=Request.JOB, recorded_at=action.starts_at)
    db.add(tally)
    db.commit()
    contact = make_contact(db, action, name="Samir")
    contact.tally_id, contact.person_id, contact.engaged_on = tally.id, world.supported_a.id, TODAY
    db.commit()
    start = TODAY - timedelta(days=9)
    pathway_id = make_pathway(app, world, started_on=start, first_contact_on=start)

    def grow() -> None:
        pathway = domain.pathway_or_404(world.asso_a.id, pathway_id)
        pathway.contact_id = contact.id
        domain.move_to_next_stage(pathway, ["Aller vers", "Accompagner vers"], TODAY, world.partner.id, TODAY)
        domain.set_barrier(pathway, "housing", BarrierStatus.BEING_LIFTED, start, TODAY,
                           {"housing": "Logement"})
        domain.add_action(pathway, done_on=TODAY, description="Visite du CCAS",
                          partner_id=world.other_partner.id, by_person_id=world.coordinator_a.id)
        domain.change_referent(pathway, world.admin_a.id, TODAY, TODAY)

    committed(app, grow)
    return pathway_id, contact.id, tally.id


def export(app, person, scope):
    with app.app_context():
        return plugin.export_person_data(person=person_ref(person), associations=scope)


def test_the_export_holds_the_pathway_and_the_contact_in_scope(app, db, enabled, world):
    pathway_with_everything(app, db, world)
    data = export(app, world.supported_a, frozenset({world.asso_a.id}))
    kinds = sorted(record["type"] for record in data.records)
    assert kinds == ["contact", "parcours"]
    [contact] = [r for r in data.records if r["type"] == "contact"]
    assert (contact["nom_ou_surnom"], contact["pour_joindre"], contact["association_id"]) == (
        "Samir", "06 11 22 33 44", world.asso_a.id)
    [pathway] = [r for r in data.records if r["type"] == "parcours"]
    assert [s["etape"] for s in pathway["etapes"]] == ["Aller vers", "Accompagner vers"]
    assert pathway["etapes"][1]["partenaire"] == "Mission Locale Test"
    assert pathway["freins"] == [{"frein": "housing", "statut": "being_lifted",
                                  "repere_le": (TODAY - timedelta(days=9)).isoformat(),
                                  "levee_commencee_le": (TODAY - timedelta(days=9)).isoformat(),
                                  "leve_le": None}]
    assert [(a["action"], a["partenaire"]) for a in pathway["actions"]] == [("Visite du CCAS", "CCAS Test")]
    assert [r["referent_id"] for r in pathway["referents"]] == [world.coordinator_a.id, world.admin_a.id]
    json.dumps(data.records)  # JSON-ready
    # Another association's requester sees nothing of it; the referent sees that they follow one.
    assert export(app, world.supported_a, frozenset({world.asso_b.id})) is None
    followed = export(app, world.admin_a, frozenset({world.asso_a.id}))
    assert followed.records == [{"type": "referent", "association_id": world.asso_a.id,
                                 "parcours_suivis_comme_referent": 1}]


def test_the_core_export_page_carries_the_pathway(app, client, db, enabled, world):
    pathway_with_everything(app, db, world)
    login(client, "coord.a@test.org")
    response = client.get(f"/personnes/{world.supported_a.id}/donnees.json")
    assert response.status_code == 200
    assert "Visite du CCAS" in response.get_data(as_text=True)


def test_the_erasure_removes_pathway_and_contact_and_keeps_the_tally(app, db, enabled, world):
    pathway_id, contact_id, tally_id = pathway_with_everything(app, db, world)
    other = make_pathway(app, world, association_id=world.asso_b.id, person_id=world.supported_b.id,
                         referent_id=world.coordinator_b.id)
    kept_contact = make_contact(db, make_action(db, world.asso_a.id), name="Quelqu'un d'autre")
    affected = committed(app, lambda: plugin.erase_person_data(person=person_ref(world.supported_a)))
    # 1 action, 1 barrier, 2 stages, 2 referent rows, the pathway, the contact.
    assert affected == 8
    db.expire_all()
    assert db.get(Pathway, pathway_id) is None and db.get(Contact, contact_id) is None
    for model in (PathwayAction, PathwayBarrier, PathwayStage, PathwayReferent):
        assert not db.scalars(select(model).join(Pathway, Pathway.id == model.pathway_id)
                              .where(Pathway.id == pathway_id)).all()
    assert db.get(Tally, tally_id) is not None  # anonymous counts stay
    assert db.get(Contact, kept_contact.id) is not None and db.get(Pathway, other) is not None
    assert export(app, world.supported_a, None) is None
    assert count_rows(db, Tally) == 1


def test_erasing_a_referent_only_clears_the_links(app, db, enabled, world):
    pathway_id, _, _ = pathway_with_everything(app, db, world)
    affected = committed(app, lambda: plugin.erase_person_data(person=person_ref(world.admin_a)))
    assert affected == 2  # the pathway's referent, their referent row
    db.expire_all()
    kept = db.get(Pathway, pathway_id)
    assert kept is not None and kept.referent_id is None
    history = db.scalars(select(PathwayReferent.referent_id).order_by(PathwayReferent.id)).all()
    assert history == [world.coordinator_a.id, None]


def test_the_core_erasure_takes_the_pathway_away(app, client, db, enabled, world):
    pathway_id, contact_id, tally_id = pathway_with_everything(app, db, world)
    login(client, "collectif@test.org")
    assert post(client, f"/personnes/{world.supported_a.id}/effacer").status_code == 303
    db.expire_all()
    assert db.get(Pathway, pathway_id) is None and db.get(Contact, contact_id) is None
    assert db.get(Tally, tally_id) is not None
