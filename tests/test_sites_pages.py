"""Sites en transition: the site's figures (occupancy by area today, income per month), the
timeline, the downloads, personal data, and the site page's fixed number of queries."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import select

from core.agenda.clock import paris_today
from core.database import session
from core.plugin_api import add_months
from core.pluginhost.refs import person_ref
from plugins.sites import plugin
from plugins.sites.allocations import AllocationFields, save_allocation
from plugins.sites.models import Allocation, Lot, LotKind, Site
from tests.conftest import World
from tests.support import committed, count_queries, login, post, text_of
from tests.test_demo_data import flat

BASE = "/p/sites/alpha"


def make_site(db, world: World, lots: int) -> int:
    today = paris_today()
    site = Site(association_id=world.asso_a.id, name="Friche", address="1 rue Haute", total_area=Decimal(900),
                available_from=today - timedelta(days=400), available_until=today + timedelta(days=800))
    db.add(site)
    db.flush()
    for index in range(lots):
        db.add(Lot(association_id=world.asso_a.id, site_id=site.id, code=f"L{index:02d}", kind=LotKind.OFFICE,
                   area=Decimal("10.5"), fee_per_m2=Decimal("8.25"), charges=Decimal(15)))
    db.commit()
    return site.id


def allocate(app: Flask, site_id: int, code: str, occupant: str, start: int, end: int, **extra) -> int:
    today = paris_today()

    def write() -> int:
        site = session.get(Site, site_id)
        lot = session.scalar(select(Lot).where(Lot.site_id == site_id, Lot.code == code))
        row = save_allocation(site, lot, AllocationFields(
            occupant=occupant, starts_on=today + timedelta(days=start), ends_on=today + timedelta(days=end),
            **extra))
        session.flush()
        return row.id
    return committed(app, write)


@pytest.fixture
def coord(client, world: World, maillage_enable_plugin):
    maillage_enable_plugin("sites", world.asso_a)
    login(client, "coord.a@test.org")
    return client


def test_the_site_page_gives_occupancy_by_area_and_income_of_today(app, coord, db, world):
    site = make_site(db, world, 4)
    allocate(app, site, "L00", "Recyclerie", -30, 30)
    allocate(app, site, "L01", "Théâtre", -60, -1)  # ended yesterday: neither occupied nor paying
    allocate(app, site, "L02", "Vélo-école", 1, 90)  # starts tomorrow
    page = flat(text_of(coord.get(f"{BASE}/sites/{site}")))
    # one lot of four, 10.5 m² of 42: 25 %; 8.25 × 10.5 + 15 = 101.625 € a month
    assert "Taux d'occupation : 25 % de la surface des lots (10,50 m² occupés sur 42 m², 1 lot sur 4)" in page
    assert "Recettes par mois : 101,63 €" in page and "406,50 € si tous l'étaient" in page
    assert "Recyclerie, jusqu'au" in page and "Théâtre" not in page.split("Occupations en cours")[0]
    home = flat(text_of(coord.get(f"{BASE}/")))
    assert "25 % de la surface des lots" in home and "101,63 €" in home


def test_the_timeline_shows_each_lots_months_and_the_gaps(app, coord, db, world):
    site = make_site(db, world, 2)
    first = paris_today().replace(day=1)
    allocate(app, site, "L00", "Recyclerie", (first - paris_today()).days, 40)
    page = coord.get(f"{BASE}/sites/{site}/calendrier?depuis={first.isoformat()}")
    text = flat(text_of(page))
    assert "Surface occupée et libre par mois" in text and "Voir les données du graphique" in text
    assert "Recyclerie" in text and "Libre" in text
    assert "<figure" in text_of(page) and 'data-label="' in text_of(page)


def test_the_timeline_counts_nothing_free_outside_the_sites_availability(app, coord, db, world):
    """Lent from the 1st of next month for a year: this month is « Hors disponibilité », not free,
    and the chart's table gives it 0 m² free; a lot let for half of next month is said so."""
    site_id = make_site(db, world, 2)
    this_month = paris_today().replace(day=1)
    lent_from = add_months(this_month, 1)
    site = db.get(Site, site_id)
    site.available_from, site.available_until = lent_from, add_months(lent_from, 12) - timedelta(days=1)
    db.commit()
    today = paris_today()
    allocate(app, site_id, "L00", "Recyclerie", (lent_from - today).days, (lent_from - today).days + 9)
    page = text_of(coord.get(f"{BASE}/sites/{site_id}/calendrier?depuis={this_month.isoformat()}"))
    first_row = page.split("<tbody>")[-1].split("</tr>")[0]
    cells = re.findall(r"<td data-label=\"[^\"]*\">(.*?)</td>", first_row)
    assert "Hors disponibilité" in cells[0] and "Recyclerie (une partie du mois)" in cells[1]
    assert "Libre" in cells[2]
    data = page.split('class="chart__data"')[1].split("</table>")[0]
    free_now = re.findall(r"<td[^>]*>([^<]*)</td>", data.split("</tr>")[1])
    assert free_now[-1].strip() in ("0", "0 m²", "0\u00a0m²")


