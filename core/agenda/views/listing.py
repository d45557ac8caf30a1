"""Reading the agenda: upcoming list (the default, for a phone), week and month grids,
and the user's own bookings. Each page runs the same few queries however many events."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import render_template, request
from flask_login import current_user
from sqlalchemy import Select, select

from core.agenda.cards import EventCard, card_query
from core.agenda.clock import day_bounds, in_paris, paris_today
from core.agenda.events import Event, EventKind
from core.agenda.plugin_items import PluginItem
from core.agenda.queries import bookings_of_person, first_of_each_day
from core.agenda.scope import events_visible_clause
from core.agenda.views import bp
from core.agenda.views.common import by_day, entries, filter_args, items_for_viewer
from core.auth.permissions import Level, access, is_collective_admin, my_roles
from core.database import session, utcnow
from core.members.associations import Association
from core.web.params import day_param, id_arg, month_param, page_arg
from core.web.views import Page

UPCOMING_PAGE_SIZE = 30
# How far the plugins' items are looked up when the list has fewer events than a page.
UPCOMING_HORIZON = timedelta(days=60)
MONTH_CELL_ENTRIES = 4  # a day of the month grid lists this many, then "+ N autres"


@dataclass(frozen=True)
class Filters:
    association_id: int | None
    kind: EventKind | None
    places_only: bool
    associations: list[Association]

    @property
    def active(self) -> bool:
        return bool(self.association_id or self.kind or self.places_only)


def _filters() -> Filters:
    """Filters from the query string; an association outside the user's sight is ignored."""
    query = select(Association).where(Association.active).order_by(Association.name)
    if not is_collective_admin():
        # Any association may own collective or public events: offer those of the user
        # plus those with events they can see would cost a query per page; their own suffice.
        query = query.where(Association.id.in_(list(my_roles())))
    associations = list(session.scalars(query))
    wanted = id_arg("association")
    association_id = wanted if any(a.id == wanted for a in associations) else None
    kind_value = request.args.get("type", "")
    kind = EventKind(kind_value) if kind_value in {k.value for k in EventKind} else None
    return Filters(association_id, kind, request.args.get("places") == "1", associations)


def _plugin_items(filters: Filters, start: datetime, end: datetime) -> list[PluginItem]:
    if filters.places_only:  # plugin items have no places to offer
        return []
    return items_for_viewer(filters.associations, start, end, association_id=filters.association_id,
                            kind=filters.kind.value if filters.kind else None)


def _cards(filters: Filters, **bounds: Any) -> Select[Any]:
    return card_query(events_visible_clause(), person_id=current_user.person_id,
                      association_id=filters.association_id, kind=filters.kind,
                      places_only=filters.places_only, **bounds)


@bp.get("/")
@access(Level.AUTHENTICATED)
def upcoming() -> str:
    filters = _filters()
    now = utcnow()
    query = _cards(filters, start=now, first=page_arg() * UPCOMING_PAGE_SIZE + 1)
    page = Page(query, size=UPCOMING_PAGE_SIZE, count=False)
    events: list[EventCard] = page.items
    # Plugin items go on the page whose events surround them: from the previous page's last
    # event (now, on the first page) up to this page's last event (the horizon on the last).
    start = now
    if page.number > 1:
        offset = (page.number - 1) * UPCOMING_PAGE_SIZE
        start = session.scalar(query.with_only_columns(Event.starts_at)
                               .offset(offset - 1).limit(1)) or now
    end = events[-1].starts_at if page.has_next else now + UPCOMING_HORIZON
    items = [i for i in _plugin_items(filters, start, max(end, start))
             if page.number == 1 or i.item.start >= start]
    if page.has_next:
        items = [i for i in items if i.item.start < end]
    return render_template("agenda/upcoming.html", page=page, filters=filters,
                           days=by_day(entries(events, items)), kinds=list(EventKind))


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


@bp.get("/semaine")
@access(Level.AUTHENTICATED)
def week() -> str:
    filters = _filters()
    monday = _week_start(day_param(request.args.get("jour"), paris_today()))
    start, end = day_bounds(monday, 7)
    events = list(session.scalars(_cards(filters, start=start, end=end)))
    items = _plugin_items(filters, start, end)
    grouped = dict(by_day(entries(events, items)))
    days = [(monday + timedelta(days=n), grouped.get(monday + timedelta(days=n), []))
            for n in range(7)]
    return render_template(
        "agenda/week.html", filters=filters, days=days, monday=monday, today=paris_today(),
        previous=filter_args(jour=(monday - timedelta(days=7)).isoformat()),
        following=filter_args(jour=(monday + timedelta(days=7)).isoformat()),
        kinds=list(EventKind))


@bp.get("/mois")
@access(Level.AUTHENTICATED)
def month() -> str:
    filters = _filters()
    first = month_param(request.args.get("mois"), paris_today().replace(day=1))
    last = first.replace(day=monthrange(first.year, first.month)[1])
    grid_start = _week_start(first)
    grid_days = (_week_start(last) + timedelta(days=7) - grid_start).days
    days = [grid_start + timedelta(days=n) for n in range(grid_days)]
    start, end = day_bounds(grid_start, grid_days)
    # A cell shows its first few entries and counts the others: only those few events are
    # read, with the day's count. An event shows on the day it begins, as on the week page.
    rows = list(session.execute(first_of_each_day(
        events_visible_clause(), [day_bounds(d)[0] for d in days] + [end], MONTH_CELL_ENTRIES,
        association_id=filters.association_id, kind=filters.kind, places_only=filters.places_only)))
    counts = {in_paris(row.starts_at).date(): row.on_day for row in rows}
    items = _plugin_items(filters, start, end)
    grouped = dict(by_day(entries(rows, items)))
    cells = {}
    for day, day_entries in grouped.items():
        plugin_count = sum(1 for entry in day_entries if entry.item is not None)
        cells[day] = (day_entries[:MONTH_CELL_ENTRIES], counts.get(day, 0) + plugin_count)
    weeks = [[(d, *cells.get(d, ([], 0))) for d in days[i:i + 7]] for i in range(0, grid_days, 7)]
    previous = (first - timedelta(days=1)).replace(day=1)
    following = last + timedelta(days=1)
    return render_template(
        "agenda/month.html", filters=filters, weeks=weeks, first=first, today=paris_today(),
        previous=filter_args(mois=f"{previous:%Y-%m}"), following=filter_args(mois=f"{following:%Y-%m}"),
        kinds=list(EventKind))


@bp.get("/mes-inscriptions")
@access(Level.AUTHENTICATED)
def my_bookings() -> str:
    """Upcoming bookings (events and plugins' things), then the last month's."""
    now = utcnow()
    bookings = bookings_of_person(current_user.person_id, since=now - timedelta(days=31))
    return render_template(
        "agenda/my_bookings.html",
        upcoming=[b for b in bookings if b.bookable.starts_at >= now],
        past=[b for b in reversed(bookings) if b.bookable.starts_at < now],
        now=now,
    )
