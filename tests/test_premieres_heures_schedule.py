"""Premières Heures — the weekly schedule: work sessions at the host structure (typed in Paris
time, stored in UTC), week views per host structure and per person, warnings over the
target, double booking refused (also when two coordinators save at the same moment, on
SQLite and PostgreSQL), attendance and hours worked, the flag a run of absences raises, and
the sessions in the shared agenda (never with the person's name in a feed)."""

from __future__ import annotations

import html
import re
import threading
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.agenda.feed_tokens import new_feed_token
from core.database import session, write_intent
from core.partners import Partner, PartnerKind
from core.pluginhost.refs import association_ref
from plugins.premieres_heures import schedule
from plugins.premieres_heures.models import (
    Attendance,
    HoursStage,
    Pathway,
    PathwayStatus,
    WorkSession,
)
from tests.conftest import World
from tests.support import (
    committed,
    count_queries,
    csrf_token,
    field_error,
    give_account,
    login,
    post,
    text_of,
)

PARIS = ZoneInfo("Europe/Paris")
BASE = "/p/premieres_heures/alpha"


# --- helpers -----------------------------------------------------------------------------------


def today() -> date:
    return datetime.now(PARIS).date()


def monday_of(weeks: int = 0) -> date:
    """The Monday of this week (Paris), moved by ``weeks``."""
    day = today()
    return day - timedelta(days=day.weekday()) + timedelta(weeks=weeks)


def paris(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=PARIS).astimezone(UTC)


def page(response) -> str:
    return html.unescape(text_of(response))


def sessions_count(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count(WorkSession.id))) or 0


@pytest.fixture
def host(db: Session, world: World) -> Partner:
    partner = Partner(name="Chantier Bois d'Œuvre", kind=PartnerKind.INSERTION_STRUCTURE,
                      address="12 rue du Port, Saint-Denis")
    db.add(partner)
    db.commit()
    return partner


@pytest.fixture
def enabled(world: World, maillage_enable_plugin) -> World:
    maillage_enable_plugin("premieres_heures", world.asso_a)
    return world


def make_pathway(db: Session, world: World, host: Partner | None, *, person_id: int | None = None,
                 association_id: int | None = None, hours: int | None = 8,
                 status: PathwayStatus = PathwayStatus.ACTIVE, start: date | None = None,
                 end: date | None = None) -> Pathway:
    pathway = Pathway(association_id=association_id or world.asso_a.id,
                      person_id=person_id or world.supported_a.id, orienteur_name="Inès Orient",
                      host_partner_id=host.id if host else None,
                      start_date=start or today() - timedelta(days=60),
                      planned_end=end or today() + timedelta(days=120), status=status)
    if hours is not None:
        pathway.stages = [HoursStage(effective_date=pathway.start_date, weekly_hours=hours)]
    db.add(pathway)
    db.commit()
    return pathway


def add_session(db: Session, pathway: Pathway, day: date, start: int, end: int, *,
                attendance: Attendance | None = None, task: str = "Tri des dons") -> WorkSession:
    row = WorkSession(pathway_id=pathway.id, person_id=pathway.person_id,
                      association_id=pathway.association_id, host_partner_id=pathway.host_partner_id,
                      starts_at=paris(day, start), ends_at=paris(day, end), task=task,
                      supervisor="Marc Encadrant", attendance=attendance)
    db.add(row)
    db.commit()
    return row


def new_session_url(pathway: Pathway) -> str:
    return f"{BASE}/parcours/{pathway.id}/seances/nouvelle"


def person_week_url(pathway: Pathway, day: date) -> str:
    return f"{BASE}/semaine/parcours/{pathway.id}?jour={day.isoformat()}"


def host_week_url(partner: Partner, day: date) -> str:
    return f"{BASE}/semaine/structure/{partner.id}?jour={day.isoformat()}"


def form(day: date, start: str, end: str, **extra: str) -> dict[str, str]:
    return {"day": day.isoformat(), "start": start, "end": end, **extra}


def as_coordinator(client, world: World) -> None:
    login(client, "coord.a@test.org")


# --- sessions and week views -------------------------------------------------------------------


