"""Territoire zéro chômeur: every table of the plugin downloads as CSV (``;``, UTF-8 with
BOM, French dates and decimal commas) and as XLSX, through the core's export helper — with
what its page shows, its filters, formulas neutralised, another association's rows never in
it, and a fixed number of queries. Who may download what is in the permission matrix and in
tests/test_tzcld_readers.py."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core.plugin_api import paris_today
from plugins.tzcld.models import (
    Employment,
    WorkingTime,
)
from plugins.tzcld.views.exports import TABLES
from tests.conftest import World
from tests.support import count_queries, login
from tests.tzcld_world import PAYLOAD, grow, territory

BASE = "/p/tzcld/alpha"
BOM = "\ufeff"


@pytest.fixture
def coord(client, world: World, maillage_enable_plugin):
    maillage_enable_plugin("tzcld", world.asso_a)
    maillage_enable_plugin("tzcld", world.asso_b)
    login(client, "coord.a@test.org")
    return client


def csv_rows(client, table: str, query: str = "") -> list[list[str]]:
    response = client.get(f"{BASE}/telecharger/{table}.csv{query}")
    assert response.status_code == 200, (table, response.status_code)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert "attachment" in response.headers["Content-Disposition"]
    text = response.data.decode("utf-8")
    assert text.startswith(BOM)
    return list(csv.reader(io.StringIO(text[1:], newline=""), delimiter=";"))


def xlsx_rows(client, table: str, query: str = "") -> list[tuple]:
    response = client.get(f"{BASE}/telecharger/{table}.xlsx{query}")
    assert response.status_code == 200, (table, response.status_code)
    sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
    return [tuple(cell for cell in row) for row in sheet.iter_rows(values_only=True)]


def test_every_table_downloads_in_both_formats_with_its_header(coord, db, world):
    territory(db, world)
    for table, spec in TABLES.items():
        query = "?annee=2025" if table == "etp" else ""
        rows = csv_rows(coord, table, query)
        assert rows[0] == [column.title for column in spec.columns], table
        sheet = xlsx_rows(coord, table, query)
        assert list(sheet[0]) == rows[0], table
        assert len(sheet) == len(rows), table  # the same rows in both


def test_the_register_and_its_steps_in_french(coord, db, world):
    ids = territory(db, world)
    [header, samir] = csv_rows(coord, "registre")
    assert samir[:3] == ["Suivi", "Samir", "Volontaire, en attente d'embauche"]
    assert samir[header.index("Sans emploi depuis")] == "01/01/2023"
    assert samir[header.index("En attente depuis")] == "01/03/2025"
    assert samir[header.index("Jours d'attente")] == str((paris_today() - date(2025, 3, 1)).days)
    assert samir[header.index("Éligible aujourd'hui")] == "oui"
    assert csv_rows(coord, "registre", "?statut=hired") == [header]  # the page's filter
    assert len(csv_rows(coord, "registre", "?statut=inconnu")) == 2  # an unknown one: all
    steps = csv_rows(coord, "etapes")
    assert [row[2] for row in steps[1:]] == ["Repérée", "Rencontrée", "Volontaire, en attente d'embauche"]
    assert steps[1][steps[0].index("Enregistrée par")] == "Chloé Coord"
    assert steps[1][steps[0].index("Note")] == "'" + PAYLOAD  # neutralised, the text kept
    assert len(csv_rows(coord, "etapes", f"?inscription={ids['ppde']}")) == 4
    assert coord.get(f"{BASE}/telecharger/etapes.csv?inscription={ids['other']}").status_code == 404
    assert "Bêta" not in str(steps) and "Suivi Sophie" not in str(steps)


def test_the_formula_stays_text_in_excel(coord, db, world):
    territory(db, world)
    [_, row] = xlsx_rows(coord, "activites")
    assert row[0] == "'" + PAYLOAD
    [_, row] = csv_rows(coord, "decisions")
    assert row[2] == "'" + PAYLOAD  # the activity's title, in the decisions' file too


def test_the_monthly_table_with_decimal_commas_and_cents(coord, db, world):
    territory(db, world)
    rows = csv_rows(coord, "etp", "?annee=2025")
    header, january = rows[0], rows[1]
    assert len(rows) == 13 and january[0] == "janvier 2025"
    # The supervisor: 35 h for 15 days, 17,5 h for 16 days of 31 → (15×35 + 16×17,5) / (31×35).
    other = (Decimal(15 * 35) + Decimal(16) * Decimal("17.5")) / Decimal(31 * 35)
    assert january[header.index("ETP non PPDE")] == f"{other:.2f}".replace(".", ",")
    assert january[header.index("ETP PPDE")] == "1,00"
    # One PPDE ETP: 11,88 × 95 % × 1 820 / 12 = 1 711,71 € for the State, 20 % of it, 342,34 €.
    assert january[header.index("Part de l'État (€)")] == "1711,71"
    assert january[header.index("Part du département (€)")] == "342,34"
    assert january[header.index("Au-dessus du plafond")] == "oui"
    sheet = xlsx_rows(coord, "etp", "?annee=2025")
    assert sheet[1][header.index("Part de l'État (€)")] == pytest.approx(1711.71)
    [_, year_2025, *_] = csv_rows(coord, "cde-par-annee")
    assert year_2025[:2] == ["2025", "12"]
    assert year_2025[2] == "20540,52"  # twelve months of 1 711,71


def test_the_committee_files(coord, db, world):
    territory(db, world)
    [_, member] = csv_rows(coord, "cle-membres")
    assert member == ["Mme Lefèvre", "Mairie", "Élue", "oui"]
    [header, meeting] = csv_rows(coord, "reunions")
    assert meeting[header.index("Présents")] == "1" and meeting[header.index("Lieu")] == "Mairie annexe"
    [header, decision] = csv_rows(coord, "decisions")
    assert decision[header.index("Décision")] == "Approuvée"
    assert decision[header.index("Versions précédentes")] == "1"
    [header, activity] = csv_rows(coord, "activites")
    assert activity[header.index("Consultations")] == "2"
    assert activity[header.index("Concurrence possible notée")] == "oui"
    consultations = csv_rows(coord, "consultations")
    assert [row[1] for row in consultations[1:]] == ["Garage Martin", "Ressourcerie"]
    assert consultations[1][2] == "20/01/2025"


def test_the_waiting_list_and_its_counts(coord, db, world):
    territory(db, world)
    [header, samir] = csv_rows(coord, "attente")
    assert samir[:2] == ["Suivi", "Samir"] and samir[header.index("Au-delà du seuil")] == "oui"
    distribution = csv_rows(coord, "attente-par-duree")
    assert distribution[-1] == ["plus d'un an", "1"]  # since 1 March 2025
    assert sum(int(row[1]) for row in distribution[1:]) == 1  # Bêta's never counted
    hires = csv_rows(coord, "embauches-par-mois")
    assert len(hires) == 13 and all(row[1] == "0" for row in hires[1:])


def test_contracts_and_working_times(coord, db, world):
    territory(db, world)
    contracts = csv_rows(coord, "salaries")
    assert sorted(row[3] for row in contracts[1:]) == ["Encadrant", "Recyclerie"]
    times = csv_rows(coord, "temps-de-travail")
    assert ["16/01/2025", "17,50"] in [row[4:6] for row in times[1:]]


@pytest.mark.parametrize("table", sorted(TABLES))
def test_each_download_reads_a_fixed_number_of_queries(app, coord, db, world, table):
    """As many statements with 3 more people on the register and under contract as with 30."""
    territory(db, world)
    counts = []
    for more in (3, 27):
        grow(db, world, more)
        with count_queries(app) as statements:
            assert coord.get(f"{BASE}/telecharger/{table}.csv?annee=2025").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_the_pages_link_their_downloads(coord, db, world):
    ids = territory(db, world)
    pages = {"registre/": "registre", f"registre/{ids['ppde']}": "etapes", "exhaustivite": "attente",
             "salaries/": "temps-de-travail", "etp?annee=2025": "etp", "cde/taux": "cde-par-annee",
             "cle/": "decisions", "activites/": "consultations"}
    for page, table in pages.items():
        html = coord.get(f"{BASE}/{page}").get_data(as_text=True)
        assert f"/telecharger/{table}.csv" in html and f"/telecharger/{table}.xlsx" in html, page


def test_the_cde_per_year_on_the_rates_page(coord, db, world):
    territory(db, world)
    html = coord.get(f"{BASE}/cde/taux").get_data(as_text=True)
    assert "20\u202f540,52&nbsp;€" in html and "4\u202f108,08&nbsp;€" in html
    assert f"Taux {paris_today().year} non saisis" in html  # only 2025's were entered


def test_a_year_before_the_first_contract_is_not_listed(coord, db, world):
    territory(db, world)
    db.add(Employment(association_id=world.asso_a.id, person_id=world.supported_a.id, ppde=True,
                      started_on=date(2025, 6, 1) - timedelta(days=1),
                      hours=[WorkingTime(effective_on=date(2025, 5, 31), weekly_hours=Decimal(20))]))
    db.commit()
    years = [row[0] for row in csv_rows(coord, "cde-par-annee")[1:]]
    assert years[0] == "2025" and years == [str(y) for y in range(2025, paris_today().year + 1)]
