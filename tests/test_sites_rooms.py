"""Sites en transition: shared rooms reserved by the hour by the association's members.

Every refusal of the reservation form (422, the French message next to its field, the input
kept, nothing saved), back-to-back reservations, who may see, reserve and cancel, the week of
a room (a bad ``semaine`` falls back to this week), the reservations in the shared agenda
(members only, never the public feed), the opening hours' settings, and Hypothesis over the
form and the week's parameter (never a server error)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.agenda.clock import in_paris, paris_to_utc, paris_today
from core.database import session
from core.pluginhost.activation import PluginActivation
from core.pluginhost.refs import association_ref
from plugins.sites import plugin
from plugins.sites.allocations import AllocationFields, save_allocation
from plugins.sites.models import Lot, LotKind, Site
from plugins.sites.models_rooms import RoomReservation
from plugins.sites.rooms import (
    OpeningHours,
    ReservationFields,
    ReservationRefused,
    days_label,
    parse_clock,
    save_reservation,
)
from plugins.sites.settings import rules_of
from tests.conftest import World
from tests.form_checks import dump, fresh
from tests.support import committed, field_error, login, post, text_of
from tests.test_demo_data import flat

BASE = "/p/sites/alpha"
TABLES = ("sites_room_reservations",)
VOLUNTEER, COORD = "benevole.a@test.org", "coord.a@test.org"
# Every day from midnight to 23:00: lets a test reach the hour skipped in March.
ALL_DAY = {"rooms_opening": "00:00", "rooms_closing": "23:00", "rooms_days": list(range(7)),
           "rooms_max_hours": 4}


def tuesday(weeks: int = 1) -> date:
    """A Tuesday at least ``weeks`` weeks ahead: open, in the future whatever the hour."""
    day = paris_today() + timedelta(days=7 * weeks)
    return day + timedelta(days=(1 - day.weekday()) % 7)


def sunday_of_march_change(after: date) -> date:
    """The last Sunday of March (summer time starts at 2:00) after ``after``."""
    year = after.year + 1
    day = date(year, 3, 31)
    return day - timedelta(days=(day.weekday() + 1) % 7)


@dataclass(frozen=True)
class Records:
    site: int
    room: int  # S1, a shared room
    office: int  # A1, an office, occupied by « Coopérative » until ``until``
    allocation: int
    until: date
    other_room: int  # Bêta's shared room
    site_until: date  # the last day the site is lent


def records(app: Flask, db: Session, world: World) -> Records:
    today = paris_today()
    ids = {}
    for key, association in (("a", world.asso_a), ("b", world.asso_b)):
        site = Site(association_id=association.id, name="Friche Lumière", address="3 rue du Port",
                    total_area=Decimal(600), available_from=today - timedelta(days=30),
                    available_until=today + timedelta(days=400))
        db.add(site)
        db.flush()
        room = Lot(association_id=association.id, site_id=site.id, code="S1", kind=LotKind.SHARED_ROOM,
                   area=Decimal(40), fee_per_m2=Decimal(0), charges=Decimal(0), accessible=True,
                   accessibility="Rampe côté cour")
        office = Lot(association_id=association.id, site_id=site.id, code="A1", kind=LotKind.OFFICE,
                     area=Decimal(20), fee_per_m2=Decimal(8), charges=Decimal(0))
        db.add_all([room, office])
        db.flush()
        ids |= {f"site_{key}": site.id, f"room_{key}": room.id, f"office_{key}": office.id}
    db.commit()
    until = today + timedelta(days=60)

    def allocate() -> int:
        row = save_allocation(session.get(Site, ids["site_a"]), session.get(Lot, ids["office_a"]),
                              AllocationFields(occupant="Coopérative", starts_on=today - timedelta(days=10),
                                               ends_on=until))
        session.flush()
        return row.id
    return Records(site=ids["site_a"], room=ids["room_a"], office=ids["office_a"],
                   allocation=committed(app, allocate), until=until, other_room=ids["room_b"],
                   site_until=today + timedelta(days=400))


def reserve(app: Flask, room: int, day: date, start: int, end: int, person_id: int | None,
            purpose: str = "Réunion du bureau") -> int:
    """A reservation written by the plugin's own rule, committed as a request would."""
    def write() -> int:
        lot = session.get(Lot, room)
        row = save_reservation(session.get(Site, lot.site_id), lot,
                               ReservationFields(day=day, start=time(start), end=time(end), purpose=purpose),
                               OpeningHours(time(0), time(23), frozenset(range(7)), 12),
                               person_id=person_id, now=datetime.now(UTC))
        session.flush()
        return row.id
    return committed(app, write)


