"""Maillage's testing kit, a pytest plugin installed with Maillage.

Plugin authors get real databases and real requests, as the core's own suite does:
SQLite in a temporary folder, or PostgreSQL when ``MAILLAGE_TEST_DATABASE_URL`` is set;
migrations (core and every installed plugin) applied once per session; every table
emptied after each test. Fixtures (their names are also in ``core.plugin_api``):

- ``maillage_app``: the Flask app (``TESTING``: plugin failures raise).
- ``maillage_client``: a test client whose requests run as a real server would.
- ``maillage_db``: a SQLAlchemy session, autocommit, to arrange and check data.
- ``maillage_association``: an association, as an ``AssociationRef``.
- ``maillage_users``: people with an account in it, by role: ``admin``,
  ``coordinator``, ``volunteer``, and ``collective_admin``.
- ``maillage_login``: ``maillage_login(client, user)`` logs a user in.
- ``maillage_enable_plugin``: ``maillage_enable_plugin("name", association, settings={})``.
- ``maillage_post``: ``maillage_post(client, url, data)`` posts a form with the session's
  CSRF token, as a browser would.
- ``maillage_outbox``: the emails sent during the test (``email.message.EmailMessage``).
"""

from __future__ import annotations

import contextvars
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from core.app import create_app
from core.auth.accounts import Account
from core.auth.passwords import hash_password
from core.database import Base, get_database
from core.database.migrate import upgrade
from core.mail import OUTBOX_KEY
from core.members import Association, Membership, Person, Role
from core.pluginhost.activation import PluginActivation
from core.pluginhost.contributions import AssociationRef

TEST_PASSWORD = "mot-de-passe-de-test"  # noqa: S105 - test accounts only
TEST_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "clé-de-test-uniquement",
    "MAIL_BACKEND": "memory",
    "SECURE_COOKIES": False,
    "BASE_URL": "",
}
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def configured_test_database_url() -> str:
    return os.environ.get("MAILLAGE_TEST_DATABASE_URL", "").strip()


class IsolatedClient(FlaskClient):
    """Runs each request in a fresh context, as a real server does.

    Flask reuses an app context that is already pushed (say, by a test that opened
    one to read the outbox); the request would then share its ``g`` (CSRF token,
    roles, database session) with the test and with the requests before it.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_app(database_url: str, **overrides: Any) -> Flask:
    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url, **overrides})
    app.test_client_class = IsolatedClient
    return app


def prepare_postgresql(url: str) -> None:
    """Create the test database if needed and empty it: each run starts from nothing."""
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
        ).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    server.dispose()
    target = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with target.connect() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    target.dispose()


def empty_tables(app: Flask) -> None:
    engine = get_database(app).engine
    tables = Base.metadata.sorted_tables
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())


def csrf_token(client: FlaskClient) -> str:
    """The session's CSRF token, read from a page that always carries a form."""
    found = _CSRF.search(client.get("/mot-de-passe/oublie").get_data(as_text=True))
    assert found, "no CSRF token on the page"
    return found.group(1)


def login(client: FlaskClient, email: str, password: str = TEST_PASSWORD) -> None:
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 303, f"login of {email} failed: {response.status_code}"


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def maillage_database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = configured_test_database_url()
    if url:
        prepare_postgresql(url)
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('database') / 'maillage-test.sqlite3'}"


@pytest.fixture(scope="session")
def maillage_instance_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = str(tmp_path_factory.mktemp("instance"))
    previous = os.environ.get("MAILLAGE_INSTANCE_PATH")
    os.environ["MAILLAGE_INSTANCE_PATH"] = path
    yield path
    if previous is None:
        os.environ.pop("MAILLAGE_INSTANCE_PATH", None)
    else:
        os.environ["MAILLAGE_INSTANCE_PATH"] = previous


@pytest.fixture(scope="session")
def maillage_migrated_app(maillage_database_url: str, maillage_instance_path: str) -> Flask:
    app = make_app(maillage_database_url)
    upgrade(app)
    return app


