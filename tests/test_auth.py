"""Login, logout, rate limiting, password links and cookies (core/auth).

The tests drive the app through HTTP as a browser would (a few unit tests check
``is_safe_redirect`` directly); the database is only used to arrange a situation
(an old attempt, an expired link) or to check what was stored.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from core.auth.accounts import Account
from core.auth.passwords import MIN_LENGTH, hash_password
from core.auth.reset_tokens import PasswordResetToken
from core.auth.throttle import LoginAttempt, subject_key
from core.database import get_database, utcnow
from core.mail import outbox
from core.members import Person
from core.web.security import is_safe_redirect
from tests.conftest import World, make_app
from tests.support import PASSWORD, csrf_token, field_error, login, post, text_of

BAD_CREDENTIALS = "Adresse e-mail ou mot de passe incorrect."
NEW_PASSWORD = "un-tout-nouveau-mot-de-passe"
COORD = "coord.a@test.org"
UNKNOWN = "personne@inconnu.org"
_CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]*(")')
_RESET_LINK = re.compile(r"/mot-de-passe/nouveau/([A-Za-z0-9_-]+)")


# --- helpers -------------------------------------------------------------------------------


def attempt(client: FlaskClient, email: str, password: str = PASSWORD, *,
            address: str | None = None, url: str = "/login") -> TestResponse:
    """One login attempt, from ``address`` (a 127.x.x.x address) if given."""
    extra = {"environ_base": {"REMOTE_ADDR": address}} if address else {}
    return post(client, url, {"email": email, "password": password}, **extra)


def can_log_in(app: Flask, email: str, password: str = PASSWORD) -> bool:
    """Whether a fresh browser logs in with these credentials."""
    return attempt(app.test_client(), email, password).status_code == 303


def is_logged_in(client: FlaskClient) -> bool:
    response = client.get("/")
    if response.status_code == 200:
        return True
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/login"
    return False


def comparable(response: TestResponse, email: str) -> str:
    """The page without what legitimately differs: the CSRF token and the typed email."""
    return _CSRF_VALUE.sub(r"\1\2", text_of(response)).replace(email, "<email>")


def account_of(db: Session, email: str) -> Account:
    """The account as stored now: a new transaction and no cached attributes."""
    db.rollback()
    db.expire_all()
    account = db.scalar(select(Account).join(Account.person).where(Person.email == email))
    assert account is not None
    return account


def request_reset(client: FlaskClient, email: str) -> TestResponse:
    return post(client, "/mot-de-passe/oublie", {"email": email})


def reset_link(app: Flask, index: int = -1) -> str:
    """Path of the password link in the ``index``-th email of the outbox."""
    with app.app_context():
        body = outbox()[index].get_content()
    found = _RESET_LINK.search(body)
    assert found, body
    return found.group(0)


def choose_password(client: FlaskClient, link: str, password: str,
                    confirm: str | None = None) -> TestResponse:
    return post(client, link, {"password": password,
                               "confirm": password if confirm is None else confirm})


# --- login ---------------------------------------------------------------------------------


def test_login_redirects_home_and_opens_a_session(client: FlaskClient, world: World) -> None:
    """Good credentials: 303 to the dashboard, which the session can then see."""
    assert not is_logged_in(client)
    response = attempt(client, COORD)
    assert response.status_code == 303
    assert urlsplit(response.location).path == "/"
    assert is_logged_in(client)


def test_login_ignores_case_and_spaces_of_the_email(client: FlaskClient, world: World) -> None:
    """Emails are stored lower-cased: the login form must match them whatever the case."""
    assert attempt(client, "  Coord.A@Test.ORG ").status_code == 303


def test_wrong_password_is_refused_in_french(client: FlaskClient, world: World) -> None:
    """Wrong password: the form comes back (422) with the message next to the password."""
    response = attempt(client, COORD, "pas-le-bon-mot-de-passe")
    assert response.status_code == 422
    assert field_error(response, "password") == BAD_CREDENTIALS
    assert not is_logged_in(client)


def test_empty_login_form_gets_french_messages(client: FlaskClient, world: World) -> None:
    """Missing fields are named in French, next to each field."""
    response = attempt(client, "", "")
    assert response.status_code == 422
    assert field_error(response, "email") == "Ce champ est obligatoire."
    assert field_error(response, "password") == "Ce champ est obligatoire."


def test_passwords_are_hashed_with_argon2id(db: Session, world: World) -> None:
    """The stored hash is argon2id, never a weaker scheme."""
    assert hash_password("peu-importe-lequel").startswith("$argon2id$")
    assert account_of(db, COORD).password_hash.startswith("$argon2id$")


def test_hashes_use_the_owasp_costs() -> None:
    """Issue 9: argon2id at 19 MiB, 2 passes, 1 lane (OWASP's first recommendation)."""
    assert "$argon2id$v=19$m=19456,t=2,p=1$" in hash_password("peu-importe-lequel")


def test_a_hash_with_the_former_costs_is_upgraded_at_login(app: Flask, db: Session,
                                                           world: World) -> None:
    """Hashes made before issue 9 (the library's 64 MiB, 3 passes, 4 lanes) still open the
    account, and are replaced by one at the current costs at that login."""
    former = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4).hash(PASSWORD)
    account_of(db, COORD).password_hash = former
    db.commit()
    assert can_log_in(app, COORD)
    assert "$m=19456,t=2,p=1$" in account_of(db, COORD).password_hash
    assert can_log_in(app, COORD)


