"""Values at the edges (ids past the database's integers, days at the ends of the calendar,
NUL characters, dates typed the French way) answer a French message or a clean 400/404.
tests/test_no_server_error.py looks for more of them; these are the ones it found."""

from __future__ import annotations

import warnings
from datetime import date, datetime

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.members import Association
from core.web.forms import ChoiceField, FrenchDateField, FrenchDateTimeField
from core.web.params import MAX_ID, NUL_REFUSED, OUT_OF_CALENDAR
from tests import test_permissions_matrix
from tests.support import field_error, login, post, text_of
from tests.test_permissions_matrix import EMAILS, MatrixWorld

matrix_world = test_permissions_matrix.matrix_world
PH = "/p/premieres_heures/alpha"
BEYOND = [MAX_ID + 1, 2**63, 2**64]


@pytest.fixture
def admin(app: Flask, matrix_world: MatrixWorld):
    client = app.test_client()
    login(client, EMAILS["collective_admin"])
    return client


@pytest.mark.parametrize("number", BEYOND)
@pytest.mark.parametrize("path", [
    "/agenda/{n}", "/agenda/{n}/modifier", "/personnes/{n}", "/partenaires/{n}",
    "/partenaires/1/contacts/{n}/modifier", "/quartiers/{n}/modifier",
    PH + "/parcours/{n}", PH + "/semaine/structure/{n}",
])
def test_an_id_no_row_can_have_is_not_found(admin, path: str, number: int) -> None:
    assert admin.get(path.format(n=number)).status_code == 404


@pytest.mark.parametrize("number", BEYOND)
def test_posting_to_an_id_no_row_can_have_is_not_found(admin, number: int) -> None:
    assert post(admin, f"/agenda/{number}/inscription").status_code == 404
    assert post(admin, f"/personnes/{number}/statut", {"active": "0"}).status_code == 404


@pytest.mark.parametrize("query", [
    "/personnes/?association={n}", "/partenaires/?quartier={n}", "/agenda/?association={n}",
    "/agenda/?page={n}", "/personnes/?page={n}", "/partenaires/?page=-{n}",
    "/agenda/semaine?association={n}", PH + "/parcours/nouveau?personne={n}",
])
def test_filters_and_pages_past_any_row_show_the_list(admin, query: str) -> None:
    for number in BEYOND:
        assert admin.get(query.format(n=number)).status_code == 200, query


@pytest.mark.parametrize("url", [
    "/agenda/semaine?jour=9999-12-31", "/agenda/semaine?jour=0001-01-01",
    "/agenda/mois?mois=0001-01", "/agenda/mois?mois=9999-12", "/agenda/mois?mois=3000-01",
    PH + "/semaine/?jour=0001-01-01", PH + "/semaine/?jour=9999-12-31",
    PH + "/semaine/structure/{partner}?jour=9999-12-31", PH + "/semaine/parcours/{pathway}?jour=0001-01-01",
    PH + "/parcours/{pathway}/seances/nouvelle?jour=9999-12-31",
])
def test_a_day_outside_the_calendar_is_a_french_400(admin, matrix_world: MatrixWorld, url: str) -> None:
    response = admin.get(url.format(partner=matrix_world.partner.id, pathway=matrix_world.ph_pathway_a))
    assert response.status_code == 400
    assert OUT_OF_CALENDAR in text_of(response).replace("&#39;", "'")


@pytest.mark.parametrize("url", ["/agenda/semaine?jour=2999-12-31", "/agenda/mois?mois=1900-01",
                                 "/agenda/semaine?jour=n'importe", PH + "/semaine/?jour=1900-01-01"])
def test_the_calendar_edges_themselves_are_shown(admin, url: str) -> None:
    assert admin.get(url).status_code == 200


def test_an_attendance_for_an_id_no_row_can_have_is_not_found(admin, matrix_world: MatrixWorld) -> None:
    url = f"{PH}/semaine/structure/{matrix_world.partner.id}/presences"
    assert post(admin, url, {f"presence-{2**64}": "present"}).status_code == 404


def test_a_nul_character_is_refused_before_any_query(admin, db: Session) -> None:
    assert admin.get("/associations/al%00pha").status_code == 400
    assert admin.get("/partenaires/?q=a%00b").status_code == 400
    before = db.scalar(select(func.count()).select_from(Association))
    response = post(admin, "/associations/nouvelle", {"name": "Nouvelle\x00", "short_name": "N"})
    assert response.status_code == 400
    assert NUL_REFUSED in text_of(response).replace("&#39;", "'")
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Association)) == before


@pytest.mark.parametrize(("path", "data", "field"), [
    ("/parcours/{pathway}/bilans/nouveau", {"held_on": "9999-12-31"}, "held_on"),
    ("/parcours/{pathway}/bilans/nouveau", {"held_on": "0001-01-01"}, "held_on"),
    ("/parcours/{pathway}/derogations/nouvelle", {"starts_on": "9999-12-25", "ends_on": "9999-12-31"},
     "starts_on"),
    ("/parcours/{pathway}/seances/nouvelle", {"day": "9999-12-31", "start": "09:00", "end": "12:00"}, "day"),
    ("/parcours/{pathway}/paliers/nouveau", {"effective_date": "0001-01-01"}, "effective_date"),
])
def test_a_form_date_outside_the_calendar_gets_a_french_message(
        admin, matrix_world: MatrixWorld, path: str, data: dict[str, str], field: str) -> None:
    response = post(admin, PH + path.format(pathway=matrix_world.ph_pathway_a), data)
    assert response.status_code == 422
    assert field_error(response, field) == OUT_OF_CALENDAR


@pytest.mark.parametrize("moment", ["9999-12-31T23:59", "0001-01-01T00:00"])
def test_an_event_at_the_ends_of_the_calendar_gets_a_french_message(admin, moment: str) -> None:
    response = post(admin, "/agenda/nouveau", {"title": "Bord", "kind": "workshop", "association_id": "0",
                                               "visibility": "collective", "starts_at": moment,
                                               "ends_at": moment, "partner_id": "0"})
    assert response.status_code == 422
    assert field_error(response, "starts_at") == OUT_OF_CALENDAR


class _Dates(FlaskForm):
    class Meta:
        csrf = False

    day = FrenchDateField("Jour")
    moment = FrenchDateTimeField("Moment")


@pytest.mark.parametrize(("day", "moment"), [
    ("30/06/2026", "12/03/2026 14:00"),  # as the French messages give their examples
    ("2026-06-30", "2026-03-12T14:00"),  # as the browsers' date pickers send them
])
def test_dates_typed_as_the_messages_show_them_are_read(app: Flask, day: str, moment: str) -> None:
    with app.test_request_context(method="POST", data={"day": day, "moment": moment}):
        form = _Dates()
        assert form.validate(), form.errors
        assert form.day.data == date(2026, 6, 30)
        assert form.moment.data == datetime(2026, 3, 12, 14, 0)
        assert form.day._value() == "2026-06-30"  # rendered for the date picker


def test_choices_declared_as_pairs_raise_no_deprecation(app: Flask) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)

        class _Choice(FlaskForm):
            class Meta:
                csrf = False

            colour = ChoiceField("Couleur", choices=[("red", "Rouge"), ("blue", "Bleu")])

        with app.test_request_context(method="POST", data={"colour": "blue"}):
            form = _Choice()
            assert form.validate(), form.errors
            assert [c.label for c in form.colour.iter_choices()] == ["Rouge", "Bleu"]