def test_a_session_is_typed_in_paris_time_and_stored_in_utc(client, db, enabled, host):
    pathway = make_pathway(db, enabled, host)
    wednesday = monday_of(1) + timedelta(days=2)
    as_coordinator(client, enabled)
    assert client.get(new_session_url(pathway)).status_code == 200
    response = post(client, new_session_url(pathway),
                    form(wednesday, "09:00", "12:30", supervisor="Marc Encadrant",
                         task="Tri des dons"))
    assert response.status_code == 303
    assert response.headers["Location"].endswith(person_week_url(pathway, wednesday))
    row = db.scalars(select(WorkSession)).one()
    assert (row.starts_at, row.ends_at) == (paris(wednesday, 9), paris(wednesday, 12, 30))
    assert row.starts_at.tzinfo is not None and row.hours == 3.5
    assert (row.person_id, row.association_id, row.host_partner_id) == (
        enabled.supported_a.id, enabled.asso_a.id, host.id)
    assert row.attendance is None

    text = page(client.get(person_week_url(pathway, wednesday)))
    assert "Séance enregistrée." in text
    assert "09:00 – 12:30" in text and "(3 h 30)" in text
    assert "Tri des dons" in text and "Encadrant·e : Marc Encadrant" in text
    assert "Samir Suivi — semaine du" in text
    assert "Heures prévues</dt><dd>3 h 30" in text
    assert "Objectif de la semaine</dt><dd>8 h" in text


def test_week_views_run_monday_to_sunday_with_the_person_and_attendance(client, db, enabled, host):
    pathway = make_pathway(db, enabled, host)
    monday = monday_of(1)
    add_session(db, pathway, monday + timedelta(days=3), 14, 17, task="Espaces verts")
    other = make_pathway(db, enabled, host, person_id=enabled.volunteer2_a.id)
    add_session(db, other, monday, 8, 10)
    as_coordinator(client, enabled)

    text = page(client.get(host_week_url(host, monday + timedelta(days=3))))
    days = re.findall(r'<h2 id="jour-([0-9-]+)">([^<]+)</h2>', text)
    assert [d for d, _ in days] == [(monday + timedelta(days=n)).isoformat() for n in range(7)]
    assert days[0][1].startswith("Lundi") and days[6][1].startswith("Dimanche")
    assert "Chantier Bois d'Œuvre — semaine du" in text
    assert "14:00 – 17:00" in text and "08:00 – 10:00" in text
    assert "Samir Suivi" in text and "Valérie Volontaire" in text and "Espaces verts" in text
    assert f"jour={(monday - timedelta(days=7)).isoformat()}" in text  # previous week
    assert f"jour={(monday + timedelta(days=7)).isoformat()}" in text  # next week
    assert "À venir" in text and 'name="presence-' not in text  # not started: nothing to note

    text = page(client.get(person_week_url(pathway, monday)))
    assert "14:00 – 17:00" in text and "08:00 – 10:00" not in text  # only this person's

    # The next week is empty; the overview lists the host structure in use.
    assert "14:00" not in page(client.get(host_week_url(host, monday + timedelta(days=7))))
    text = page(client.get(f"{BASE}/semaine/?jour={monday.isoformat()}"))
    assert "Chantier Bois d'Œuvre" in text and f"/semaine/structure/{host.id}" in text
    assert "Samir Suivi" in text and "Valérie Volontaire" in text


def test_a_week_over_the_target_is_saved_with_a_warning(client, db, enabled, host):
    pathway = make_pathway(db, enabled, host, hours=8)
    monday = monday_of(1)
    add_session(db, pathway, monday, 9, 13)
    add_session(db, pathway, monday + timedelta(days=1), 9, 13)
    as_coordinator(client, enabled)
    response = post(client, new_session_url(pathway), form(monday + timedelta(days=2), "09:00", "13:00"))
    assert response.status_code == 303
    assert sessions_count(db) == 3
    text = page(client.get(response.headers["Location"]))
    assert "Attention : 12 h prévues pour un objectif de 8 h la semaine du" in text
    assert "12 h prévues pour un objectif de 8 h." in text  # on the week view itself
    text = page(client.get(host_week_url(host, monday)))
    assert "Samir Suivi : 12 h prévues pour un objectif de 8 h." in text
    assert "12 h prévues pour un objectif de 8 h" in page(
        client.get(f"{BASE}/semaine/?jour={monday.isoformat()}"))