@pytest.fixture
def maillage_app(maillage_migrated_app: Flask) -> Iterator[Flask]:
    app = maillage_migrated_app
    saved_config = dict(app.config)
    yield app
    app.config.clear()
    app.config.update(saved_config)
    app.extensions.pop(OUTBOX_KEY, None)
    empty_tables(app)


@pytest.fixture
def maillage_client(maillage_app: Flask) -> FlaskClient:
    return maillage_app.test_client()


@pytest.fixture(scope="session")
def maillage_autocommit_engine(maillage_database_url: str,
                               maillage_migrated_app: Flask) -> Iterator[Engine]:
    """An engine outside the app whose every statement commits at once: a test that
    reads after a request sees what the request committed, on both databases."""
    url = make_url(maillage_database_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    if url.get_backend_name() == "sqlite":
        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.execute("PRAGMA foreign_keys=ON")
            dbapi_connection.execute("PRAGMA busy_timeout=30000")
    yield engine
    engine.dispose()


@pytest.fixture
def maillage_db(maillage_app: Flask, maillage_autocommit_engine: Engine) -> Iterator[Session]:
    """A session to arrange and check data, separate from the app's requests.

    Objects it already loaded keep their values: call ``db.expire_all()`` (or
    ``db.refresh(obj)``) after a request to read what the request changed.
    """
    test_session = Session(maillage_autocommit_engine, expire_on_commit=False)
    yield test_session
    test_session.close()


@pytest.fixture(scope="session")
def maillage_password_hash() -> str:
    # One argon2 hash for every test account: hashing is deliberately slow.
    return hash_password(TEST_PASSWORD)


@pytest.fixture
def maillage_association(maillage_db: Session) -> AssociationRef:
    association = Association(name="Association de test", short_name="Test", slug="test")
    maillage_db.add(association)
    maillage_db.commit()
    return AssociationRef(id=association.id, slug=association.slug, name=association.name,
                          short_name=association.short_name)


@pytest.fixture
def maillage_users(maillage_db: Session, maillage_association: AssociationRef,
                   maillage_password_hash: str) -> dict[str, Person]:
    """People with an account (password ``TEST_PASSWORD``), by role in the association."""
    users = {}
    for role in ("admin", "coordinator", "volunteer", "collective_admin"):
        person = Person(first_name=role.capitalize(), last_name="Test",
                        email=f"{role.replace('_', '-')}@test.invalid")
        person.account = Account(password_hash=maillage_password_hash,
                                 is_collective_admin=role == "collective_admin")
        if role != "collective_admin":
            person.memberships = [Membership(association_id=maillage_association.id,
                                             role=Role(role))]
        maillage_db.add(person)
        users[role] = person
    maillage_db.commit()
    return users


@pytest.fixture
def maillage_login() -> Callable[[FlaskClient, Person], None]:
    def log_in(client: FlaskClient, user: Person) -> None:
        login(client, user.email or "")

    return log_in


@pytest.fixture
def maillage_enable_plugin(maillage_db: Session) -> Callable[..., None]:
    def enable(plugin: str, association: AssociationRef,
               settings: dict[str, Any] | None = None, *, enabled: bool = True) -> None:
        maillage_db.add(PluginActivation(plugin=plugin, association_id=association.id,
                                         enabled=enabled, settings=settings or {}))
        maillage_db.commit()

    return enable


@pytest.fixture
def maillage_post() -> Callable[..., Any]:
    def post(client: FlaskClient, url: str, data: dict[str, Any] | None = None,
             **kwargs: Any) -> Any:
        return client.post(url, data={**(data or {}), "csrf_token": csrf_token(client)}, **kwargs)

    return post


@pytest.fixture
def maillage_outbox(maillage_app: Flask) -> list[Any]:
    """Emails sent during the test (the kit's app uses the ``memory`` mail backend)."""
    return maillage_app.extensions.setdefault(OUTBOX_KEY, [])
