"""Sites en transition's files: a call's applications with their review (the total only to
who scored), the agreements of a site (CSV read back with « ; », XLSX
reopened) with their amounts to the cent and whether the certificate and signed copy came;
another association's site is 404."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import openpyxl
import pytest

from plugins.sites.models import Allocation
from plugins.sites.models_agreements import Agreement
from plugins.sites.models_calls import Decision
from tests.conftest import World
from tests.sites_review_world import add_application, add_scores, decide, make_call
from tests.sites_world import site_with_lots
from tests.support import login

BASE = "/p/sites/alpha"


@pytest.fixture
def coord(client, world: World, maillage_enable_plugin):
    maillage_enable_plugin("sites", world.asso_a)
    login(client, "coord.a@test.org")
    return client


def _site_with_an_agreement(db, world: World) -> int:
    site, lots = site_with_lots(db, world.asso_a.id, ["A1", "A2"])
    allocation = Allocation(association_id=world.asso_a.id, lot_id=lots[0].id, occupant="Recyclerie du Mail",
                            starts_on=date(2030, 1, 1), ends_on=date(2031, 12, 31),
                            starts_at=datetime(2029, 12, 31, 23, tzinfo=UTC),
                            ends_at=datetime(2031, 12, 31, 23, tzinfo=UTC))
    db.add(allocation)
    db.flush()
    db.add(Agreement(association_id=world.asso_a.id, allocation_id=allocation.id, fee=Decimal("1250.50"),
                     charges=Decimal("80.05"), deposit=Decimal(2500), starts_on=date(2030, 1, 1),
                     ends_on=date(2031, 12, 31), insurer="=MAIF", insurance_expires_on=date(2030, 12, 31)))
    db.commit()
    return site.id


def test_the_agreements_file_carries_amounts_dates_and_what_was_received(coord, db, world):
    site = _site_with_an_agreement(db, world)
    response = coord.get(f"{BASE}/sites/{site}/telecharger/conventions.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Lot", "Occupant", "Du"]
    [row] = rows[1:]
    assert row[1] == "Recyclerie du Mail" and "1250,50" in row[4] and "80,05" in row[5]
    assert not row[7].startswith("=")  # a formula typed as the insurer is neutralised
    assert row[8] == "non" and row[11] == "non"
    workbook = coord.get(f"{BASE}/sites/{site}/telecharger/conventions.xlsx").data
    sheet = openpyxl.load_workbook(io.BytesIO(workbook)).active
    assert sheet.cell(2, 5).value == 1250.5


def test_another_associations_site_agreements_are_404(coord, db, world):
    site, _ = site_with_lots(db, world.asso_b.id, ["B1"])
    db.commit()
    assert coord.get(f"{BASE}/sites/{site.id}/telecharger/conventions.csv").status_code == 404


def _applications_file(coord, call: int) -> list[list[str]]:
    response = coord.get(f"{BASE}/appels/{call}/telecharger/candidatures.csv")
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))


def test_the_applications_file_shows_a_total_only_to_who_scored_it(coord, db, world):
    call = make_call(db, world.asso_a.id, lots=("A1", "B1"))
    add_application(db, call, "Recyclerie", ("B1", "A1"), email="recyclerie@exemple.org")
    add_application(db, call, "Théâtre", ("A1",))
    add_scores(db, call, "Recyclerie", world.admin_a.id, [5, 1])  # (5×3 + 1×1) / 4 = 4
    add_scores(db, call, "Théâtre", world.admin_a.id, [2, 2])
    add_scores(db, call, "Théâtre", world.coordinator_a.id, [3, 3])
    decide(db, call, "Théâtre", "A1", Decision.REFUSED, "Le lot est trop petit.")
    db.commit()
    header, recyclerie, theatre = _applications_file(coord, call.call)
    column = {title: index for index, title in enumerate(header)}
    assert recyclerie[column["Organisation"]] == "Recyclerie"
    assert recyclerie[column["Lots souhaités (par préférence)"]] == "1. B1 ; 2. A1"
    assert recyclerie[column["E-mail"]] == "recyclerie@exemple.org"
    # The coordinator scored the theatre only: its total (2 and 3: 2,50), not the recyclerie's.
    assert recyclerie[column["Total pondéré (sur 5)"]] == "à noter par vous"
    assert recyclerie[column["Notations complètes"]] == "1"
    assert theatre[column["Total pondéré (sur 5)"]] == "2,50 / 5"
    assert theatre[column["Décisions"]] == "A1 : Refusé"
    workbook = coord.get(f"{BASE}/appels/{call.call}/telecharger/candidatures.xlsx").data
    sheet = openpyxl.load_workbook(io.BytesIO(workbook)).active
    assert [cell.value for cell in sheet[1]][:2] == ["Reçue le", "Organisation"]
    assert sheet.cell(3, 9).value == "2,50 / 5"


def test_another_associations_call_file_is_404(coord, db, world):
    call = make_call(db, world.asso_b.id)
    db.commit()
    assert coord.get(f"{BASE}/appels/{call.call}/telecharger/candidatures.csv").status_code == 404
    assert coord.get(f"{BASE}/appels/999999/telecharger/candidatures.xlsx").status_code == 404
