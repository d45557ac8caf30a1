"""What the agenda pages share: finding an event, who is looking, plugin items by day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby
from typing import Any

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from core.agenda.clock import in_paris
from core.agenda.events import Event
from core.agenda.plugin_items import PluginItem, Viewer, plugin_items
from core.agenda.scope import can_see_event
from core.agenda.views import bp
from core.auth.permissions import association_ids_with, my_roles
from core.database import session, utcnow
from core.members.associations import Association
from core.members.roles import Role
from core.pluginhost.refs import association_ref


def event_or_404(event_id: int) -> Event:
    event = session.scalar(
        select(Event).where(Event.id == event_id)
        .options(joinedload(Event.bookable), joinedload(Event.association),
                 joinedload(Event.partner), joinedload(Event.series))
    )
    if event is None or not can_see_event(event):
        abort(404)
    return event


def viewer() -> Viewer:
    manages = association_ids_with(Role.COORDINATOR)
    return Viewer(person_id=current_user.person_id,
                  manages=None if manages is None else frozenset(manages),
                  member_of=frozenset(my_roles()))


def items_for_viewer(associations: list[Association], start: datetime, end: datetime, *,
                     association_id: int | None = None, kind: str | None = None) -> list[PluginItem]:
    """Plugin items of the associations in the viewer's sight (all of them for a collective
    admin), or of the one filtered on."""
    chosen = [a for a in associations if association_id is None or a.id == association_id]
    items = plugin_items([association_ref(a) for a in chosen], start, end, viewer=viewer())
    return [i for i in items if kind is None or i.item.kind == kind]


@dataclass(frozen=True)
class Entry:
    """One line of an agenda page: an event, or an item a plugin contributed."""

    start: datetime
    end: datetime
    event: Event | None = None
    item: PluginItem | None = None


def entries(events: list[Any], items: list[PluginItem]) -> list[Entry]:
    """Events (or rows with their times, title and id) and plugin items, in time order."""
    merged = [Entry(e.starts_at, e.ends_at, event=e) for e in events]
    merged += [Entry(i.item.start, i.item.end, item=i) for i in items]
    return sorted(merged, key=lambda entry: entry.start)


def by_day(merged: list[Entry]) -> list[tuple[date, list[Entry]]]:
    return [(day, list(group))
            for day, group in groupby(merged, key=lambda entry: in_paris(entry.start).date())]


def filter_args(**changes: Any) -> dict[str, Any]:
    """The current filters with some changed, for links that keep them."""
    from flask import request

    args = {k: v for k, v in request.args.items() if k != "page"}
    args.update({k: v for k, v in changes.items() if v is not None})
    return args


def remaining(event: Event) -> int | None:
    """Open places left (held-back ones are counted apart)."""
    return event.bookable.open_left if event.bookable is not None else None


def held_left(event: Event) -> int:
    """Held-back places still free: only a coordinator booking a referred person takes them."""
    bookable = event.bookable
    return max(bookable.held_back - bookable.taken_held, 0) if bookable else 0


def event_status(event: Event, now: datetime) -> str:
    """A short French word for the card when the event cannot be booked for its timing."""
    if event.cancelled:
        return "Annulé"
    if event.starts_at <= now:
        return "Terminé" if event.ends_at <= now else "En cours"
    return ""


@bp.context_processor
def agenda_helpers() -> dict[str, Any]:
    return {"remaining": remaining, "held_left": held_left, "event_status": event_status, "now": utcnow(),
            "in_paris": in_paris}
