"""Calendar feeds: a private one per user behind a revocable token, a public one per
association, and the page where a user makes (or withdraws) their private address.

Feeds are fetched by calendar apps, which have no session: nothing here reads
``current_user`` except the page, and every query is scoped by the token's person or the
association in the URL.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from flask import abort, current_app, flash, render_template, request
from flask_login import current_user
from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from core.agenda.bookings import Booking, BookingStatus
from core.agenda.events import Event, EventKind, Visibility
from core.agenda.feed_tokens import (
    FeedToken,
    has_feed_token,
    new_feed_token,
    person_for_token,
    revoke_feed_token,
)
from core.agenda.ics import FeedEntry, build_calendar, shorten
from core.agenda.plugin_items import PluginItem, Viewer, plugin_items
from core.agenda.queries import events_query
from core.agenda.views import bp
from core.auth.accounts import Account
from core.auth.permissions import Level, access, my_roles
from core.database import session, utcnow, write_intent
from core.members.associations import Association
from core.members.memberships import Membership
from core.members.people import Person
from core.members.roles import Role
from core.pluginhost.refs import association_ref
from core.web.views import external_url, see_other

logger = logging.getLogger(__name__)

# A month back keeps last weeks' events visible; a bit over a year ahead covers a season.
WINDOW_BEFORE = timedelta(days=30)
WINDOW_AFTER = timedelta(days=400)
# Noting when a feed was last read is for the user's information: once an hour is plenty,
# and most fetches then stay read-only.
LAST_USED_PRECISION = timedelta(hours=1)
LIVE = (BookingStatus.CONFIRMED, BookingStatus.WAITLISTED)
BOOKING_LINES = {
    BookingStatus.CONFIRMED: "Vous êtes inscrit·e.",
    BookingStatus.WAITLISTED: "Vous êtes en liste d'attente.",
}


# --- addresses -----------------------------------------------------------------------------


def _uid_host() -> str:
    base = current_app.config.get("BASE_URL", "")
    host = urlsplit(base).hostname if base else None
    return host or urlsplit(f"//{request.host}").hostname or "maillage"


def _event_url(event_id: int) -> str:
    # The event page is another part of the agenda; a feed is still valid without it.
    if "agenda.event_detail" not in current_app.view_functions:
        return ""
    return external_url("agenda.event_detail", event_id=event_id)


def _absolute(url: str) -> str:
    """A plugin's item link made absolute; anything but a path or http(s) is dropped."""
    if url.startswith("/") and not url.startswith("//"):
        base = current_app.config.get("BASE_URL", "").rstrip("/") or request.host_url.rstrip("/")
        return f"{base}{url}"
    return url if urlsplit(url).scheme in ("http", "https") else ""


# --- entries ---------------------------------------------------------------------------------


def _event_entry(event: Event, host: str, booking: BookingStatus | None = None,
                 booking_changed: datetime | None = None) -> FeedEntry:
    url = _event_url(event.id)
    lines = [BOOKING_LINES[booking]] if booking in BOOKING_LINES else []
    if event.description.strip():
        lines.append(shorten(event.description))
    if event.association is not None:
        lines.append(f"Organisé par {event.association.name}.")
    if url:
        lines.append(url)
    changed = [moment for moment in (event.updated_at, booking_changed) if moment is not None]
    return FeedEntry(
        uid=f"event-{event.id}@{host}", title=event.title, start=event.starts_at,
        end=event.ends_at, location=event.where, description="\n\n".join(lines), url=url,
        cancelled=event.cancelled, categories=(event.kind.label,), created=event.created_at,
        last_modified=max(changed) if changed else None,
    )


def _aware(moment: datetime) -> datetime:
    # Plugins are told to hand aware times; a naive one is taken as UTC, as stored.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _kind_label(kind: str) -> str | None:
    try:
        return EventKind(kind).label
    except ValueError:  # a plugin's own kind: no category rather than a made-up one
        return None


def _plugin_entry(found: PluginItem, host: str) -> FeedEntry:
    item = found.item
    kind = _kind_label(item.kind)
    url = _absolute(item.url)
    lines = [shorten(item.description)] if item.description.strip() else []
    lines.append(f"Proposé par {found.association.name}.")
    if url:
        lines.append(url)
    return FeedEntry(
        uid=f"{found.uid}@{host}", title=item.title, start=_aware(item.start),
        end=_aware(item.end), location=item.location, description="\n\n".join(lines), url=url,
        categories=(kind,) if kind else (),
    )


def _window(now: datetime) -> tuple[datetime, datetime]:
    return now - WINDOW_BEFORE, now + WINDOW_AFTER


def _ics_response(body: bytes, filename: str, *, private: bool) -> Response:
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    if private:
        # core.web.security already sends no-store on every page; said here too because a
        # private feed must never be cached, whatever becomes of that default.
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


# --- the public feed -------------------------------------------------------------------------


@bp.get("/<slug>.ics")
@access(Level.PUBLIC)
def public_feed(slug: str) -> Response:
    association = session.scalar(
        select(Association).where(Association.slug == slug, Association.active)
    )
    if association is None:
        abort(404)
    now = utcnow()
    start, end = _window(now)
    events = session.scalars(
        events_query(Event.visibility == Visibility.PUBLIC, start=start, end=end,
                     association_id=association.id)
    ).all()
    host = _uid_host()
    entries = [_event_entry(event, host) for event in events]
    entries += [_plugin_entry(found, host)
                for found in plugin_items([association_ref(association)], start, end, viewer=None)]
    body = build_calendar(f"Agenda — {association.name}", _by_start(entries), now=now,
                          description=f"Les activités publiques de {association.name}.")
    return _ics_response(body, f"{association.slug}.ics", private=False)