def test_importing_the_core_computes_no_hash() -> None:
    """Cold start: the equal-time dummy hash is made at the first unknown email, not at
    import."""
    code = ("import core.app, core.auth.passwords as p; "
            "print(p._dummy_hash.cache_info().currsize)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "0"


def test_weak_hash_is_upgraded_at_login(app: Flask, db: Session, world: World) -> None:
    """A hash made with older, cheaper costs is replaced by a current argon2id one."""
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    account_of(db, COORD).password_hash = weak
    db.commit()
    assert can_log_in(app, COORD)
    stored = account_of(db, COORD).password_hash
    assert stored != weak
    assert stored.startswith("$argon2id$")
    assert can_log_in(app, COORD)


# --- no account enumeration ----------------------------------------------------------------


def _deactivate_person(db: Session, world: World) -> None:
    world.coordinator_a.active = False
    db.commit()


def _remove_password(db: Session, world: World) -> None:
    account_of(db, COORD).password_hash = None
    db.commit()


@pytest.mark.parametrize(
    ("arrange", "password"),
    [
        pytest.param(None, "pas-le-bon-mot-de-passe", id="wrong-password"),
        pytest.param(_deactivate_person, PASSWORD, id="deactivated-person"),
        pytest.param(_remove_password, PASSWORD, id="account-without-password"),
    ],
)
def test_login_answer_does_not_tell_whether_the_account_exists(
    app: Flask, db: Session, world: World, arrange, password: str
) -> None:
    """A known account that cannot log in answers exactly like an unknown email."""
    if arrange:
        arrange(db, world)
    unknown = attempt(app.test_client(), UNKNOWN, password)
    known = attempt(app.test_client(), COORD, password)
    assert known.status_code == unknown.status_code
    assert known.status_code == 422
    assert comparable(known, COORD) == comparable(unknown, UNKNOWN)
    assert field_error(known, "password") == BAD_CREDENTIALS


@pytest.mark.parametrize(
    "known",
    [
        pytest.param(COORD, id="account"),
        pytest.param("samir@test.org", id="person-without-account"),
    ],
)
def test_forgotten_password_answer_does_not_tell_whether_the_account_exists(
    app: Flask, world: World, known: str
) -> None:
    """Same redirect and same message for every address; only a real account gets mail."""
    pages = {}
    for email in (known, UNKNOWN):
        client = app.test_client()
        response = request_reset(client, email)
        assert response.status_code == 303
        assert urlsplit(response.location).path == "/login"
        pages[email] = _CSRF_VALUE.sub(r"\1\2", text_of(client.get("/login")))
    assert pages[known] == pages[UNKNOWN]
    assert "Si un compte correspond à cette adresse" in pages[known]
    with app.app_context():
        sent = [message["To"] for message in outbox()]
    assert sent == ([COORD] if known == COORD else [])


def test_no_password_link_for_a_deactivated_person(app: Flask, db: Session,
                                                    world: World) -> None:
    """A deactivated person gets the usual answer but no email."""
    _deactivate_person(db, world)
    assert request_reset(app.test_client(), COORD).status_code == 303
    with app.app_context():
        assert outbox() == []


# --- rate limiting -------------------------------------------------------------------------


def fail(app: Flask, email: str, times: int, *, address: str = "127.0.0.1") -> None:
    for _ in range(times):
        response = attempt(app.test_client(), email, "pas-le-bon-mot-de-passe", address=address)
        assert response.status_code == 422


def assert_throttled(response: TestResponse) -> None:
    assert response.status_code == 429
    assert "Trop de tentatives" in (field_error(response, "email") or "")


def test_account_is_locked_after_too_many_failures(app: Flask, world: World) -> None:
    """Past the per-account limit from one address, even the right password is refused
    there (429), in French."""
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    fail(app, COORD, limit)
    client = app.test_client()
    assert_throttled(attempt(client, COORD))
    assert not is_logged_in(client)
    # The lock is on that account, not on the address it was attacked from.
    assert attempt(app.test_client(), "admin.a@test.org").status_code == 303


def test_unknown_email_is_locked_like_a_known_one(app: Flask, world: World) -> None:
    """The lock does not reveal which addresses have an account."""
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    fail(app, UNKNOWN, limit)
    assert_throttled(attempt(app.test_client(), UNKNOWN))


def test_address_is_blocked_after_failures_on_many_accounts(
    app: Flask, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spraying one password over many emails from one address blocks that address only."""
    monkeypatch.setitem(app.config, "LOGIN_MAX_FAILURES_PER_ADDRESS", 3)
    for email in ("admin.a@test.org", "benevole.a@test.org", UNKNOWN):
        fail(app, email, 1, address="127.0.0.2")
    assert_throttled(attempt(app.test_client(), COORD, address="127.0.0.2"))
    assert attempt(app.test_client(), COORD, address="127.0.0.3").status_code == 303


def test_successful_login_clears_the_account_failures(app: Flask, world: World) -> None:
    """Failures before a successful login no longer count towards the lock."""
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    fail(app, COORD, limit - 1)
    assert can_log_in(app, COORD)
    fail(app, COORD, limit - 1)
    assert can_log_in(app, COORD)


@pytest.mark.parametrize(("minutes_past_window", "status"), [(1, 303), (-1, 429)])
def test_only_failures_inside_the_window_count(
    app: Flask, db: Session, world: World, minutes_past_window: int, status: int
) -> None:
    """Failures older than LOGIN_WINDOW_MINUTES are forgotten; recent ones are not."""
    age = timedelta(minutes=app.config["LOGIN_WINDOW_MINUTES"] + minutes_past_window)
    with app.app_context():
        subject = subject_key(COORD)
    db.add_all(
        LoginAttempt(kind="login", address="127.0.0.1", subject=subject,
                     succeeded=False, created_at=utcnow() - age)
        for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"])
    )
    db.commit()
    assert attempt(app.test_client(), COORD).status_code == status


def test_limit_holds_against_simultaneous_attempts(app: Flask, world: World) -> None:
    """Many guesses fired at once (several workers) get no more tries than the limit."""
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    count = limit * 4
    clients = [app.test_client() for _ in range(count)]
    tokens = [csrf_token(client) for client in clients]
    start = threading.Barrier(count)

    def guess(index: int) -> int:
        start.wait()
        data = {"email": COORD, "password": "pas-le-bon-mot-de-passe",
                "csrf_token": tokens[index]}
        return clients[index].post("/login", data=data).status_code

    with ThreadPoolExecutor(count) as pool:
        statuses = list(pool.map(guess, range(count)))
    assert set(statuses) <= {422, 429}
    guessed = statuses.count(422)
    assert 1 <= guessed <= limit
    # Refused attempts are not counted: what is left of the budget is still usable.
    fail(app, COORD, limit - guessed)
    assert_throttled(attempt(app.test_client(), COORD))


def test_password_link_requests_are_limited(app: Flask, world: World) -> None:
    """Nobody can flood a mailbox with password links."""
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        assert request_reset(app.test_client(), COORD).status_code == 303
    response = request_reset(app.test_client(), COORD)
    assert response.status_code == 429
    assert "Trop de tentatives" in (field_error(response, "email") or "")
    with app.app_context():
        assert len(outbox()) == limit


def test_failures_are_stored_without_the_email(app: Flask, db: Session, world: World) -> None:
    """The attempts table keeps a keyed hash, not a list of the addresses tried."""
    fail(app, UNKNOWN, 1)
    db.rollback()
    subjects = db.scalars(select(LoginAttempt.subject)).all()
    assert subjects
    assert all(UNKNOWN not in subject for subject in subjects)


# --- where the login leads -----------------------------------------------------------------

# As typed in the address bar (decoded by the server before the view sees them).
HOSTILE_NEXT = [
    "//evil.example",
    "/\\evil.example",
    "https://evil.example/",
    "\\\\evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
    "///evil.example",
    "/\\/evil.example",
    "http:/evil.example",
    " //evil.example",
    # Issue 9: values that only look internal once a browser (or a proxy) has read them.
    "/%2F%2Fevil.example",  # an encoded "//", decoded by the next hop
    "/.//evil.example",  # "/." is dropped: "//evil.example"
    "/%09/evil.example",  # browsers drop tabs: "//evil.example"
    "/%252F%252Fevil.example",  # encoded twice
    "/%2e%2e//evil.example",  # "/.." resolved, then "//"
    "/partenaires/..//evil.example",
    "/%5Cevil.example",  # an encoded backslash, read as "/"
    "/%5C%5Cevil.example",
    "/%0D%0ASet-Cookie:%20x=1",  # encoded CR/LF
    "/\r\nLocation: https://evil.example",
    "/%00/evil.example",
    "https:evil.example",
    "https:/evil.example",
    "HTTPS://evil.example",
    "/" + "a" * 2001,  # longer than any page of the site
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_is_safe_redirect_refuses_other_sites(target: str) -> None:
    """Nothing that a browser could read as another host or a script is accepted."""
    assert not is_safe_redirect(target)


@pytest.mark.parametrize("target", [
    "/", "/partenaires/", "/personnes/?q=a%20b", "/partenaires/?type=ccas#liste",
    "/agenda/../partenaires/", "/personnes/?retour=//ailleurs",  # "//" in the query only
])
def test_is_safe_redirect_accepts_paths_of_the_site(target: str) -> None:
    assert is_safe_redirect(target)


@pytest.mark.parametrize("target", [None, ""])
def test_is_safe_redirect_refuses_nothing(target: str | None) -> None:
    assert not is_safe_redirect(target)


# The same, as raw query strings an attacker would put in a link.
HOSTILE_QUERIES = [
    "next=//evil.example",
    "next=/\\evil.example",
    "next=https://evil.example/",
    "next=\\\\evil.example",
    "next=/%09/evil.example",
    "next=javascript:alert(1)",
    "next=%2F%2Fevil.example",
    "next=/%5Cevil.example",
    *(urlencode({"next": target}) for target in HOSTILE_NEXT),
]


@pytest.mark.parametrize("query", HOSTILE_QUERIES)
def test_login_never_leads_off_site(client: FlaskClient, world: World, query: str) -> None:
    """A hostile ``next`` falls back to the dashboard, before and after logging in, and
    the login form does not carry it along."""
    url = f"/login?{query}"
    assert "evil" not in text_of(client.get(url)).lower()
    response = attempt(client, COORD, url=url)
    assert response.status_code == 303
    assert urlsplit(response.location).path == "/"
    assert "evil" not in response.location
    # Already logged in: the login page redirects too, still not off site.
    again = client.get(url)
    assert again.status_code in {302, 303}
    assert urlsplit(again.location).path == "/"
    assert "evil" not in again.location


def test_login_honours_a_next_inside_the_site(client: FlaskClient, world: World) -> None:
    response = attempt(client, COORD, url="/login?next=/partenaires/")
    assert response.status_code == 303
    assert response.location == "/partenaires/"


def test_protected_page_sends_to_login_and_back(client: FlaskClient, world: World) -> None:
    """Anonymous visit -> login form with ``next`` -> logging in there lands on the page."""
    response = client.get("/partenaires/?type=ccas")
    assert response.status_code == 302
    login_url = urlsplit(response.location)
    assert login_url.path == "/login"
    assert parse_qs(login_url.query)["next"] == ["/partenaires/?type=ccas"]

    page = client.get(response.location)
    assert page.status_code == 200
    action = re.search(r'<form method="post" action="([^"]*)"', text_of(page))
    assert action, "no login form"
    landed = attempt(client, COORD, url=html.unescape(action.group(1)))
    assert landed.status_code == 303
    assert landed.location == "/partenaires/?type=ccas"
    assert client.get(landed.location).status_code == 200


# --- logout and CSRF -----------------------------------------------------------------------


def test_logout_needs_a_post(client: FlaskClient, world: World) -> None:
    """A link (GET) cannot log anyone out."""
    login(client, COORD)
    response = client.get("/logout")  # leads to a page offering the button (errors.py)
    assert (response.status_code, response.headers["Location"]) == (303, "/")
    assert is_logged_in(client)


def test_logout_without_csrf_token_is_refused(client: FlaskClient, world: World) -> None:
    """Another site cannot log the user out: no token, no logout."""
    login(client, COORD)
    response = post(client, "/logout", csrf=False)
    assert response.status_code == 400
    assert "Le formulaire a expiré" in text_of(response)
    assert is_logged_in(client)


def test_logout_ends_the_session(client: FlaskClient, world: World) -> None:
    login(client, COORD)
    response = post(client, "/logout")
    assert response.status_code == 303
    assert urlsplit(response.location).path == "/login"
    assert not is_logged_in(client)


def test_login_without_csrf_token_is_refused(client: FlaskClient, world: World) -> None:
    """Login CSRF: a form posted from elsewhere does not log anyone in."""
    response = client.post("/login", data={"email": COORD, "password": PASSWORD})
    assert response.status_code == 400
    page = text_of(response)
    assert "Requête invalide" in page
    assert "Le formulaire a expiré ou ne provient pas de Maillage" in page
    assert not is_logged_in(client)


def test_login_changes_the_session_cookie(client: FlaskClient, world: World) -> None:
    """Session fixation: what an attacker planted before login is gone after it."""
    client.get("/login")
    with client.session_transaction() as planted:
        planted["marque"] = "posée-par-un-tiers"
    login(client, COORD)
    with client.session_transaction() as after:
        assert "marque" not in after


# --- password links ------------------------------------------------------------------------


@pytest.fixture
def link(app: Flask, world: World) -> str:
    """A fresh password link for the coordinator, as received by email."""
    assert request_reset(app.test_client(), COORD).status_code == 303
    with app.app_context():
        assert len(outbox()) == 1
        message = outbox()[0]
    assert message["To"] == COORD
    return reset_link(app)


def assert_link_invalid(response: TestResponse) -> None:
    assert response.status_code == 404
    assert "Ce lien n'est plus valable" in text_of(response)


def test_password_link_is_emailed(app: Flask, link: str) -> None:
    """The email holds a working link to the form to choose a password."""
    with app.app_context():
        message = outbox()[0]
    assert message["Subject"] == "Choisir un nouveau mot de passe Maillage"
    assert app.test_client().get(link).status_code == 200


def test_mismatched_confirmation_changes_nothing(app: Flask, link: str) -> None:
    """The confirmation must match; the message sits next to it; the link stays usable."""
    client = app.test_client()
    response = choose_password(client, link, NEW_PASSWORD, "autre-chose-completement")
    assert response.status_code == 422
    assert field_error(response, "confirm") == "Les deux mots de passe diffèrent."
    assert can_log_in(app, COORD, PASSWORD)
    assert client.get(link).status_code == 200


def test_too_short_password_is_refused(app: Flask, link: str) -> None:
    short = "x" * (MIN_LENGTH - 1)
    response = choose_password(app.test_client(), link, short)
    assert response.status_code == 422
    assert str(MIN_LENGTH) in (field_error(response, "password") or "")
    assert can_log_in(app, COORD, PASSWORD)


def test_password_link_sets_the_new_password_once(app: Flask, db: Session, link: str) -> None:
    """A valid choice: 303 to login, new password works, old one not, link dead."""
    client = app.test_client()
    response = choose_password(client, link, NEW_PASSWORD)
    assert response.status_code == 303
    assert urlsplit(response.location).path == "/login"
    assert account_of(db, COORD).password_hash.startswith("$argon2id$")
    assert can_log_in(app, COORD, NEW_PASSWORD)
    assert not can_log_in(app, COORD, PASSWORD)
    assert_link_invalid(client.get(link))
    assert_link_invalid(choose_password(client, link, "encore-un-autre-mot-de-passe"))
    assert can_log_in(app, COORD, NEW_PASSWORD)


def test_first_access_through_the_forgotten_password_form(app: Flask, db: Session,
                                                          world: World) -> None:
    """An account opened without a password gets its first password by the same link."""
    _remove_password(db, world)
    assert not can_log_in(app, COORD)
    request_reset(app.test_client(), COORD)
    assert choose_password(app.test_client(), reset_link(app), NEW_PASSWORD).status_code == 303
    assert can_log_in(app, COORD, NEW_PASSWORD)


def test_password_reset_logs_out_every_open_session(app: Flask, link: str) -> None:
    """Whoever was logged in with the old password (a thief, say) is logged out."""
    elsewhere = app.test_client()
    login(elsewhere, COORD)
    assert is_logged_in(elsewhere)
    assert choose_password(app.test_client(), link, NEW_PASSWORD).status_code == 303
    assert not is_logged_in(elsewhere)


def test_expired_link_is_refused(app: Flask, db: Session, link: str) -> None:
    db.execute(update(PasswordResetToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.commit()
    client = app.test_client()
    assert_link_invalid(client.get(link))
    assert_link_invalid(choose_password(client, link, NEW_PASSWORD))
    assert can_log_in(app, COORD, PASSWORD)


def test_link_lifetime_follows_the_setting(app: Flask, world: World,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """RESET_TOKEN_MINUTES bounds the link's life (0: dead on arrival)."""
    monkeypatch.setitem(app.config, "RESET_TOKEN_MINUTES", 0)
    request_reset(app.test_client(), COORD)
    assert_link_invalid(app.test_client().get(reset_link(app)))


def test_made_up_link_is_refused(app: Flask, world: World) -> None:
    client = app.test_client()
    assert_link_invalid(client.get("/mot-de-passe/nouveau/inventé-de-toutes-pièces"))
    assert_link_invalid(choose_password(client, "/mot-de-passe/nouveau/abc", NEW_PASSWORD))


def test_using_a_newer_link_kills_the_older_one(app: Flask, link: str) -> None:
    """Two links were sent; once one has served, the other no longer does."""
    request_reset(app.test_client(), COORD)
    second = reset_link(app, 1)
    assert second != link
    assert choose_password(app.test_client(), second, NEW_PASSWORD).status_code == 303
    assert_link_invalid(app.test_client().get(link))
    assert can_log_in(app, COORD, NEW_PASSWORD)


def test_only_a_digest_of_the_link_is_stored(db: Session, link: str) -> None:
    """A copy of the database does not hand out working links."""
    token = link.rsplit("/", 1)[1]
    digests = db.scalars(select(PasswordResetToken.token_digest)).all()
    assert len(digests) == 1
    assert token not in digests[0]


# --- changing one's password ---------------------------------------------------------------


def change_password(client: FlaskClient, current: str, new: str = NEW_PASSWORD) -> TestResponse:
    return post(client, "/compte/mot-de-passe",
                {"current": current, "password": new, "confirm": new})


def test_change_password_needs_the_current_one(app: Flask, client: FlaskClient,
                                               world: World) -> None:
    """Wrong current password: 422, message next to it, nothing changed."""
    login(client, COORD)
    response = change_password(client, "pas-le-mot-de-passe-actuel")
    assert response.status_code == 422
    assert field_error(response, "current") == "Mot de passe actuel incorrect."
    assert can_log_in(app, COORD, PASSWORD)
    assert not can_log_in(app, COORD, NEW_PASSWORD)


def test_change_password(app: Flask, client: FlaskClient, world: World) -> None:
    """Success: 303, the new password works, this browser stays in, others are out."""
    elsewhere = app.test_client()
    login(elsewhere, COORD)
    login(client, COORD)
    response = change_password(client, PASSWORD)
    assert response.status_code == 303
    assert urlsplit(response.location).path == "/compte"
    assert is_logged_in(client)
    assert not is_logged_in(elsewhere)
    assert can_log_in(app, COORD, NEW_PASSWORD)
    assert not can_log_in(app, COORD, PASSWORD)


def test_guessing_the_current_password_is_limited(app: Flask, client: FlaskClient,
                                                  world: World) -> None:
    """A stolen session cannot brute-force the password through the account page."""
    login(client, COORD)
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        assert change_password(client, "pas-le-mot-de-passe-actuel").status_code == 422
    response = change_password(client, PASSWORD)
    assert response.status_code == 429
    assert "Trop de tentatives" in (field_error(response, "current") or "")
    assert is_logged_in(client)
    assert_throttled(attempt(app.test_client(), COORD))


def test_account_page_needs_login(client: FlaskClient, world: World) -> None:
    response = client.get("/compte")
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/login"


# --- cookies -------------------------------------------------------------------------------


def test_session_cookie_is_secure_httponly_and_samesite(
    app: Flask, database_url: str, world: World
) -> None:
    """With SECURE_COOKIES (the default in production) the session cookie is locked down."""
    secure_app = make_app(database_url, SECURE_COOKIES=True)
    try:
        client = secure_app.test_client()
        response = attempt(client, COORD)
        assert response.status_code == 303
        cookies = [value for value in response.headers.getlist("Set-Cookie")
                   if value.startswith("maillage_session=")]
        assert len(cookies) == 1
        attributes = {part.strip().lower() for part in cookies[0].split(";")}
        assert {"secure", "httponly", "samesite=lax"} <= attributes
    finally:
        get_database(secure_app).dispose()


def test_a_password_reset_lifts_the_login_lock(app: Flask, client: FlaskClient,
                                               world: World) -> None:
    """Someone locked out by a guesser gets back in once they chose a new password."""
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for _ in range(limit):
        attempt(app.test_client(), COORD, "mauvais-mot-de-passe")
    assert attempt(app.test_client(), COORD, PASSWORD).status_code == 429
    assert request_reset(client, COORD).status_code == 303
    assert choose_password(client, reset_link(app), NEW_PASSWORD).status_code == 303
    assert can_log_in(app, COORD, NEW_PASSWORD)
