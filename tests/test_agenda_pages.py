"""The agenda's pages: events and series, the list, week and month views, booking,
waitlist promotion, booking on someone's behalf, attendance, and bad input."""

from __future__ import annotations

import html
import itertools
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from core.agenda.bookables import Bookable
from core.agenda.bookings import Attendance, Booking, BookingStatus
from core.agenda.clock import in_paris, paris_to_utc, paris_today
from core.agenda.events import Event, EventKind, Visibility
from core.agenda.scheduling import EventFields, Places, create_events
from core.auth.accounts import Account
from core.database import session, utcnow
from core.members import Membership, Person, Role
from tests.support import field_error, login, post
from tests.support import text_of as raw_text


@pytest.fixture
def samir_can_log_in(db, world, password_hash):
    """The person supported in Alpha gets an account (most have none)."""
    world.supported_a.account = Account(password_hash=password_hash)
    db.commit()


@pytest.fixture
def make_event(app, db):
    """An event created through the scheduling service, returned loaded in ``db``."""

    def make(*, association=None, title="Atelier CV", days=3, hour=14, capacity=2, held_back=0,
             visibility=Visibility.COLLECTIVE, waitlist=True, cutoff_minutes=0,
             kind=EventKind.WORKSHOP, signup=True, **fields):
        day = paris_today() + timedelta(days=days)
        start = paris_to_utc(datetime.combine(day, datetime.min.time()).replace(hour=hour))
        places = Places(capacity=capacity, held_back=held_back, waitlist=waitlist,
                        cancellation_cutoff_minutes=cutoff_minutes) if signup else None
        with app.app_context():
            [event] = create_events(EventFields(
                title=title, kind=kind, visibility=visibility, starts_at=start,
                ends_at=start + timedelta(hours=2),
                association_id=association.id if association else None, **fields), places)
            session.commit()
            event_id = event.id
        return db.get(Event, event_id)

    return make


def text_of(response) -> str:
    return html.unescape(raw_text(response))


def local(moment: datetime) -> str:
    return in_paris(moment).strftime("%Y-%m-%dT%H:%M")