@pytest.fixture
def enable(world: World, maillage_enable_plugin):
    maillage_enable_plugin("sites", world.asso_a)


@pytest.fixture
def volunteer(client, enable):
    login(client, VOLUNTEER)
    return client


@pytest.fixture
def coord(client, enable):
    login(client, COORD)
    return client


def valid(on: date | None = None, **changes: str) -> dict[str, str]:
    return {"day": (on or tuesday()).isoformat(), "start": "10:00", "end": "12:00",
            "purpose": "Atelier couture", "allocation_id": "0", **changes}


# --- reserving -------------------------------------------------------------------------------


def test_a_volunteer_reserves_a_room_in_paris_time_stored_in_utc(app, volunteer, db, world):
    known = records(app, db, world)
    day = tuesday()
    response = post(volunteer, f"{BASE}/salles/{known.room}/reserver", valid(day))
    assert response.status_code == 303
    assert f"semaine={(day - timedelta(days=1)).isoformat()}" in response.headers["Location"]
    row = fresh(db).scalar(select(RoomReservation))
    assert row.person_id == world.volunteer_a.id and row.purpose == "Atelier couture"
    assert row.starts_at == paris_to_utc(datetime.combine(day, time(10)))
    assert row.ends_at - row.starts_at == timedelta(hours=2) and row.allocation_id is None
    page = flat(text_of(volunteer.get(response.headers["Location"])))
    assert "Salle S1 réservée le" in page
    assert "de 10 h à 12 h Atelier couture Réservée par vous" in page
    assert "Libre de 8 h à 10 h" in page and "Libre de 12 h à 20 h" in page


def test_a_reservation_can_be_for_an_occupant_of_the_site(app, volunteer, db, world):
    known = records(app, db, world)
    form = text_of(volunteer.get(f"{BASE}/salles/{known.room}/reserver"))
    assert "Coopérative (lot A1)" in form
    response = post(volunteer, f"{BASE}/salles/{known.room}/reserver",
                    valid(allocation_id=str(known.allocation)))
    assert response.status_code == 303
    assert fresh(db).scalar(select(RoomReservation.allocation_id)) == known.allocation
    assert "Pour Coopérative" in flat(text_of(volunteer.get(f"{BASE}/salles/")))


def test_back_to_back_reservations_are_both_accepted(app, volunteer, db, world):
    known = records(app, db, world)
    url = f"{BASE}/salles/{known.room}/reserver"
    assert post(volunteer, url, valid(start="10:00", end="12:00")).status_code == 303
    assert post(volunteer, url, valid(start="12:00", end="14:00")).status_code == 303
    assert post(volunteer, url, valid(start="8 h", end="10 h")).status_code == 303
    rows = fresh(db).execute(select(RoomReservation.starts_at, RoomReservation.ends_at)
                             .order_by(RoomReservation.starts_at)).all()
    assert [(in_paris(a).hour, in_paris(b).hour) for a, b in rows] == [(8, 10), (10, 12), (12, 14)]


