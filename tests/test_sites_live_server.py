"""Through a real HTTP server: coordinators allocating one lot for overlapping periods at the
same instant — exactly one allocation is saved, the others are refused in French (422).

On SQLite the POST holds the write lock from its first statement; on PostgreSQL the
exclusion constraint of the plugin's migration refuses the second insert. The same test runs
on both (MAILLAGE_TEST_DATABASE_URL). Browsers and barrier are the agenda's live-server test's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.agenda.clock import paris_today
from core.auth.accounts import Account
from core.members import Association, Membership, Person, Role
from core.pluginhost.activation import PluginActivation
from core.testing import empty_tables
from plugins.sites.models import Allocation, Lot, LotKind, Site
from tests.support import live_server
from tests.test_agenda_live_server import Browser, at_once

TEAM = 6


@pytest.fixture(scope="module")
def served(maillage_migrated_app: Flask, maillage_autocommit_engine: Engine,
           maillage_password_hash: str) -> Iterator[tuple[str, list[Browser], Engine]]:
    app = maillage_migrated_app
    empty_tables(app)
    with Session(maillage_autocommit_engine, expire_on_commit=False) as db:
        association = Association(name="Association Friche", short_name="Friche", slug="friche")
        people = []
        for index in range(TEAM):
            person = Person(first_name=f"Coord{index}", last_name="Friche", email=f"friche{index}@test.org")
            person.memberships = [Membership(association=association, role=Role.COORDINATOR)]
            person.account = Account(password_hash=maillage_password_hash)
            people.append(person)
        db.add_all([association, *people])
        db.flush()
        db.add(PluginActivation(plugin="sites", association_id=association.id))
        db.commit()
        identities = [(person.email or "", person.id) for person in people]
    try:
        with live_server(app) as server:
            team = [Browser(server.base, email, person_id) for email, person_id in identities]
            for browser in team:  # one after the other: the login limit counts per address
                browser.login()
            yield server.base, team, maillage_autocommit_engine
    finally:
        empty_tables(app)


def new_lot(engine: Engine, code: str) -> int:
    today = paris_today()
    with Session(engine) as db:
        association_id = db.scalar(select(Association.id).where(Association.slug == "friche"))
        site = Site(association_id=association_id, name=f"Site {code}", address="1 rue Haute",
                    total_area=Decimal(100), available_from=today,
                    available_until=today + timedelta(days=900))
        db.add(site)
        db.flush()
        lot = Lot(association_id=association_id, site_id=site.id, code=code, kind=LotKind.WORKSHOP,
                  area=Decimal(40), fee_per_m2=Decimal(5), charges=Decimal(0))
        db.add(lot)
        db.commit()
        return lot.id


def test_overlapping_allocations_of_one_lot_sent_at_once_save_exactly_one(served):
    _, team, engine = served
    lot_id = new_lot(engine, "A1")
    url = f"/p/sites/friche/lots/{lot_id}/attributions/nouvelle"
    tokens = [browser.token(url) for browser in team]
    today = paris_today()
    # Every period overlaps every other: each starts a few days later, all last 200 days.
    forms = [{"csrf_token": token, "occupant": f"Occupant {index}", "contact_person_id": "0",
              "starts_on": (today + timedelta(days=10 + index)).isoformat(),
              "ends_on": (today + timedelta(days=210 + index)).isoformat()}
             for index, token in enumerate(tokens)]
    replies = at_once([lambda browser=browser, form=form: browser.post(url, form)
                       for browser, form in zip(team, forms, strict=True)])
    statuses = sorted(reply.status for reply in replies)
    assert statuses == [303] + [422] * (TEAM - 1), statuses
    assert all("Ce lot est déjà attribué" in reply.text for reply in replies if reply.status == 422)
    with Session(engine) as db:
        saved = db.scalars(select(Allocation.occupant).where(Allocation.lot_id == lot_id)).all()
    assert len(saved) == 1


def test_back_to_back_allocations_sent_at_once_are_all_saved(served):
    """The guard refuses overlaps only: periods that meet without overlapping all pass."""
    _, team, engine = served
    lot_id = new_lot(engine, "B1")
    url = f"/p/sites/friche/lots/{lot_id}/attributions/nouvelle"
    tokens = [browser.token(url) for browser in team]
    today = paris_today()
    forms = [{"csrf_token": token, "occupant": f"Occupant {index}", "contact_person_id": "0",
              "starts_on": (today + timedelta(days=10 * index)).isoformat(),
              "ends_on": (today + timedelta(days=10 * index + 9)).isoformat()}
             for index, token in enumerate(tokens)]
    replies = at_once([lambda browser=browser, form=form: browser.post(url, form)
                       for browser, form in zip(team, forms, strict=True)])
    assert [reply.status for reply in replies] == [303] * TEAM
    with Session(engine) as db:
        assert len(db.scalars(select(Allocation.id).where(Allocation.lot_id == lot_id)).all()) == TEAM