def event_form(**overrides):
    start = datetime.combine(paris_today() + timedelta(days=7), datetime.min.time()).replace(hour=9)
    data = {
        "title": "Atelier numérique", "kind": "workshop", "association_id": "", "visibility": "collective",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "partner_id": "0", "place": "Salle polyvalente", "description": "Apporter son téléphone.",
        "signup": "y", "capacity": "8", "held_back": "2", "waitlist": "y", "cutoff_hours": "24",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- creating events and series ------------------------------------------------------------

def test_coordinator_creates_an_event_shown_in_french_paris_time(client, db, world):
    login(client, "coord.a@test.org")
    response = post(client, "/agenda/nouveau", event_form(association_id=str(world.asso_a.id)))
    assert response.status_code == 303
    db.expire_all()
    event = db.scalar(select(Event))
    assert event.association_id == world.asso_a.id and event.bookable.capacity == 8
    assert event.bookable.held_back == 2 and event.bookable.cancellation_cutoff_minutes == 24 * 60
    assert in_paris(event.starts_at).hour == 9
    page = text_of(client.get(response.headers["Location"]))
    assert "Atelier numérique" in page and "09:00 – 11:00" in page
    assert "Salle polyvalente" in page and "Atelier" in page


def test_event_at_a_partners_premises_shows_its_address(client, db, world):
    world.partner.address = "5 rue du Port, Saint-Denis"
    db.commit()
    login(client, "coord.a@test.org")
    response = post(client, "/agenda/nouveau", event_form(
        association_id=str(world.asso_a.id), partner_id=str(world.partner.id), place=""))
    assert response.status_code == 303
    assert "Mission Locale Test — 5 rue du Port" in text_of(client.get(response.headers["Location"]))


@pytest.mark.parametrize(("starts", "ends"), [("2027-03-28T02:30", "2027-03-28T03:30"),
                                              ("2027-03-28T01:00", "2027-03-28T02:00")])
def test_an_hour_the_clocks_skip_is_refused_in_french(client, db, world, starts, ends):
    """2:00 to 2:59 on the last Sunday of March never shows on a clock in Paris; stored, 2:30
    would become 3:30 and an event from 2:30 to 3:30 would last no time at all."""
    login(client, "coord.a@test.org")
    response = post(client, "/agenda/nouveau", event_form(
        association_id=str(world.asso_a.id), starts_at=starts, ends_at=ends))
    assert response.status_code == 422
    skipped = "starts_at" if starts.endswith("02:30") else "ends_at"
    assert "heure d'été" in field_error(response, skipped)
    assert db.scalar(select(Event.id)) is None
    assert post(client, "/agenda/nouveau", event_form(  # the autumn's repeated hour exists
        association_id=str(world.asso_a.id), starts_at="2027-10-31T02:30",
        ends_at="2027-10-31T03:30")).status_code == 303


def test_weekly_series_until_a_date_keeps_paris_time_across_summer_time(client, db, world):
    login(client, "coord.a@test.org")
    # From a Thursday in October to December: the clocks change on the last Sunday of October.
    response = post(client, "/agenda/nouveau", event_form(
        association_id=str(world.asso_a.id), starts_at="2027-10-07T14:00", ends_at="2027-10-07T16:00",
        repeat_weeks="1", repeat_until="2027-11-25"))
    assert response.status_code == 303
    events = db.scalars(select(Event).order_by(Event.starts_at)).all()
    assert len(events) == 8
    assert {in_paris(e.starts_at).strftime("%A %H:%M") for e in events} == {"Thursday 14:00"}
    assert len({e.series_id for e in events}) == 1 and all(e.bookable for e in events)
    assert len({e.bookable_id for e in events}) == 8


def test_every_two_weeks_for_a_count(client, db, world):
    login(client, "coord.a@test.org")
    response = post(client, "/agenda/nouveau", event_form(
        association_id=str(world.asso_a.id), repeat_weeks="2", repeat_count="5"))
    assert response.status_code == 303
    starts = [e.starts_at for e in db.scalars(select(Event).order_by(Event.starts_at))]
    assert len(starts) == 5
    assert all(b - a == timedelta(weeks=2) for a, b in itertools.pairwise(starts))


def test_one_occurrence_moved_and_another_cancelled_leave_the_rest(client, db, world):
    login(client, "coord.a@test.org")
    post(client, "/agenda/nouveau", event_form(association_id=str(world.asso_a.id), repeat_weeks="1",
                                               repeat_count="4"))
    first, second, third, fourth = db.scalars(select(Event).order_by(Event.starts_at)).all()
    original = [(e.starts_at, e.title) for e in (first, fourth)]
    moved = second.starts_at + timedelta(days=1)
    response = post(client, f"/agenda/{second.id}/modifier", event_form(
        association_id=str(world.asso_a.id), title="Atelier numérique (décalé)",
        starts_at=local(moved), ends_at=local(moved + timedelta(hours=2))))
    assert response.status_code == 303
    assert post(client, f"/agenda/{third.id}/annuler").status_code == 303
    db.expire_all()
    assert second.starts_at == moved and second.detached and second.title.endswith("(décalé)")
    assert third.cancelled and third.bookable.cancelled
    assert [(e.starts_at, e.title) for e in (first, fourth)] == original
    assert not first.cancelled and not fourth.cancelled and not first.detached


# --- bad input on the event form --------------------------------------------------------------

@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"ends_at": None, "starts_at": "2030-01-10T10:00"}, "ends_at", "obligatoire"),
    ({"starts_at": "2030-01-10T10:00", "ends_at": "2030-01-10T09:00"}, "ends_at",
     "La fin doit être après le début."),
    ({"starts_at": "demain"}, "starts_at", "Date et heure invalides"),
    ({"capacity": ""}, "capacity", "obligatoire"),
    ({"capacity": "beaucoup"}, "capacity", "Un nombre entier est attendu"),
    ({"capacity": "-3"}, "capacity", "entre 1 et 10000"),
    ({"held_back": "9"}, "held_back", "Pas plus de places réservées"),
    ({"title": "   "}, "title", "obligatoire"),
    ({"kind": "fête"}, "kind", "Ce choix n'est pas possible"),
    ({"repeat_weeks": "1"}, "repeat_until", "Indiquez une date de fin ou un nombre"),
    ({"repeat_weeks": "1", "repeat_count": "500"}, "repeat_count", "entre 2 et 104"),
    ({"repeat_weeks": "1", "repeat_until": "2001-01-01"}, "repeat_until", "après la première"),
])
def test_invalid_event_is_refused_next_to_its_field_and_nothing_saved(client, db, world, overrides,
                                                                       field, message):
    login(client, "coord.a@test.org")
    response = post(client, "/agenda/nouveau",
                    event_form(association_id=str(world.asso_a.id), **overrides))
    assert response.status_code == 422
    assert message in (field_error(response, field) or "")
    assert 'value="Salle polyvalente"' in text_of(response)  # what was typed comes back
    assert db.scalar(select(func.count(Event.id))) == 0


