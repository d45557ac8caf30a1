"""A person supported by two associations: each one's coordinators see — on the person's page
and in the personal-data export — only their own association's part (memberships, agenda
bookings, every plugin's records); the collective admin sees everything. A plugin that
ignores the scope, or predates it, cannot leak: the core checks each record's association."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from flask import Flask

from core.agenda.engine import book
from core.agenda.events import Visibility
from core.members import Membership, Role
from core.testing_client import page_text
from plugins.premieres_heures.models import Decision, Review
from tests.conftest import SUITE_PLUGINS, make_app
from tests.plugin_fixtures import former_export
from tests.plugin_fixtures.exemplum.models import ExempleItem
from tests.support import committed, give_account, login, post, text_of
from tests.test_agenda_pages import make_event  # noqa: F401 - the fixture
from tests.test_premieres_heures_hooks import new_pathway, today

PH = "premieres_heures"
FORMER = "ancien_contrat"
SECRET_A, SECRET_B = "Observation d'Alpha", "Observation confidentielle de Bêta"


@pytest.fixture
def shared(app, db, world, make_event, maillage_enable_plugin):  # noqa: F811 - the fixture
    """Samir, supported by Alpha, is supported by Bêta too. Each association runs Premières
    Heures (a pathway with a review) and the example plugin, and has a private workshop
    Samir booked; he also booked a public workshop of Bêta's and one of the collective's."""
    samir = world.supported_a
    db.add(Membership(person_id=samir.id, association_id=world.asso_b.id, role=Role.SUPPORTED))
    for association, secret in ((world.asso_a, SECRET_A), (world.asso_b, SECRET_B)):
        maillage_enable_plugin(PH, association)
        maillage_enable_plugin("exemplum", association)
        pathway = new_pathway(db, association, samir, host=world.partner)
        db.add(Review(pathway_id=pathway.id, held_on=today() - timedelta(days=7),
                      participants="Inès Orienteuse", observations=secret, decision=Decision.KEEP))
        db.add(ExempleItem(association_id=association.id, person_id=samir.id,
                           label=f"élément {association.short_name}"))
    db.commit()
    events = [
        make_event(association=world.asso_a, title="Atelier privé Alpha",
                   visibility=Visibility.ASSOCIATION),
        make_event(association=world.asso_b, title="Atelier privé Bêta",
                   visibility=Visibility.ASSOCIATION),
        make_event(association=world.asso_b, title="Atelier public Bêta",
                   visibility=Visibility.PUBLIC),
        make_event(association=None, title="Forum du collectif"),
    ]
    for event in events:
        committed(app, book, event.bookable_id, samir.id)
    return samir


def export_of(client, email: str, person_id: int) -> dict:
    login(client, email)
    response = client.get(f"/personnes/{person_id}/donnees.json")
    assert response.status_code == 200
    return response.get_json()


def bookings(data: dict) -> list[str]:
    return sorted(b["activite"] for b in data["agenda"]["inscriptions"])


def observations(data: dict) -> list[str]:
    return [review["observations"] for record in data["modules"][PH]["donnees"]
            for review in record["bilans"]]


# --- the export ------------------------------------------------------------------------------


def test_a_coordinator_exports_only_their_associations_part(client, world, shared):
    data = export_of(client, "coord.a@test.org", shared.id)
    assert data["personne"]["prenom"] == "Samir"
    assert data["roles"] == [{"association": "Association Alpha", "role": "Personne accompagnée"}]
    assert bookings(data) == ["Atelier privé Alpha"]
    assert observations(data) == [SECRET_A]
    assert [r["association_id"] for r in data["modules"][PH]["donnees"]] == [world.asso_a.id]
    assert data["modules"]["exemplum"]["donnees"] == [
        {"association_id": world.asso_a.id, "label": "élément Alpha"}]
    dumped = json.dumps(data, ensure_ascii=False)
    assert "Bêta" not in dumped and "Forum du collectif" not in dumped


def test_the_other_coordinator_exports_only_the_other_part(client, world, shared):
    data = export_of(client, "coord.b@test.org", shared.id)
    assert data["roles"] == [{"association": "Association Bêta", "role": "Personne accompagnée"}]
    assert bookings(data) == ["Atelier privé Bêta", "Atelier public Bêta"]
    assert observations(data) == [SECRET_B]
    assert data["modules"]["exemplum"]["donnees"] == [
        {"association_id": world.asso_b.id, "label": "élément Bêta"}]
    dumped = json.dumps(data, ensure_ascii=False)
    assert "Alpha" not in dumped and SECRET_A not in dumped


def test_the_collective_admin_exports_everything(client, world, shared):
    data = export_of(client, "collectif@test.org", shared.id)
    assert sorted(r["association"] for r in data["roles"]) == ["Association Alpha",
                                                               "Association Bêta"]
    assert bookings(data) == ["Atelier privé Alpha", "Atelier privé Bêta", "Atelier public Bêta",
                              "Forum du collectif"]
    assert sorted(observations(data)) == sorted([SECRET_A, SECRET_B])
    assert len(data["modules"]["exemplum"]["donnees"]) == 2


def test_a_referent_in_one_association_is_not_told_of_the_other(client, db, world, shared):
    """Premières Heures' referent records are scoped like its pathways."""
    new_pathway(db, world.asso_a, world.volunteer2_a, referent=world.coordinator_b)
    new_pathway(db, world.asso_b, world.supported_b, referent=world.coordinator_b)
    db.add(Membership(person_id=world.coordinator_b.id, association_id=world.asso_a.id,
                      role=Role.VOLUNTEER))
    db.commit()
    data = export_of(client, "admin.a@test.org", world.coordinator_b.id)
    assert data["modules"][PH]["donnees"] == [{"type": "referent", "association_id": world.asso_a.id,
                                              "parcours_suivis_comme_referent": 1}]


