"""Territoire zéro chômeur: a person's data in the export (right of access), scoped to who
asks, and the erasure — the entry, its steps and the committee seat gone, the contracts kept
without the person so that past ETP and CDE stay right, a contract still running ended."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from core.plugin_api import paris_today
from plugins.tzcld.models import (
    CdeRates,
    CleMember,
    DecisionVersion,
    Employment,
    Ppde,
    PpdeStatus,
    Transition,
    WorkingTime,
)
from tests.conftest import World
from tests.support import login, post, text_of
from tests.tzcld_world import territory

NAME = "tzcld"


@pytest.fixture
def data(db, world: World, maillage_enable_plugin):
    maillage_enable_plugin("tzcld", world.asso_a)
    maillage_enable_plugin("tzcld", world.asso_b)
    territory(db, world)  # Samir waiting in Alpha, with three steps; Bêta's Sophie waiting
    a, recently = world.asso_a.id, paris_today() - timedelta(days=40)
    db.add_all([
        Employment(association_id=a, person_id=world.supported_a.id, ppde=True, started_on=date(2024, 1, 1),
                   ended_on=date(2024, 12, 31),
                   hours=[WorkingTime(effective_on=date(2024, 1, 1), weekly_hours=Decimal(35))]),
        Employment(association_id=a, person_id=world.supported_a.id, ppde=True, started_on=recently,
                   hours=[WorkingTime(effective_on=recently, weekly_hours=Decimal(24))]),
        CleMember(association_id=a, person_id=world.supported_a.id, role="Habitant"),
        CdeRates(association_id=a, year=2024, hourly_minimum_wage=Decimal("11.65"), state_rate=Decimal(95),
                 departement_share=Decimal(15), hours_per_year=1820)])
    db.commit()
    return world


def export_of(client, email: str, person_id: int) -> list[dict]:
    login(client, email)
    response = client.get(f"/personnes/{person_id}/donnees.json")
    assert response.status_code == 200
    return response.get_json()["modules"].get(NAME, {}).get("donnees", [])


def test_the_export_holds_the_entry_its_steps_the_contracts_and_the_seat(client, data):
    records = export_of(client, "coord.a@test.org", data.supported_a.id)
    kinds = sorted(r["type"] for r in records)
    assert kinds == ["comite_local", "contrat", "contrat", "registre"]
    [entry] = [r for r in records if r["type"] == "registre"]
    assert [s["statut"] for s in entry["etapes"]] == ["identified", "met", "waiting"]
    assert entry["sans_emploi_depuis"] == "2023-01-01"
    assert {r["association_id"] for r in records} == {data.asso_a.id}


def test_someone_who_changed_a_decision_or_recorded_steps_is_told_how_many(client, data):
    records = export_of(client, "collectif@test.org", data.coordinator_a.id)
    counts = {r["type"]: r["nombre"] for r in records if "nombre" in r}
    assert counts == {"etapes_enregistrees": 3, "decisions_modifiees": 1}


def test_another_associations_coordinator_cannot_export_alphas_person(client, data):
    login(client, "coord.b@test.org")
    assert client.get(f"/personnes/{data.supported_a.id}/donnees.json").status_code == 404


def test_erasure_keeps_past_figures_and_ends_the_running_contract(app, client, db, data):
    samir, alpha = data.supported_a.id, data.asso_a.id
    login(client, "coord.a@test.org")
    before = text_of(client.get("/p/tzcld/alpha/etp?annee=2024"))
    post(client, "/logout")
    login(client, "collectif@test.org")
    assert post(client, f"/personnes/{samir}/effacer").status_code == 303
    db.rollback()
    db.expire_all()
    assert db.scalar(select(Ppde.id).where(Ppde.person_id == samir)) is None
    assert db.scalar(select(CleMember.id).where(CleMember.person_id == samir)) is None
    assert db.scalars(select(Transition).join(Ppde).where(Ppde.status == PpdeStatus.WAITING,
                                                          Ppde.association_id == alpha)).all() == []
    contracts = db.scalars(select(Employment).where(Employment.person_id.is_(None),
                                                    Employment.association_id == alpha)).all()
    assert len(contracts) == 2  # Samir's two, kept without him
    assert sorted(c.ended_on for c in contracts) == [date(2024, 12, 31), paris_today()]
    assert all(v.replaced_by_id is not None for v in db.scalars(select(DecisionVersion)))  # Chloé's
    post(client, "/logout")
    login(client, "coord.a@test.org")
    after = text_of(client.get("/p/tzcld/alpha/etp?annee=2024"))
    table = lambda page: page.split("<tbody>")[1].split("</tfoot>")[0]  # noqa: E731
    assert table(after) == table(before)  # 2024's ETP and CDE, to the cent
    assert "Fiche de la personne effacée" in text_of(client.get("/p/tzcld/alpha/salaries/"))