def _refusals(known: Records) -> list[tuple[dict[str, str], str, str]]:
    """(changes, field at fault, words of its message)."""
    today = paris_today()
    sunday = tuesday() + timedelta(days=5)
    return [
        ({"day": (today - timedelta(days=1)).isoformat()}, "day", "Ce jour est passé"),
        ({"day": sunday.isoformat()}, "day", "pas ouvertes le dimanche : elles le sont du lundi au samedi"),
        ({"start": "7:30"}, "start", "ouvrent à 8 h"),
        ({"end": "20 h 30"}, "end", "ferment à 20 h"),
        ({"start": "19:00", "end": "01:00"}, "end", "ne peut pas passer minuit"),
        ({"start": "19:00", "end": "00:00"}, "end", "ne peut pas passer minuit"),
        ({"start": "12:00", "end": "10:00"}, "end", "La fin doit être après le début"),
        ({"start": "10:00", "end": "10:00"}, "end", "La fin doit être après le début"),
        ({"start": "8:00", "end": "12:30"}, "end", "4 h au plus"),
        ({"start": "25:00"}, "start", "Heure invalide"),
        ({"start": "dix heures"}, "start", "Heure invalide"),
        ({"end": "12:75"}, "end", "Heure invalide"),
        ({"start": ""}, "start", "obligatoire"),
        ({"day": "31/02/2027"}, "day", "Date invalide"),
        ({"day": ""}, "day", "obligatoire"),
        ({"purpose": "  "}, "purpose", "obligatoire"),
        ({"purpose": "x" * 151}, "purpose", "150 caractères"),
        ({"allocation_id": "999999"}, "allocation_id", "choix"),
        ({"day": (known.site_until + timedelta(days=7 - known.site_until.weekday())).isoformat()}, "day",
         "Le site n'est disponible que du"),
        ({"day": (known.until + timedelta(days=8 - known.until.weekday())).isoformat(),
          "allocation_id": str(known.allocation)}, "day", "« Coopérative » occupe le site du"),
    ]


REFUSALS = 20


@pytest.mark.parametrize("index", range(REFUSALS))
def test_every_refusal_comes_back_next_to_its_field_with_the_input_and_nothing_saved(app, volunteer, db,
                                                                                     world, index):
    known = records(app, db, world)
    cases = _refusals(known)
    assert len(cases) == REFUSALS
    changes, field, words = cases[index]
    before = dump(db, TABLES)
    typed = valid(**changes)
    response = post(volunteer, f"{BASE}/salles/{known.room}/reserver", typed)
    assert response.status_code == 422, (changes, text_of(response)[-600:])
    message = field_error(response, field)
    assert message and words in message, (field, message)
    assert dump(db, TABLES) == before
    page = text_of(response)
    for key, value in typed.items():
        if key in ("start", "end") and value.strip():
            value = shown_back(value)
        if key != "allocation_id" and value.strip() and len(value) < 60:
            assert f'value="{value}"' in page or f">{value}<" in page, key


def shown_back(typed: str) -> str:
    """A time typed « 8 h 30 » comes back as « 08:30 », what a time picker shows; one that
    cannot be read, as it was typed."""
    try:
        return parse_clock(typed).strftime("%H:%M")
    except ValueError:
        return typed


def test_an_overlap_is_refused_naming_the_slot_taken(app, volunteer, db, world):
    known = records(app, db, world)
    day = tuesday()
    reserve(app, known.room, day, 10, 12, world.coordinator_a.id)
    before = dump(db, TABLES)
    for start, end in (("11:00", "13:00"), ("9:00", "10:30"), ("10:00", "12:00"), ("9:00", "13:00")):
        response = post(volunteer, f"{BASE}/salles/{known.room}/reserver", valid(day, start=start, end=end))
        assert response.status_code == 422
        assert field_error(response, "start") == "La salle est déjà réservée de 10 h à 12 h."
        assert dump(db, TABLES) == before
    # Another room the same hours is free.
    other = Lot(association_id=world.asso_a.id, site_id=known.site, code="S2", kind=LotKind.SHARED_ROOM,
                area=Decimal(30), fee_per_m2=Decimal(0), charges=Decimal(0))
    db.add(other)
    db.commit()
    assert post(volunteer, f"{BASE}/salles/{other.id}/reserver", valid(day)).status_code == 303


