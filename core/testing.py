"""Maillage's testing kit, a pytest plugin installed with Maillage.

Plugin authors get real databases and real requests, as the core's own suite does:
SQLite in a temporary folder, or PostgreSQL when ``MAILLAGE_TEST_DATABASE_URL`` is set;
migrations (core and every installed plugin) applied once per session; every table
emptied after each test. Fixtures (their names are also in ``core.plugin_api``):

- ``maillage_app``: the Flask app (``TESTING``: plugin failures raise).
- ``maillage_client``: a test client whose requests run as a real server would.
- ``maillage_db``: a SQLAlchemy session, autocommit, to arrange and check data.
- ``maillage_association``: an association, as an ``AssociationRef``.
- ``maillage_other_association``: a second one, to check that its records stay its own.
- ``maillage_people``: ``PersonRef`` by role: ``admin``, ``coordinator``, ``volunteer``,
  ``supported`` (no account) and ``collective_admin``; ``other_coordinator`` and
  ``other_supported`` in the other association.
- ``maillage_users``: the same people with an account, as core ``Person`` objects
  (deprecated: plugins never see core models; use ``maillage_people``).
- ``maillage_login``: ``maillage_login(client, person)`` logs a person in (out first, if
  someone else is logged in on that client).
- ``maillage_as_user``: ``with maillage_as_user(person):`` a request as that person, to
  call hooks whose answer depends on the user's roles.
- ``maillage_enable_plugin``: ``maillage_enable_plugin("name", association, settings={})``.
- ``maillage_post``: ``maillage_post(client, url, data)`` posts a form with the session's
  CSRF token, as a browser would.
- ``maillage_outbox``: the emails sent during the test (``email.message.EmailMessage``).
- ``maillage_page_text``: ``maillage_page_text(response)``, the text a reader sees (tags
  out, ``&#39;`` back to ``'``), for assertions on French sentences.
- ``maillage_route_matrix``: ``maillage_route_matrix("plugin", cases)`` checks the expected
  status of each route for each role (the test runs once per role) and fails on a route of
  the plugin that no case covers.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_login import login_user
from sqlalchemy import Engine, create_engine, event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, joinedload

from core.app import create_app
from core.auth.accounts import Account
from core.auth.passwords import hash_password
from core.database import Base, get_database, session
from core.database.migrate import upgrade
from core.mail import OUTBOX_KEY
from core.members import Association, Membership, Person, Role
from core.pluginhost.activation import PluginActivation
from core.pluginhost.contributions import AssociationRef, PersonRef
from core.testing_client import (  # noqa: F401 - also imported from here (bench, the suite)
    TEST_PASSWORD,
    csrf_token,
    login,
    logout,
    page_text,
)
from core.testing_routes import MATRIX_ROLES, check_route_matrix

TEST_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "clé-de-test-uniquement",
    "MAIL_BACKEND": "memory",
    "SECURE_COOKIES": False,
    "BASE_URL": "",
}


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
            # TRUNCATE costs PostgreSQL new files for every table and index, rows or not (a
            # tenth of a second per test over a hundred tables). A test leaves a few rows in a
            # few tables: find those tables in one query, delete their rows, and restart the
            # sequences that were used, as RESTART IDENTITY did.
            probe = " UNION ALL ".join(
                f"SELECT '{table.name}' WHERE EXISTS (SELECT 1 FROM \"{table.name}\")"  # noqa: S608
                for table in tables
            )
            filled = set(connection.execute(text(probe)).scalars())
            for table in reversed(tables):
                if table.name in filled:
                    connection.execute(table.delete())
            connection.execute(text(
                "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false) "
                "FROM pg_sequences WHERE last_value IS NOT NULL AND schemaname = current_schema()"
            ))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())


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
    return _association(maillage_db, "Association de test", "Test", "test")


@pytest.fixture
def maillage_other_association(maillage_db: Session) -> AssociationRef:
    return _association(maillage_db, "Autre association de test", "Autre", "autre")


def _association(db: Session, name: str, short_name: str, slug: str) -> AssociationRef:
    association = Association(name=name, short_name=short_name, slug=slug)
    db.add(association)
    db.commit()
    return AssociationRef(id=association.id, slug=association.slug, name=association.name,
                          short_name=association.short_name)


_USER_ROLES = ("admin", "coordinator", "volunteer", "collective_admin")


def _person(db: Session, key: str, association: AssociationRef | None, role: Role | None,
            password_hash: str | None, *, collective_admin: bool = False) -> Person:
    """``key`` names the person: « Coordinator Test », coordinator@test.invalid."""
    # « Collective_admin », as maillage_users always named them; the new ones read better.
    first_name = key.capitalize() if key in _USER_ROLES else key.replace("_", " ").capitalize()
    person = Person(first_name=first_name, last_name="Test",
                    email=f"{key.replace('_', '-')}@test.invalid")
    if password_hash is not None:
        person.account = Account(password_hash=password_hash, is_collective_admin=collective_admin)
    if association is not None and role is not None:
        person.memberships = [Membership(association_id=association.id, role=role)]
    db.add(person)
    return person


def _ref(person: Person) -> PersonRef:
    return PersonRef(id=person.id, first_name=person.first_name, last_name=person.last_name)


@pytest.fixture
def maillage_users(maillage_db: Session, maillage_association: AssociationRef,
                   maillage_password_hash: str) -> dict[str, Person]:
    """People with an account (password ``TEST_PASSWORD``), by role in the association.

    Deprecated: these are core ``Person`` objects; ``maillage_people`` gives the same
    people as ``PersonRef``, what hooks receive. Kept for the plugins that use it.
    """
    users = {role: _person(maillage_db, role, maillage_association, Role(role),
                           maillage_password_hash)
             for role in _USER_ROLES if role != "collective_admin"}
    users["collective_admin"] = _person(maillage_db, "collective_admin", None, None,
                                        maillage_password_hash, collective_admin=True)
    maillage_db.commit()
    return users


@pytest.fixture
def maillage_people(maillage_db: Session, maillage_users: dict[str, Person],
                    maillage_association: AssociationRef,
                    maillage_other_association: AssociationRef,
                    maillage_password_hash: str) -> dict[str, PersonRef]:
    """``maillage_users`` as ``PersonRef``, a person supported (no account) in the
    association, and a coordinator and a person supported in the other association."""
    people = dict(maillage_users)
    people["supported"] = _person(maillage_db, "supported", maillage_association,
                                  Role.SUPPORTED, None)
    people["other_coordinator"] = _person(maillage_db, "other_coordinator",
                                          maillage_other_association, Role.COORDINATOR,
                                          maillage_password_hash)
    people["other_supported"] = _person(maillage_db, "other_supported",
                                        maillage_other_association, Role.SUPPORTED, None)
    maillage_db.commit()
    return {key: _ref(person) for key, person in people.items()}


def _email_of(db: Session, person: Person | PersonRef) -> str:
    email = getattr(person, "email", None) or db.scalar(
        select(Person.email).join(Account).where(Person.id == person.id))
    assert email, f"{person.first_name} {person.last_name} has no account to log in with"
    return str(email)


@pytest.fixture
def maillage_login(maillage_db: Session) -> Callable[[FlaskClient, Person | PersonRef], None]:
    def log_in(client: FlaskClient, person: Person | PersonRef) -> None:
        login(client, _email_of(maillage_db, person))

    return log_in


@pytest.fixture
def maillage_as_user(
        maillage_app: Flask) -> Callable[[Person | PersonRef], AbstractContextManager[None]]:
    """A request of the person's, for code that asks who the user is (``has_role``,
    ``current_person``): outside one, every role check answers no."""

    @contextmanager
    def as_user(person: Person | PersonRef) -> Iterator[None]:
        # A context of its own: nothing the test's contexts cached (roles…) leaks in.
        with maillage_app.app_context(), maillage_app.test_request_context():
            account = session.scalar(select(Account).options(joinedload(Account.person))
                                     .where(Account.person_id == person.id))
            assert account is not None, (
                f"{person.first_name} {person.last_name} has no account: nobody to act as")
            login_user(account)
            yield

    return as_user


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


@pytest.fixture
def maillage_page_text() -> Callable[[Any], str]:
    return page_text


@pytest.fixture(params=MATRIX_ROLES)
def maillage_route_matrix(request: pytest.FixtureRequest, maillage_app: Flask,
                          maillage_users: dict[str, Person],
                          maillage_login: Callable[[FlaskClient, Person], None],
                          ) -> Callable[[str, list[tuple[Any, ...]]], None]:
    """``maillage_route_matrix("plugin", cases)``: a test using it runs once per role of
    ``MATRIX_ROLES``, each time on a fresh database, with that role logged in."""
    role = request.param

    def client_of(role: str) -> FlaskClient:
        client = maillage_app.test_client()
        if role != "anonymous":
            maillage_login(client, maillage_users[role])
        return client

    def check(plugin: str, cases: list[tuple[Any, ...]]) -> None:
        check_route_matrix(maillage_app, plugin, cases, role, client_of)

    return check
