"""Login sessions kept on the server (core/auth/sessions.py): logging out ends them for
good, « Mon compte » lists them, and they can be ended one by one or all at once."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.auth.sessions import AccountSession
from core.auth.user_agents import device_name
from core.database import utcnow
from tests.conftest import World
from tests.support import count_queries, login, post, text_of
from tests.test_auth import COORD, is_logged_in

FIREFOX_ANDROID = ("Mozilla/5.0 (Android 14; Mobile; rv:133.0) Gecko/133.0 Firefox/133.0")
CHROME_WINDOWS = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
                  "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")
COOKIE = "maillage_session"


def browser(app: Flask, user_agent: str = CHROME_WINDOWS) -> FlaskClient:
    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = user_agent
    return client


def logged_in(app: Flask, user_agent: str = CHROME_WINDOWS, email: str = COORD) -> FlaskClient:
    client = browser(app, user_agent)
    login(client, email)
    return client


def stolen_copy(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of the client's session cookie, as a thief would."""
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie(COOKIE, cookie.value)
    return thief


def session_rows(db: Session) -> list[AccountSession]:
    db.rollback()
    db.expire_all()
    return list(db.scalars(select(AccountSession).order_by(AccountSession.id)))


def age_sessions(db: Session, **ages: timedelta) -> None:
    """Move the stored times of every session back by the given amounts."""
    for row in session_rows(db):
        for column, age in ages.items():
            setattr(row, column, getattr(row, column) - age)
    db.commit()


# --- logging out ---------------------------------------------------------------------------


def test_a_cookie_copied_before_logout_opens_nothing_after(app: Flask, world: World) -> None:
    """Issue 9: logout ends the session on the server, not only in this browser."""
    client = logged_in(app)
    thief = stolen_copy(app, client)
    assert is_logged_in(thief)  # the copy worked while the session was open
    assert post(client, "/logout").status_code == 303
    assert not is_logged_in(thief)
    assert thief.get("/compte").status_code == 302


def test_logout_deletes_only_this_browser_session(app: Flask, db: Session, world: World) -> None:
    phone = logged_in(app, FIREFOX_ANDROID)
    computer = logged_in(app)
    assert len(session_rows(db)) == 2
    post(computer, "/logout")
    assert [row.device for row in session_rows(db)] == ["Firefox sur Android"]
    assert is_logged_in(phone)


def test_only_a_digest_of_the_session_token_is_stored(app: Flask, db: Session,
                                                      world: World) -> None:
    """A copy of the database does not hand out working sessions."""
    client = logged_in(app)
    with client.session_transaction() as cookie:
        token = cookie["_user_id"]
    (row,) = session_rows(db)
    assert token not in row.token_digest
    assert str(row.account_id) != token


def test_sessions_end_when_idle_or_too_old(app: Flask, db: Session, world: World) -> None:
    client = logged_in(app)
    age_sessions(db, last_seen_at=timedelta(days=app.config["SESSION_IDLE_DAYS"], minutes=1))
    assert not is_logged_in(client)
    client = logged_in(app)
    age_sessions(db, created_at=timedelta(days=app.config["SESSION_MAX_DAYS"], minutes=1))
    assert not is_logged_in(client)


def test_a_deactivated_person_is_logged_out(app: Flask, db: Session, world: World) -> None:
    client = logged_in(app)
    world.coordinator_a.active = False
    db.commit()
    assert not is_logged_in(client)


# --- last seen -----------------------------------------------------------------------------


def test_last_seen_is_written_at_most_every_few_minutes(app: Flask, db: Session,
                                                        world: World) -> None:
    """Per-request cost: one query finds account and session; no write on every request."""
    client = logged_in(app)
    seen = session_rows(db)[0].last_seen_at
    with count_queries(app) as statements:
        assert client.get("/compte").status_code == 200
    assert not [s for s in statements if s.lstrip().upper().startswith("UPDATE")]
    assert session_rows(db)[0].last_seen_at == seen

    age_sessions(db, last_seen_at=timedelta(minutes=10))
    before = utcnow()
    assert client.get("/compte").status_code == 200
    assert session_rows(db)[0].last_seen_at >= before


def test_last_seen_written_by_simultaneous_gets(app: Flask, db: Session, world: World) -> None:
    """GETs read in deferred transactions; the last-seen write must not fail with
    "database is locked" when many land at once (SQLite)."""
    clients = [logged_in(app) for _ in range(6)]
    age_sessions(db, last_seen_at=timedelta(minutes=10))
    with ThreadPoolExecutor(len(clients)) as pool:
        statuses = list(pool.map(lambda client: client.get("/compte").status_code, clients))
    assert statuses == [200] * len(clients)
    assert all(row.last_seen_at > utcnow() - timedelta(minutes=1) for row in session_rows(db))


