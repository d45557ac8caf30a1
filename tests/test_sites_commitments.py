"""Sites en transition: occupants' commitments (added, changed, deleted with their follow-up)
and their yearly follow-up — one row a year of the allocation, a year saved again changed,
a year outside the allocation refused — shown as a table of target, achieved and rate."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.agenda.clock import paris_today
from core.database import session
from plugins.sites.commitments import FollowUpRefused, save_follow_up
from plugins.sites.models import Allocation
from plugins.sites.models_agreements import Commitment, CommitmentKind, FollowUp
from tests.conftest import World
from tests.form_checks import dump
from tests.sites_agreements_world import Occupancy, occupancy, value_of
from tests.support import committed, field_error, login, post, text_of
from tests.test_demo_data import flat

BASE = "/p/sites/alpha"
TABLES = ("sites_commitments", "sites_follow_ups")


@pytest.fixture
def coord(client, world: World, maillage_enable_plugin):
    maillage_enable_plugin("sites", world.asso_a)
    maillage_enable_plugin("sites", world.asso_b)
    login(client, "coord.a@test.org")
    return client


def spanning(app: Flask, association_id: int, first: date, last: date) -> Occupancy:
    """An allocation from ``first`` to ``last``."""
    today = paris_today()
    return occupancy(app, association_id, start=(first - today).days, end=(last - today).days)


def commitment(app: Flask, place: Occupancy, *, target: int = 4, unit: str = "portes ouvertes",
               description: str = "Portes ouvertes un samedi par trimestre") -> int:
    def write() -> int:
        allocation = session.get(Allocation, place.allocation)
        row = Commitment(association_id=allocation.association_id, allocation_id=allocation.id,
                         kind=CommitmentKind.PUBLIC_OPENING, description=description, target=target,
                         unit=unit)
        session.add(row)
        session.flush()
        return row.id
    return committed(app, write)


def follow_ups(app: Flask) -> list[tuple[int, int, int, str]]:
    with app.app_context():
        return [(f.commitment_id, f.year, f.achieved, f.comment)
                for f in session.scalars(select(FollowUp).order_by(FollowUp.commitment_id, FollowUp.year))]


def commitments(app: Flask) -> list[Commitment]:
    with app.app_context():
        return list(session.scalars(select(Commitment).order_by(Commitment.id)))


def valid_commitment(**changes: str) -> dict[str, str]:
    return {"kind": "local_hires", "description": "Embaucher dans le quartier", "target": "2",
            "unit": "personnes", **changes}


# --- commitments ------------------------------------------------------------------------------


def test_a_commitment_is_added_and_listed_with_its_years(app, coord, world):
    place = spanning(app, world.asso_a.id, date(2025, 9, 1), date(2027, 8, 31))
    page = text_of(coord.get(f"{BASE}/attributions/{place.allocation}/engagements"))
    assert "Aucun engagement pour l'instant." in page
    response = post(coord, f"{BASE}/attributions/{place.allocation}/engagements", valid_commitment())
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{BASE}/attributions/{place.allocation}/engagements")
    [row] = commitments(app)
    assert (row.kind, row.description, row.target, row.unit) == (
        CommitmentKind.LOCAL_HIRES, "Embaucher dans le quartier", 2, "personnes")
    page = flat(text_of(coord.get(f"{BASE}/attributions/{place.allocation}/engagements")))
    assert "Embauches locales : Embaucher dans le quartier" in page
    assert "Objectif : 2 personnes par an." in page
    for year in (2025, 2026, 2027):  # every year the allocation covers, even in part
        assert f"{year} 2 personnes Pas encore suivi" in page
    assert "2024" not in page and "2028" not in page


BAD = [
    ({"description": "  "}, "description", "obligatoire"),
    ({"description": "x" * 251}, "description", "250"),
    ({"kind": "fete"}, "kind", "choix"),
    ({"target": ""}, "target", "obligatoire"),
    ({"target": "-1"}, "target", "entre 0 et 100000"),
    ({"target": "deux"}, "target", "nombre entier"),
    ({"target": "2,5"}, "target", "nombre entier"),
    ({"target": "1000001"}, "target", "entre 0 et 100000"),
    ({"unit": "x" * 61}, "unit", "60"),
]


@pytest.mark.parametrize(("changes", "field", "words"), BAD,
                         ids=[f"{f}-{i}" for i, (_, f, _) in enumerate(BAD)])
def test_a_bad_commitment_is_refused_next_to_its_field(app, coord, db, world, changes, field, words):
    place = occupancy(app, world.asso_a.id)
    existing = commitment(app, place)
    for url in (f"{BASE}/attributions/{place.allocation}/engagements",
                f"{BASE}/engagements/{existing}/modifier"):
        before = dump(db, TABLES)
        response = post(coord, url, valid_commitment(**changes))
        assert response.status_code == 422, url
        message = field_error(response, field) or ""
        assert words.casefold() in message.casefold(), message
        assert dump(db, TABLES) == before
        page = text_of(response)
        for key, value in valid_commitment(**changes).items():
            if key != "kind" and value.strip() and len(value) < 60:
                assert value in page, key


def test_a_commitment_is_changed_and_deleted_with_its_follow_up(app, coord, world):
    place = occupancy(app, world.asso_a.id)
    kept = commitment(app, place, description="Ateliers avec l'école")
    gone = commitment(app, place)
    page = text_of(coord.get(f"{BASE}/engagements/{gone}/modifier"))
    assert 'value="Portes ouvertes un samedi par trimestre"' in page
    response = post(coord, f"{BASE}/engagements/{gone}/modifier", valid_commitment(target="6"))
    assert response.status_code == 303
    assert [c.target for c in commitments(app)] == [4, 6]
    year = paris_today().year
    for commitment_id in (kept, gone):
        post(coord, f"{BASE}/engagements/{commitment_id}/suivi", {"year": str(year), "achieved": "1"})
    response = post(coord, f"{BASE}/engagements/{gone}/supprimer")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{BASE}/attributions/{place.allocation}/engagements")
    assert [c.id for c in commitments(app)] == [kept]
    assert follow_ups(app) == [(kept, year, 1, "")]


def test_deleting_the_allocation_deletes_its_commitments(app, coord, world):
    place = occupancy(app, world.asso_a.id)
    commitment(app, place)
    assert post(coord, f"{BASE}/attributions/{place.allocation}/supprimer").status_code == 303
    assert commitments(app) == []


# --- the yearly follow-up ---------------------------------------------------------------------


def test_a_year_is_recorded_then_changed_never_duplicated(app, coord, world):
    place = spanning(app, world.asso_a.id, date(2025, 9, 1), date(2027, 8, 31))
    target = commitment(app, place, target=4)
    url = f"{BASE}/engagements/{target}/suivi"
    response = post(coord, url, {"year": "2026", "achieved": "3", "comment": "Une annulée (travaux)"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url)
    assert post(coord, url, {"year": "2025", "achieved": "1"}).status_code == 303
    assert post(coord, url, {"year": "2026", "achieved": "5", "comment": "Rattrapée"}).status_code == 303
    assert follow_ups(app) == [(target, 2025, 1, ""), (target, 2026, 5, "Rattrapée")]

    page = flat(text_of(coord.get(url)))
    assert "Objectif : 4 portes ouvertes par an." in page
    assert "2025 4 portes ouvertes 1 25 %" in page
    assert "2026 4 portes ouvertes 5 125 % Rattrapée" in page
    assert "2027 4 portes ouvertes Pas encore suivi — —" in page


def test_the_form_opens_on_the_year_asked_with_what_was_recorded(app, coord, world):
    year = paris_today().year
    place = spanning(app, world.asso_a.id, date(year - 1, 9, 1), date(year + 1, 8, 31))
    target = commitment(app, place)
    post(coord, f"{BASE}/engagements/{target}/suivi",
         {"year": str(year - 1), "achieved": "7", "comment": "Bien"})
    page = text_of(coord.get(f"{BASE}/engagements/{target}/suivi?annee={year - 1}"))
    assert f'<option selected value="{year - 1}">{year - 1}</option>' in page
    assert value_of(page, "achieved") == "7"
    assert f'href="{BASE}/engagements/{target}/suivi?annee={year + 1}"' in page
    for odd in ("1999", "abc", "9" * 40, ""):  # not a year of the allocation: the page with defaults
        response = coord.get(f"{BASE}/engagements/{target}/suivi?annee={odd}")
        assert response.status_code == 200, odd
        assert f'<option selected value="{year}">{year}</option>' in text_of(response)  # this year
        assert value_of(text_of(response), "achieved") == ""


@pytest.mark.parametrize(("data", "field", "words"), [
    ({"year": "2024", "achieved": "1"}, "year", "choix"),
    ({"year": "2028", "achieved": "1"}, "year", "choix"),
    ({"year": "deux mille", "achieved": "1"}, "year", "choix"),
    ({"year": "2026", "achieved": ""}, "achieved", "obligatoire"),
    ({"year": "2026", "achieved": "-2"}, "achieved", "entre 0 et 100000"),
    ({"year": "2026", "achieved": "trois"}, "achieved", "nombre entier"),
    ({"year": "2026", "achieved": "1", "comment": "x" * 2001}, "comment", "2000"),
])
def test_a_bad_follow_up_is_refused_next_to_its_field(app, coord, db, world, data, field, words):
    place = spanning(app, world.asso_a.id, date(2025, 9, 1), date(2027, 8, 31))
    target = commitment(app, place)
    before = dump(db, TABLES)
    response = post(coord, f"{BASE}/engagements/{target}/suivi", data)
    assert response.status_code == 422
    assert words.casefold() in (field_error(response, field) or "").casefold()
    assert dump(db, TABLES) == before
    if data["achieved"] and field != "achieved":
        assert f'value="{data["achieved"]}"' in text_of(response)


def test_the_rule_itself_refuses_a_year_outside_the_allocation(app, world):
    place = spanning(app, world.asso_a.id, date(2025, 9, 1), date(2027, 8, 31))
    target = commitment(app, place)

    def record(year: int) -> Any:
        return save_follow_up(session.get(Commitment, target), session.get(Allocation, place.allocation),
                              year, 1)
    with pytest.raises(FollowUpRefused, match="L'attribution couvre les années 2025 à 2027"):
        committed(app, record, 2028)
    committed(app, record, 2027)
    assert follow_ups(app) == [(target, 2027, 1, "")]


def test_a_target_of_zero_has_no_rate(app, coord, world):
    place = occupancy(app, world.asso_a.id)
    target = commitment(app, place, target=0, unit="")
    year = paris_today().year
    post(coord, f"{BASE}/engagements/{target}/suivi", {"year": str(year), "achieved": "2"})
    page = flat(text_of(coord.get(f"{BASE}/engagements/{target}/suivi")))
    assert f"{year} 0 2 — " in page


# --- who may ------------------------------------------------------------------------------------


def test_another_associations_commitments_answer_404(app, coord, world):
    theirs = occupancy(app, world.asso_b.id)
    target = commitment(app, theirs)
    year = str(paris_today().year)
    assert coord.get(f"{BASE}/attributions/{theirs.allocation}/engagements").status_code == 404
    assert post(coord, f"{BASE}/attributions/{theirs.allocation}/engagements",
                valid_commitment()).status_code == 404
    assert coord.get(f"{BASE}/engagements/{target}/modifier").status_code == 404
    assert post(coord, f"{BASE}/engagements/{target}/modifier", valid_commitment()).status_code == 404
    assert coord.get(f"{BASE}/engagements/{target}/suivi").status_code == 404
    assert post(coord, f"{BASE}/engagements/{target}/suivi",
                {"year": year, "achieved": "1"}).status_code == 404
    assert post(coord, f"{BASE}/engagements/{target}/supprimer").status_code == 404
    assert coord.get(f"/p/sites/beta/engagements/{target}/suivi").status_code == 404
    assert [c.id for c in commitments(app)] == [target] and follow_ups(app) == []


def test_a_volunteer_gets_403(app, client, world, maillage_enable_plugin):
    maillage_enable_plugin("sites", world.asso_a)
    place = occupancy(app, world.asso_a.id)
    target = commitment(app, place)
    login(client, "benevole.a@test.org")
    assert client.get(f"{BASE}/attributions/{place.allocation}/engagements").status_code == 403
    assert client.get(f"{BASE}/engagements/{target}/suivi").status_code == 403
    assert post(client, f"{BASE}/engagements/{target}/supprimer").status_code == 403
    assert len(commitments(app)) == 1


# --- any input ----------------------------------------------------------------------------------


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_text_in_any_field_never_breaks_a_commitment_form(app, coord, db, world, data):
    known = db.info.get("sites_commitment")
    if known is None:
        place = occupancy(app, world.asso_a.id)
        known = db.info["sites_commitment"] = (place.allocation, commitment(app, place))
    allocation, target = known
    url, valid = data.draw(st.sampled_from([
        (f"{BASE}/attributions/{allocation}/engagements", valid_commitment()),
        (f"{BASE}/engagements/{target}/modifier", valid_commitment()),
        (f"{BASE}/engagements/{target}/suivi",
         {"year": str(paris_today().year), "achieved": "3", "comment": "Bien"}),
    ]))
    typed = {key: data.draw(TEXT | st.just(value)) for key, value in valid.items()}
    before = dump(db, TABLES)
    response = post(coord, url, typed)
    nul = any("\x00" in value for value in typed.values())
    assert response.status_code in (303, 422) or (nul and response.status_code == 400), (
        url, typed, response.status_code)
    if response.status_code == 422:
        assert dump(db, TABLES) == before, (url, typed)


def test_the_year_after_next_is_a_choice_only_when_the_allocation_runs_then(app, coord, world):
    short = occupancy(app, world.asso_a.id, start=0, end=1)
    target = commitment(app, short)
    later = str((paris_today() + timedelta(days=800)).year)
    response = post(coord, f"{BASE}/engagements/{target}/suivi", {"year": later, "achieved": "1"})
    assert response.status_code == 422