def test_the_hour_skipped_in_march_is_refused(app, client, db, world, maillage_enable_plugin):
    maillage_enable_plugin("sites", world.asso_a, ALL_DAY)
    login(client, VOLUNTEER)
    known = records(app, db, world)
    sunday = sunday_of_march_change(paris_today())
    site = db.get(Site, known.site)
    site.available_until = sunday + timedelta(days=30)
    db.commit()
    url = f"{BASE}/salles/{known.room}/reserver"
    for changes, field in (({"start": "02:30", "end": "04:00"}, "start"),
                           ({"start": "01:00", "end": "02:15"}, "end")):
        before = dump(db, TABLES)
        response = post(client, url, valid(sunday, **changes))
        assert response.status_code == 422
        message = field_error(response, field) or ""
        assert "Cette heure n'existe pas le" in message and "de 2 h à 3 h" in message, message
        assert dump(db, TABLES) == before
    # Across the change: 1:00 to 4:00 by the clock lasts two hours.
    assert post(client, url, valid(sunday, start="01:00", end="04:00")).status_code == 303
    row = fresh(db).scalar(select(RoomReservation))
    assert row.ends_at - row.starts_at == timedelta(hours=2)


def test_the_longest_reservation_is_counted_on_the_instants(app, db, world, enable):
    """The night clocks go back, 0:00 to 3:00 lasts four hours."""
    known = records(app, db, world)
    october = date(paris_today().year + 1, 10, 31)
    change = october - timedelta(days=(october.weekday() + 1) % 7)
    hours = OpeningHours(time(0), time(23), frozenset(range(7)), 3)
    with app.app_context():
        lot = session.get(Lot, known.room)
        site = session.get(Site, known.site)
        site.available_until = change + timedelta(days=1)
        fields = ReservationFields(day=change, start=time(0), end=time(3), purpose="Nuit")
        with pytest.raises(ReservationRefused, match="3 h au plus") as refused:
            save_reservation(site, lot, fields, hours, person_id=None, now=datetime.now(UTC))
        assert refused.value.field == "end"
        session.rollback()


def test_an_hour_already_passed_today_is_refused(app, db, world, enable):
    known = records(app, db, world)
    day = tuesday()
    noon = paris_to_utc(datetime.combine(day, time(12)))
    hours = OpeningHours(time(8), time(20), frozenset(range(7)), 4)
    with app.app_context():
        lot = session.get(Lot, known.room)
        site = session.get(Site, known.site)
        with pytest.raises(ReservationRefused, match="Cette heure est passée") as refused:
            save_reservation(site, lot, ReservationFields(day, time(11), time(13), "Tard"), hours,
                             person_id=None, now=noon)
        assert refused.value.field == "start"
        row = save_reservation(site, lot, ReservationFields(day, time(12), time(13), "À l'heure"), hours,
                               person_id=None, now=noon)
        assert row.starts_at == noon
        session.rollback()


# --- who sees what -------------------------------------------------------------------------------


def test_a_lot_that_is_not_a_shared_room_and_another_associations_room_answer_404(app, volunteer, db, world):
    known = records(app, db, world)
    for lot in (known.office, known.other_room, 999999):
        assert volunteer.get(f"{BASE}/salles/{lot}").status_code == 404
        assert volunteer.get(f"{BASE}/salles/{lot}/reserver").status_code == 404
        assert post(volunteer, f"{BASE}/salles/{lot}/reserver", valid()).status_code == 404
    assert dump(db, TABLES) == {"sites_room_reservations": []}
    page = flat(text_of(volunteer.get(f"{BASE}/salles/")))
    assert "Salle S1" in page and "Friche Lumière" in page and "Rampe côté cour" in page
    assert "Salle A1" not in page


