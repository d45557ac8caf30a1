"""The lower bound: a bare Flask app showing the agenda's rows with one hand-written query
per page and a minimal template, on Maillage's own database.

It is what Maillage is measured against (bench/versus.py): no login, no permissions, no
ORM objects, no plugins, no layout. Whoever looks is said in the query string
(``person``, the person's id; ``associations``, their associations, comma-separated, or
``all`` for a collective administrator), and each page selects the rows Maillage's page
shows, with the same filters (core/agenda/queries.py, core/agenda/scope.py), and prints
the same fields per row. Links carry the same markers as Maillage's pages
(``href="/agenda/<id>"``, ``data-label="Personne"``) so that one counter counts both.

Run under gunicorn as ``lower_bound:create_app()`` (``--chdir bench``) with
``BOUND_DATABASE_URL`` set; versus.py does it.
"""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import Flask, abort, redirect, render_template_string, request
from sqlalchemy import Boolean, Engine, Integer, bindparam, text
from sqlalchemy.engine import Row

from core.database.base import UTCDateTime
from core.database.engine import create_database_engine

PARIS = ZoneInfo("Europe/Paris")
PAGE_SIZE = 30  # as UPCOMING_PAGE_SIZE
LONGEST_EVENT = timedelta(days=31)  # as MAX_EVENT_LENGTH: the bound that lets the index work
MONTH_CELL = 4  # events a month cell shows before "+ N autres"

# The card of a list or week page: the fields Maillage's entry_card prints.
CARD_COLUMNS = """
    e.id, e.title, e.kind, e.starts_at, e.ends_at, e.cancelled, e.place, e.bookable_id,
    a.short_name AS association, p.name AS partner, p.address AS partner_address,
    b.capacity, b.held_back, b.taken_open, b.waitlist, mine.status AS my_status
  FROM events e
  LEFT JOIN associations a ON a.id = e.association_id
  LEFT JOIN partners p ON p.id = e.partner_id
  LEFT JOIN bookables b ON b.id = e.bookable_id
  LEFT JOIN bookings mine ON mine.bookable_id = e.bookable_id AND mine.person_id = :person
                         AND mine.status != 'cancelled'
"""
RANGE = "e.ends_at > :start AND e.starts_at > :earliest"
ORDER = "ORDER BY e.starts_at, e.id"

CARDS = """<!doctype html><title>Agenda</title><ul>
{% for r in rows %}<li>{{ r.starts_at | paris }}–{{ r.ends_at | paris('%H:%M') }}
<a href="/agenda/{{ r.id }}">{{ r.title }}</a> {{ r.kind }} · {{ r.association or 'Collectif' }}
{%- if r.partner %} · {{ r.partner }} — {{ r.partner_address }}{% elif r.place %} · {{ r.place }}{% endif %}
{% if r.cancelled %}Annulé{% elif r.my_status == 'confirmed' %}Inscrit·e{% elif r.my_status %}Liste d'attente
{%- elif r.capacity is not none %}{% set left = r.capacity - r.held_back - r.taken_open %}
{%- if left > 0 %}{{ left }} places libres{% elif r.waitlist %}Complet · liste d'attente
{%- else %}Complet{% endif %}{% endif %}
</li>{% endfor %}</ul>{% if more %}<a href="?page=2">Suivant</a>{% endif %}
"""
MONTH = """<!doctype html><title>Mois</title>
{% for day, rows in days %}<h2>{{ day }}</h2><ul>
{% for r in rows[:cell] %}<li>{{ r.starts_at | paris('%H:%M') }}
<a href="/agenda/{{ r.id }}">{{ r.title }}</a></li>{% endfor %}
{% if rows | length > cell %}<li>+ {{ rows | length - cell }} autres</li>{% endif %}</ul>{% endfor %}
"""
EVENT = """<!doctype html><title>{{ e.title }}</title><h1>{{ e.title }}</h1>
<p>{{ e.starts_at | paris }}–{{ e.ends_at | paris('%H:%M') }} · {{ e.association or 'Collectif' }}
{%- if e.partner %} · {{ e.partner }}{% elif e.place %} · {{ e.place }}{% endif %}</p>
{% if e.capacity is not none %}<p>{{ e.capacity - e.held_back - e.taken_open }} places libres
sur {{ e.capacity }}</p>{% endif %}
<table>{% for r in rows if r.booking_id %}<tr>
<td data-label="Personne">{{ r.first_name }} {{ r.last_name }}</td>
<td>{{ r.booking_status }}</td><td>{{ r.queued_at | paris }}</td></tr>{% endfor %}</table>
"""


def _visible(associations: str) -> tuple[str, dict[str, Any]]:
    """events_visible_clause() written out: shared events, and those of one's associations."""
    if associations == "all":
        return "1 = 1", {}
    ids = [int(i) for i in associations.split(",") if i]
    if not ids:
        return "e.visibility IN ('collective', 'public')", {}
    return "(e.visibility IN ('collective', 'public') OR e.association_id IN :mine)", {"mine": ids}


def _query(sql: str, names: set[str]) -> Any:
    statement = text(sql)
    types = {"start": UTCDateTime(), "earliest": UTCDateTime(), "end": UTCDateTime(),
             "person": Integer(), "limit": Integer(), "offset": Integer(), "id": Integer()}
    params = [bindparam(n, type_=t) for n, t in types.items() if n in names]
    if "mine" in names:
        params.append(bindparam("mine", expanding=True, type_=Integer()))
    return statement.bindparams(*params).columns(starts_at=UTCDateTime(), ends_at=UTCDateTime(),
                                                 queued_at=UTCDateTime())


