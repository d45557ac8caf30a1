"""Through a real HTTP server: members reserving one shared room for the same or overlapping
slots at the same instant — exactly one reservation is saved, the others are told in French
which slot is taken (422), and the database never holds two overlapping reservations.

On SQLite the POST takes the write lock after its reads (``reads_first``), so the check and
the insert of two requests cannot interleave; on PostgreSQL the exclusion constraint of the
plugin's migration refuses the second insert. The same test runs on both
(MAILLAGE_TEST_DATABASE_URL). Browsers and barrier are the agenda's live-server test's.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from flask import Flask
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from core.agenda.clock import in_paris, paris_today
from core.auth.accounts import Account
from core.members import Association, Membership, Person, Role
from core.pluginhost.activation import PluginActivation
from core.testing import empty_tables
from plugins.sites.models import Lot, LotKind, Site
from plugins.sites.models_rooms import RoomReservation
from tests.support import live_server
from tests.test_agenda_live_server import Browser, Reply, at_once

MEMBERS = 6


@pytest.fixture(scope="module")
def served(maillage_migrated_app: Flask, maillage_autocommit_engine: Engine,
           maillage_password_hash: str) -> Iterator[tuple[list[Browser], Engine]]:
    app = maillage_migrated_app
    empty_tables(app)
    with Session(maillage_autocommit_engine, expire_on_commit=False) as db:
        association = Association(name="Association Salles", short_name="Salles", slug="salles-test")
        people = []
        for index in range(MEMBERS):
            # Volunteers mostly, a coordinator among them: members reserve, not only the team.
            role = Role.COORDINATOR if index == 0 else Role.VOLUNTEER
            person = Person(first_name=f"Membre{index}", last_name="Salles", email=f"salles{index}@test.org")
            person.memberships = [Membership(association=association, role=role)]
            person.account = Account(password_hash=maillage_password_hash)
            people.append(person)
        db.add_all([association, *people])
        db.flush()
        db.add(PluginActivation(plugin="sites", association_id=association.id))
        db.commit()
        identities = [(person.email or "", person.id) for person in people]
    try:
        with live_server(app) as server:
            members = [Browser(server.base, email, person_id) for email, person_id in identities]
            for browser in members:  # one after the other: the login limit counts per address
                browser.login()
            yield members, maillage_autocommit_engine
            assert not server.log.messages, server.log.text()
    finally:
        empty_tables(app)


def new_room(engine: Engine, code: str) -> int:
    today = paris_today()
    with Session(engine) as db:
        association_id = db.scalar(select(Association.id).where(Association.slug == "salles-test"))
        site = Site(association_id=association_id, name=f"Site {code}", address="1 rue Haute",
                    total_area=Decimal(100), available_from=today,
                    available_until=today + timedelta(days=900))
        db.add(site)
        db.flush()
        room = Lot(association_id=association_id, site_id=site.id, code=code, kind=LotKind.SHARED_ROOM,
                   area=Decimal(40), fee_per_m2=Decimal(0), charges=Decimal(0))
        db.add(room)
        db.commit()
        return room.id


def tuesday() -> date:
    day = paris_today() + timedelta(days=7)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def clock(minutes: int) -> str:
    """« 9:15 » for 555 minutes after midnight."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def send_at_once(members: list[Browser], room_id: int, slots: list[tuple[str, str]]) -> list[Reply]:
    url = f"/p/sites/salles-test/salles/{room_id}/reserver"
    tokens = [browser.token(url) for browser in members]
    forms = [{"csrf_token": token, "day": tuesday().isoformat(), "start": start, "end": end,
              "purpose": f"Réunion {index}", "allocation_id": "0"}
             for index, (token, (start, end)) in enumerate(zip(tokens, slots, strict=True))]
    return at_once([lambda browser=browser, form=form: browser.post(url, form)
                    for browser, form in zip(members, forms, strict=True)])


def saved(engine: Engine, room_id: int) -> list[tuple[int, int, int, int]]:
    """(start hour, start minute, end hour, end minute) of the room's reservations, Paris time."""
    with Session(engine) as db:
        rows = db.execute(select(RoomReservation.starts_at, RoomReservation.ends_at)
                          .where(RoomReservation.lot_id == room_id).order_by(RoomReservation.starts_at)).all()
    return [(in_paris(a).hour, in_paris(a).minute, in_paris(b).hour, in_paris(b).minute) for a, b in rows]


def no_overlapping_pair(engine: Engine) -> bool:
    with Session(engine) as db:
        rows = db.execute(select(RoomReservation.lot_id, RoomReservation.starts_at,
                                 RoomReservation.ends_at)).all()
    return not any(a[0] == b[0] and a[1] < b[2] and b[1] < a[2]
                   for index, a in enumerate(rows) for b in rows[index + 1:])


def test_the_same_slot_reserved_at_once_is_saved_exactly_once(served):
    members, engine = served
    room = new_room(engine, "S1")
    replies = send_at_once(members, room, [("10:00", "12:00")] * MEMBERS)
    assert sorted(reply.status for reply in replies) == [303] + [422] * (MEMBERS - 1)
    assert all("La salle est déjà réservée de 10 h à 12 h." in reply.text
               for reply in replies if reply.status == 422)
    assert saved(engine, room) == [(10, 0, 12, 0)]
    assert no_overlapping_pair(engine)


def test_overlapping_slots_reserved_at_once_save_exactly_one(served):
    """Each slot overlaps every other: from 9:00, 9:15… each lasts 2 h 30, all hold 10:15 to 11:30."""
    members, engine = served
    room = new_room(engine, "S2")
    slots = [(clock(9 * 60 + 15 * index), clock(11 * 60 + 30 + 15 * index)) for index in range(MEMBERS)]
    replies = send_at_once(members, room, slots)
    assert sorted(reply.status for reply in replies) == [303] + [422] * (MEMBERS - 1)
    assert all("La salle est déjà réservée" in reply.text for reply in replies if reply.status == 422)
    assert len(saved(engine, room)) == 1
    assert no_overlapping_pair(engine)


def test_back_to_back_slots_reserved_at_once_are_all_saved(served):
    """The guard refuses overlaps only: slots that meet without overlapping all pass."""
    members, engine = served
    room = new_room(engine, "S3")
    slots = [(f"{8 + 2 * index}:00", f"{10 + 2 * index}:00") for index in range(MEMBERS)]
    replies = send_at_once(members, room, slots)
    assert [reply.status for reply in replies] == [303] * MEMBERS
    assert saved(engine, room) == [(8 + 2 * i, 0, 10 + 2 * i, 0) for i in range(MEMBERS)]
    assert no_overlapping_pair(engine)
