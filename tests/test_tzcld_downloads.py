"""Territoire zéro chômeur: every table of the plugin downloads as CSV (``;``, UTF-8 with
BOM, French dates and decimal commas) and as XLSX, through the core's export helper — with
what its page shows, its filters, formulas neutralised, another association's rows never in
it, and a fixed number of queries. Who may download what is in the permission matrix and in
tests/test_tzcld_readers.py."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from core.plugin_api import paris_to_utc, paris_today
from plugins.tzcld.models import (
    Activity,
    CdeRates,
    CleMember,
    Consultation,
    Decision,
    DecisionSubject,
    DecisionVersion,
    Employment,
    Meeting,
    MeetingAttendee,
    Outcome,
    Ppde,
    PpdeStatus,
    Proposer,
    Transition,
    WorkingTime,
)
from plugins.tzcld.views.exports import TABLES
from tests.conftest import World
from tests.support import count_queries, login
from tests.test_tzcld_staff import _grow

BASE = "/p/tzcld/alpha"
BOM = "\ufeff"
PAYLOAD = "=cmd|' /C calc'!A0"


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


def territory(db: Session, world: World) -> dict[str, int]:
    """Alpha: Samir waiting since 1 March 2025 (identified, met, waiting), a contract at 35 h
    then 17,5 h, the 2025 rates, a committee member, a meeting with a decision changed once
    about an activity reviewed twice. Bêta: one entry of its own, never in Alpha's files."""
    a, b = world.asso_a.id, world.asso_b.id
    entry = Ppde(association_id=a, person_id=world.supported_a.id, status=PpdeStatus.WAITING,
                 without_work_since=date(2023, 1, 1), resident_since=date(2020, 5, 1),
                 consent_on=date(2025, 2, 1), waiting_since=date(2025, 3, 1),
                 transitions=[Transition(association_id=a, status=status, on=on,
                                         recorded_by_id=world.coordinator_a.id, note=note)
                              for status, on, note in ((PpdeStatus.IDENTIFIED, date(2025, 1, 5), PAYLOAD),
                                                       (PpdeStatus.MET, date(2025, 2, 1), ""),
                                                       (PpdeStatus.WAITING, date(2025, 3, 1), ""))])
    other = Ppde(association_id=b, person_id=world.supported_b.id, status=PpdeStatus.WAITING,
                 waiting_since=date(2025, 3, 1),
                 transitions=[Transition(association_id=b, status=PpdeStatus.WAITING, on=date(2025, 3, 1))])
    contract = Employment(association_id=a, person_id=world.volunteer_a.id, ppde=False, job="Encadrant",
                          started_on=date(2025, 1, 1),
                          hours=[WorkingTime(effective_on=date(2025, 1, 1), weekly_hours=Decimal(35)),
                                 WorkingTime(effective_on=date(2025, 1, 16), weekly_hours=Decimal("17.5"))])
    ppde_contract = Employment(association_id=a, person_id=world.admin_a.id, ppde=True, job="Recyclerie",
                               started_on=date(2025, 1, 1),
                               hours=[WorkingTime(effective_on=date(2025, 1, 1), weekly_hours=Decimal(35))])
    rates = CdeRates(association_id=a, year=2025, hourly_minimum_wage=Decimal("11.88"),
                     state_rate=Decimal(95), departement_share=Decimal(20), hours_per_year=1820)
    member = CleMember(association_id=a, name="Mme Lefèvre", organisation="Mairie", role="Élue",
                       reads_decisions=True)
    activity = Activity(association_id=a, title=PAYLOAD, need="Réemploi", proposer=Proposer.RESIDENT,
                        proposed_on=date(2025, 1, 10),
                        consultations=[Consultation(consulted="Garage Martin", consulted_on=date(2025, 1, 20),
                                                    answer="Pas concerné"),
                                       Consultation(consulted="Ressourcerie", consulted_on=date(2025, 1, 21),
                                                    competition=True)])
    db.add_all([entry, other, contract, ppde_contract, rates, member, activity])
    db.flush()
    meeting = Meeting(association_id=a, starts_at=paris_to_utc(datetime(2025, 2, 3, 18, 0)),
                      ends_at=paris_to_utc(datetime(2025, 2, 3, 20, 0)), place="Mairie annexe",
                      agenda="Activités", attendees=[MeetingAttendee(member_id=member.id)])
    db.add(meeting)
    db.flush()
    decision = Decision(association_id=a, meeting_id=meeting.id, subject=DecisionSubject.ACTIVITY,
                        activity_id=activity.id, title="Recyclerie", outcome=Outcome.APPROVED,
                        reasons="Besoin avéré",
                        versions=[DecisionVersion(title="Recyclerie", outcome=Outcome.POSTPONED,
                                                  reasons="Consultation en cours",
                                                  replaced_by_id=world.coordinator_a.id)])
    db.add(decision)
    db.commit()
    return {"ppde": entry.id, "other": other.id}


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
        _grow(db, world, more)
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
