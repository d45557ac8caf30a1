"""Fixtures of the suite: a real database (SQLite, or PostgreSQL when
MAILLAGE_TEST_DATABASE_URL is set), migrated once, emptied after each test."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from core.auth.accounts import Account
from core.database.migrate import upgrade
from core.members import Association, Membership, Neighbourhood, Person, Role
from core.partners import Barrier, Partner, PartnerContact, PartnerKind, PartnerService
from core.testing import (  # noqa: F401 - re-exported for the suite's modules
    IsolatedClient,
    configured_test_database_url,
    empty_tables,
    make_app,
)

TEST_DATABASE_URL = configured_test_database_url()


def pytest_report_header(config: pytest.Config) -> str:
    if TEST_DATABASE_URL:
        url = make_url(TEST_DATABASE_URL)
        return f"database: PostgreSQL {url.host}:{url.port}/{url.database}"
    return "database: SQLite (set MAILLAGE_TEST_DATABASE_URL to run on PostgreSQL too)"


requires_postgresql = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="needs PostgreSQL: MAILLAGE_TEST_DATABASE_URL is not set"
)
sqlite_only = pytest.mark.skipif(
    bool(TEST_DATABASE_URL), reason="checks SQLite-specific settings; this run uses PostgreSQL"
)


# A complete plugin, loaded (not enabled) in the suite's app so that every page and the
# migrations are exercised with a plugin present.
SUITE_PLUGINS = {"exemplum": "tests.plugin_fixtures.exemplum.plugin"}


@pytest.fixture(scope="session")
def maillage_migrated_app(maillage_database_url: str, maillage_instance_path: str) -> Flask:
    """The kit's app, plus the suite's example plugin."""
    app = make_app(maillage_database_url, PLUGIN_MODULES=SUITE_PLUGINS)
    upgrade(app)
    return app


# The suite uses the testing kit (core/testing.py) under shorter names.
@pytest.fixture(scope="session")
def database_url(maillage_database_url: str) -> str:
    return maillage_database_url


@pytest.fixture(scope="session")
def migrated_app(maillage_migrated_app: Flask) -> Flask:
    return maillage_migrated_app


@pytest.fixture
def app(maillage_app: Flask) -> Flask:
    return maillage_app


@pytest.fixture
def client(maillage_client: FlaskClient) -> FlaskClient:
    return maillage_client


@pytest.fixture
def db(maillage_db: Session) -> Session:
    return maillage_db


@pytest.fixture(scope="session")
def password_hash(maillage_password_hash: str) -> str:
    return maillage_password_hash


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
    return build_world(db, password_hash)


def build_world(db: Session, password_hash: str) -> World:
    """The ``world`` fixture's data, committed; also built once per module by the browser
    tests, whose live server outlives a single test."""
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
