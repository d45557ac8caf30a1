"""The login throttle locks no one out (issue 9): guesses from one address are stopped,
guesses spread over many addresses are slowed, and the account's owner gets in — at once
on a device they logged in from before, after a bounded delay on a new one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from core.auth.known_devices import COOKIE_NAME
from core.auth.throttle import DELAY_BASE_SECONDS, LoginAttempt, subject_key
from core.database import get_database, utcnow
from tests.conftest import World
from tests.support import PASSWORD, field_error, login, post
from tests.test_auth import (
    COORD,
    NEW_PASSWORD,
    attempt,
    choose_password,
    is_logged_in,
    request_reset,
    reset_link,
)

WRONG = "pas-le-bon-mot-de-passe"
OWNER_ADDRESS = "127.0.0.1"


def attacker_address(index: int) -> str:
    return f"10.9.{index // 250}.{index % 250 + 1}"


def attack_from_many_addresses(app: Flask, email: str, count: int, *, first: int = 0) -> None:
    """``count`` wrong guesses, each from its own address, waiting out each delay."""
    for index in range(first, first + count):
        response = attempt(app.test_client(), email, WRONG, address=attacker_address(index))
        if response.status_code == 429:
            pass_time(app, seconds=int(response.headers["Retry-After"]))
            response = attempt(app.test_client(), email, WRONG, address=attacker_address(index))
        assert response.status_code == 422


def pass_time(app: Flask, *, seconds: int) -> None:
    """As if ``seconds`` went by: every stored attempt is made that much older."""
    with get_database(app).session_factory() as db:
        for row in db.scalars(select(LoginAttempt)):
            row.created_at -= timedelta(seconds=seconds)
        db.commit()


def retry_after(response: TestResponse) -> int:
    assert response.status_code == 429
    assert "Trop de tentatives" in (field_error(response, "email") or "")
    return int(response.headers["Retry-After"])


def owner_device(app: Flask, email: str = COORD) -> FlaskClient:
    """The owner's phone: it logged in once, then logged out."""
    client = app.test_client()
    login(client, email)
    post(client, "/logout")
    assert client.get_cookie(COOKIE_NAME) is not None
    return client


# --- the attacker --------------------------------------------------------------------------


def test_an_attacker_at_one_address_is_stopped(app: Flask, world: World) -> None:
    """Past the per-account limit from one address, that address waits out the window,
    whatever the password; the owner elsewhere waits a few seconds at most."""
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        assert attempt(app.test_client(), COORD, WRONG, address="10.0.0.7").status_code == 422
    wait = retry_after(attempt(app.test_client(), COORD, PASSWORD, address="10.0.0.7"))
    assert wait == app.config["LOGIN_WINDOW_MINUTES"] * 60
    owner = attempt(app.test_client(), COORD, address=OWNER_ADDRESS)
    if owner.status_code == 429:
        assert retry_after(owner) <= DELAY_BASE_SECONDS
        pass_time(app, seconds=DELAY_BASE_SECONDS)
        owner = attempt(app.test_client(), COORD, address=OWNER_ADDRESS)
    assert owner.status_code == 303
    # The attacker's address is still stopped, time or not.
    assert attempt(app.test_client(), COORD, PASSWORD, address="10.0.0.7").status_code == 429


def test_an_attacker_at_many_addresses_is_slowed_more_and_more(app: Flask, world: World) -> None:
    """Spread guesses get through the per-address limits, but each waits longer."""
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    attack_from_many_addresses(app, COORD, limit)
    delays = []
    for index in range(limit, limit + 4):
        response = attempt(app.test_client(), COORD, WRONG, address=attacker_address(index))
        delays.append(retry_after(response))
        pass_time(app, seconds=delays[-1])
        assert attempt(app.test_client(), COORD, WRONG,
                       address=attacker_address(index)).status_code == 422
    assert delays == sorted(delays) and delays[-1] >= 4 * delays[0]


def test_hammering_a_slowed_account_does_not_lengthen_its_delay(app: Flask,
                                                                 world: World) -> None:
    """Refused tries are not counted: only guesses that were checked raise the delay."""
    attack_from_many_addresses(app, COORD, app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] + 1)
    first = retry_after(attempt(app.test_client(), COORD, WRONG, address="10.1.1.1"))
    for index in range(10):
        attempt(app.test_client(), COORD, WRONG, address=f"10.1.2.{index + 1}")
    assert retry_after(attempt(app.test_client(), COORD, WRONG, address="10.1.1.1")) <= first


def test_the_delay_never_exceeds_its_cap(app: Flask, db: Session, world: World) -> None:
    """Even after a flood of spread guesses, the owner's wait is bounded."""
    with app.app_context():
        subject = subject_key(COORD)
    db.add_all(
        LoginAttempt(kind="login", address=attacker_address(index), subject=subject,
                     created_at=utcnow() - timedelta(seconds=1))
        for index in range(200)
    )
    db.commit()
    wait = retry_after(attempt(app.test_client(), COORD, PASSWORD, address=OWNER_ADDRESS))
    assert wait <= app.config["LOGIN_DELAY_MAX_SECONDS"]
    assert wait < app.config["LOGIN_WINDOW_MINUTES"] * 60