def test_coordinator_cannot_create_for_another_association_nor_the_collective(client, db, world):
    login(client, "coord.a@test.org")
    for association in (str(world.asso_b.id), "0"):
        response = post(client, "/agenda/nouveau", event_form(association_id=association))
        assert response.status_code == 422
        assert "Ce choix n'est pas possible" in field_error(response, "association_id")
    assert db.scalar(select(func.count(Event.id))) == 0


def test_lowering_capacity_below_bookings_is_refused_and_nothing_lost(client, db, world, make_event):
    event = make_event(association=world.asso_a, capacity=3)
    for person in (world.volunteer_a, world.volunteer2_a, world.supported_a):
        db.add(Booking(bookable_id=event.bookable_id, person_id=person.id,
                       status=BookingStatus.CONFIRMED, pool="open"))
    event.bookable.taken_open = 3
    db.commit()
    login(client, "coord.a@test.org")
    response = post(client, f"/agenda/{event.id}/modifier", event_form(
        association_id=str(world.asso_a.id), title="Nouveau titre", capacity="2", held_back="0",
        starts_at=local(event.starts_at), ends_at=local(event.ends_at)))
    assert response.status_code == 422
    assert "3 places sont déjà prises" in field_error(response, "capacity")
    db.expire_all()
    assert event.title == "Atelier CV" and event.bookable.capacity == 3
    assert db.scalar(select(func.count(Booking.id)).where(
        Booking.status == BookingStatus.CONFIRMED)) == 3


def test_raising_capacity_promotes_the_queue_and_tells_them(
        client, db, world, app, make_event, maillage_outbox, samir_can_log_in):
    event = make_event(association=world.asso_a, capacity=1)
    login(client, "benevole.a@test.org")
    post(client, f"/agenda/{event.id}/inscription")
    post(client, "/logout")
    login(client, "samir@test.org")  # a person supported with an account books too
    assert post(client, f"/agenda/{event.id}/inscription").status_code == 303
    post(client, "/logout")
    login(client, "coord.a@test.org")
    maillage_outbox.clear()
    response = post(client, f"/agenda/{event.id}/modifier", event_form(
        association_id=str(world.asso_a.id), title=event.title, capacity="2", held_back="0",
        starts_at=local(event.starts_at), ends_at=local(event.ends_at), place=""))
    assert response.status_code == 303
    assert [m["To"] for m in maillage_outbox] == ["samir@test.org"]
    assert "Une place s'est libérée" in maillage_outbox[0]["Subject"] + maillage_outbox[0].get_content()


# --- booking --------------------------------------------------------------------------------