def test_within_the_target_no_warning(client, db, enabled, host):
    pathway = make_pathway(db, enabled, host, hours=8)
    as_coordinator(client, enabled)
    response = post(client, new_session_url(pathway), form(monday_of(1), "09:00", "17:00"))
    assert response.status_code == 303
    assert "prévues pour un objectif" not in page(client.get(response.headers["Location"]))


def test_double_booking_is_refused_next_to_the_time(client, db, enabled, host):
    pathway = make_pathway(db, enabled, host)
    day = monday_of(1)
    add_session(db, pathway, day, 9, 12)
    as_coordinator(client, enabled)
    response = post(client, new_session_url(pathway), form(day, "10:00", "11:00", task="Autre"))
    assert response.status_code == 422
    assert field_error(response, "start") == (
        "Samir Suivi a déjà une séance de 9 h 00 à 12 h 00 ce jour-là.")
    assert 'value="Autre"' in text_of(response)  # the input is kept
    assert sessions_count(db) == 1
    # Around it, or covering it: refused too.
    for start, end in (("08:00", "09:30"), ("11:59", "13:00"), ("07:00", "14:00")):
        assert post(client, new_session_url(pathway), form(day, start, end)).status_code == 422
    assert sessions_count(db) == 1


def test_back_to_back_sessions_are_allowed(client, db, enabled, host):
    pathway = make_pathway(db, enabled, host, hours=20)
    day = monday_of(1)
    add_session(db, pathway, day, 9, 12)
    as_coordinator(client, enabled)
    assert post(client, new_session_url(pathway), form(day, "12:00", "14:00")).status_code == 303
    assert post(client, new_session_url(pathway), form(day, "07:00", "09:00")).status_code == 303
    assert sessions_count(db) == 3


def test_end_before_start_is_refused(client, db, enabled, host):
    pathway = make_pathway(db, enabled, host)
    as_coordinator(client, enabled)
    for start, end in (("14:00", "13:00"), ("14:00", "14:00")):
        response = post(client, new_session_url(pathway), form(monday_of(1), start, end))
        assert response.status_code == 422
        assert field_error(response, "end") == "La fin doit être après le début."
    assert sessions_count(db) == 0
    with pytest.raises(schedule.SessionRefused, match=r"La fin doit être après le début\."):
        committed(client.application, lambda: schedule.save_session(
            session.get(Pathway, pathway.id),
            schedule.SessionFields(monday_of(1), time(14), time(13))))


def test_bad_input_gets_french_messages(client, db, enabled, host):
    pathway = make_pathway(db, enabled, host)
    as_coordinator(client, enabled)
    response = post(client, new_session_url(pathway), {"day": "", "start": "25:00", "end": "midi"})
    assert response.status_code == 422
    assert field_error(response, "day") == "Ce champ est obligatoire."
    assert field_error(response, "start") == "Heure invalide (exemple : 09:30)."
    assert field_error(response, "end") == "Heure invalide (exemple : 09:30)."
    # Typed by hand on a phone without a time picker: "9h", "13h30".
    response = post(client, new_session_url(pathway), form(monday_of(1), "9h", "13h30"))
    assert response.status_code == 303
    row = db.scalars(select(WorkSession)).one()
    assert row.ends_at == paris(monday_of(1), 13, 30)