def test_a_volunteer_cancels_their_own_not_someone_elses_and_the_team_cancels_any(app, client, db, world,
                                                                                  enable):
    known = records(app, db, world)
    day = tuesday()
    own = reserve(app, known.room, day, 10, 12, world.volunteer_a.id)
    theirs = reserve(app, known.room, day, 14, 16, world.coordinator_a.id)
    nobody = reserve(app, known.room, day, 16, 18, None)
    login(client, VOLUNTEER)
    week = flat(text_of(client.get(f"{BASE}/salles/{known.room}?semaine={day.isoformat()}")))
    assert week.count("Annuler la réservation") == 1  # only their own offers the button
    assert "Chloé" not in week  # the team's names are not shown to members
    assert post(client, f"{BASE}/reservations/{theirs}/annuler").status_code == 403
    assert post(client, f"{BASE}/reservations/{nobody}/annuler").status_code == 403
    assert post(client, f"{BASE}/reservations/{own}/annuler").status_code == 303
    assert sorted(fresh(db).scalars(select(RoomReservation.id))) == sorted([theirs, nobody])
    post(client, "/logout")
    login(client, COORD)
    week = flat(text_of(client.get(f"{BASE}/salles/{known.room}?semaine={day.isoformat()}")))
    assert "Réservée par vous" in week
    assert post(client, f"{BASE}/reservations/{nobody}/annuler").status_code == 303
    assert post(client, f"{BASE}/reservations/{theirs}/annuler").status_code == 303
    assert fresh(db).scalars(select(RoomReservation.id)).all() == []


def test_another_associations_reservation_answers_404(app, coord, db, world):
    known = records(app, db, world)
    bete = reserve(app, known.other_room, tuesday(), 10, 12, world.coordinator_b.id)
    assert post(coord, f"{BASE}/reservations/{bete}/annuler").status_code == 404
    assert post(coord, f"{BASE}/reservations/999999/annuler").status_code == 404
    assert fresh(db).scalar(select(RoomReservation.id)) == bete


def test_a_reservation_over_stays_in_the_rooms_history(app, coord, db, world):
    known = records(app, db, world)
    past = RoomReservation(association_id=world.asso_a.id, lot_id=known.room, purpose="Hier",
                           starts_at=datetime.now(UTC) - timedelta(days=1, hours=2),
                           ends_at=datetime.now(UTC) - timedelta(days=1), person_id=world.coordinator_a.id)
    db.add(past)
    db.commit()
    response = post(coord, f"{BASE}/reservations/{past.id}/annuler", follow_redirects=True)
    assert "est passée : elle reste dans l'historique" in flat(text_of(response))
    assert fresh(db).scalar(select(RoomReservation.id)) == past.id


def test_volunteers_are_offered_the_rooms_in_the_menu_not_the_teams_pages(app, volunteer, db, world):
    records(app, db, world)
    home = text_of(volunteer.get("/"))
    assert "Salles partagées" in home and 'href="/p/sites/"' not in home
    response = volunteer.get("/p/sites/salles/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/p/sites/alpha/salles/")
    assert volunteer.get("/p/sites/").status_code == 403  # the team's index
    assert volunteer.get(f"{BASE}/").status_code == 403


def test_the_rooms_index_lists_every_association_to_a_collective_admin(app, client, db, world,
                                                                        maillage_enable_plugin):
    maillage_enable_plugin("sites", world.asso_a)
    maillage_enable_plugin("sites", world.asso_b)
    login(client, "collectif@test.org")
    page = flat(text_of(client.get("/p/sites/salles/")))
    assert "Association Alpha" in page and "Association Bêta" in page


# --- the week ----------------------------------------------------------------------------------


def test_the_week_lists_each_day_free_and_reserved(app, volunteer, db, world):
    known = records(app, db, world)
    day = tuesday()
    reserve(app, known.room, day, 9, 11, world.volunteer2_a.id, purpose="Répétition")
    page = flat(text_of(volunteer.get(f"{BASE}/salles/{known.room}?semaine={day.isoformat()}")))
    monday = day - timedelta(days=1)
    assert f"semaine du {monday.day}" in page
    assert "Libre de 8 h à 9 h" in page and "Réservée de 9 h à 11 h Répétition" in page
    assert "Libre de 11 h à 20 h" in page
    assert page.count("Fermée ce jour-là.") == 1  # Sunday
    assert "Valérie" not in page
    # A free stretch's link fills the form with two hours from its start, or up to the next reservation.
    links = text_of(volunteer.get(f"{BASE}/salles/{known.room}?semaine={day.isoformat()}"))
    assert f"jour={day.isoformat()}&amp;debut=11:00&amp;fin=13:00" in links
    assert f"jour={day.isoformat()}&amp;debut=08:00&amp;fin=09:00" in links