# --- the private feed ------------------------------------------------------------------------


@dataclass(frozen=True)
class FeedReader:
    """Whose private feed this is, read without a login."""

    person_id: int
    collective_admin: bool
    roles: dict[int, Role]
    associations: list[Association]

    @property
    def viewer(self) -> Viewer:
        manages = {aid for aid, role in self.roles.items() if role.at_least(Role.COORDINATOR)}
        return Viewer(person_id=self.person_id, manages=frozenset(manages),
                      member_of=frozenset(self.roles))


def _reader_or_404(token: str) -> FeedReader:
    person_id = person_for_token(token)
    account = None
    if person_id is not None:
        # The feed lives as long as the right to log in: a deactivated person's stops.
        account = session.execute(
            select(Account.is_collective_admin)
            .join(Person, Person.id == Account.person_id)
            .where(Account.person_id == person_id, Person.active,
                   Account.password_hash.is_not(None))
        ).first()
    if person_id is None or account is None:
        abort(404)
    rows = session.execute(
        select(Membership.role, Association)
        .join(Association, Association.id == Membership.association_id)
        .where(Membership.person_id == person_id, Association.active)
        .order_by(Association.name)
    ).all()
    return FeedReader(person_id=person_id, collective_admin=account.is_collective_admin,
                      roles={association.id: role for role, association in rows},
                      associations=[association for _role, association in rows])


def _private_events(reader: FeedReader, start: datetime, end: datetime
                    ) -> list[tuple[Event, BookingStatus | None, datetime | None]]:
    """Events of the person's associations, the collective's own, and those they booked,
    each with their live booking if any — one query."""
    mine = and_(Booking.bookable_id == Event.bookable_id, Booking.person_id == reader.person_id,
                Booking.status.in_(LIVE))
    collective = Event.association_id.is_(None)
    if not reader.collective_admin:
        # As on the agenda pages: a collective event kept to admins stays with them.
        collective = and_(collective, Event.visibility != Visibility.ASSOCIATION)
    visible = or_(Event.association_id.in_(list(reader.roles)), collective,
                  Booking.id.is_not(None))
    query = (
        events_query(visible, start=start, end=end)
        .outerjoin(Booking, mine)
        .add_columns(Booking.status, Booking.confirmed_at, Booking.queued_at)
    )
    return [(event, status, confirmed_at or queued_at)
            for event, status, confirmed_at, queued_at in session.execute(query)]


def _note_use(person_id: int, now: datetime) -> None:
    """Record when the feed was last read, at most once an hour, in its own short write
    (on SQLite a read transaction that turns into a write can fail under load)."""
    last_used = session.scalar(select(FeedToken.last_used_at).where(FeedToken.person_id == person_id))
    if last_used is not None and now - last_used < LAST_USED_PRECISION:
        return
    session.rollback()
    try:
        with write_intent():
            session.execute(update(FeedToken).where(FeedToken.person_id == person_id)
                            .values(last_used_at=now))
            session.commit()
    except SQLAlchemyError:
        # Bookkeeping only: a busy database must not cost the user their calendar.
        session.rollback()
        logger.warning("could not note the use of a calendar feed", exc_info=True)


@bp.get("/flux/<token>.ics")
@access(Level.PUBLIC)
def private_feed(token: str) -> Response:
    reader = _reader_or_404(token)
    now = utcnow()
    start, end = _window(now)
    host = _uid_host()
    entries = [_event_entry(event, host, status, changed)
               for event, status, changed in _private_events(reader, start, end)]
    refs = [association_ref(association) for association in reader.associations]
    entries += [_plugin_entry(found, host)
                for found in plugin_items(refs, start, end, viewer=reader.viewer)]
    body = build_calendar("Mon agenda Maillage", _by_start(entries), now=now,
                          description="Vos inscriptions et les activités de vos associations.")
    _note_use(reader.person_id, now)
    return _ics_response(body, "mon-agenda.ics", private=True)


def _by_start(entries: list[FeedEntry]) -> list[FeedEntry]:
    return sorted(entries, key=lambda entry: (entry.start, entry.uid))


# --- the page --------------------------------------------------------------------------------


def _calendar_page(new_link: str | None = None) -> str:
    associations = session.scalars(
        select(Association).where(Association.id.in_(list(my_roles())), Association.active)
        .order_by(Association.name)
    ).all()
    public_feeds = [(association, external_url("agenda.public_feed", slug=association.slug))
                    for association in associations]
    webcal = f"webcal://{new_link.split('://', 1)[1]}" if new_link else None
    return render_template(
        "agenda/calendar.html", has_link=new_link is not None or has_feed_token(current_user.person_id),
        new_link=new_link, webcal_link=webcal, public_feeds=public_feeds,
    )


@bp.get("/calendrier")
@access(Level.AUTHENTICATED)
def calendar() -> str:
    return _calendar_page()


@bp.post("/calendrier/lien")
@access(Level.AUTHENTICATED)
def calendar_new_link() -> str:
    # Shown on this response only: the database keeps a digest, never the address.
    token = new_feed_token(current_user.person_id)
    session.commit()
    return _calendar_page(new_link=external_url("agenda.private_feed", token=token))


@bp.post("/calendrier/supprimer")
@access(Level.AUTHENTICATED)
def calendar_revoke() -> Response:
    revoke_feed_token(current_user.person_id)
    session.commit()
    flash("Votre lien d'agenda est supprimé : les agendas abonnés ne reçoivent plus rien.",
          "success")
    return see_other("agenda.calendar")
