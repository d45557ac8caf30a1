"""Sites en transition's files: the agreements of a site (CSV read back with « ; », XLSX
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
from tests.conftest import World
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