@pytest.mark.parametrize("semaine", ["", "demain", "2026-02-30", "0001-01-01", "9999-12-31", "2026-W10",
                                     "20260512", "1899-12-31", " 2026-05-12 "])
def test_a_bad_week_falls_back_to_this_week(app, volunteer, db, world, semaine):
    known = records(app, db, world)
    response = volunteer.get(f"{BASE}/salles/{known.room}", query_string={"semaine": semaine})
    assert response.status_code == 200


def test_the_form_is_filled_from_a_free_slot(app, volunteer, db, world):
    known = records(app, db, world)
    day = tuesday()
    page = text_of(volunteer.get(f"{BASE}/salles/{known.room}/reserver?jour={day.isoformat()}"
                                 "&debut=14:00&fin=16:00"))
    assert f'value="{day.isoformat()}"' in page and 'value="14:00"' in page and 'value="16:00"' in page
    odd = volunteer.get(f"{BASE}/salles/{known.room}/reserver?jour=hier&debut=25:00&fin=")
    assert odd.status_code == 200 and f'value="{paris_today().isoformat()}"' in text_of(odd)


# --- the shared agenda ---------------------------------------------------------------------------


def test_members_see_the_reservation_in_the_agenda_the_public_feed_does_not(app, volunteer, db, world):
    known = records(app, db, world)
    day = tuesday()
    reserve(app, known.room, day, 10, 12, world.coordinator_a.id, purpose="Réunion du bureau")
    week = flat(text_of(volunteer.get(f"/agenda/semaine?jour={day.isoformat()}")))
    assert "Salle S1 — Réunion du bureau" in week
    assert "Réunion du bureau" not in text_of(volunteer.get("/agenda/alpha.ics"))
    with app.test_request_context():
        start = paris_to_utc(datetime.combine(day, time()))
        end = start + timedelta(hours=23)
        [item] = plugin.agenda_items(association=association_ref(world.asso_a), start=start, end=end)
    assert item.visibility == "association" and item.location == "Salle S1, Friche Lumière, 3 rue du Port"
    assert item.uid.startswith("room-reservation-") and f"/salles/{known.room}?semaine=" in item.url


def test_another_association_does_not_see_the_reservation(app, client, db, world, enable):
    known = records(app, db, world)
    day = tuesday()
    reserve(app, known.room, day, 10, 12, world.coordinator_a.id, purpose="Réunion du bureau")
    login(client, "coord.b@test.org")
    assert "Réunion du bureau" not in text_of(client.get(f"/agenda/semaine?jour={day.isoformat()}"))


# --- settings ----------------------------------------------------------------------------------

SETTINGS_URL = "/associations/alpha/modules/sites/reglages"


def _settings(**changes: Any) -> dict[str, Any]:
    return {"ending_warning_days": "60", "timeline_months": "12", "applications_per_hour": "5",
            "retention_months": "24", "insurance_warning_days": "30", "rooms_opening": "8 h 30",
            "rooms_closing": "19h",
            "rooms_days": ["0", "1", "2", "3", "4"], "rooms_max_hours": "3", **changes}


