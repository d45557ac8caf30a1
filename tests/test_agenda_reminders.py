"""`maillage agenda remind`: the next day's bookings, one email per person, sent once
(real database: SQLite, and PostgreSQL when MAILLAGE_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask, url_for

import core.agenda.reminders as reminders_module
from core.agenda.bookables import Bookable
from core.agenda.bookings import Booking
from core.agenda.clock import paris_to_utc
from core.agenda.engine import book, cancel
from core.agenda.events import Event, EventKind, Visibility
from core.agenda.reminders import ReminderReport, send_reminders
from core.agenda.scheduling import EventFields, Places, cancel_event, create_events
from core.cli import cli
from core.database import session
from core.members import Person
from tests.support import committed

# A Thursday in winter: Paris is UTC+1.
DAY = date(2030, 1, 17)
EVENING_BEFORE = datetime(2030, 1, 16, 17, 0, tzinfo=UTC)  # when cron runs
BOOKED_AT = datetime(2030, 1, 10, 9, 0, tzinfo=UTC)
BASE = "https://intranet.exemple.org"


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return paris_to_utc(datetime(day.year, day.month, day.day, hour, minute))


def new_event(app: Flask, world, title: str, starts_at: datetime, *, place: str = "",
              partner_id: int | None = None, capacity: int = 5) -> Event:
    fields = EventFields(title=title, kind=EventKind.WORKSHOP, visibility=Visibility.COLLECTIVE,
                         starts_at=starts_at, ends_at=starts_at + timedelta(hours=2),
                         association_id=world.asso_a.id, place=place, partner_id=partner_id)
    [event] = committed(app, create_events, fields, Places(capacity=capacity))
    return event


def new_plugin_bookable(db, world, title: str, starts_at: datetime) -> Bookable:
    bookable = Bookable(owner="jardins", owner_id=1, association_id=world.asso_a.id, title=title,
                        starts_at=starts_at, capacity=4)
    db.add(bookable)
    db.commit()
    return bookable


def book_at(app: Flask, bookable_id: int, person) -> Booking:
    return committed(app, book, bookable_id, person.id, now=BOOKED_AT)


def remind(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(cli, ["agenda", "remind", *args])


def remind_now(app: Flask, **kwargs: Any) -> ReminderReport:
    with app.app_context():
        return send_reminders(now=EVENING_BEFORE, **kwargs)


def by_recipient(outbox: list[EmailMessage]) -> dict[str, EmailMessage]:
    recipients = [message["To"] for message in outbox]
    assert len(recipients) == len(set(recipients)), recipients  # one email per person
    return {message["To"]: message for message in outbox}


def reminded(db, *booking_ids: int) -> list[bool]:
    db.expire_all()
    return [db.get(Booking, booking_id).reminded_at is not None for booking_id in booking_ids]


@dataclass
class Agenda:
    workshop: Event
    desk: Event
    victor_bookings: list[int]
    samir_booking: int
    chloe_waitlisted: int
    alice_cancelled: int
    valerie_booking: int


@pytest.fixture
def agenda(app: Flask, db, world) -> Agenda:
    """Tomorrow: a workshop (2 places, full), a partner's desk and a plugin's slot; and
    bookings that must not be reminded around them."""
    workshop = new_event(app, world, "Atelier CV", paris(DAY, 14), place="Salle 2, 12 rue de la Paix",
                         capacity=2)
    desk = new_event(app, world, "Permanence emploi", paris(DAY, 9, 30), partner_id=world.partner.id)
    garden = new_plugin_bookable(db, world, "Créneau jardin partagé", paris(DAY, 17))
    today = new_event(app, world, "Café emploi", paris(date(2030, 1, 16), 18))
    after = new_event(app, world, "Visite d'entreprise", paris(date(2030, 1, 18), 10))
    called_off = new_event(app, world, "Sortie annulée", paris(DAY, 11))

    victor, samir = world.volunteer_a, world.supported_a
    victor_bookings = [book_at(app, e.bookable_id, victor).id
                       for e in (workshop, desk)] + [book_at(app, garden.id, victor).id]
    for other in (today, after, called_off):
        book_at(app, other.bookable_id, victor)
    committed(app, lambda: cancel_event(session.get(Event, called_off.id)))
    samir_booking = book_at(app, workshop.bookable_id, samir).id
    chloe = book_at(app, workshop.bookable_id, world.coordinator_a)  # full: waitlisted
    alice = book_at(app, desk.bookable_id, world.admin_a)
    committed(app, cancel, alice.id, now=BOOKED_AT)
    valerie = book_at(app, desk.bookable_id, world.volunteer2_a)  # no email address
    return Agenda(workshop=workshop, desk=desk, victor_bookings=victor_bookings,
                  samir_booking=samir_booking, chloe_waitlisted=chloe.id, alice_cancelled=alice.id,
                  valerie_booking=valerie.id)


# --- what is sent ---------------------------------------------------------------------------


def test_one_email_per_person_with_all_their_bookings_of_tomorrow(app, db, agenda, maillage_outbox):
    app.config["BASE_URL"] = BASE + "/"
    report = remind_now(app)

    assert (report.day, report.people, report.bookings, report.without_email) == (DAY, 2, 4, 1)
    assert report.failed == []
    mails = by_recipient(maillage_outbox)
    assert set(mails) == {"benevole.a@test.org", "samir@test.org"}  # not Chloé, Alice, Valérie

    victor = mails["benevole.a@test.org"]
    assert victor["Subject"] == "Rappel : vos activités de demain (jeudi 17 janvier)"
    body = victor.get_content()
    assert body.startswith("Bonjour Victor,")
    assert "demain, jeudi 17 janvier, vous êtes inscrit·e à :" in body
    # In time order, Paris time, with the place and page of agenda events only.
    assert body.index("9 h 30 : Permanence emploi") < body.index("14 h 00 : Atelier CV") \
        < body.index("17 h 00 : Créneau jardin partagé")
    assert "Lieu : Mission Locale Test" in body
    assert "Lieu : Salle 2, 12 rue de la Paix" in body
    with app.test_request_context():  # the links are the real pages
        workshop_page = url_for("agenda.event_detail", event_id=agenda.workshop.id)
        desk_page = url_for("agenda.event_detail", event_id=agenda.desk.id)
        my_bookings = url_for("agenda.my_bookings")
    assert f"{BASE}{workshop_page}\n" in body and f"{BASE}{desk_page}\n" in body
    assert f"{BASE}{my_bookings}" in body
    assert body.count("Lieu :") == 2 and body.count(f"{BASE}/agenda/") == 3  # not the plugin's
    for elsewhere in ("Café emploi", "Visite d'entreprise", "Sortie annulée"):
        assert elsewhere not in body

    samir = mails["samir@test.org"]
    assert samir["Subject"] == "Rappel : votre activité de demain (jeudi 17 janvier)"
    assert "14 h 00 : Atelier CV" in samir.get_content()
    assert "Permanence" not in samir.get_content()

    assert reminded(db, *agenda.victor_bookings, agenda.samir_booking) == [True] * 4
    assert reminded(db, agenda.chloe_waitlisted, agenda.alice_cancelled,
                    agenda.valerie_booking) == [False] * 3


def test_an_email_names_no_other_participant(app, agenda, world, maillage_outbox):
    remind_now(app)
    others = [world.supported_a, world.coordinator_a, world.admin_a, world.volunteer2_a]
    victor = by_recipient(maillage_outbox)["benevole.a@test.org"]
    text = victor.as_string() + victor.get_content()
    for person in others:
        assert person.first_name not in text and person.last_name not in text
        assert person.email is None or person.email not in text
    assert "Valérie" not in by_recipient(maillage_outbox)["samir@test.org"].get_content()


def test_without_a_base_url_the_email_says_where_to_cancel_without_links(app, agenda,
                                                                        maillage_outbox):
    remind_now(app)
    body = by_recipient(maillage_outbox)["benevole.a@test.org"].get_content()
    assert "http" not in body
    assert "page « Mes inscriptions » de l'agenda." in body


def test_running_twice_sends_once(app, db, agenda, maillage_outbox):
    first = remind(app, "--date", DAY.isoformat())
    assert first.exit_code == 0, first.output
    assert "4 rappels envoyés à 2 personnes, 1 personne sans e-mail." in first.output
    assert len(maillage_outbox) == 2

    second = remind(app, "--date", DAY.isoformat())
    assert second.exit_code == 0, second.output
    assert "0 rappel envoyé à 0 personne, 1 personne sans e-mail." in second.output
    assert len(maillage_outbox) == 2


def test_a_booking_made_after_the_run_is_reminded_by_the_next_one(app, db, agenda, world,
                                                                 maillage_outbox):
    remind_now(app)
    late = book_at(app, agenda.desk.bookable_id, world.supported_a)
    report = remind_now(app)
    assert (report.people, report.bookings) == (1, 1)
    assert maillage_outbox[-1]["To"] == "samir@test.org"
    assert "Permanence emploi" in maillage_outbox[-1].get_content()
    assert "Atelier CV" not in maillage_outbox[-1].get_content()  # already reminded
    assert reminded(db, late.id) == [True]


def test_dry_run_lists_without_sending_or_marking(app, db, agenda, maillage_outbox):
    result = remind(app, "--date", DAY.isoformat(), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Simulation, rien n'est envoyé ni marqué." in result.output
    assert "4 rappels à envoyer à 2 personnes, 1 personne sans e-mail." in result.output
    assert "benevole.a@test.org :" in result.output
    assert "9 h 30  Permanence emploi" in result.output
    assert maillage_outbox == []
    assert reminded(db, *agenda.victor_bookings, agenda.samir_booking) == [False] * 4


def test_date_chooses_the_day(app, agenda, maillage_outbox):
    result = remind(app, "--date", "2030-01-18")
    assert result.exit_code == 0, result.output
    assert "Vendredi 18 janvier : 1 rappel envoyé à 1 personne" in result.output
    [mail] = maillage_outbox
    # Not tomorrow as seen from the wall clock: the subject names the day.
    assert mail["Subject"] == "Rappel : votre activité du vendredi 18 janvier"
    assert "Visite d'entreprise" in mail.get_content()


def test_a_bad_date_is_refused(app):
    result = remind(app, "--date", "17/01/2030")
    assert result.exit_code == 2
    assert "17/01/2030" in result.output


def test_the_day_is_tomorrow_in_paris(app, db, world, maillage_outbox):
    """Winter: Paris is UTC+1, so 00:30 tomorrow in Paris is still today in UTC."""
    just_after_midnight = new_event(app, world, "Maraude de nuit", paris(DAY, 0, 30))
    late_tonight = new_event(app, world, "Veillée", paris(date(2030, 1, 16), 23, 30))
    last_of_tomorrow = new_event(app, world, "Fin de soirée", paris(DAY, 23, 30))
    first_of_after = new_event(app, world, "Petit matin", paris(date(2030, 1, 18), 0, 30))
    assert just_after_midnight.starts_at == datetime(2030, 1, 16, 23, 30, tzinfo=UTC)
    for event in (just_after_midnight, late_tonight, last_of_tomorrow, first_of_after):
        book_at(app, event.bookable_id, world.volunteer_a)

    # At 23:45 UTC it is already 00:45 on the 17th in Paris: "tomorrow" is then the 18th.
    with app.app_context():
        late = send_reminders(now=datetime(2030, 1, 16, 23, 45, tzinfo=UTC), dry_run=True)
    assert late.day == date(2030, 1, 18)
    assert [item.title for item in late.reminders[0].items] == ["Petit matin"]

    remind_now(app)
    body = by_recipient(maillage_outbox)["benevole.a@test.org"].get_content()
    assert "0 h 30 : Maraude de nuit" in body and "23 h 30 : Fin de soirée" in body
    assert "Veillée" not in body and "Petit matin" not in body


def test_summer_time_is_shown_in_paris_time(app, world, maillage_outbox):
    summer_day = date(2030, 7, 4)
    event = new_event(app, world, "Atelier d'été", paris(summer_day, 14))
    assert event.starts_at.hour == 12  # UTC+2
    book_at(app, event.bookable_id, world.volunteer_a)
    with app.app_context():
        send_reminders(summer_day, now=datetime(2030, 7, 3, 16, tzinfo=UTC))
    [mail] = maillage_outbox
    assert mail["Subject"] == "Rappel : votre activité de demain (jeudi 4 juillet)"
    assert "14 h 00 : Atelier d'été" in mail.get_content()


def test_a_person_without_email_is_counted_and_left_for_later(app, db, agenda, world,
                                                            maillage_outbox):
    assert remind_now(app).without_email == 1
    assert reminded(db, agenda.valerie_booking) == [False]
    # Once a coordinator adds the address, the next run (e.g. with --date) reminds her.
    db.get(Person, world.volunteer2_a.id).email = "valerie@test.org"
    db.commit()
    report = remind_now(app)
    assert (report.people, report.without_email) == (1, 0)
    assert maillage_outbox[-1]["To"] == "valerie@test.org"
    assert reminded(db, agenda.valerie_booking) == [True]


def test_deactivated_people_get_no_reminder(app, db, agenda, world, maillage_outbox):
    person = db.get(Person, world.supported_a.id)
    person.active = False
    db.commit()
    report = remind_now(app)
    assert "samir@test.org" not in by_recipient(maillage_outbox)
    assert report.people == 1
    assert reminded(db, agenda.samir_booking) == [False]


# --- failures and concurrency ---------------------------------------------------------------


def test_a_failed_email_leaves_that_person_for_the_next_run(app, db, agenda, maillage_outbox,
                                                           monkeypatch):
    real_send = reminders_module.send_mail

    def failing_for_victor(to: str, subject: str, body: str) -> None:
        if to == "benevole.a@test.org":
            raise OSError("SMTP indisponible")
        real_send(to, subject, body)

    monkeypatch.setattr(reminders_module, "send_mail", failing_for_victor)
    result = remind(app, "--date", DAY.isoformat())
    assert result.exit_code == 1
    assert "1 rappel envoyé à 1 personne" in result.output
    assert "Échec de l'envoi pour 1 personne : benevole.a@test.org." in result.output
    assert [m["To"] for m in maillage_outbox] == ["samir@test.org"]
    assert reminded(db, *agenda.victor_bookings) == [False] * 3
    assert reminded(db, agenda.samir_booking) == [True]

    monkeypatch.setattr(reminders_module, "send_mail", real_send)
    retry = remind(app, "--date", DAY.isoformat())
    assert retry.exit_code == 0, retry.output
    assert "3 rappels envoyés à 1 personne" in retry.output
    assert [m["To"] for m in maillage_outbox] == ["samir@test.org", "benevole.a@test.org"]
    assert reminded(db, *agenda.victor_bookings) == [True] * 3


def test_a_broken_mail_backend_marks_nothing(app, db, agenda, maillage_outbox):
    app.config["MAIL_BACKEND"] = "pigeon"
    report = remind_now(app)
    assert sorted(report.failed) == ["benevole.a@test.org", "samir@test.org"]
    assert report.people == 0 and maillage_outbox == []
    assert reminded(db, *agenda.victor_bookings, agenda.samir_booking) == [False] * 4


def test_two_runs_at_once_send_once_per_person(app, db, agenda, maillage_outbox):
    runs = 4
    barrier = threading.Barrier(runs)
    reports: list[ReminderReport] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def cron() -> None:
        with app.app_context():
            barrier.wait()
            try:
                report = send_reminders(now=EVENING_BEFORE)
            except BaseException as error:
                with lock:
                    errors.append(error)
            else:
                with lock:
                    reports.append(report)

    threads = [threading.Thread(target=cron) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a reminder run is stuck"
    assert errors == []
    assert sorted(m["To"] for m in maillage_outbox) == ["benevole.a@test.org", "samir@test.org"]
    assert sum(report.people for report in reports) == 2
    assert sum(report.bookings for report in reports) == 4
    assert reminded(db, *agenda.victor_bookings, agenda.samir_booking) == [True] * 4
