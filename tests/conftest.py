"""Fixtures of the suite: a real database (SQLite, or PostgreSQL when
MAILLAGE_TEST_DATABASE_URL is set), migrated once, emptied after each test."""

from __future__ import annotations

import contextvars
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from core import create_app
from core.auth.accounts import Account
from core.auth.passwords import hash_password
from core.database import Base, get_database
from core.database.migrate import upgrade
from core.members import Association, Membership, Neighbourhood, Person, Role
from core.partners import Barrier, Partner, PartnerContact, PartnerKind, PartnerService
from tests.support import PASSWORD

TEST_DATABASE_URL = os.environ.get("MAILLAGE_TEST_DATABASE_URL", "").strip()

TEST_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "clé-de-test-uniquement",
    "MAIL_BACKEND": "memory",
    "SECURE_COOKIES": False,
    "BASE_URL": "",
}


def pytest_report_header(config: pytest.Config) -> str:
    if TEST_DATABASE_URL:
        url = make_url(TEST_DATABASE_URL)
        return f"database: PostgreSQL {url.host}:{url.port}/{url.database}"
    return "database: SQLite (set MAILLAGE_TEST_DATABASE_URL to run on PostgreSQL too)"


def is_postgresql() -> bool:
    return bool(TEST_DATABASE_URL)


requires_postgresql = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="needs PostgreSQL: MAILLAGE_TEST_DATABASE_URL is not set"
)
sqlite_only = pytest.mark.skipif(
    bool(TEST_DATABASE_URL), reason="checks SQLite-specific settings; this run uses PostgreSQL"
)


def _prepare_postgresql(url: str) -> None:
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


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if TEST_DATABASE_URL:
        _prepare_postgresql(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('database') / 'maillage-test.sqlite3'}"


@pytest.fixture(scope="session")
def instance_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = str(tmp_path_factory.mktemp("instance"))
    previous = os.environ.get("MAILLAGE_INSTANCE_PATH")
    os.environ["MAILLAGE_INSTANCE_PATH"] = path
    yield path
    if previous is None:
        os.environ.pop("MAILLAGE_INSTANCE_PATH", None)
    else:
        os.environ["MAILLAGE_INSTANCE_PATH"] = previous


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


@pytest.fixture(scope="session")
def migrated_app(database_url: str, instance_path: str) -> Flask:
    app = make_app(database_url)
    upgrade(app)
    return app


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


@pytest.fixture
def app(migrated_app: Flask) -> Iterator[Flask]:
    saved_config = dict(migrated_app.config)
    yield migrated_app
    migrated_app.config.clear()
    migrated_app.config.update(saved_config)
    migrated_app.extensions.pop("maillage.outbox", None)
    empty_tables(migrated_app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def autocommit_engine(database_url: str, migrated_app: Flask) -> Iterator[Engine]:
    """An engine outside the app whose every statement commits at once: a test that
    reads after a request always sees what the request committed, on both databases."""
    url = make_url(database_url)
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
def db(app: Flask, autocommit_engine: Engine) -> Iterator[Session]:
    """A session to arrange and check data, separate from the app's requests.

    Objects it already loaded keep their values: call ``db.expire_all()`` (or
    ``db.refresh(obj)``) after a request to read what the request changed.
    """
    test_session = Session(autocommit_engine, expire_on_commit=False)
    yield test_session
    test_session.close()


@pytest.fixture(scope="session")
def password_hash() -> str:
    # One argon2 hash for every test account: hashing is deliberately slow.
    return hash_password(PASSWORD)


@dataclass
class World:
    """Two associations with a person of each role, a neighbourhood and a partner."""

    asso_a: Association
    asso_b: Association
    neighbourhood: Neighbourhood
    collective_admin: Person
    admin_a: Person
    coordinator_a: Person
    volunteer_a: Person
    volunteer2_a: Person
    supported_a: Person
    admin_b: Person
    coordinator_b: Person
    supported_b: Person
    partner: Partner
    other_partner: Partner

    def membership_id(self, person: Person, association: Association) -> int:
        return next(m.id for m in person.memberships if m.association_id == association.id)


def add_person(db: Session, first: str, last: str, email: str | None,
               memberships: list[tuple[Association, Role]], *, password_hash: str | None = None,
               collective_admin: bool = False) -> Person:
    person = Person(first_name=first, last_name=last, email=email)
    person.memberships = [Membership(association=a, role=r) for a, r in memberships]
    if password_hash:
        person.account = Account(password_hash=password_hash, is_collective_admin=collective_admin)
    db.add(person)
    return person


@pytest.fixture
def world(db: Session, password_hash: str) -> World:
    neighbourhood = Neighbourhood(name="Franc-Moisin", city="Saint-Denis", qpv_code="QN09316M")
    asso_a = Association(name="Association Alpha", short_name="Alpha", slug="alpha",
                         neighbourhoods=[neighbourhood])
    asso_b = Association(name="Association Bêta", short_name="Bêta", slug="beta")
    db.add_all([neighbourhood, asso_a, asso_b])
    h = password_hash
    people = {
        "collective_admin": add_person(db, "Camille", "Collectif", "collectif@test.org", [],
                                       password_hash=h, collective_admin=True),
        "admin_a": add_person(db, "Alice", "Admin", "admin.a@test.org",
                              [(asso_a, Role.ADMIN)], password_hash=h),
        "coordinator_a": add_person(db, "Chloé", "Coord", "coord.a@test.org",
                                    [(asso_a, Role.COORDINATOR)], password_hash=h),
        "volunteer_a": add_person(db, "Victor", "Volontaire", "benevole.a@test.org",
                                  [(asso_a, Role.VOLUNTEER)], password_hash=h),
        "volunteer2_a": add_person(db, "Valérie", "Volontaire", None,
                                   [(asso_a, Role.VOLUNTEER)]),
        "supported_a": add_person(db, "Samir", "Suivi", "samir@test.org",
                                  [(asso_a, Role.SUPPORTED)]),
        "admin_b": add_person(db, "Bruno", "Admin", "admin.b@test.org",
                              [(asso_b, Role.ADMIN)], password_hash=h),
        "coordinator_b": add_person(db, "Berthe", "Coord", "coord.b@test.org",
                                    [(asso_b, Role.COORDINATOR)], password_hash=h),
        "supported_b": add_person(db, "Sarah", "Suivie", "sarah@test.org",
                                  [(asso_b, Role.SUPPORTED)]),
    }
    partner = Partner(name="Mission Locale Test", kind=PartnerKind.MISSION_LOCALE,
                      neighbourhoods=[neighbourhood], associations=[asso_a])
    partner.contacts = [PartnerContact(first_name="Paul", last_name="Conseiller")]
    service = PartnerService(name="Garde d'enfants solidaire")
    service.barriers = [Barrier.CHILDCARE]
    partner.services = [service]
    other = Partner(name="CCAS Test", kind=PartnerKind.CCAS)
    other.contacts = [PartnerContact(first_name="Olga", last_name="Autre")]
    other_service = PartnerService(name="Domiciliation")
    other_service.barriers = [Barrier.ADMINISTRATIVE, Barrier.HOUSING]
    other.services = [other_service]
    db.add_all([partner, other])
    db.commit()
    return World(asso_a=asso_a, asso_b=asso_b, neighbourhood=neighbourhood, partner=partner,
                 other_partner=other, **people)
