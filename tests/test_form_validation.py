"""Validation of every form (members, partners, agenda): required fields, length limits, malformed
values, the CSRF token, and an edit with one bad field. The cases are in ``tests/form_cases.py``."""

from __future__ import annotations

import html

import pytest

import core.mail
from tests.form_cases import CSRF_POSTS, KEEP_TYPED, MALFORMED, REQUIRED_FIELDS, TOO_LONG, submit
from tests.form_checks import REQUIRED, assert_refused, dump, error
from tests.support import login, post, text_of


@pytest.mark.parametrize(("form_name", "field_id", "blank"), REQUIRED_FIELDS)
def test_required_field_left_empty(client, db, world, form_name, field_id, blank):
    """An empty (or blank) required field is refused with the French message next to it."""
    response, before, after = submit(client, db, world, form_name, {field_id: blank})
    assert_refused(response, before, after, field_id, REQUIRED)
    assert error(response, field_id) == REQUIRED


def _long_value(field_id: str, length: int, letter: str) -> str:
    if field_id == "website":
        return "https://" + "a" * (length - 8)
    return letter * length


@pytest.mark.parametrize(("form_name", "field_id", "limit", "letter"), TOO_LONG)
def test_too_long_value(client, db, world, form_name, field_id, limit, letter):
    """One character over the limit is refused with "N caractères au maximum."."""
    response, before, after = submit(client, db, world, form_name,
                                     {field_id: _long_value(field_id, limit + 1, letter)})
    assert_refused(response, before, after, field_id, f"{limit} caractères au maximum.")


@pytest.mark.parametrize(("form_name", "field_id", "limit", "letter"), TOO_LONG)
def test_value_at_the_limit_is_saved(client, db, world, form_name, field_id, limit, letter):
    """Exactly the limit fits the database column too (PostgreSQL refuses longer strings)."""
    response, _before, _after = submit(client, db, world, form_name,
                                       {field_id: _long_value(field_id, limit, letter)})
    assert response.status_code == 303, error(response, field_id)


@pytest.mark.parametrize(("form_name", "field_id", "value", "message"), MALFORMED)
def test_malformed_value(client, db, world, form_name, field_id, value, message):
    """A malformed email, phone, website, QPV code or choice gets a French message, nothing
    saved."""
    response, before, after = submit(client, db, world, form_name, {field_id: value})
    assert_refused(response, before, after, field_id, message)


@pytest.mark.parametrize("form", list(CSRF_POSTS.values()), ids=list(CSRF_POSTS))
def test_missing_csrf_token(app, client, db, world, form):
    """Without the CSRF token: a French 400 page, nothing changes and no email leaves."""
    form.arrange(db, world)
    login(client, form.user)
    before = dump(db, form.tables)
    response = post(client, form.url(world), form.data(world), csrf=False)
    assert response.status_code == 400
    assert "rien n&#39;a été enregistré" in text_of(response)
    assert dump(db, form.tables) == before
    with app.app_context():
        assert core.mail.outbox() == []


@pytest.mark.parametrize(("form_name", "changes", "bad_field"), KEEP_TYPED)
def test_edit_with_one_bad_field_loses_nothing(client, db, world, form_name, changes, bad_field):
    """One bad field: the record keeps all its saved values, the form keeps what was typed."""
    response, before, after = submit(client, db, world, form_name, changes)
    assert response.status_code == 422
    assert error(response, bad_field)
    assert after == before
    page = text_of(response)
    for name, value in changes.items():
        if name == bad_field or not value:
            continue
        if name == "barriers":
            assert 'checked id="barriers-0" name="barriers" type="checkbox" value="housing"' \
                in page
        elif name == "description":
            assert f"{html.escape(value)}</textarea>" in page
        else:
            assert f'value="{html.escape(value)}"' in page, f"{name} typed value lost"


@pytest.mark.parametrize(("typed", "read"), [("1 820", 1820), ("1\u202f820", 1820), (" 12 ", 12), ("-3", -3),
                                             ("1_820", None), ("٣٥", None), ("１２", None), ("9" * 19, None),
                                             ("12,5", None), ("1e3", None)])
def test_a_whole_number_is_read_as_french_writes_it(app, typed, read):
    """Digits 0-9, grouped by spaces as the pages show numbers; nothing else int() would take."""
    from flask_wtf import FlaskForm
    from werkzeug.datastructures import MultiDict

    from core.web.forms import FrenchIntegerField

    class Form(FlaskForm):
        count = FrenchIntegerField("Nombre")

    with app.test_request_context(method="POST"):
        form = Form(formdata=MultiDict({"count": typed}), meta={"csrf": False})
        form.validate()
        assert form.count.data == read
        assert bool(form.count.errors) is (read is None)
        if read is None:
            assert form.count.errors == ["Un nombre entier est attendu (exemple : 12)."]
