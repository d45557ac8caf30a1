"""Territoire zéro chômeur: the EBE's contracts and the monthly table through their pages —
ETP pro rata and the CDE as a hand computation gives them, the cap warning, the yearly rates,
bad input, and the scoping."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.plugin_api import paris_today
from plugins.tzcld.models import CdeRates, Employment, WorkingTime
from tests.conftest import World
from tests.support import count_queries, field_error, login, post, text_of
from tests.tzcld_world import grow

BASE = "/p/tzcld/alpha"


@pytest.fixture
def coord(client, world: World, maillage_enable_plugin):
    maillage_enable_plugin("tzcld", world.asso_a)
    login(client, "coord.a@test.org")
    return client


def contract(db: Session, world: World, start: date, hours: str, *, ppde: bool = True,
             person=None, association=None, end: date | None = None) -> Employment:
    made = Employment(association_id=(association or world.asso_a).id,
                      person_id=(person or world.supported_a).id, ppde=ppde, started_on=start, ended_on=end)
    made.hours.append(WorkingTime(effective_on=start, weekly_hours=Decimal(hours)))
    db.add(made)
    db.commit()
    return made


def row(page: str, month: str) -> str:
    """The monthly table's row of ``month`` (the chart above names the months too)."""
    return page.split(f'data-label="Mois">{month}</th>')[1].split("</tr>")[0]


def rates_2025(db: Session, world: World) -> None:
    db.add(CdeRates(association_id=world.asso_a.id, year=2025, hourly_minimum_wage=Decimal("11.88"),
                    state_rate=Decimal(95), departement_share=Decimal(20), hours_per_year=1820))
    db.commit()


def test_a_contract_then_a_change_of_hours(coord, db, world):
    response = post(coord, f"{BASE}/salaries/nouveau", {
        "person_id": str(world.supported_a.id), "ppde": "y", "job": "Recyclerie",
        "started_on": "2025-03-01", "weekly_hours": "35"})
    assert response.status_code == 303
    made = db.scalar(select(Employment))
    # Never PPDE from this page, whatever is posted: a PPDE's contract opens with their hire.
    assert not made.ppde and made.started_on == date(2025, 3, 1)
    assert post(coord, f"{BASE}/salaries/{made.id}/temps",
                {"effective_on": "2025-03-16", "weekly_hours": "17,5"}).status_code == 303
    page = text_of(coord.get(f"{BASE}/etp?annee=2025"))
    # March: (15 × 35 + 16 × 17.5) / (35 × 31) = 23/31 = 0.74; April on: 0.50.
    march = row(page, "mars 2025")
    assert "0,74" in march and "0,50" in row(page, "avril 2025")
    assert "ne sont pas saisis" in page


def test_the_monthly_cde_matches_the_hand_computation(coord, db, world):
    rates_2025(db, world)
    made = contract(db, world, date(2025, 3, 1), "35")
    db.add(WorkingTime(employment_id=made.id, effective_on=date(2025, 3, 16), weekly_hours=Decimal("17.5")))
    db.commit()
    page = text_of(coord.get(f"{BASE}/etp?annee=2025"))
    march = row(page, "mars 2025")
    # 23/31 × 11.88 × 95 % × 1,820 / 12 = 1,269.978… ; × 20 % = 253.9957…
    assert "1\u202f269,98&nbsp;€" in march and "254,00&nbsp;€" in march
    february = row(page, "février 2025")
    assert "0,00&nbsp;€" in february


def test_the_non_ppde_share_over_its_cap_is_flagged(coord, db, world):
    contract(db, world, date(2025, 1, 1), "35")
    contract(db, world, date(2025, 1, 1), "35", ppde=False, person=world.volunteer_a)
    january = row(text_of(coord.get(f"{BASE}/etp?annee=2025")), "janvier 2025")
    assert "50,0 %" in january and "au-dessus du plafond" in january