def test_the_opening_hours_are_saved_as_typed_the_french_way(app, client, db, world, enable):
    login(client, "admin.a@test.org")
    response = post(client, SETTINGS_URL, _settings())
    assert response.status_code == 303, text_of(response)[-800:]
    activation = fresh(db).scalar(select(PluginActivation).where(PluginActivation.plugin == "sites"))
    assert activation.settings["rooms_opening"] == "08:30" and activation.settings["rooms_closing"] == "19:00"
    assert activation.settings["rooms_days"] == [0, 1, 2, 3, 4]
    with app.test_request_context():
        hours = rules_of(association_ref(world.asso_a)).rooms
    assert hours == OpeningHours(time(8, 30), time(19), frozenset(range(5)), 3)
    assert hours.label == "de 8 h 30 à 19 h, du lundi au vendredi"
    form = text_of(client.get(SETTINGS_URL))
    assert 'value="08:30"' in form and 'value="19:00"' in form


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"rooms_opening": "huit heures"}, "rooms_opening", "Heure invalide (exemples : 8 h, 08:00, 8:30)."),
    ({"rooms_opening": "24:00"}, "rooms_opening", "Heure invalide"),
    ({"rooms_opening": "8:5"}, "rooms_opening", "Heure invalide"),
    ({"rooms_opening": ""}, "rooms_opening", "obligatoire"),
    ({"rooms_closing": "8 h"}, "rooms_closing", "La fermeture doit être après l'ouverture."),
    ({"rooms_closing": "8:30"}, "rooms_closing", "La fermeture doit être après l'ouverture."),
    ({"rooms_days": []}, "rooms_days", "Cochez au moins un jour"),
    ({"rooms_days": ["7"]}, "rooms_days", "cochez dans la liste"),
    ({"rooms_max_hours": "0"}, "rooms_max_hours", "entre 1 et 24"),
    ({"rooms_max_hours": "4,5"}, "rooms_max_hours", "nombre entier"),
])
def test_bad_opening_hours_are_refused_next_to_their_field(app, client, db, world, enable, changes, field,
                                                           words):
    login(client, "admin.a@test.org")
    before = dump(db, ("plugin_activations",))
    response = post(client, SETTINGS_URL, _settings(**changes))
    assert response.status_code == 422
    assert words in (field_error(response, field) or ""), field_error(response, field)
    assert dump(db, ("plugin_activations",)) == before


@pytest.mark.parametrize(("typed", "expected"), [
    ("8 h", time(8)), ("8h", time(8)), ("08:00", time(8)), ("8:30", time(8, 30)), ("8 h 30", time(8, 30)),
    ("20H15", time(20, 15)), (" 9 ", time(9)), ("0:00", time(0)), ("23:59", time(23, 59)),
])
def test_times_are_read_as_people_type_them(typed, expected):
    assert parse_clock(typed) == expected


@pytest.mark.parametrize("typed", ["", "h", "8:", "8:5", "24 h", "7:60", "٨:٠٠", "8.30", "8 heures", "-1"])
def test_anything_else_is_not_a_time(typed):
    with pytest.raises(ValueError, match="Heure invalide"):
        parse_clock(typed)


def test_open_days_read_as_french_writes_them():
    assert days_label(range(6)) == "du lundi au samedi"
    assert days_label(range(7)) == "tous les jours"
    assert days_label([0, 2, 4]) == "le lundi, le mercredi et le vendredi"
    assert days_label([5, 6]) == "le samedi et le dimanche"
    assert days_label([3]) == "le jeudi"


# --- never a server error ----------------------------------------------------------------------

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_text_in_any_field_never_breaks_the_reservation_form(app, volunteer, db, world, data):
    known = db.info.get("rooms_records")
    if known is None:
        known = db.info["rooms_records"] = records(app, db, world)
    typed = {key: data.draw(TEXT | st.just(value)) for key, value in valid().items()}
    before = dump(db, TABLES)
    response = post(volunteer, f"{BASE}/salles/{known.room}/reserver", typed)
    nul = any("\x00" in value for value in typed.values())
    assert response.status_code in (303, 422) or (nul and response.status_code == 400), (
        typed, response.status_code)
    if response.status_code != 303:
        assert dump(db, TABLES) == before, typed


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(semaine=TEXT | st.dates().map(date.isoformat), jour=TEXT, debut=TEXT)
def test_any_week_or_prefill_never_breaks_a_page(app, volunteer, db, world, semaine, jour, debut):
    known = db.info.get("rooms_records")
    if known is None:
        known = db.info["rooms_records"] = records(app, db, world)
    nul = "\x00" in semaine + jour + debut
    week = volunteer.get(f"{BASE}/salles/{known.room}", query_string={"semaine": semaine})
    assert week.status_code == 200 or (nul and week.status_code == 400), (semaine, week.status_code)
    form = volunteer.get(f"{BASE}/salles/{known.room}/reserver",
                         query_string={"jour": jour, "debut": debut, "fin": semaine})
    assert form.status_code == 200 or (nul and form.status_code == 400), (jour, debut, form.status_code)