# --- the owner -----------------------------------------------------------------------------


def test_the_owner_on_a_known_device_is_never_locked_by_others(app: Flask, world: World) -> None:
    """Issue 9: failures from anywhere else do not touch the owner's own phone."""
    phone = owner_device(app)
    attack_from_many_addresses(app, COORD, 12)
    # Also from the owner's own address (a shared office connection, say).
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] + 1):
        attempt(app.test_client(), COORD, WRONG, address=OWNER_ADDRESS)
    assert attempt(app.test_client(), COORD, PASSWORD, address=OWNER_ADDRESS).status_code == 429
    assert attempt(phone, COORD, PASSWORD, address=OWNER_ADDRESS).status_code == 303
    assert is_logged_in(phone)


def test_the_owner_on_a_new_device_gets_in_after_a_bounded_delay(app: Flask,
                                                                 world: World) -> None:
    """No 15-minute lockout: at most LOGIN_DELAY_MAX_SECONDS after the attack stopped."""
    attack_from_many_addresses(app, COORD, 12)
    new_phone = app.test_client()
    response = attempt(new_phone, COORD, PASSWORD, address=OWNER_ADDRESS)
    if response.status_code == 429:
        wait = retry_after(response)
        assert wait <= app.config["LOGIN_DELAY_MAX_SECONDS"]
        pass_time(app, seconds=wait)
        response = attempt(new_phone, COORD, PASSWORD, address=OWNER_ADDRESS)
    assert response.status_code == 303


def test_a_known_device_is_limited_by_its_own_failures(app: Flask, world: World) -> None:
    """The known-device cookie is no master key: its own wrong guesses still count."""
    phone = owner_device(app)
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        assert attempt(phone, COORD, WRONG, address=attacker_address(1)).status_code == 422
    retry_after(attempt(phone, COORD, PASSWORD, address=attacker_address(2)))


def test_a_known_device_is_known_for_its_account_only(app: Flask, world: World) -> None:
    phone = owner_device(app, "admin.a@test.org")
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        attempt(app.test_client(), COORD, WRONG, address=OWNER_ADDRESS)
    retry_after(attempt(phone, COORD, PASSWORD, address=OWNER_ADDRESS))


@pytest.mark.parametrize("value", ["fabriqué", "WyJhYmMiXQ.aw9IEA.signature-inventee"])
def test_a_forged_known_device_cookie_is_ignored(app: Flask, world: World, value: str) -> None:
    client = app.test_client()
    client.set_cookie(COOKIE_NAME, value)
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        attempt(client, COORD, WRONG, address=OWNER_ADDRESS)
    retry_after(attempt(client, COORD, PASSWORD, address=OWNER_ADDRESS))


def test_a_password_link_makes_the_browser_a_known_device(app: Flask, world: World) -> None:
    """The owner who proved they hold the mailbox logs in from that browser, attack or not."""
    client = app.test_client()
    assert request_reset(client, COORD).status_code == 303
    assert choose_password(client, reset_link(app), NEW_PASSWORD).status_code == 303
    assert client.get_cookie(COOKIE_NAME) is not None
    attack_from_many_addresses(app, COORD, 12)
    assert attempt(client, COORD, NEW_PASSWORD, address=OWNER_ADDRESS).status_code == 303


def test_the_owner_success_does_not_forgive_the_attackers_failures(app: Flask,
                                                                    world: World) -> None:
    """A good login forgives the owner's typos, not the guesses made elsewhere: logging in
    does not hand the attacker a fresh budget."""
    phone = owner_device(app)
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    attack_from_many_addresses(app, COORD, limit + 1)
    assert attempt(phone, COORD, PASSWORD).status_code == 303
    retry_after(attempt(app.test_client(), COORD, WRONG, address=attacker_address(99)))




def test_a_login_whose_attempt_another_login_forgave_still_succeeds(app: Flask, world: World) -> None:
    """Two logins of one account at once, from one address, in two workers: the first to
    succeed forgives the other's attempt (deletes its row) before the other marks it. The other
    must still go through (it answered 500, StaleDataError, when it updated its row as an object)."""
    from sqlalchemy import func

    from core.auth import throttle
    from core.database import session

    email = "benevole.a@test.org"
    other_worker = get_database(app).session_factory()
    # The other worker's attempt, started while the first login checks its password.
    with app.app_context():
        second = LoginAttempt(kind="login", address="203.0.113.9", subject=subject_key(email),
                              known_device=False, succeeded=False)
        other_worker.add(second)
        other_worker.commit()
    with app.test_request_context("/login", method="POST"):
        first = throttle.start_attempt("login", "203.0.113.9", email)
        throttle.mark_succeeded(first)
        session.commit()
    with app.test_request_context("/login", method="POST"):
        # The other worker's request, holding its attempt as it was loaded.
        attempt = session.merge(second, load=False)
        throttle.mark_succeeded(attempt)
        session.commit()
        rows = session.scalar(select(func.count()).select_from(LoginAttempt)
                              .where(LoginAttempt.id.in_([first.id, second.id])))
        assert rows == 1  # the first, marked; the second forgiven
    other_worker.close()
