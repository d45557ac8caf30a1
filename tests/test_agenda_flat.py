"""Agenda pages read what they show, not the whole past or the whole month."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState

from core.agenda.clock import in_paris, paris_to_utc, paris_today
from core.agenda.events import LENGTH_BOUNDS, MAX_EVENT_LENGTH, Event, EventKind, Visibility
from core.agenda.scheduling import EventFields, create_events
from core.database import get_database, session, utcnow
from core.pluginhost.refs import association_ref
from tests.conftest import World
from tests.plugin_fixtures.exemplum.models import ExempleItem
from tests.support import login, text_of


def _event(title: str, starts_at: datetime, length: timedelta) -> int:
    [created] = create_events(
        EventFields(title=title, kind=EventKind.WORKSHOP, visibility=Visibility.COLLECTIVE,
                    starts_at=starts_at, ends_at=starts_at + length, association_id=None),
        None)
    return created.id


@contextmanager
def rows_read(app: Flask) -> Iterator[list[Any]]:
    """The start of every event row the block's ORM statements returned."""
    rows: list[datetime] = []

    def record(state: ORMExecuteState) -> Any:
        frozen = state.invoke_statement().freeze()
        for row in frozen.data:
            found = getattr(row, "starts_at", None)  # an event, or a row with its start
            if found is not None and not isinstance(row, ExempleItem):  # the plugin reads its own
                rows.append(found)
        return frozen()

    factory = get_database(app).session_factory
    event.listen(factory, "do_orm_execute", record)
    try:
        yield rows
    finally:
        event.remove(factory, "do_orm_execute", record)


def _cell(page: str, day: date) -> tuple[str, list[str]]:
    """The aria-label of a day's cell in the month grid, and the lines it lists."""
    found = re.search(rf'href="/agenda/semaine\?[^"]*jour={day.isoformat()}" aria-label="([^"]*)"'
                      r"(.*?)</td>", page, re.S)
    assert found, day
    lines = [re.sub(r"<[^>]+>|\s+", " ", line).strip()
             for line in re.findall(r"<li>(.*?)</li>", found.group(2), re.S)]
    return html.unescape(found.group(1)), [html.unescape(line) for line in lines]


def test_month_grid_reads_four_events_a_day_and_counts_the_others(
        app: Flask, world: World, maillage_enable_plugin) -> None:
    maillage_enable_plugin("exemplum", association_ref(world.asso_a))
    next_month = (paris_today().replace(day=1) + timedelta(days=32)).replace(day=1)
    busy, quiet = next_month + timedelta(days=9), next_month + timedelta(days=10)
    with app.app_context():
        for hour in range(8, 17):  # nine on the busy day, two on the quiet one
            _event(f"Atelier {hour}h", paris_to_utc(datetime.combine(busy, time(hour))), timedelta(hours=1))
        for hour in (9, 14):
            _event(f"Calme {hour}h", paris_to_utc(datetime.combine(quiet, time(hour))), timedelta(hours=2))
        session.add(ExempleItem(association_id=world.asso_a.id, label="Exemple du matin",
                                starts_at=paris_to_utc(datetime.combine(busy, time(8, 30)))))
        session.commit()
    client = app.test_client()
    login(client, "benevole.a@test.org")
    with rows_read(app) as rows:
        page = text_of(client.get(f"/agenda/mois?mois={next_month:%Y-%m}"))
    per_day = Counter(in_paris(start).date() for start in rows)
    assert per_day[busy] == 4 and per_day[quiet] == 2, per_day
    label, lines = _cell(page, busy)
    assert label.endswith(": 10 événements")  # nine events and the plugin's item
    assert lines == ["08:00 Atelier 8h", "08:30 Exemple du matin", "09:00 Atelier 9h", "10:00 Atelier 10h",
                     "+ 6 autres"]
    label, lines = _cell(page, quiet)
    assert label.endswith(": 2 événements")
    assert lines == ["09:00 Calme 9h", "14:00 Calme 14h"]


@pytest.mark.parametrize("length", [*LENGTH_BOUNDS, timedelta(minutes=30), timedelta(days=2)],
                         ids=lambda length: str(length))
def test_upcoming_list_shows_events_in_progress_however_long(app: Flask, world: World,
                                                             length: timedelta) -> None:
    """An event still running shows however long ago it began, up to MAX_EVENT_LENGTH: here
    each is a minute from its end; one that is over does not show."""
    now = utcnow()
    with app.app_context():
        _event("En cours depuis longtemps", now - length + timedelta(minutes=1), length)
        _event("Déjà terminé", now - length - timedelta(minutes=1), length)
        _event("Atelier de demain", now + timedelta(days=1), timedelta(hours=2))
        session.commit()
    client = app.test_client()
    login(client, "benevole.a@test.org")
    page = html.unescape(text_of(client.get("/agenda/")))
    assert page.count("En cours depuis longtemps") == 1
    assert "Déjà terminé" not in page
    assert page.index("En cours depuis longtemps") < page.index("Atelier de demain")


def test_an_event_lengthened_into_the_past_still_shows(app: Flask, world: World) -> None:
    """Its length is filed again when it changes, so the list still finds it."""
    now = utcnow()
    with app.app_context():
        event_id = _event("Formation longue", now + timedelta(days=3), timedelta(hours=1))
        session.commit()
        moved = session.get(Event, event_id)
        assert moved is not None
        moved.starts_at = now - MAX_EVENT_LENGTH + timedelta(hours=1)
        moved.ends_at = now + timedelta(hours=1)
        session.commit()
    client = app.test_client()
    login(client, "benevole.a@test.org")
    assert "Formation longue" in html.unescape(text_of(client.get("/agenda/")))