@pytest.mark.parametrize(("field", "value", "message"), [
    ("hourly_minimum_wage", "onze", "Un nombre"),
    ("hourly_minimum_wage", "11,123456", "décimales au plus"),
    ("state_rate", "250", "entre 0 et 200"),
    ("year", "1999", ""),
])
def test_bad_rates_are_refused_next_to_their_field(coord, db, world, field, value, message):
    form = {"year": "2025", "hourly_minimum_wage": "11,88", "state_rate": "95",
            "departement_share": "15", "hours_per_year": "1820", field: value}
    response = post(coord, f"{BASE}/cde/taux", form)
    assert response.status_code == 422
    assert message in (field_error(response, field) or "missing")
    assert db.scalar(select(CdeRates.id)) is None


def test_rates_are_kept_by_year_and_corrected_in_place(coord, db, world):
    form = {"year": "2025", "hourly_minimum_wage": "11,88", "state_rate": "95",
            "departement_share": "15", "hours_per_year": "1820"}
    assert post(coord, f"{BASE}/cde/taux", form).status_code == 303
    assert post(coord, f"{BASE}/cde/taux", {**form, "state_rate": "101,5"}).status_code == 303
    assert post(coord, f"{BASE}/cde/taux", {**form, "year": "2026", "hourly_minimum_wage": "12,02"}
                ).status_code == 303
    rows = {r.year: (r.hourly_minimum_wage, r.state_rate) for r in db.scalars(select(CdeRates))}
    assert rows == {2025: (Decimal("11.8800"), Decimal("101.500")),
                    2026: (Decimal("12.0200"), Decimal("95.000"))}


def test_a_change_of_hours_outside_the_contract_is_refused(coord, db, world):
    made = contract(db, world, date(2025, 3, 1), "35", end=date(2025, 6, 30))
    for day in ("2025-07-01", "2025-02-01"):
        response = post(coord, f"{BASE}/salaries/{made.id}/temps",
                        {"effective_on": day, "weekly_hours": "20"})
        assert response.status_code == 422 and field_error(response, "effective_on")
    response = post(coord, f"{BASE}/salaries/{made.id}/temps",
                    {"effective_on": "2025-04-01", "weekly_hours": "60"})
    assert response.status_code == 422 and "Entre 1 et 48" in field_error(response, "weekly_hours")
    # A PPDE's time is at most a full-time week, as at the hire.
    response = post(coord, f"{BASE}/salaries/{made.id}/temps",
                    {"effective_on": "2025-04-01", "weekly_hours": "40"})
    assert response.status_code == 422 and "temps plein" in field_error(response, "weekly_hours")
    assert len(db.scalars(select(WorkingTime)).all()) == 1


def test_the_hours_of_a_day_already_set_are_corrected_not_doubled(coord, db, world):
    """A typo in the hours chosen at the hire is corrected from the first day."""
    made = contract(db, world, date(2025, 3, 1), "35")
    assert post(coord, f"{BASE}/salaries/{made.id}/temps",
                {"effective_on": "2025-03-01", "weekly_hours": "24"}).status_code == 303
    db.expire_all()
    assert [(w.effective_on, w.weekly_hours) for w in db.scalars(select(WorkingTime))] == [
        (date(2025, 3, 1), Decimal(24))]


def test_the_contract_list_shows_the_hours_in_force_today(coord, db, world):
    made = contract(db, world, date(2025, 3, 1), "30", ppde=False, person=world.volunteer_a)
    later = paris_today() + timedelta(days=40)
    db.add(WorkingTime(employment_id=made.id, effective_on=later, weekly_hours=Decimal(20)))
    db.commit()
    page = text_of(coord.get(f"{BASE}/salaries/"))
    assert 'data-label="Heures par semaine">30<' in page


def test_an_end_before_the_start_is_refused(coord, db, world):
    made = contract(db, world, date(2025, 3, 1), "35")
    response = post(coord, f"{BASE}/salaries/{made.id}/fin",
                    {"ended_on": "2025-02-01", "end_reason": "Démission"})
    assert response.status_code == 422 and "précéder" in field_error(response, "ended_on")
    db.expire_all()
    assert db.get(Employment, made.id).ended_on is None


