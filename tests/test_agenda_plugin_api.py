"""The booking API plugins use (core.agenda.api, through core.plugin_api): each policy field
has its effect, refusals are in French and change nothing, promotion emails leave only
after the commit, and plugins get dataclasses, never models. Real database: SQLite, and
PostgreSQL when MAILLAGE_TEST_DATABASE_URL is set."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

import core.plugin_api as plugin_api
from core.agenda.bookables import Bookable
from core.agenda.bookings import Booking, BookingStatus
from core.agenda.clock import PARIS
from core.agenda.notify import tell_promoted
from core.database import Base, session, utcnow, write_intent
from core.members import Person
from core.plugin_api import (
    BookableInfo,
    BookingInfo,
    BookingPolicy,
    BookingRefused,
    PlacesInfo,
    book,
    bookable_info,
    bookings_of,
    bookings_of_person,
    cancel_bookable,
    cancel_booking,
    counted_absences,
    create_bookable,
    delete_bookable,
    mark_attendance,
    places,
    update_bookable,
    waitlist_position,
)
from core.pluginhost.refs import association_ref
from tests.support import committed, count_queries, hammer, login, post

PLUGIN = "exemplum"
# A Thursday, far enough ahead for every test that books.
THURSDAY_2PM = datetime(2030, 3, 14, 14, 0, tzinfo=PARIS)


def new_bookable(app: Flask, world, policy: BookingPolicy, *, title: str = "Chantier jardin",
                 starts_at: datetime = THURSDAY_2PM, plugin: str = PLUGIN,
                 association=None) -> int:
    return committed(app, create_bookable, plugin, 1, association_ref(association or world.asso_a),
                     title, starts_at, policy)


def make_people(db, count: int, *, email: bool = False) -> list[int]:
    people = [Person(first_name=f"P{index}", last_name="Test",
                     email=f"p{index}@test.org" if email else None) for index in range(count)]
    db.add_all(people)
    db.commit()
    return [person.id for person in people]


def move_to_the_past(db, bookable_id: int) -> None:
    """Bookings are made before an activity, attendance is noted after its start."""
    db.execute(update(Bookable).where(Bookable.id == bookable_id)
               .values(starts_at=utcnow() - timedelta(hours=2)))
    db.commit()


# --- the surface -----------------------------------------------------------------------------


API_NAMES = {
    "BookableInfo", "BookingInfo", "BookingPolicy", "BookingRefused", "PlacesInfo", "book",
    "bookable_info", "bookings_of", "bookings_of_person", "cancel_bookable", "cancel_booking",
    "counted_absences", "create_bookable", "delete_bookable", "mark_attendance", "places",
    "update_bookable", "waitlist_position", "send_mail_after_commit",
}


def test_the_plugin_api_exports_the_booking_api():
    assert set(plugin_api.__all__) >= API_NAMES
    assert all(hasattr(plugin_api, name) for name in plugin_api.__all__)


def test_the_api_hands_out_frozen_dataclasses_not_models(app, db, world):
    bookable_id = new_bookable(app, world, BookingPolicy(capacity=1))
    first, second = make_people(db, 2)
    results: list[Any] = [
        committed(app, book, bookable_id, first),
        committed(app, book, bookable_id, second),
        committed(app, places, bookable_id),
        committed(app, bookable_info, bookable_id),
        *committed(app, bookings_of, bookable_id),
        *committed(app, bookings_of_person, first, PLUGIN),
        *committed(app, cancel_booking, committed(app, bookings_of, bookable_id)[0].id),
    ]
    assert {type(result) for result in results} == {BookingInfo, PlacesInfo, BookableInfo}
    for result in results:
        assert dataclasses.is_dataclass(result) and not isinstance(result, Base)
        for value in dataclasses.asdict(result).values():
            assert not isinstance(value, Base)
        with pytest.raises(dataclasses.FrozenInstanceError):
            result.id = 0  # type: ignore[misc]


# --- each policy field has its effect --------------------------------------------------------


def test_held_back_places_go_only_to_referrals(app, db, world):
    bookable_id = new_bookable(app, world, BookingPolicy(capacity=3, held_back=1))
    a, b, c, d = make_people(db, 4)
    assert committed(app, book, bookable_id, a).status == "confirmed"
    assert committed(app, book, bookable_id, b).status == "confirmed"
    queued = committed(app, book, bookable_id, c)
    assert (queued.status, queued.pool, queued.waitlist_position) == ("waitlisted", None, 1)
    referred = committed(app, book, bookable_id, d, booked_by_id=world.coordinator_a.id, referral=True)
    assert (referred.status, referred.pool, referred.referral) == ("confirmed", "held", True)
    assert committed(app, places, bookable_id) == PlacesInfo(
        capacity=3, held_back=1, taken=3, remaining_open=0, remaining_held=0, waitlisted=1)


def test_a_referral_takes_an_open_place_when_the_held_ones_are_gone(app, db, world):
    bookable_id = new_bookable(app, world, BookingPolicy(capacity=2, held_back=1))
    a, b = make_people(db, 2)
    assert committed(app, book, bookable_id, a, referral=True).pool == "held"
    assert committed(app, book, bookable_id, b, referral=True).pool == "open"


def test_without_a_waitlist_a_full_activity_refuses_and_keeps_nothing(app, db, world):
    bookable_id = new_bookable(app, world, BookingPolicy(capacity=1, waitlist=False))
    a, b = make_people(db, 2)
    committed(app, book, bookable_id, a)
    with pytest.raises(BookingRefused, match=r"^Il n'y a plus de place\.$"):
        committed(app, book, bookable_id, b)
    assert [info.person_id for info in committed(app, bookings_of, bookable_id)] == [a]
    assert committed(app, places, bookable_id).waitlisted == 0


def test_with_a_waitlist_a_full_activity_queues(app, db, world):
    bookable_id = new_bookable(app, world, BookingPolicy(capacity=1))
    a, b, c = make_people(db, 3)
    infos = [committed(app, book, bookable_id, person) for person in (a, b, c)]
    assert [i.waitlist_position for i in infos] == [None, 1, 2]
    assert [i.person_id for i in committed(app, bookings_of, bookable_id)] == [a, b, c]
    assert committed(app, waitlist_position, infos[2].id) == 2


def test_the_cancellation_cutoff_refuses_a_late_cancellation(app, db, world):
    bookable_id = new_bookable(app, world, BookingPolicy(capacity=2, cancellation_cutoff_minutes=24 * 60),
                               starts_at=utcnow() + timedelta(hours=3))
    [person] = make_people(db, 1)
    booking = committed(app, book, bookable_id, person)
    with pytest.raises(BookingRefused, match="trop tard pour annuler"):
        committed(app, cancel_booking, booking.id)
    assert committed(app, places, bookable_id).taken == 1
    assert committed(app, cancel_booking, booking.id, enforce_cutoff=False) == []  # the team may
    assert committed(app, places, bookable_id).taken == 0


def test_without_a_cutoff_a_cancellation_is_fine_until_the_start(app, db, world):
    bookable_id = new_bookable(app, world, BookingPolicy(capacity=2),
                               starts_at=utcnow() + timedelta(minutes=30))
    [person] = make_people(db, 1)
    committed(app, cancel_booking, committed(app, book, bookable_id, person).id)
    assert committed(app, bookings_of, bookable_id) == []


def test_sign_up_opens_and_closes_when_the_policy_says(app, db, world):
    soon = utcnow() + timedelta(days=1)
    not_yet = new_bookable(app, world, BookingPolicy(capacity=2, opens_at=soon))
    closed = new_bookable(app, world, BookingPolicy(
        capacity=2, opens_at=utcnow() - timedelta(days=2), closes_at=utcnow() - timedelta(days=1)))
    [person] = make_people(db, 1)
    with pytest.raises(BookingRefused, match="Les inscriptions ouvrent le"):
        committed(app, book, not_yet, person)
    with pytest.raises(BookingRefused, match=r"Les inscriptions sont closes\."):
        committed(app, book, closed, person)


def test_only_absences_where_the_policy_counts_them_are_counted(app, db, world):
    counting = BookingPolicy(capacity=5, absences_count=True)
    counted = [new_bookable(app, world, counting, title=f"Chantier {n}") for n in range(2)]
    not_counted = new_bookable(app, world, BookingPolicy(capacity=5))
    # Any owner's: an agenda event's policy counts too.
    agenda = new_bookable(app, world, counting, plugin="autre_module", association=world.asso_b)
    db.execute(update(Bookable).where(Bookable.id == agenda).values(owner="agenda"))
    db.commit()
    person, other = make_people(db, 2)
    marks = {counted[0]: "absent", counted[1]: "excused", not_counted: "absent", agenda: "absent"}
    bookings = {bookable: committed(app, book, bookable, person) for bookable in marks}
    other_booking = committed(app, book, counted[0], other)
    for bookable in marks:
        move_to_the_past(db, bookable)
    for bookable, attendance in marks.items():
        committed(app, mark_attendance, bookings[bookable].id, attendance)
    committed(app, mark_attendance, other_booking.id, "present")

    assert committed(app, counted_absences, person) == 2  # counted[0] and the agenda's
    assert committed(app, counted_absences, other) == 0
    assert committed(app, counted_absences, person, utcnow()) == 0  # since: after they happened
    assert committed(app, counted_absences, person, utcnow() - timedelta(days=1)) == 2
    assert committed(app, bookings_of, counted[1])[0].attendance == "excused"


def test_attendance_is_noted_once_the_activity_started(app, db, world):
    bookable_id = new_bookable(app, world, BookingPolicy(capacity=1))
    confirmed, queued = (committed(app, book, bookable_id, p) for p in make_people(db, 2))
    with pytest.raises(BookingRefused, match="à partir du début"):
        committed(app, mark_attendance, confirmed.id, "absent")
    move_to_the_past(db, bookable_id)
    with pytest.raises(ValueError, match="attendance must be one of"):
        committed(app, mark_attendance, confirmed.id, "absente")
    with pytest.raises(BookingRefused, match="présence"):
        committed(app, mark_attendance, queued.id, "present")  # queued: not there to be absent
    committed(app, mark_attendance, confirmed.id, "present")
    assert committed(app, bookings_of, bookable_id)[0].attendance == "present"


# --- the bookable: creation, changes, cancellation -------------------------------------------


@pytest.mark.parametrize(("policy", "message"), [
    (BookingPolicy(capacity=2, held_back=3),
     "Les places réservées doivent être comprises entre 0 et la capacité."),
    (BookingPolicy(capacity=-1), "Le nombre de places ne peut pas être négatif."),
    (BookingPolicy(capacity=2, cancellation_cutoff_minutes=-5),
     "Le délai d'annulation ne peut pas être négatif."),
    (BookingPolicy(capacity=2, opens_at=THURSDAY_2PM, closes_at=THURSDAY_2PM - timedelta(days=1)),
     "La clôture des inscriptions doit venir après leur ouverture."),
])
def test_a_wrong_policy_is_refused_in_french(app, db, world, policy, message):
    with pytest.raises(BookingRefused) as refusal:
        new_bookable(app, world, policy)
    assert str(refusal.value) == message
    assert db.scalars(select(Bookable.id)).all() == []


def test_creation_refuses_programming_mistakes_and_empty_titles(app, world):
    with pytest.raises(BookingRefused, match=r"Le titre est obligatoire\."):
        new_bookable(app, world, BookingPolicy(capacity=1), title="  ")
    with pytest.raises(ValueError, match="aware"):
        new_bookable(app, world, BookingPolicy(capacity=1), starts_at=datetime(2030, 3, 14, 14))
    with pytest.raises(ValueError, match="plugin"):
        new_bookable(app, world, BookingPolicy(capacity=1), plugin="agenda")


def test_created_bookable_belongs_to_the_plugin(app, world):
    policy = BookingPolicy(capacity=4, held_back=1, waitlist=False, cancellation_cutoff_minutes=60,
                           absences_count=True)
    bookable_id = new_bookable(app, world, policy)
    assert committed(app, bookable_info, bookable_id) == BookableInfo(
        id=bookable_id, owner=PLUGIN, owner_id=1, association_id=world.asso_a.id,
        title="Chantier jardin", starts_at=THURSDAY_2PM, cancelled=False, policy=policy)
    assert committed(app, bookable_info, bookable_id + 1000) is None


def test_capacity_never_drops_below_what_is_booked_and_nothing_changes(app, db, world):
    bookable_id = new_bookable(app, world, BookingPolicy(capacity=3))
    for person in make_people(db, 3):
        committed(app, book, bookable_id, person)
    with pytest.raises(BookingRefused) as refusal:
        committed(app, update_bookable, bookable_id, title="Nouveau titre",
            policy=BookingPolicy(capacity=2, waitlist=False))
    assert str(refusal.value) == (
        "Impossible : 3 places sont déjà prises, la capacité ne peut pas descendre en dessous.")
    info = committed(app, bookable_info, bookable_id)
    assert (info.title, info.policy) == ("Chantier jardin", BookingPolicy(capacity=3))


def test_updating_changes_title_start_and_policy(app, world):
    bookable_id = new_bookable(app, world, BookingPolicy(capacity=3))
    later = THURSDAY_2PM + timedelta(days=7)
    policy = BookingPolicy(capacity=5, held_back=2, waitlist=False, absences_count=True)
    assert committed(app, update_bookable, bookable_id, title="Chantier verger", starts_at=later,
               policy=policy) == []
    info = committed(app, bookable_info, bookable_id)
    assert (info.title, info.starts_at, info.policy) == ("Chantier verger", later, policy)


def test_the_agendas_own_bookables_are_not_changed_through_the_api(app, db, world):
    bookable_id = new_bookable(app, world, BookingPolicy(capacity=3))
    db.execute(update(Bookable).where(Bookable.id == bookable_id).values(owner="agenda"))
    db.commit()
    for action in (lambda: update_bookable(bookable_id, title="X"),
                   lambda: cancel_bookable(bookable_id), lambda: delete_bookable(bookable_id)):
        with pytest.raises(ValueError, match="agenda"):
            committed(app, action)


def test_cancelling_the_activity_tells_who_was_booked_after_the_commit(app, db, world,
                                                                       maillage_outbox):
    bookable_id = new_bookable(app, world, BookingPolicy(capacity=1))
    committed(app, book, bookable_id, world.volunteer_a.id)
    committed(app, book, bookable_id, world.supported_a.id)  # queued
    committed(app, book, bookable_id, world.volunteer2_a.id)  # queued, no email
    with app.app_context(), write_intent():
        told = cancel_bookable(bookable_id)
        assert maillage_outbox == []
        session.commit()
    assert [t.person_id for t in told] == [world.volunteer_a.id, world.supported_a.id,
                                           world.volunteer2_a.id]
    assert sorted(m["To"] for m in maillage_outbox) == ["benevole.a@test.org", "samir@test.org"]
    body = next(m for m in maillage_outbox if m["To"] == "samir@test.org").get_content()
    assert "« Chantier jardin », prévu le jeudi 14 mars à 14:00, est annulé." in body
    assert "Vous étiez en liste d'attente" in body

    with pytest.raises(BookingRefused, match="déjà annulée"):
        committed(app, cancel_bookable, bookable_id)
    [newcomer] = make_people(db, 1)
    with pytest.raises(BookingRefused, match="est annulée"):
        committed(app, book, bookable_id, newcomer)
    assert len(maillage_outbox) == 2


def test_a_bookable_is_deleted_only_without_live_bookings(app, db, world):
    bookable_id = new_bookable(app, world, BookingPolicy(capacity=2))
    [person] = make_people(db, 1)
    booking = committed(app, book, bookable_id, person)
    with pytest.raises(BookingRefused, match="Des personnes sont inscrites"):
        committed(app, delete_bookable, bookable_id)
    committed(app, cancel_booking, booking.id)
    committed(app, delete_bookable, bookable_id)
    assert committed(app, bookable_info, bookable_id) is None
    assert db.scalars(select(Booking.id)).all() == []  # the history goes with it
    with pytest.raises(BookingRefused, match="n'existe pas"):
        committed(app, delete_bookable, bookable_id)


# --- bookings --------------------------------------------------------------------------------


def test_no_one_books_twice(app, db, world):
    bookable_id = new_bookable(app, world, BookingPolicy(capacity=3))
    [person] = make_people(db, 1)
    committed(app, book, bookable_id, person)
    with pytest.raises(BookingRefused, match="déjà inscrite ou en liste d'attente"):
        committed(app, book, bookable_id, person)
    assert committed(app, places, bookable_id).taken == 1


def test_bookings_of_a_person_are_those_of_the_plugin(app, db, world):
    mine = [new_bookable(app, world, BookingPolicy(capacity=1), starts_at=THURSDAY_2PM + timedelta(days=d))
            for d in (7, 0)]
    foreign = new_bookable(app, world, BookingPolicy(capacity=1), plugin="autre_module")
    person, first = make_people(db, 2)
    committed(app, book, mine[0], first)
    queued = committed(app, book, mine[0], person)
    confirmed = committed(app, book, mine[1], person)
    committed(app, book, foreign, person)
    found = committed(app, bookings_of_person, person, PLUGIN)
    assert [(b.id, b.waitlist_position) for b in found] == [(confirmed.id, None), (queued.id, 1)]
    committed(app, cancel_booking, confirmed.id)
    assert [b.id for b in committed(app, bookings_of_person, person, PLUGIN)] == [queued.id]
    every = committed(app, bookings_of_person, person, PLUGIN, include_cancelled=True)
    assert [(b.id, b.status) for b in every] == [(confirmed.id, "cancelled"), (queued.id, "waitlisted")]


# --- promotion emails ------------------------------------------------------------------------


def test_a_promotion_on_cancel_emails_the_promoted_person_after_the_commit(app, db, world,
                                                                           maillage_outbox):
    bookable_id = new_bookable(app, world, BookingPolicy(capacity=1))
    first = committed(app, book, bookable_id, world.volunteer_a.id)
    committed(app, book, bookable_id, world.supported_a.id)
    committed(app, book, bookable_id, world.coordinator_a.id)
    with app.app_context(), write_intent():
        promoted = cancel_booking(first.id)
        assert maillage_outbox == []  # not before the commit
        session.commit()
    assert [(p.person_id, p.status) for p in promoted] == [(world.supported_a.id, "confirmed")]
    [mail] = maillage_outbox
    assert mail["To"] == "samir@test.org"
    assert mail["Subject"] == "Une place s'est libérée : « Chantier jardin »"
    assert ("Une place s'est libérée : vous êtes inscrit·e à « Chantier jardin » le jeudi 14 mars "
            "à 14:00.") in mail.get_content()


def test_no_email_when_the_transaction_is_rolled_back(app, world, maillage_outbox):
    bookable_id = new_bookable(app, world, BookingPolicy(capacity=1))
    first = committed(app, book, bookable_id, world.volunteer_a.id)
    committed(app, book, bookable_id, world.supported_a.id)
    with app.app_context(), write_intent():
        assert len(cancel_booking(first.id)) == 1
        session.rollback()
    with app.app_context(), write_intent():
        session.commit()  # a later transaction does not send it either
    assert maillage_outbox == []
    assert [b.status for b in committed(app, bookings_of, bookable_id)] == ["confirmed", "waitlisted"]


def test_a_raised_capacity_promotes_and_emails(app, world, maillage_outbox):
    bookable_id = new_bookable(app, world, BookingPolicy(capacity=1))
    committed(app, book, bookable_id, world.volunteer_a.id)
    committed(app, book, bookable_id, world.volunteer2_a.id)  # no email: promoted all the same
    committed(app, book, bookable_id, world.supported_a.id)
    promoted = committed(app, update_bookable, bookable_id, policy=BookingPolicy(capacity=3))
    assert [p.person_id for p in promoted] == [world.volunteer2_a.id, world.supported_a.id]
    assert [m["To"] for m in maillage_outbox] == ["samir@test.org"]


def test_no_promotion_email_for_a_cancelled_activity(app, world, maillage_outbox):
    bookable_id = new_bookable(app, world, BookingPolicy(capacity=1))
    first = committed(app, book, bookable_id, world.volunteer_a.id)
    committed(app, book, bookable_id, world.supported_a.id)
    committed(app, cancel_bookable, bookable_id)
    maillage_outbox.clear()
    committed(app, cancel_booking, first.id)
    assert maillage_outbox == []


def test_telling_the_promoted_takes_two_queries_whatever_their_number(app, db, world):
    bookables = [new_bookable(app, world, BookingPolicy(capacity=1), title=f"Chantier {n}")
                 for n in range(3)]
    people = make_people(db, 6, email=True)
    for index, bookable_id in enumerate(bookables):
        committed(app, book, bookable_id, people[2 * index])
        committed(app, book, bookable_id, people[2 * index + 1])
    with app.app_context():
        queued = list(session.scalars(select(Booking).where(
            Booking.status == BookingStatus.WAITLISTED)))
        with count_queries(app) as statements:
            tell_promoted(queued)
        session.rollback()
    assert len(queued) == 3 and len(statements) <= 2


# --- a plugin's page -------------------------------------------------------------------------


def test_the_example_plugin_books_through_the_api(app, client, db, world, maillage_enable_plugin):
    maillage_enable_plugin(PLUGIN, association_ref(world.asso_a))
    maillage_enable_plugin(PLUGIN, association_ref(world.asso_b))
    own = new_bookable(app, world, BookingPolicy(capacity=1))
    elsewhere = new_bookable(app, world, BookingPolicy(capacity=1), association=world.asso_b)
    foreign = new_bookable(app, world, BookingPolicy(capacity=1), plugin="autre_module")
    login(client, "benevole.a@test.org")
    response = post(client, f"/p/exemplum/alpha/reserver/{own}")
    assert response.status_code == 303
    assert [b.person_id for b in committed(app, bookings_of, own)] == [world.volunteer_a.id]
    again = post(client, f"/p/exemplum/alpha/reserver/{own}", follow_redirects=True)
    assert "déjà inscrite ou en liste d&#39;attente" in again.get_data(as_text=True)
    for bookable_id in (elsewhere, foreign):
        assert post(client, f"/p/exemplum/alpha/reserver/{bookable_id}").status_code == 404
    assert post(client, f"/p/exemplum/beta/reserver/{elsewhere}").status_code == 404
    assert post(client, f"/p/exemplum/alpha/reserver/{own}", csrf=False).status_code == 400


# --- under load ------------------------------------------------------------------------------


def test_people_booking_the_last_places_at_once_through_the_api(app, db, world):
    bookable_id = new_bookable(app, world, BookingPolicy(capacity=2, waitlist=False))
    people = make_people(db, 6)
    confirmed, refusals = hammer(app, [
        lambda person=person: committed(app, book, bookable_id, person).status for person in people
    ])
    outcomes = confirmed + refusals
    assert sorted(outcomes) == ["Il n'y a plus de place."] * 4 + ["confirmed"] * 2
    assert committed(app, places, bookable_id).taken == 2