def test_the_export_button_says_whose_part_it_holds(client, shared):
    login(client, "coord.a@test.org")
    page = page_text(client.get(f"/personnes/{shared.id}"))
    assert "Télécharger ses données dans vos associations (droit d'accès)" in page
    assert "à lui remettre quand elle demande à consulter ses données" in page
    post(client, "/logout")
    login(client, "collectif@test.org")
    page = page_text(client.get(f"/personnes/{shared.id}"))
    assert "Télécharger toutes ses données (droit d'accès)" in page


def test_erasure_stays_the_collective_admins_and_takes_everything(client, db, world, shared):
    login(client, "coord.a@test.org")
    assert post(client, f"/personnes/{shared.id}/effacer").status_code == 403
    post(client, "/logout")
    login(client, "collectif@test.org")
    assert post(client, f"/personnes/{shared.id}/effacer").status_code == 303
    assert client.get(f"/personnes/{shared.id}").status_code == 404


# --- a plugin written before the scope -------------------------------------------------------


@pytest.fixture
def former_app(database_url: str, app: Flask):
    former_export.RECORDS.clear()
    yield make_app(database_url, PLUGIN_MODULES={**SUITE_PLUGINS,
                                                 FORMER: "tests.plugin_fixtures.former_export"})
    former_export.RECORDS.clear()


def test_an_old_contract_plugin_loads_and_cannot_leak(former_app, world, shared):
    assert FORMER in former_app.extensions["maillage.plugins"].registered
    former_export.RECORDS[shared.id] = [
        {"association_id": world.asso_a.id, "note": "Alpha"},
        {"association_id": world.asso_b.id, "note": "Bêta"},
        {"note": "sans association"},
        {"association_id": True, "note": "un booléen n'est pas une association"},
    ]
    client = former_app.test_client()
    alpha = export_of(client, "coord.a@test.org", shared.id)["modules"][FORMER]
    assert alpha == {"titre": former_export.TITLE,
                     "donnees": [{"association_id": world.asso_a.id, "note": "Alpha"}]}
    post(client, "/logout")
    beta = export_of(client, "coord.b@test.org", shared.id)["modules"][FORMER]
    assert beta["donnees"] == [{"association_id": world.asso_b.id, "note": "Bêta"}]
    post(client, "/logout")
    full = export_of(client, "collectif@test.org", shared.id)["modules"][FORMER]
    assert full["donnees"] == former_export.RECORDS[shared.id]


def test_a_module_with_nothing_in_scope_is_not_even_named(former_app, world):
    former_export.RECORDS[world.supported_a.id] = [{"note": "sans association"}]
    client = former_app.test_client()
    assert FORMER not in export_of(client, "coord.a@test.org", world.supported_a.id)["modules"]
    post(client, "/logout")
    assert FORMER in export_of(client, "collectif@test.org", world.supported_a.id)["modules"]


# --- the person's page -----------------------------------------------------------------------


def test_a_coordinator_sees_only_their_associations_memberships(client, shared):
    login(client, "coord.a@test.org")
    page = text_of(client.get(f"/personnes/{shared.id}"))
    assert "Association Alpha" in page and "élément(s) d'exemple pour Alpha" in page
    assert "Association Bêta" not in page
    assert "pour Bêta" not in page and "Premières Heures — Bêta" not in page
    people = text_of(client.get("/personnes/"))
    assert "Alpha (personne accompagnée)" in people and "Bêta" not in people


def test_the_collective_admin_and_the_person_see_every_membership(client, db, world, shared,
                                                                 password_hash):
    login(client, "collectif@test.org")
    page = text_of(client.get(f"/personnes/{shared.id}"))
    assert "Association Alpha" in page and "Association Bêta" in page
    assert "pour Bêta" in page
    post(client, "/logout")
    give_account(db, shared.id, password_hash)
    login(client, "samir@test.org")
    page = text_of(client.get(f"/personnes/{shared.id}"))
    assert "Association Alpha" in page and "Association Bêta" in page