def test_last_seen_written_by_a_post(app: Flask, db: Session, world: World) -> None:
    """A POST writes the last-seen time in its own transaction."""
    client = logged_in(app)
    age_sessions(db, last_seen_at=timedelta(minutes=10))
    before = utcnow()
    assert post(client, "/compte/mot-de-passe", {}).status_code == 422
    assert session_rows(db)[0].last_seen_at >= before


# --- « Mon compte » ------------------------------------------------------------------------


def test_account_page_lists_devices_and_last_seen(app: Flask, world: World) -> None:
    logged_in(app, FIREFOX_ANDROID)
    client = logged_in(app)
    logged_in(app, email="admin.a@test.org")  # someone else's session is not listed
    page = text_of(client.get("/compte"))
    rows = re.findall(r"<tr>\s*<td data-label=\"Appareil\">(.*?)</tr>", page, re.S)
    assert len(rows) == 2
    assert "Chrome sur Windows" in rows[0] and ">cet appareil<" in rows[0]
    assert "Firefox sur Android" in rows[1] and ">cet appareil<" not in rows[1]
    assert re.search(r'data-label="Dernière activité">\d{1,2} \w+ \d{4}', rows[1])
    assert "Se déconnecter de tous vos appareils" in page


def test_logout_everywhere_ends_every_session(app: Flask, world: World) -> None:
    """« Se déconnecter partout » ends the other devices' sessions and this one."""
    phone = logged_in(app, FIREFOX_ANDROID)
    thief = stolen_copy(app, phone)
    other_person = logged_in(app, email="admin.a@test.org")
    client = logged_in(app)
    response = post(client, "/compte/appareils/deconnecter")
    assert response.status_code == 303
    assert response.location.endswith("/login")
    assert not is_logged_in(client)
    assert not is_logged_in(phone)
    assert not is_logged_in(thief)
    assert is_logged_in(other_person)
    assert "Vous êtes déconnecté·e de tous vos appareils." in text_of(client.get("/login"))


def test_one_device_can_be_logged_out(app: Flask, db: Session, world: World) -> None:
    phone = logged_in(app, FIREFOX_ANDROID)
    client = logged_in(app)
    phone_id = next(row.id for row in session_rows(db) if "Android" in row.device)
    response = post(client, f"/compte/appareils/{phone_id}/deconnecter")
    assert response.status_code == 303
    assert response.location.endswith("/compte")
    assert not is_logged_in(phone)
    assert is_logged_in(client)


def test_logging_out_this_device_from_the_list(app: Flask, db: Session, world: World) -> None:
    client = logged_in(app)
    (row,) = session_rows(db)
    response = post(client, f"/compte/appareils/{row.id}/deconnecter")
    assert response.location.endswith("/login")
    assert not is_logged_in(client)


def test_someone_elses_session_cannot_be_ended(app: Flask, db: Session, world: World) -> None:
    """Another account's session id answers 404 and stays open."""
    victim = logged_in(app, email="admin.a@test.org")
    (victim_row,) = session_rows(db)
    client = logged_in(app)
    assert post(client, f"/compte/appareils/{victim_row.id}/deconnecter").status_code == 404
    assert post(client, "/compte/appareils/999999/deconnecter").status_code == 404
    assert is_logged_in(victim)


def test_ending_sessions_needs_the_csrf_token(app: Flask, db: Session, world: World) -> None:
    phone = logged_in(app, FIREFOX_ANDROID)
    client = logged_in(app)
    phone_id = next(row.id for row in session_rows(db) if "Android" in row.device)
    assert post(client, "/compte/appareils/deconnecter", csrf=False).status_code == 400
    assert post(client, f"/compte/appareils/{phone_id}/deconnecter", csrf=False).status_code == 400
    assert is_logged_in(phone) and is_logged_in(client)


def test_password_change_keeps_only_this_session(app: Flask, db: Session, world: World) -> None:
    phone = logged_in(app, FIREFOX_ANDROID)
    client = logged_in(app)
    new = "un-tout-nouveau-mot-de-passe"
    response = post(client, "/compte/mot-de-passe",
                    {"current": "mot-de-passe-de-test", "password": new, "confirm": new})
    assert response.status_code == 303
    assert [row.device for row in session_rows(db)] == ["Chrome sur Windows"]
    assert is_logged_in(client)
    assert not is_logged_in(phone)


# --- device names --------------------------------------------------------------------------


def test_device_names() -> None:
    iphone = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
              "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1")
    edge = CHROME_WINDOWS + " Edg/131.0.0.0"
    samsung = ("Mozilla/5.0 (Linux; Android 14; SM-S911B) AppleWebKit/537.36 (KHTML, like "
               "Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36")
    assert device_name(FIREFOX_ANDROID) == "Firefox sur Android"
    assert device_name(CHROME_WINDOWS) == "Chrome sur Windows"
    assert device_name(iphone) == "Safari sur iPhone"
    assert device_name(edge) == "Edge sur Windows"
    assert device_name(samsung) == "Samsung Internet sur Android"
    assert device_name("curl/8.5.0") == "Appareil inconnu"
    assert device_name(None) == "Appareil inconnu"
