"""Public plugin pages (``@public_page``) and the per-address limit of public forms
(``rate_limit``), through a test plugin (tests/plugin_fixtures/vitrine).

A public page answers visitors without an account, for an association that enabled the
plugin only; every other plugin page still asks for a login, ``Level.PUBLIC`` or not. The
limit counts from one client address, refuses with 429 and a French wait, lets another
address through and holds under simultaneous submissions."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import delete, select

from core.auth.throttle import LoginAttempt
from core.database import session
from core.plugin_api import RateLimited, rate_limit
from core.pluginhost.activation import PluginActivation
from core.testing import make_app
from tests.conftest import SUITE_PLUGINS, World
from tests.plugin_fixtures.vitrine import plugin as vitrine
from tests.support import csrf_token, login


@pytest.fixture
def public_app(database_url: str, app: Flask) -> Flask:
    return make_app(database_url, PLUGIN_MODULES={**SUITE_PLUGINS,
                                                  "vitrine": "tests.plugin_fixtures.vitrine.plugin"})


@pytest.fixture
def enabled(db, world: World) -> World:
    db.add(PluginActivation(plugin="vitrine", association_id=world.asso_a.id))
    db.commit()
    vitrine.SENT.clear()
    return world


def _send(client, note: str, address: str = "203.0.113.7"):
    return client.post("/p/vitrine/alpha/annonces", data={"note": note, "csrf_token": csrf_token(client)},
                       environ_base={"REMOTE_ADDR": address})


def test_a_public_page_answers_a_visitor_without_an_account(public_app, enabled):
    response = public_app.test_client().get("/p/vitrine/alpha/annonces")
    assert response.status_code == 200
    assert "Annonces de" in response.get_data(as_text=True)
    assert "http://localhost/p/vitrine/alpha/annonces" in response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")


@pytest.mark.parametrize("path", ["/p/vitrine/beta/annonces", "/p/vitrine/inconnue/annonces"])
def test_a_public_page_of_an_association_that_did_not_enable_the_plugin_is_404(public_app, enabled, path):
    assert public_app.test_client().get(path).status_code == 404


def test_other_plugin_pages_still_ask_for_a_login(public_app, enabled):
    client = public_app.test_client()
    response = client.get("/p/vitrine/alpha/interne")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    login(client, "coord.a@test.org")
    assert client.get("/p/vitrine/alpha/interne").status_code == 200


def test_a_public_form_keeps_its_csrf_check(public_app, enabled):
    response = public_app.test_client().post("/p/vitrine/alpha/annonces", data={"note": "sans jeton"})
    assert response.status_code == 400
    assert vitrine.SENT == []


def test_the_limit_refuses_an_address_past_it_in_french_and_lets_another_through(public_app, enabled):
    client = public_app.test_client()
    assert [_send(client, f"n{index}").status_code for index in range(3)] == [201, 201, 429]
    refused = _send(client, "encore")
    assert refused.status_code == 429
    assert "Trop d'envois depuis votre connexion" in refused.get_data(as_text=True)
    assert "Réessayez dans 60 minutes" in refused.get_data(as_text=True)
    assert _send(public_app.test_client(), "ailleurs", address="198.51.100.2").status_code == 201
    assert vitrine.SENT == ["n0 (203.0.113.7)", "n1 (203.0.113.7)", "ailleurs (198.51.100.2)"]


def test_waiting_out_the_window_lifts_the_limit(public_app, enabled):
    client = public_app.test_client()
    for index in range(2):
        _send(client, f"n{index}")
    assert _send(client, "trop").status_code == 429
    with public_app.app_context():
        # The two counted an hour and a minute ago: out of the window.
        for attempt in session.scalars(select(LoginAttempt)):
            attempt.created_at -= timedelta(minutes=61)
        session.commit()
    assert _send(client, "plus tard").status_code == 201


def test_the_limit_does_not_touch_the_login_throttle(public_app, enabled):
    client = public_app.test_client()
    for index in range(3):
        _send(client, f"n{index}")
    login(client, "coord.a@test.org")  # the same address logs in at once
    assert client.get("/p/vitrine/alpha/interne").status_code == 200


def test_simultaneous_submissions_pass_no_more_than_the_limit(public_app, enabled, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only (MAILLAGE_TEST_DATABASE_URL unset): on SQLite a request's "
                    "writes hold the database's write lock, so submissions never race")
    passed: list[bool] = []
    barrier = threading.Barrier(6)

    def submit() -> None:
        with public_app.test_request_context("/", environ_base={"REMOTE_ADDR": "192.0.2.9"}):
            barrier.wait()
            try:
                rate_limit("course", 3, timedelta(hours=1))
                passed.append(True)
            except RateLimited:
                passed.append(False)
            finally:
                session.close()

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Simultaneous ones may all see each other and all be refused: the limit errs on the safe side.
    assert len(passed) == 6
    assert passed.count(True) <= 3
    with public_app.app_context():
        session.execute(delete(LoginAttempt))
        session.commit()


@pytest.mark.parametrize("window", [timedelta(0), timedelta(days=2)])
def test_a_window_beyond_what_is_kept_is_a_programming_error(public_app, window):
    with public_app.test_request_context("/"), pytest.raises(ValueError):
        rate_limit("x", 1, window)