def test_the_downloads_hold_the_lots_and_the_allocations(app, coord, db, world):
    site = make_site(db, world, 3)
    allocate(app, site, "L01", "=cmd|' /C calc'!A0", -5, 5, contact_email="a@exemple.org")
    lots = coord.get(f"{BASE}/sites/{site}/telecharger/lots.csv")
    header, *rows = csv.reader(io.StringIO(lots.data.decode("utf-8")[1:], newline=""), delimiter=";")
    assert header[:3] == ["Code", "Type", "Surface (m²)"] and len(rows) == 3
    assert rows[1][5] == "101,63" and rows[1][8] == "'=cmd|' /C calc'!A0"
    allocations = coord.get(f"{BASE}/sites/{site}/telecharger/attributions.xlsx")
    assert allocations.status_code == 200 and allocations.data[:2] == b"PK"
    text = coord.get(f"{BASE}/sites/{site}/telecharger/attributions.csv").data.decode("utf-8")
    assert "a@exemple.org" in text and text.count("\r\n") == 2


def test_a_contact_persons_data_is_exported_in_scope_and_erased(app, db, world):
    site = make_site(db, world, 1)
    allocate(app, site, "L00", "Recyclerie", -5, 5, contact_person_id=world.supported_a.id,
             contact_email="samir@exemple.org", contact_phone="06 11 22 33 44")
    person = person_ref(world.supported_a)
    with app.app_context():
        [record] = plugin.export_person_data(person=person, associations=frozenset({world.asso_a.id})).records
        assert record["occupant"] == "Recyclerie" and record["e_mail"] == "samir@exemple.org"
        assert plugin.export_person_data(person=person, associations=frozenset({world.asso_b.id})) is None
    assert committed(app, lambda: plugin.erase_person_data(person=person)) == 1
    db.expire_all()
    row = db.scalar(select(Allocation))
    assert (row.contact_person_id, row.contact_email, row.contact_phone, row.occupant) == (
        None, "", "", "Recyclerie")


def site_page_queries(app: Flask, client, site: int) -> int:
    with count_queries(app) as statements:
        assert client.get(f"{BASE}/sites/{site}").status_code == 200
    return len(statements)


def test_the_site_page_reads_as_many_queries_for_3_lots_as_for_30(app, coord, db, world):
    few, many = make_site(db, world, 3), make_site(db, world, 30)
    for site, count in ((few, 3), (many, 30)):
        for index in range(count):
            allocate(app, site, f"L{index:02d}", f"Occupant {index}", -10, 10 + index)
    assert site_page_queries(app, coord, few) == site_page_queries(app, coord, many)


def test_an_owner_from_the_directory_keeps_its_name_for_the_day_the_partner_leaves(coord, db, world):
    from plugins.sites.models import Owner

    response = post(coord, f"{BASE}/proprietaires/nouveau", {
        "partner_id": str(world.partner.id), "name": "", "contact": "Service du patrimoine"})
    assert response.status_code == 303
    owner = db.scalar(select(Owner))
    assert (owner.partner_id, owner.name) == (world.partner.id, world.partner.name)