def _rows(engine: Engine, sql: str, params: dict[str, Any]) -> list[Row[Any]]:
    used = {name: value for name, value in params.items() if f":{name}" in sql}
    with engine.connect() as connection:
        return list(connection.execute(_query(sql, set(used)), used))


def _paris_day(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), PARIS).astimezone(UTC)


def create_app(database_url: str | None = None) -> Flask:
    app = Flask(__name__)
    engine = create_database_engine(database_url or os.environ["BOUND_DATABASE_URL"])
    app.extensions["bound_engine"] = engine
    app.jinja_env.filters["paris"] = lambda moment, fmt="%d/%m %H:%M": moment.astimezone(PARIS).strftime(fmt)

    def viewer() -> tuple[str, dict[str, Any]]:
        visible, params = _visible(request.args.get("associations", ""))
        return visible, {**params, "person": request.args.get("person", 0, type=int)}

    def cards(start: datetime, end: datetime | None, limit: int | None, offset: int = 0) -> list[Row[Any]]:
        visible, params = viewer()
        sql = f"SELECT {CARD_COLUMNS} WHERE {visible} AND {RANGE}"
        params |= {"start": start, "earliest": start - LONGEST_EVENT}
        if end is not None:
            sql += " AND e.starts_at < :end"
            params["end"] = end
        sql += f" {ORDER}"
        if limit is not None:
            sql += " LIMIT :limit OFFSET :offset"
            params |= {"limit": limit, "offset": offset}
        return _rows(engine, sql, params)

    @app.get("/upcoming")
    def upcoming() -> str:
        page = max(request.args.get("page", 1, type=int), 1)
        # One more than a page: whether there is a next one, without a count.
        rows = cards(datetime.now(UTC), None, PAGE_SIZE + 1, (page - 1) * PAGE_SIZE)
        return render_template_string(CARDS, rows=rows[:PAGE_SIZE], more=len(rows) > PAGE_SIZE)

    @app.get("/week")
    def week() -> str:
        monday = date.fromisoformat(request.args["monday"])
        rows = cards(_paris_day(monday), _paris_day(monday + timedelta(days=7)), None)
        return render_template_string(CARDS, rows=rows, more=False)

    @app.get("/month")
    def month() -> str:
        start, end = _paris_day(date.fromisoformat(request.args["start"])), _paris_day(
            date.fromisoformat(request.args["end"]))
        visible, params = viewer()
        rows = _rows(engine, f"SELECT e.id, e.title, e.starts_at, e.ends_at, e.cancelled FROM events e "  # noqa: S608
                             f"WHERE {visible} AND {RANGE} AND e.starts_at < :end {ORDER}",
                     {**params, "start": start, "earliest": start - LONGEST_EVENT, "end": end})
        days: dict[date, list[Row[Any]]] = defaultdict(list)
        for row in rows:
            days[row.starts_at.astimezone(PARIS).date()].append(row)
        return render_template_string(MONTH, days=sorted(days.items()), cell=MONTH_CELL)

    @app.get("/event/<int:event_id>")
    def event_page(event_id: int) -> str:
        # The event with its live bookings (people waiting after those with a place), as the
        # page its team sees; one row per booking, the event's fields repeated.
        visible, params = viewer()
        rows = _rows(engine, f"""
            SELECT e.id, e.title, e.starts_at, e.ends_at, e.place, a.short_name AS association,
                   p.name AS partner, b.capacity, b.held_back, b.taken_open,
                   k.id AS booking_id, k.status AS booking_status, k.queued_at,
                   pe.first_name, pe.last_name
              FROM events e
              LEFT JOIN associations a ON a.id = e.association_id
              LEFT JOIN partners p ON p.id = e.partner_id
              LEFT JOIN bookables b ON b.id = e.bookable_id
              LEFT JOIN bookings k ON k.bookable_id = e.bookable_id AND k.status != 'cancelled'
              LEFT JOIN people pe ON pe.id = k.person_id
             WHERE e.id = :id AND {visible}
             ORDER BY k.status, k.queued_at, k.id""",  # noqa: S608 - constants only
                     {**params, "id": event_id})
        if not rows:
            abort(404)
        return render_template_string(EVENT, e=rows[0], rows=rows)

    @app.post("/book/<int:bookable_id>")
    def book(bookable_id: int) -> Any:
        """The conditional UPDATE on the counter, the INSERT, the COMMIT: a place or a refusal."""
        person = request.form.get("person", type=int)
        now = datetime.now(UTC)
        with engine.begin() as connection:
            taken = connection.execute(text(
                "UPDATE bookables SET taken_open = taken_open + 1 WHERE id = :id "
                "AND taken_open < capacity - held_back AND NOT cancelled"), {"id": bookable_id})
            if taken.rowcount != 1:
                return "Complet", 409
            connection.execute(text(
                "INSERT INTO bookings (bookable_id, person_id, booked_by_id, status, pool, referral, "
                "queued_at, confirmed_at) "
                "VALUES (:id, :person, :person, 'confirmed', 'open', :no, :now, :now)"
            ).bindparams(bindparam("now", type_=UTCDateTime()), bindparam("person", type_=Integer()),
                         bindparam("no", type_=Boolean())),
                {"id": bookable_id, "person": person, "now": now, "no": False})
        return redirect(f"/event/{bookable_id}", 303)

    return app
