"""Aller-vers: the anonymous tally — one POST, one row, nothing identifying; the count, the
undo of one's own last tally, bad input refused with a French message (422)."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, inspect, select

from core.database import get_database
from plugins.allervers.models_outreach import AgeBand, Gender, Request, Tally
from tests.conftest import World
from tests.form_checks import dump
from tests.matrix_allervers_outreach import VALID_TALLY, make_action
from tests.support import committed, count_queries, field_error, login, post, text_of

BASE = "/p/allervers/alpha"
TABLES = ("allervers_tallies",)


@pytest.fixture
def action_id(app, world: World, maillage_enable_plugin) -> int:
    maillage_enable_plugin("allervers", world.asso_a)
    return committed(app, lambda: make_action(world.asso_a.id).id)


@pytest.fixture
def volunteer(client, action_id):
    login(client, "benevole.a@test.org")
    return client


def test_one_post_saves_one_tally_and_returns_to_the_empty_form_with_the_count(app, volunteer, db, action_id):
    url = f"{BASE}/actions/{action_id}/comptage"
    for _n in range(2):
        response = post(volunteer, url, {**VALID_TALLY, "situations": ["neet", "isolated_woman"]})
        assert response.status_code == 303 and response.headers["Location"].endswith(url)
    page = volunteer.get(url)
    text = text_of(page)
    assert "2 personnes comptées" in text and "Annuler le dernier" in text
    assert 'checked' not in text.split('name="age_band"')[1].split(">")[0]  # the form is empty
    rows = db.execute(select(Tally.age_band, Tally.gender, Tally.neet, Tally.isolated_woman,
                             Tally.isolated_minor, Tally.request)).all()
    assert rows == [(AgeBand.FROM_18_TO_25, Gender.WOMAN, True, True, False, Request.JOB)] * 2


def test_a_tally_holds_nothing_that_identifies_anyone(app, db):
    columns = {c["name"] for c in inspect(get_database(app).engine).get_columns("allervers_tallies")}
    assert columns == {"id", "association_id", "action_id", "age_band", "gender", "neet",
                       "no_employment_service", "isolated_minor", "isolated_woman", "request",
                       "recorded_at"}


def test_the_post_is_one_insert(app, volunteer, db, action_id):
    url = f"{BASE}/actions/{action_id}/comptage"
    post(volunteer, url, VALID_TALLY)  # warm up
    with count_queries(app) as statements:
        started = time.perf_counter()
        response = volunteer.post(url, data={**VALID_TALLY, "csrf_token": _token(volunteer, url)})
        elapsed = time.perf_counter() - started
    assert response.status_code == 303
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    assert len(writes) == 1 and "allervers_tallies" in writes[0]
    assert elapsed < 1.0


def _token(client, url: str) -> str:
    import re
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text_of(client.get(url))).group(1)


def test_undo_removes_only_ones_own_last_tally(app, client, db, world, action_id):
    url = f"{BASE}/actions/{action_id}/comptage"
    login(client, "coord.a@test.org")
    post(client, url, {**VALID_TALLY, "request": "housing"})
    other = app.test_client()
    login(other, "benevole.a@test.org")
    post(other, url, VALID_TALLY)
    assert post(other, f"{url}/annuler").status_code == 303
    assert db.scalars(select(Tally.request)).all() == [Request.HOUSING]  # the coordinator's stays
    assert post(other, f"{url}/annuler").status_code == 303  # nothing more to undo
    assert "Rien à annuler" in text_of(other.get(url))
    assert db.scalar(select(func.count(Tally.id))) == 1


@pytest.mark.parametrize(("form", "field"), [
    ({**VALID_TALLY, "age_band": "99_ans"}, "age_band"),
    ({**VALID_TALLY, "age_band": ""}, "age_band"),
    ({k: v for k, v in VALID_TALLY.items() if k != "age_band"}, "age_band"),
    ({**VALID_TALLY, "gender": "other"}, "gender"),
    ({**VALID_TALLY, "situations": "nom_prenom"}, "situations"),
    ({**VALID_TALLY, "request": "tout"}, "request"),
])
def test_bad_tally_input_is_refused_in_french(app, volunteer, db, action_id, form, field):
    response = post(volunteer, f"{BASE}/actions/{action_id}/comptage", form)
    assert response.status_code == 422
    message = field_error(response, field)
    assert message in ("Ce champ est obligatoire.", "Ce choix n'est pas possible : choisissez dans la liste.",
                       "Une des cases cochées n'est pas possible : cochez dans la liste."), message
    assert db.scalar(select(func.count(Tally.id))) == 0


def test_the_form_draws_large_tap_targets(app, volunteer, action_id):
    page = text_of(volunteer.get(f"{BASE}/actions/{action_id}/comptage"))
    assert "allervers.css" in page and 'class="tap-choices' in page
    css = volunteer.get("/p/allervers/static/allervers.css")
    assert css.status_code == 200 and b"min-height: 52px" in css.data


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_text_in_any_field_never_breaks_the_tally(app, volunteer, db, action_id, data):
    typed = {key: data.draw(TEXT | st.just(value)) for key, value in VALID_TALLY.items()}
    before = dump(db, TABLES)
    response = post(volunteer, f"{BASE}/actions/{action_id}/comptage", typed)
    nul = any("\x00" in value for value in typed.values())
    assert response.status_code in (303, 422) or (nul and response.status_code == 400), (
        typed, response.status_code)
    if response.status_code != 303:
        assert dump(db, TABLES) == before