def test_sessions_outside_the_pathway_are_refused(client, db, enabled, host):
    start, end = today() - timedelta(days=10), today() + timedelta(days=30)
    pathway = make_pathway(db, enabled, host, start=start, end=end)
    as_coordinator(client, enabled)
    for day in (start - timedelta(days=1), end + timedelta(days=1)):
        response = post(client, new_session_url(pathway), form(day, "09:00", "12:00"))
        assert response.status_code == 422
        assert field_error(response, "day").startswith(
            "La séance doit avoir lieu pendant le parcours : entre le ")
    assert post(client, new_session_url(pathway), form(end, "09:00", "12:00")).status_code == 303

    # An exit before the planned end closes the pathway earlier.
    pathway.exit_date = today() + timedelta(days=5)
    db.commit()
    response = post(client, new_session_url(pathway),
                    form(today() + timedelta(days=6), "09:00", "12:00"))
    assert response.status_code == 422
    # An ended pathway takes no session at all.
    pathway.status = PathwayStatus.ENDED
    db.commit()
    response = post(client, new_session_url(pathway), form(today(), "09:00", "10:00"))
    assert response.status_code == 422
    assert field_error(response, "day") == (
        "Ce parcours est terminé : on ne peut plus y prévoir de séance.")
    assert sessions_count(db) == 1


def test_a_session_is_changed_and_deleted(client, db, enabled, host):
    pathway = make_pathway(db, enabled, host)
    day = monday_of(1)
    first = add_session(db, pathway, day, 9, 12)
    second = add_session(db, pathway, day, 14, 16)
    as_coordinator(client, enabled)
    edit = f"{BASE}/parcours/{pathway.id}/seances/{second.id}/modifier"
    text = page(client.get(edit))
    assert 'value="14:00"' in text and 'value="16:00"' in text
    assert post(client, edit, form(day, "13:00", "17:00", task="Peinture")).status_code == 303
    db.expire_all()
    assert (second.starts_at, second.ends_at, second.task) == (paris(day, 13), paris(day, 17), "Peinture")

    # Onto the other session: refused, nothing changed.
    response = post(client, edit, form(day, "11:00", "15:00"))
    assert response.status_code == 422
    assert field_error(response, "start") == "Samir Suivi a déjà une séance de 9 h 00 à 12 h 00 ce jour-là."
    db.expire_all()
    assert second.starts_at == paris(day, 13)
    # Unchanged times of its own are no clash with itself.
    assert post(client, edit, form(day, "13:00", "17:00", task="Peinture")).status_code == 303

    response = post(client, f"{BASE}/parcours/{pathway.id}/seances/{first.id}/supprimer")
    assert response.status_code == 303
    assert sessions_count(db) == 1


# --- two coordinators at the same moment ---------------------------------------------------------


def test_two_overlapping_saves_at_once_keep_exactly_one(app: Flask, db, enabled, host):
    """Each thread runs the view's save function in its own app context and transaction."""
    pathway = make_pathway(db, enabled, host)
    day = monday_of(1)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []
    errors: list[BaseException] = []

    def save(start: int, end: int) -> None:
        try:
            with app.app_context(), write_intent():
                barrier.wait(timeout=30)
                try:
                    schedule.save_session(session.get(Pathway, pathway.id),
                                          schedule.SessionFields(day, time(start), time(end)))
                except schedule.SessionRefused as refusal:
                    session.rollback()
                    outcomes.append(str(refusal))
                else:
                    session.commit()
                    outcomes.append("saved")
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=save, args=args) for args in ((9, 12), (10, 13))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert sorted(outcomes)[1] == "saved" and len(outcomes) == 2
    assert sorted(outcomes)[0].startswith("Samir Suivi a déjà une séance de ")
    assert sessions_count(db) == 1


def test_a_save_racing_an_uncommitted_one_is_refused(app: Flask, db, enabled, host):
    """The worst interleaving, forced: the first save has written its session but not yet
    committed when the second one checks. On PostgreSQL the second passes the check and the
    exclusion constraint refuses it once the first commits; on SQLite the second waits for
    the write lock, then sees the first session."""
    pathway = make_pathway(db, enabled, host)
    day = monday_of(1)
    written = threading.Barrier(2)
    outcomes: dict[str, str] = {}
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with app.app_context(), write_intent():
                schedule.save_session(session.get(Pathway, pathway.id),
                                      schedule.SessionFields(day, time(9), time(12)))
                written.wait(timeout=30)
                threading.Event().wait(0.5)  # the second one is checking meanwhile
                session.commit()
                outcomes["first"] = "saved"
        except BaseException as error:  # reported below
            errors.append(error)

    def second() -> None:
        try:
            written.wait(timeout=30)
            with app.app_context(), write_intent():
                try:
                    schedule.save_session(session.get(Pathway, pathway.id),
                                          schedule.SessionFields(day, time(11), time(13)))
                except schedule.SessionRefused as refusal:
                    session.rollback()
                    outcomes["second"] = str(refusal)
                else:
                    session.commit()
                    outcomes["second"] = "saved"
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert outcomes == {"first": "saved",
                        "second": "Samir Suivi a déjà une séance de 9 h 00 à 12 h 00 ce jour-là."}
    assert sessions_count(db) == 1


