"""A writing request holds SQLite's write lock for its writes alone, and every signed-in
request reads its account, session and roles in one query (core/database reads_first,
core/auth/sessions.py). Concurrent bookings queue for the lock only while they write."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from core.database import get_database, reads_first, session
from core.members import Person
from tests.conftest import World
from tests.support import count_queries, csrf_token, login, upcoming_event

VOLUNTEER = "benevole.a@test.org"


def _words(statements: list[str]) -> list[str]:
    return [" ".join(statement.split()[:2]).upper() for statement in statements]


@contextmanager
def sqlite_trace(app: Flask) -> Iterator[list[str]]:
    """Every statement SQLite runs while the block runs, those the core gives the driver
    directly included (its BEGIN, COMMIT and BEGIN IMMEDIATE, which SQLAlchemy does not see)."""
    statements: list[str] = []
    engine = get_database(app).engine

    def trace(dbapi_connection: Any, *_args: Any) -> None:
        dbapi_connection.set_trace_callback(statements.append)

    def untrace(dbapi_connection: Any, *_args: Any) -> None:
        dbapi_connection.set_trace_callback(None)

    event.listen(engine, "checkout", trace)
    event.listen(engine, "checkin", untrace)
    try:
        yield statements
    finally:
        event.remove(engine, "checkout", trace)
        event.remove(engine, "checkin", untrace)


def test_a_booking_reads_before_it_takes_the_write_lock(app: Flask, world: World) -> None:
    event_id, _bookable_id = upcoming_event(app, world.asso_a.id, capacity=3)
    client = app.test_client()
    login(client, VOLUNTEER)
    token = csrf_token(client)
    sqlite = get_database(app).is_sqlite
    with count_queries(app) as statements, (sqlite_trace(app) if sqlite else count_queries(app)) as run:
        response = client.post(f"/agenda/{event_id}/inscription", data={"csrf_token": token})
    assert response.status_code == 303
    # The account with its roles, then the event: two reads, then the booking's two writes.
    assert _words(statements) == [
        "SELECT ACCOUNTS.ID,", "SELECT EVENTS.ID,", "INSERT INTO", "UPDATE BOOKABLES"], statements
    if sqlite:
        # The reads in one deferred transaction; its end, then BEGIN IMMEDIATE (the write lock)
        # just before the writes.
        assert _words(run) == ["BEGIN", "SELECT ACCOUNTS.ID,", "SELECT EVENTS.ID,", "COMMIT",
                               "BEGIN IMMEDIATE", "INSERT INTO", "UPDATE BOOKABLES", "COMMIT"], run
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


def test_after_reads_first_every_statement_runs_under_the_write_lock(app: Flask, world: World) -> None:
    """What a writing request reads after the block (a check before a write, say) is read
    under the write lock, as if there had been no block: the lock is taken at the first
    statement after it, a read included, and the blocks before share one transaction."""
    if not get_database(app).is_sqlite:
        pytest.skip("on PostgreSQL reads_first() changes nothing: reads take no lock there")
    with app.test_request_context("/", method="POST"), sqlite_trace(app) as run:
        with reads_first():
            session.get(Person, world.volunteer_a.id)
        with reads_first():
            session.get(Person, world.coordinator_a.id)
        session.get(Person, world.coordinator_b.id)
        session.commit()
    assert [word.split()[0] for word in _words(run)] == [
        "BEGIN", "SELECT", "SELECT", "COMMIT", "BEGIN", "SELECT", "COMMIT"], run
    assert _words(run)[4] == "BEGIN IMMEDIATE", run


def test_a_write_after_reads_first_waits_for_a_writer_who_came_in_between(
        app: Flask, world: World) -> None:
    """SQLite refuses a write to a deferred transaction once another writer committed since its
    first read ('database is locked', at once, whatever the busy timeout): the block's
    transaction is ended before the first write and the lock taken anew, so the write succeeds."""
    if not get_database(app).is_sqlite:
        pytest.skip("on PostgreSQL reads_first() changes nothing: reads take no lock there")
    path = get_database(app).engine.url.database
    with app.test_request_context("/", method="POST"):
        with reads_first():
            person = session.get(Person, world.volunteer_a.id)
        assert person is not None
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("UPDATE people SET phone = '0102030405' WHERE id = ?", (world.coordinator_a.id,))
        other.close()
        person.first_name = "Victorine"
        session.commit()
    with app.app_context():
        assert session.get(Person, world.volunteer_a.id).first_name == "Victorine"
        assert session.get(Person, world.coordinator_a.id).phone == "0102030405"