def test_another_associations_contract_answers_404_and_is_not_counted(coord, db, world):
    theirs = contract(db, world, date(2025, 1, 1), "35", association=world.asso_b, person=world.supported_b)
    assert coord.get(f"{BASE}/salaries/{theirs.id}/temps").status_code == 404
    assert post(coord, f"{BASE}/salaries/{theirs.id}/fin",
                {"ended_on": "2025-02-01", "end_reason": "x"}).status_code == 404
    january = row(text_of(coord.get(f"{BASE}/etp?annee=2025")), "janvier 2025")
    assert "1,00" not in january



@pytest.mark.parametrize("page", ["", "registre/", "exhaustivite", "salaries/", "etp?annee=2025"])
def test_the_pages_read_a_fixed_number_of_queries(app, coord, db, world, page):
    """As many statements with 3 people on the register and under contract as with 30."""
    counts = []
    for more in (3, 27):
        grow(db, world, more)
        with count_queries(app) as statements:
            assert coord.get(f"{BASE}/{page}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_the_territory_with_its_stage_neighbourhoods_and_ebe(coord, db, world):
    from core.members.neighbourhoods import Neighbourhood
    from core.partners import Partner, PartnerKind
    from plugins.tzcld.models import Stage, Territory

    quarter = Neighbourhood(name="Les Tilleuls", city="Villeneuve", qpv_code="QN09301M")
    ebe = Partner(name="EBE Les Tilleuls", kind=PartnerKind.EBE)
    db.add_all([quarter, ebe])
    db.commit()
    form = {"name": "Territoire des Tilleuls", "stage": "authorised", "authorised_on": "",
            "neighbourhoods": str(quarter.id), "ebes": str(ebe.id)}
    response = post(coord, f"{BASE}/territoire", form)
    assert response.status_code == 422 and "date d'habilitation" in field_error(response, "authorised_on")
    assert post(coord, f"{BASE}/territoire", {**form, "authorised_on": "2024-07-01"}).status_code == 303
    assert post(coord, f"{BASE}/territoire", {**form, "authorised_on": "2024-07-01",
                                             "ebes": str(world.partner.id)}).status_code == 422  # not an EBE
    territory = db.scalar(select(Territory))
    assert territory.stage is Stage.AUTHORISED and territory.authorised_on == date(2024, 7, 1)
    assert [n.neighbourhood_id for n in territory.neighbourhoods] == [quarter.id]
    assert [e.partner_id for e in territory.ebes] == [ebe.id]
    assert "Territoire des Tilleuls" in text_of(coord.get(f"{BASE}/"))


def test_the_home_page_shows_the_ten_longest_waits_and_leads_to_the_rest(coord, db, world):
    grow(db, world, 15)
    page = text_of(coord.get(f"{BASE}/"))
    assert page.count(" jours (depuis le ") == 10
    assert "Nombre 0 " in page and "Nombre 14 " not in page  # the longest first
    assert "Les 15 personnes en attente depuis plus de 90 jours" in page


def test_months_to_come_are_a_forecast_not_owed(coord, db, world):
    today = paris_today()
    contract(db, world, date(today.year, 1, 1), "35")
    db.add(CdeRates(association_id=world.asso_a.id, year=today.year, hourly_minimum_wage=Decimal("11.88"),
                    state_rate=Decimal(95), departement_share=Decimal(20), hours_per_year=1820))
    db.commit()
    page = text_of(coord.get(f"{BASE}/etp?annee={today.year}"))
    assert page.count("prévision</span>") == 12 - today.month
    # One ETP a month: 1 711,71 € for the State each month elapsed, this one included.
    owed = Decimal("1711.71") * today.month
    assert f"Année {today.year}, à ce jour" in page
    assert f"{owed:,.2f}".replace(",", "\u202f").replace(".", ",") + "&nbsp;€" in page.split("<tfoot>")[1]
    rates = text_of(coord.get(f"{BASE}/cde/taux"))
    if today.month < 12:
        assert f"({today.month} mois à ce jour)" in rates