def test_two_coordinators_posting_at_once_save_one_session(app: Flask, db, enabled, host):
    pathway = make_pathway(db, enabled, host)
    day = monday_of(1)
    clients = []
    for email in ("coord.a@test.org", "admin.a@test.org"):
        browser = app.test_client()
        login(browser, email)
        clients.append((browser, csrf_token(browser)))
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def send(index: int, start: str, end: str) -> None:
        browser, token = clients[index]
        barrier.wait(timeout=30)
        response = browser.post(new_session_url(pathway),
                                data={**form(day, start, end), "csrf_token": token})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=send, args=(0, "09:00", "12:00")),
               threading.Thread(target=send, args=(1, "11:00", "14:00"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [303, 422]
    assert sessions_count(db) == 1


# --- attendance --------------------------------------------------------------------------------


def test_attendance_and_hours_worked_against_the_target(client, db, enabled, host):
    pathway = make_pathway(db, enabled, host, hours=8)
    monday = monday_of(-1)
    first = add_session(db, pathway, monday, 9, 12)
    second = add_session(db, pathway, monday + timedelta(days=1), 9, 12)
    third = add_session(db, pathway, monday + timedelta(days=2), 9, 11)
    as_coordinator(client, enabled)
    week = person_week_url(pathway, monday)
    text = page(client.get(week))
    assert f'name="presence-{first.id}"' in text and "Enregistrer les présences" in text
    response = post(client, f"{BASE}/semaine/parcours/{pathway.id}/presences",
                    {f"presence-{first.id}": "present", f"presence-{second.id}": "absent",
                     f"presence-{third.id}": "present", "jour": monday.isoformat()})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(week)
    db.expire_all()
    assert [r.attendance for r in (first, second, third)] == [
        Attendance.PRESENT, Attendance.ABSENT, Attendance.PRESENT]
    text = page(client.get(week))
    assert "Présences enregistrées." in text
    assert "Heures prévues</dt><dd>8 h" in text
    assert "Heures travaillées</dt><dd>5 h" in text
    assert "Objectif de la semaine</dt><dd>8 h" in text
    assert '<option value="absent" selected>' in text

    # The host structure's week notes attendance too; "" clears a mark.
    response = post(client, f"{BASE}/semaine/structure/{host.id}/presences",
                    {f"presence-{second.id}": "excused", f"presence-{third.id}": "",
                     "jour": monday.isoformat()})
    assert response.status_code == 303
    db.expire_all()
    assert (second.attendance, third.attendance) == (Attendance.EXCUSED, None)

    with client.application.app_context():
        [line] = schedule.week_summary(enabled.asso_a.id, monday)
    assert (line.pathway_id, line.planned_hours, line.worked_hours, line.target) == (
        pathway.id, 8.0, 3.0, 8)
    assert line.person_label == "Samir Suivi" and line.host_name == "Chantier Bois d'Œuvre"


def test_attendance_is_refused_before_the_start_or_with_a_value_not_offered(client, db, enabled, host):
    pathway = make_pathway(db, enabled, host)
    past = add_session(db, pathway, monday_of(-1), 9, 12)
    future = add_session(db, pathway, monday_of(1), 9, 12)
    as_coordinator(client, enabled)
    url = f"{BASE}/semaine/parcours/{pathway.id}/presences"
    response = post(client, url, {f"presence-{past.id}": "present", f"presence-{future.id}": "absent"})
    assert response.status_code == 422
    assert "Les présences se notent à partir du début de la séance." in page(response)
    response = post(client, url, {f"presence-{past.id}": "late"})
    assert response.status_code == 422
    assert "Une des présences n'est pas un choix possible." in page(response)
    db.expire_all()
    assert (past.attendance, future.attendance) == (None, None)  # nothing saved


def test_absences_flag_a_run_for_the_referent_and_never_block(client, db, enabled, host):
    pathway = make_pathway(db, enabled, host, hours=20)
    start = monday_of(-3)
    marks = [Attendance.PRESENT, Attendance.ABSENT, Attendance.ABSENT]
    rows = [add_session(db, pathway, start + timedelta(days=n), 9, 12, attendance=mark)
            for n, mark in enumerate(marks)]
    add_session(db, pathway, monday_of(1), 9, 12)  # future, not noted: ignored

    def flags(threshold: int = 3) -> dict[int, int]:
        with client.application.app_context():
            return schedule.absence_flags(enabled.asso_a.id, threshold)

    assert flags() == {}
    assert flags(2) == {pathway.id: 2}
    # An excused absence neither counts nor ends the run.
    add_session(db, pathway, start + timedelta(days=3), 9, 12, attendance=Attendance.EXCUSED)
    assert flags() == {}
    add_session(db, pathway, start + timedelta(days=4), 9, 12, attendance=Attendance.ABSENT)
    assert flags() == {pathway.id: 3}

    as_coordinator(client, enabled)
    assert "3 absences de suite : à voir avec le référent." in page(
        client.get(person_week_url(pathway, start)))
    assert "Samir Suivi : 3 absences de suite : à voir avec le référent." in page(
        client.get(host_week_url(host, start)))
    assert "3 absences de suite : à voir avec le référent" in page(client.get(f"{BASE}/semaine/"))
    # Never a block: a new session is taken as usual.
    assert post(client, new_session_url(pathway),
                form(monday_of(1) + timedelta(days=1), "09:00", "12:00")).status_code == 303

    # A presence ends the run.
    add_session(db, pathway, start + timedelta(days=5), 9, 12, attendance=Attendance.PRESENT)
    assert flags() == {} and flags(1) == {}
    assert rows[0].id  # the first presence was before the run
    # Ended pathways raise no flag.
    add_session(db, pathway, start + timedelta(days=6), 9, 10, attendance=Attendance.ABSENT)
    assert flags(1) == {pathway.id: 1}
    pathway.status = PathwayStatus.ENDED
    db.commit()
    assert flags(1) == {}


def test_the_threshold_is_the_associations_setting(client, db, world, host, maillage_enable_plugin):
    maillage_enable_plugin("premieres_heures", world.asso_a, settings={"absence_flag_threshold": 2})
    pathway = make_pathway(db, world, host)
    monday = monday_of(-1)
    for n in range(2):
        add_session(db, pathway, monday + timedelta(days=n), 9, 12, attendance=Attendance.ABSENT)
    as_coordinator(client, world)
    assert "2 absences de suite : à voir avec le référent." in page(
        client.get(person_week_url(pathway, monday)))


# --- the agenda ----------------------------------------------------------------------------------


def test_sessions_reach_the_agenda_of_the_person_and_coordinators_only(
        app, client, db, enabled, host, password_hash):
    pathway = make_pathway(db, enabled, host)
    day = today() + timedelta(days=3)
    row = add_session(db, pathway, day, 9, 12)
    title = "Séance de travail — Chantier Bois d'Œuvre"

    with app.test_request_context():
        start, end = paris(day, 0), paris(day + timedelta(days=1), 0)
        [item] = schedule.agenda_items_for(association_ref(enabled.asso_a), start, end)
    assert item.title == title and item.uid == f"session-{row.id}"
    assert item.visibility == "people" and item.person_ids == frozenset({enabled.supported_a.id})
    assert item.location == "12 rue du Port, Saint-Denis" and item.kind == "other"
    assert (item.start, item.end) == (paris(day, 9), paris(day, 12))
    assert "Samir" not in item.title + item.description

    give_account(db, enabled.supported_a.id, password_hash)
    for email, sees in (("samir@test.org", True), ("coord.a@test.org", True),
                        ("benevole.a@test.org", False)):
        browser = app.test_client()
        login(browser, email)
        agenda = page(browser.get("/agenda/"))
        assert (title in agenda) is sees, email
        week = page(browser.get(f"/agenda/semaine?jour={day.isoformat()}"))
        assert (title in week) is sees, email

    public = client.get("/agenda/alpha.ics").get_data(as_text=True)
    assert "Séance de travail" not in public
    token = committed(app, new_feed_token, enabled.coordinator_a.id)
    private = client.get(f"/agenda/flux/{token}.ics").data.replace(b"\r\n ", b"").decode()
    assert "Séance de travail" in private
    assert "Samir" not in private and "Suivi" not in private
    token = committed(app, new_feed_token, enabled.supported_a.id)
    assert "Séance de travail" in client.get(f"/agenda/flux/{token}.ics").data.replace(
        b"\r\n ", b"").decode()


def test_a_disabled_plugin_puts_nothing_in_the_agenda(app, db, world, host, password_hash):
    pathway = make_pathway(db, world, host)
    add_session(db, pathway, today() + timedelta(days=3), 9, 12)
    browser = app.test_client()
    login(browser, "coord.a@test.org")
    assert "Séance de travail" not in page(browser.get("/agenda/"))


# --- who may see what ----------------------------------------------------------------------------


def _urls(pathway: Pathway, row: WorkSession, host: Partner) -> list[tuple[str, str]]:
    day = today().isoformat()
    return [
        ("GET", f"{BASE}/semaine/"),
        ("GET", f"{BASE}/semaine/structure/{host.id}?jour={day}"),
        ("POST", f"{BASE}/semaine/structure/{host.id}/presences"),
        ("GET", f"{BASE}/semaine/parcours/{pathway.id}?jour={day}"),
        ("POST", f"{BASE}/semaine/parcours/{pathway.id}/presences"),
        ("GET", new_session_url(pathway)),
        ("POST", new_session_url(pathway)),
        ("GET", f"{BASE}/parcours/{pathway.id}/seances/{row.id}/modifier"),
        ("POST", f"{BASE}/parcours/{pathway.id}/seances/{row.id}/modifier"),
        ("POST", f"{BASE}/parcours/{pathway.id}/seances/{row.id}/supprimer"),
    ]


def _status(client, method: str, url: str) -> int:
    return (client.get(url) if method == "GET" else post(client, url, {})).status_code


def test_a_volunteer_is_refused(client, db, enabled, host):
    pathway = make_pathway(db, enabled, host)
    row = add_session(db, pathway, monday_of(1), 9, 12)
    login(client, "benevole.a@test.org")
    for method, url in _urls(pathway, row, host):
        assert _status(client, method, url) == 403, (method, url)
    assert sessions_count(db) == 1


def test_a_disabled_plugin_answers_404(client, db, world, host):
    pathway = make_pathway(db, world, host)
    row = add_session(db, pathway, monday_of(1), 9, 12)
    as_coordinator(client, world)
    for method, url in _urls(pathway, row, host):
        assert _status(client, method, url) == 404, (method, url)


def test_another_associations_records_answer_404(client, db, world, host, maillage_enable_plugin):
    maillage_enable_plugin("premieres_heures", world.asso_a)
    maillage_enable_plugin("premieres_heures", world.asso_b)
    mine = make_pathway(db, world, host)
    my_row = add_session(db, mine, monday_of(1), 9, 12)
    theirs = make_pathway(db, world, host, person_id=world.supported_b.id,
                          association_id=world.asso_b.id)
    their_row = add_session(db, theirs, monday_of(1), 14, 16)
    unused = Partner(name="Régie de quartier", kind=PartnerKind.INSERTION_STRUCTURE)
    db.add(unused)
    db.commit()

    # A coordinator of Bêta on Alpha's pages: the gate answers 404.
    login(client, "coord.b@test.org")
    for method, url in _urls(mine, my_row, host):
        assert _status(client, method, url) == 404, (method, url)

    client = client.application.test_client()
    as_coordinator(client, world)
    day = monday_of(1).isoformat()
    for method, url in [
        ("GET", f"{BASE}/semaine/parcours/{theirs.id}?jour={day}"),
        ("POST", f"{BASE}/semaine/parcours/{theirs.id}/presences"),
        ("GET", new_session_url(theirs)),
        ("POST", new_session_url(theirs)),
        ("GET", f"{BASE}/parcours/{theirs.id}/seances/{their_row.id}/modifier"),
        ("POST", f"{BASE}/parcours/{theirs.id}/seances/{their_row.id}/supprimer"),
        # Their session under my pathway, my session under theirs.
        ("GET", f"{BASE}/parcours/{mine.id}/seances/{their_row.id}/modifier"),
        ("POST", f"{BASE}/parcours/{mine.id}/seances/{their_row.id}/supprimer"),
        ("GET", f"{BASE}/parcours/{theirs.id}/seances/{my_row.id}/modifier"),
        # A partner hosting nobody here.
        ("GET", f"{BASE}/semaine/structure/{unused.id}"),
        ("GET", f"{BASE}/semaine/structure/999999"),
    ]:
        assert _status(client, method, url) == 404, (method, url)
    # Their session's attendance cannot be noted from my pages.
    past = add_session(db, theirs, monday_of(-1), 9, 12)
    response = post(client, f"{BASE}/semaine/structure/{host.id}/presences",
                    {f"presence-{past.id}": "absent"})
    assert response.status_code == 404
    response = post(client, f"{BASE}/semaine/parcours/{mine.id}/presences",
                    {f"presence-{past.id}": "absent"})
    assert response.status_code == 404
    # The host week of a shared partner shows my association's sessions only.
    text = page(client.get(host_week_url(host, monday_of(1))))
    assert "Samir Suivi" in text and "Sarah" not in text and "14:00" not in text
    assert sessions_count(db) == 3


# --- times and query counts ----------------------------------------------------------------------


def test_paris_time_in_winter_and_summer():
    assert schedule.at_paris(date(2026, 1, 15), time(9)) == datetime(2026, 1, 15, 8, tzinfo=UTC)
    assert schedule.at_paris(date(2026, 7, 15), time(9)) == datetime(2026, 7, 15, 7, tzinfo=UTC)
    # The week of the change to summer time is 167 hours long, Monday 00:00 to Monday 00:00.
    start, end = schedule.week_bounds(date(2026, 3, 23))
    assert end - start == timedelta(hours=167)
    assert schedule.clock_label(datetime(2026, 7, 15, 7, 5, tzinfo=UTC)) == "9 h 05"
    assert [schedule.hours_label(h) for h in (12, 3.5, 0.25, None)] == ["12 h", "3 h 30", "0 h 15", "—"]


def test_week_views_run_a_fixed_number_of_queries(app, client, db, world, host, password_hash,
                                                   maillage_enable_plugin):
    maillage_enable_plugin("premieres_heures", world.asso_a)
    pathway = make_pathway(db, world, host)
    monday = monday_of(-1)
    as_coordinator(client, world)
    urls = [f"{BASE}/semaine/?jour={monday.isoformat()}", host_week_url(host, monday),
            person_week_url(pathway, monday)]

    def counts() -> list[int]:
        found = []
        for url in urls:
            with count_queries(app) as statements:
                assert client.get(url).status_code == 200
            found.append(len(statements))
        return found

    add_session(db, pathway, monday, 9, 12, attendance=Attendance.PRESENT)
    before = counts()
    others = [make_pathway(db, world, host, person_id=person.id)
              for person in (world.volunteer_a, world.volunteer2_a, world.admin_a)]
    for n, other in enumerate(others):
        for day in range(5):
            add_session(db, other, monday + timedelta(days=day), 8 + n, 9 + n,
                        attendance=Attendance.ABSENT)
    for day in range(1, 5):
        add_session(db, pathway, monday + timedelta(days=day), 9, 12)
    assert counts() == before
    assert max(before) <= 20, before
