"""Shared rooms' records for the route × role matrix (tests/matrix_sites.py): a shared room on
each association's site, and reservations of Alpha's room — one by the volunteer, one by the
coordinator — and of Bêta's. Members get 200 on the rooms' pages; only its author and the team
cancel a reservation."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from core.agenda.clock import paris_today
from core.database import session
from plugins.sites.models import Lot, LotKind, Site
from plugins.sites.rooms import OpeningHours, ReservationFields, save_reservation
from tests.conftest import World

HOURS = OpeningHours(time(8), time(20), frozenset(range(6)), 4)  # the settings' defaults
LOGIN = 302
OPEN = (LOGIN, 200, 200, 200, 200)  # volunteers too
NOT_FOUND = (LOGIN, 404, 404, 404, 404)  # another association's room or reservation, or none
REFUSED = (LOGIN, 422, 422, 422, 422)
SAVED = (LOGIN, 303, 303, 303, 303)


def tuesday() -> date:
    """A Tuesday one to two weeks ahead: open, and in the future whatever the hour."""
    day = paris_today() + timedelta(days=7)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def reservation_form(start: str, end: str) -> dict[str, str]:
    return {"day": tuesday().isoformat(), "start": start, "end": end, "purpose": "Réunion",
            "allocation_id": "0"}


OVERLAPPING = reservation_form("11:00", "13:00")  # the volunteer's reservation is 10 h to 12 h
FREE = reservation_form("16:00", "18:00")


def records_rooms(world: World) -> dict[str, int]:
    ids = {}
    for suffix, association in (("a", world.asso_a), ("b", world.asso_b)):
        site = session.scalar(select(Site).where(Site.association_id == association.id).limit(1))
        assert site is not None
        room = Lot(association_id=association.id, site_id=site.id, code="S1", kind=LotKind.SHARED_ROOM,
                   area=Decimal(40), fee_per_m2=Decimal(0), charges=Decimal(0))
        session.add(room)
        session.flush()
        ids[f"room_{suffix}"] = room.id
    now = datetime.now(UTC)
    for key, room, start, person in (("reservation_volunteer", "room_a", 10, world.volunteer_a),
                                     ("reservation_team", "room_a", 14, world.coordinator_a),
                                     ("reservation_b", "room_b", 10, world.coordinator_b)):
        lot = session.get(Lot, ids[room])
        row = save_reservation(session.get(Site, lot.site_id), lot,
                               ReservationFields(tuesday(), time(start), time(start + 2), "Réunion"), HOURS,
                               person_id=person.id, now=now)
        session.flush()
        ids[key] = row.id
    return ids