def test_volunteer_books_sees_it_in_my_bookings_and_cancels(client, db, world, make_event):
    event = make_event(association=world.asso_a)
    login(client, "benevole.a@test.org")
    page = text_of(client.get(f"/agenda/{event.id}"))
    assert "2 places" in page and "Je m'inscris" in page
    response = post(client, f"/agenda/{event.id}/inscription")
    assert response.status_code == 303
    page = text_of(client.get(f"/agenda/{event.id}"))
    assert "Vous êtes inscrit·e" in page and "1 place" in page
    assert "Atelier CV" in text_of(client.get("/agenda/mes-inscriptions"))
    booking = db.scalar(select(Booking))
    response = post(client, f"/agenda/inscriptions/{booking.id}/annuler",
                    {"retour": "mes-inscriptions"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/agenda/mes-inscriptions")
    db.expire_all()
    assert booking.status is BookingStatus.CANCELLED and event.bookable.taken == 0


def test_double_submission_books_once_with_a_clear_message(client, db, world, make_event):
    event = make_event(association=world.asso_a)
    login(client, "benevole.a@test.org")
    assert post(client, f"/agenda/{event.id}/inscription").status_code == 303
    again = post(client, f"/agenda/{event.id}/inscription")
    assert again.status_code == 409
    assert "déjà inscrite" in text_of(again)
    db.expire_all()
    assert db.scalar(select(func.count(Booking.id))) == 1 and event.bookable.taken == 1


@pytest.mark.parametrize(("setup", "message"), [
    ("past", "a déjà commencé"),
    ("cancelled", "est annulée"),
    ("closed", "Les inscriptions sont closes"),
    ("not_open", "Les inscriptions ouvrent le"),
    ("full_no_waitlist", "Il n'y a plus de place"),
])
def test_bookings_refused_with_the_reason(client, db, world, setup, message, make_event):
    event = make_event(association=world.asso_a, capacity=1, waitlist=setup != "full_no_waitlist",
                       days=-1 if setup == "past" else 3)
    bookable = event.bookable
    if setup == "cancelled":
        event.cancelled = bookable.cancelled = True
    elif setup == "closed":
        bookable.closes_at = utcnow() - timedelta(hours=1)
    elif setup == "not_open":
        bookable.opens_at = utcnow() + timedelta(days=1)
    elif setup == "full_no_waitlist":
        db.add(Booking(bookable_id=bookable.id, person_id=world.volunteer2_a.id,
                       status=BookingStatus.CONFIRMED, pool="open"))
        bookable.taken_open = 1
    db.commit()
    login(client, "benevole.a@test.org")
    response = post(client, f"/agenda/{event.id}/inscription")
    assert response.status_code == 409
    assert message in text_of(response)
    assert db.scalar(select(func.count(Booking.id)).where(
        Booking.person_id == world.volunteer_a.id)) == 0


def test_full_event_queues_and_a_cancellation_promotes_the_first_in_line(
        client, db, world, make_event, maillage_outbox, samir_can_log_in):
    event = make_event(association=world.asso_a, capacity=1)
    login(client, "benevole.a@test.org")
    post(client, f"/agenda/{event.id}/inscription")
    post(client, "/logout")
    for email in ("samir@test.org", "coord.a@test.org"):
        login(client, email)
        response = post(client, f"/agenda/{event.id}/inscription")
        assert response.status_code == 303
        post(client, "/logout")
    login(client, "samir@test.org")
    assert "position 1" in text_of(client.get(f"/agenda/{event.id}"))
    post(client, "/logout")
    login(client, "benevole.a@test.org")
    maillage_outbox.clear()
    mine = db.scalar(select(Booking).where(Booking.person_id == world.volunteer_a.id))
    assert post(client, f"/agenda/inscriptions/{mine.id}/annuler").status_code == 303
    db.expire_all()
    statuses = dict(db.execute(select(Booking.person_id, Booking.status)).all())
    assert statuses[world.supported_a.id] is BookingStatus.CONFIRMED
    assert statuses[world.coordinator_a.id] is BookingStatus.WAITLISTED
    assert [m["To"] for m in maillage_outbox] == ["samir@test.org"]


def test_cancelling_after_the_cutoff_is_refused_online_but_the_team_can(client, db, world, make_event):
    event = make_event(association=world.asso_a, days=1, cutoff_minutes=48 * 60)
    login(client, "benevole.a@test.org")
    post(client, f"/agenda/{event.id}/inscription")
    booking = db.scalar(select(Booking))
    response = post(client, f"/agenda/inscriptions/{booking.id}/annuler")
    assert response.status_code == 409 and "trop tard pour annuler" in text_of(response)
    post(client, "/logout")
    login(client, "coord.a@test.org")
    assert post(client, f"/agenda/inscriptions/{booking.id}/annuler").status_code == 303
    db.expire_all()
    assert booking.status is BookingStatus.CANCELLED


def test_no_one_cancels_someone_elses_booking(client, db, world, make_event):
    event = make_event(association=world.asso_a)
    login(client, "benevole.a@test.org")
    post(client, f"/agenda/{event.id}/inscription")
    booking = db.scalar(select(Booking))
    post(client, "/logout")
    login(client, "coord.b@test.org")
    assert post(client, f"/agenda/inscriptions/{booking.id}/annuler").status_code == 404
    db.expire_all()
    assert booking.status is BookingStatus.CONFIRMED


def test_coordinator_books_a_newcomer_without_account_on_a_held_back_place(client, db, world, make_event):
    event = make_event(association=world.asso_a, capacity=2, held_back=1)
    login(client, "coord.a@test.org")
    response = post(client, f"/agenda/{event.id}/inscrire", {
        "person_id": "0", "first_name": "Inès", "last_name": "Nouvelle", "phone": "06 00 00 00 00",
        "referral": "y"})
    assert response.status_code == 303
    person = db.scalar(select(Person).where(Person.last_name == "Nouvelle"))
    assert person.account is None
    assert db.scalar(select(Membership.role).where(Membership.person_id == person.id)) is Role.SUPPORTED
    booking = db.scalar(select(Booking).where(Booking.person_id == person.id))
    assert booking.pool == "held" and booking.referral and booking.booked_by_id == world.coordinator_a.id
    page = text_of(client.get(f"/agenda/{event.id}"))
    assert "Inès Nouvelle" in page and "orientation" in page


def test_coordinator_books_an_existing_person_once(client, db, world, make_event):
    event = make_event(association=world.asso_a)
    login(client, "coord.a@test.org")
    data = {"person_id": str(world.volunteer2_a.id), "first_name": "", "last_name": ""}
    assert post(client, f"/agenda/{event.id}/inscrire", data).status_code == 303
    again = post(client, f"/agenda/{event.id}/inscrire", data)
    assert again.status_code == 409 and "déjà inscrite" in text_of(again)
    assert db.scalar(select(func.count(Booking.id))) == 1


def test_the_team_books_someone_from_a_page_of_its_own(client, db, world, make_event):
    """The event page links to the form, whose long list of people it does not carry."""
    event = make_event(association=world.asso_a, held_back=1)
    login(client, "coord.a@test.org")
    response = client.get(f"/agenda/{event.id}")
    page = response.get_data(as_text=True)
    form_url = f"/agenda/{event.id}/inscrire"
    assert f'href="{form_url}"' in page and "Inscrire quelqu'un" in text_of(response)
    assert 'name="person_id"' not in page and world.supported_a.last_name not in page
    form = client.get(form_url)
    assert form.status_code == 200
    body = form.get_data(as_text=True)
    assert f'action="{form_url}"' in body and 'name="first_name"' in body
    assert f'<option value="{world.supported_a.id}">' in body  # people of the association
    assert f'<option value="{world.supported_b.id}">' not in body
    assert "1 place libre sur 2 (1 autre place réservée" in text_of(form)
    assert f'href="/agenda/{event.id}"' in body  # back to the event
    # A refused booking shows the form again, not the event page.
    refused = post(client, form_url, {"person_id": "0"})
    assert refused.status_code == 422 and 'name="first_name"' in refused.get_data(as_text=True)


def test_no_one_is_booked_by_the_team_on_a_started_or_cancelled_event(client, db, world, make_event):
    started = make_event(association=world.asso_a, days=0, hour=0)
    cancelled = make_event(association=world.asso_a, title="Annulé d'avance")
    cancelled.cancelled = True
    db.commit()
    login(client, "coord.a@test.org")
    for event in (started, cancelled):
        assert f"/agenda/{event.id}/inscrire" not in client.get(f"/agenda/{event.id}").get_data(as_text=True)
        answer = client.get(f"/agenda/{event.id}/inscrire")
        assert answer.status_code == 303 and answer.location.endswith(f"/agenda/{event.id}")


def test_booking_for_someone_needs_a_person_and_stays_in_the_association(client, db, world, make_event):
    event = make_event(association=world.asso_a)
    login(client, "coord.a@test.org")
    empty = post(client, f"/agenda/{event.id}/inscrire", {"person_id": "0"})
    assert empty.status_code == 422
    assert "Choisissez une personne" in field_error(empty, "last_name")
    outsider = post(client, f"/agenda/{event.id}/inscrire", {"person_id": str(world.supported_b.id)})
    assert outsider.status_code == 422
    assert "Ce choix n'est pas possible" in field_error(outsider, "person_id")
    assert db.scalar(select(func.count(Booking.id))) == 0
    post(client, "/logout")
    login(client, "coord.b@test.org")
    assert post(client, f"/agenda/{event.id}/inscrire",
                {"person_id": str(world.supported_b.id)}).status_code == 403


def test_attendance_is_marked_after_the_start_only(client, db, world, make_event):
    event = make_event(association=world.asso_a, days=1)
    login(client, "coord.a@test.org")
    post(client, f"/agenda/{event.id}/inscrire", {"person_id": str(world.volunteer_a.id)})
    post(client, f"/agenda/{event.id}/inscrire", {"person_id": str(world.supported_a.id)})
    early = post(client, f"/agenda/{event.id}/presences", {})
    assert early.status_code == 409 and "à partir du début" in text_of(early)
    bookings = {b.person_id: b for b in db.scalars(select(Booking))}
    event.starts_at = event.bookable.starts_at = utcnow() - timedelta(minutes=5)
    db.commit()
    bad = post(client, f"/agenda/{event.id}/presences",
               {f"presence-{bookings[world.volunteer_a.id].id}": "peut-être"})
    assert bad.status_code == 422
    response = post(client, f"/agenda/{event.id}/presences", {
        f"presence-{bookings[world.volunteer_a.id].id}": "present",
        f"presence-{bookings[world.supported_a.id].id}": "excused"})
    assert response.status_code == 303
    db.expire_all()
    assert bookings[world.volunteer_a.id].attendance is Attendance.PRESENT
    assert bookings[world.supported_a.id].attendance is Attendance.EXCUSED


def test_cancelling_an_event_tells_the_people_booked(client, db, world, make_event, maillage_outbox):
    event = make_event(association=world.asso_a)
    login(client, "benevole.a@test.org")
    post(client, f"/agenda/{event.id}/inscription")
    post(client, "/logout")
    login(client, "coord.a@test.org")
    maillage_outbox.clear()
    assert post(client, f"/agenda/{event.id}/annuler").status_code == 303
    assert [m["To"] for m in maillage_outbox] == ["benevole.a@test.org"]
    assert "annul" in maillage_outbox[0]["Subject"].lower()
    page = text_of(client.get(f"/agenda/{event.id}"))
    assert "Cet événement est annulé" in page and "Je m'inscris" not in page


# --- visibility and views --------------------------------------------------------------------

def test_association_events_are_hidden_from_other_associations(
        client, db, world, make_event, samir_can_log_in):
    private = make_event(association=world.asso_a, title="Réunion interne Alpha",
                         visibility=Visibility.ASSOCIATION)
    shared = make_event(association=world.asso_a, title="Forum de l'emploi")
    login(client, "coord.b@test.org")
    listing = text_of(client.get("/agenda/"))
    assert "Forum de l'emploi" in listing and "Réunion interne Alpha" not in listing
    assert client.get(f"/agenda/{private.id}").status_code == 404
    assert post(client, f"/agenda/{private.id}/inscription").status_code == 404
    assert client.get(f"/agenda/{shared.id}").status_code == 200
    assert client.get(f"/agenda/{shared.id}/modifier").status_code == 403
    post(client, "/logout")
    login(client, "samir@test.org")
    assert "Réunion interne Alpha" in text_of(client.get("/agenda/"))


def test_list_filters_by_association_kind_and_places(client, db, world, make_event):
    make_event(association=world.asso_a, title="Atelier plein", capacity=1)
    make_event(association=world.asso_a, title="Sortie au musée", kind=EventKind.OUTING)
    make_event(association=world.asso_b, title="Permanence Bêta")
    full = db.scalar(select(Event).where(Event.title == "Atelier plein"))
    full.bookable.taken_open = 1
    db.commit()
    login(client, "collectif@test.org")
    everything = text_of(client.get("/agenda/"))
    assert all(t in everything for t in ("Atelier plein", "Sortie au musée", "Permanence Bêta"))
    by_association = text_of(client.get(f"/agenda/?association={world.asso_b.id}"))
    assert "Permanence Bêta" in by_association and "Sortie au musée" not in by_association
    by_kind = text_of(client.get("/agenda/?type=outing"))
    assert "Sortie au musée" in by_kind and "Atelier plein" not in by_kind
    with_places = text_of(client.get("/agenda/?places=1"))
    assert "Atelier plein" not in with_places and "Sortie au musée" in with_places
    assert client.get("/agenda/?type=inconnu&association=abc").status_code == 200


def test_week_and_month_show_events_on_their_paris_day(client, db, world, make_event):
    # 23:30 in Paris is already the next day in UTC terms for nobody, but 00:30 is the
    # previous day in UTC: the grid must place both by Paris time.
    late = make_event(association=world.asso_a, title="Veillée", days=2, hour=23)
    early = make_event(association=world.asso_a, title="Marché matinal", days=3, hour=0)
    login(client, "benevole.a@test.org")
    day = in_paris(late.starts_at).date()
    week = text_of(client.get(f"/agenda/semaine?jour={day.isoformat()}"))
    sections = re.split(r'<section class="week__day', week)
    late_section = next(s for s in sections if f'jour-{day.isoformat()}"' in s)
    assert "Veillée" in late_section and "Marché matinal" not in late_section
    assert "Marché matinal" in next(
        s for s in sections if f'jour-{in_paris(early.starts_at).date().isoformat()}"' in s)
    month = text_of(client.get(f"/agenda/mois?mois={day:%Y-%m}"))
    assert "Veillée" in month
    assert client.get("/agenda/mois?mois=2026-13").status_code == 200
    assert client.get("/agenda/semaine?jour=n'importe").status_code == 200


def test_plugin_items_appear_for_the_people_concerned_only(
        client, db, world, maillage_enable_plugin, samir_can_log_in):
    from tests.plugin_fixtures.exemplum.models import ExempleItem

    maillage_enable_plugin("exemplum", world.asso_a)
    soon = utcnow() + timedelta(days=2)
    db.add_all([
        ExempleItem(association_id=world.asso_a.id, label="Séance de travail", starts_at=soon,
                    visibility="people", person_id=world.supported_a.id),
        ExempleItem(association_id=world.asso_a.id, label="Chantier ouvert", starts_at=soon,
                    visibility="association"),
    ])
    db.commit()
    login(client, "samir@test.org")
    page = text_of(client.get("/agenda/"))
    assert "Séance de travail" in page and "Chantier ouvert" in page
    post(client, "/logout")
    login(client, "benevole.a@test.org")
    page = text_of(client.get("/agenda/"))
    assert "Séance de travail" not in page and "Chantier ouvert" in page
    post(client, "/logout")
    login(client, "coord.b@test.org")
    assert "Chantier ouvert" not in text_of(client.get("/agenda/"))


def test_agenda_needs_an_account(client, world):
    for url in ("/agenda/", "/agenda/semaine", "/agenda/mois", "/agenda/mes-inscriptions"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_booking_without_csrf_token_is_refused(client, db, world, make_event):
    event = make_event(association=world.asso_a)
    login(client, "benevole.a@test.org")
    response = post(client, f"/agenda/{event.id}/inscription", csrf=False)
    assert response.status_code == 400
    assert db.scalar(select(func.count(Booking.id))) == 0


def test_unused_bookable_counters_never_drift(db, world, make_event):
    """The CHECK constraints stand behind the counters, whatever the code does."""
    event = make_event(association=world.asso_a, capacity=1)
    from sqlalchemy import update
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        db.execute(update(Bookable).where(Bookable.id == event.bookable_id).values(taken_open=2))
        db.flush()
    db.rollback()


def test_the_collective_admin_sees_every_associations_plugin_items(client, db, world,
                                                                   maillage_enable_plugin):
    from tests.plugin_fixtures.exemplum.models import ExempleItem

    maillage_enable_plugin("exemplum", world.asso_b)
    db.add(ExempleItem(association_id=world.asso_b.id, label="Chantier Bêta",
                       starts_at=utcnow() + timedelta(days=1), visibility="association"))
    db.commit()
    login(client, "collectif@test.org")
    assert "Chantier Bêta" in text_of(client.get("/agenda/"))
    assert "Chantier Bêta" in text_of(client.get(f"/agenda/?association={world.asso_b.id}"))
    assert "Chantier Bêta" not in text_of(client.get(f"/agenda/?association={world.asso_a.id}"))


def test_a_persons_bookings_are_exported_then_erased_with_them(client, db, world, make_event,
                                                               maillage_outbox):
    import json

    from core.agenda.events import Event as EventRow

    event = make_event(association=world.asso_a, title="Atelier mobilité", capacity=1)
    login(client, "coord.a@test.org")
    post(client, f"/agenda/{event.id}/inscrire", {"person_id": str(world.supported_a.id), "referral": "y"})
    post(client, f"/agenda/{event.id}/inscrire", {"person_id": str(world.volunteer_a.id)})  # queued
    data = json.loads(client.get(f"/personnes/{world.supported_a.id}/donnees.json").data)
    [booking] = data["agenda"]["inscriptions"]
    assert booking["activite"] == "Atelier mobilité" and booking["statut"] == "confirmed"
    assert booking["orientation"] is True and data["agenda"]["lien_calendrier"] is None
    post(client, "/logout")
    login(client, "collectif@test.org")
    erased_id = world.supported_a.id
    assert post(client, f"/personnes/{erased_id}/effacer").status_code == 303
    db.expire_all()
    # Their place went to the next in line, who was told; the counters match the rows left.
    assert db.scalar(select(func.count(Booking.id)).where(Booking.person_id == erased_id)) == 0
    assert db.scalar(select(Booking.status).where(Booking.person_id == world.volunteer_a.id)) \
        is BookingStatus.CONFIRMED
    assert db.get(EventRow, event.id) is not None and event.bookable.taken == 1
    assert [m["To"] for m in maillage_outbox][-1] == "benevole.a@test.org"


def test_moving_an_event_tells_the_people_booked_but_a_new_title_does_not(
        client, db, world, make_event, maillage_outbox):
    event = make_event(association=world.asso_a)
    login(client, "coord.a@test.org")
    post(client, f"/agenda/{event.id}/inscrire", {"person_id": str(world.volunteer_a.id)})
    maillage_outbox.clear()
    same_time = {"starts_at": local(event.starts_at), "ends_at": local(event.ends_at),
                 "association_id": str(world.asso_a.id), "place": ""}
    assert post(client, f"/agenda/{event.id}/modifier",
                event_form(title="Atelier CV (2)", **same_time)).status_code == 303
    assert maillage_outbox == []
    later = event.starts_at + timedelta(hours=3)
    assert post(client, f"/agenda/{event.id}/modifier", event_form(
        title="Atelier CV (2)", association_id=str(world.asso_a.id), place="Salle 4",
        starts_at=local(later), ends_at=local(later + timedelta(hours=1)))).status_code == 303
    [mail] = maillage_outbox
    assert mail["To"] == "benevole.a@test.org" and "Changement" in mail["Subject"]
    assert in_paris(later).strftime("%H:%M") in mail.get_content() and "Salle 4" in mail.get_content()


def test_dashboard_shows_my_next_activities(client, db, world, make_event):
    event = make_event(association=world.asso_a, title="Atelier entretien d'embauche")
    make_event(association=world.asso_a, title="Atelier non réservé")
    login(client, "benevole.a@test.org")
    assert "Aucune inscription à venir" in text_of(client.get("/"))
    post(client, f"/agenda/{event.id}/inscription")
    page = text_of(client.get("/"))
    assert "Atelier entretien d'embauche" in page and "Atelier non réservé" not in page


def test_plugin_items_land_on_the_page_of_the_events_around_them(client, db, world, make_event,
                                                                 maillage_enable_plugin):
    """Each item shows once, on the page whose events surround it, whatever the paging."""
    from core.agenda.views.listing import UPCOMING_PAGE_SIZE
    from tests.plugin_fixtures.exemplum.models import ExempleItem

    maillage_enable_plugin("exemplum", world.asso_a)
    events = [make_event(association=world.asso_a, title=f"Atelier {n:02d}", days=1 + n, hour=10)
              for n in range(UPCOMING_PAGE_SIZE + 5)]
    # Between the last event of page 1 and the first of page 2, and well inside page 2.
    boundary = events[UPCOMING_PAGE_SIZE - 1].starts_at + timedelta(hours=5)
    inside = events[UPCOMING_PAGE_SIZE + 2].starts_at + timedelta(hours=5)
    db.add_all([ExempleItem(association_id=world.asso_a.id, label="Chantier charnière",
                            starts_at=boundary, visibility="association"),
                ExempleItem(association_id=world.asso_a.id, label="Chantier page deux",
                            starts_at=inside, visibility="association")])
    db.commit()
    login(client, "benevole.a@test.org")
    first, second = text_of(client.get("/agenda/")), text_of(client.get("/agenda/?page=2"))
    assert "Chantier charnière" not in first and "Chantier page deux" not in first
    assert "Chantier charnière" in second and "Chantier page deux" in second
