"""A writing request holds SQLite's write lock for its writes alone, and every signed-in
request reads its account, session and roles in one query (core/database reads_first,
core/auth/sessions.py). Concurrent bookings queue for the lock only while they write."""

from __future__ import annotations

import pytest
from flask import Flask

from core.database import get_database, reads_first, session
from core.members import Person
from tests.conftest import World
from tests.support import count_queries, csrf_token, login, upcoming_event

VOLUNTEER = "benevole.a@test.org"


def _words(statements: list[str]) -> list[str]:
    return [" ".join(statement.split()[:2]).upper() for statement in statements]


def test_a_booking_reads_before_it_takes_the_write_lock(app: Flask, world: World) -> None:
    event_id, _bookable_id = upcoming_event(app, world.asso_a.id, capacity=3)
    client = app.test_client()
    login(client, VOLUNTEER)
    token = csrf_token(client)
    with count_queries(app) as statements:
        response = client.post(f"/agenda/{event_id}/inscription", data={"csrf_token": token})
    assert response.status_code == 303
    words = _words(statements)
    writes = [n for n, word in enumerate(words) if word.split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    # The account with its roles, then the event: two reads, then the booking's two writes.
    assert [w for w in words if w.split()[0] != "BEGIN"] == [
        "SELECT ACCOUNTS.ID,", "SELECT EVENTS.ID,", "INSERT INTO", "UPDATE BOOKABLES"], words
    if get_database(app).is_sqlite:
        # Reads in deferred transactions; BEGIN IMMEDIATE (the write lock) just before the writes.
        assert words[: writes[0]] == ["BEGIN", "SELECT ACCOUNTS.ID,", "BEGIN", "SELECT EVENTS.ID,",
                                      "BEGIN IMMEDIATE"], words
    with app.app_context():
        assert session.get(Person, world.volunteer_a.id) is not None


def test_a_refused_booking_still_answers_with_the_page(app: Flask, world: World) -> None:
    """The refusal renders the event, whose association and place were not loaded for the booking."""
    event_id, _bookable_id = upcoming_event(app, world.asso_a.id, capacity=1, waitlist=False)
    first, second = app.test_client(), app.test_client()
    login(first, VOLUNTEER)
    login(second, "coord.a@test.org")
    assert first.post(f"/agenda/{event_id}/inscription", data={"csrf_token": csrf_token(first)}
                      ).status_code == 303
    refused = second.post(f"/agenda/{event_id}/inscription", data={"csrf_token": csrf_token(second)})
    assert refused.status_code == 409
    page = refused.get_data(as_text=True)
    assert "Il n&#39;y a plus de place." in page or "Il n'y a plus de place." in page
    assert "Atelier CV" in page


def test_a_signed_in_page_reads_the_roles_with_the_account(app: Flask, world: World) -> None:
    client = app.test_client()
    login(client, "coord.a@test.org")
    with count_queries(app) as statements:
        assert client.get("/agenda/mes-inscriptions").status_code == 200
    assert not [s for s in statements if "FROM memberships" in s and "accounts" not in s], statements


def test_nothing_may_be_written_inside_reads_first(app: Flask, world: World) -> None:
    with app.test_request_context("/", method="POST"):
        if not get_database(app).is_sqlite:
            pytest.skip("on PostgreSQL reads_first() changes nothing: reads take no lock there")
        with pytest.raises(RuntimeError, match="reads_first"), reads_first():
            session.get(Person, world.volunteer_a.id)
            session.add(Person(first_name="Écrite", last_name="Trop tôt"))
        session.rollback()


def test_reads_first_keeps_what_it_loaded_and_then_writes(app: Flask, world: World) -> None:
    with app.test_request_context("/", method="POST"):
        with reads_first():
            person = session.get(Person, world.volunteer_a.id)
        assert person is not None
        with count_queries(app) as statements:
            assert person.first_name  # still loaded: no refresh
        assert statements == []
        person.first_name = "Victorine"
        session.commit()
    with app.app_context():
        assert session.get(Person, world.volunteer_a.id).first_name == "Victorine"
