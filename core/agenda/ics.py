"""Calendar feeds in iCalendar (RFC 5545): what the agenda hands to phones and calendar apps.

Everything that reaches a feed goes through ``FeedEntry``: it has no field for a person,
so no attendee, organiser or booking name can slip into the bytes. Times are written in
Europe/Paris with the zone's VTIMEZONE, so a 14:00 workshop stays at 14:00 in winter and
in summer whatever the phone's own zone.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from core.agenda.clock import PARIS, in_paris

# icalendar costs a tenth of the app's start and only feeds need it: imported on first feed.
if TYPE_CHECKING:
    from icalendar import Event as VEvent
    from icalendar import Timezone

PRODID = "-//Maillage//Agenda//FR"
TZID = "Europe/Paris"
# Calendar apps poll; an hour is fresh enough for an agenda and gentle on the server.
REFRESH = timedelta(hours=1)
DESCRIPTION_LIMIT = 1000


@dataclass(frozen=True)
class FeedEntry:
    """One VEVENT. ``uid`` must not change between fetches: it is how a subscribed
    calendar knows an event moved rather than a new one appeared."""

    uid: str
    title: str
    start: datetime  # aware
    end: datetime  # aware
    location: str = ""
    description: str = ""
    url: str = ""
    cancelled: bool = False
    categories: tuple[str, ...] = ()
    created: datetime | None = None
    last_modified: datetime | None = None


def shorten(text: str, limit: int = DESCRIPTION_LIMIT) -> str:
    """At most ``limit`` characters, cut at a word, so a long description stays readable
    on a phone and the feed stays small."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(None, 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:.") + "…"


def build_calendar(name: str, entries: Iterable[FeedEntry], *, now: datetime,
                   description: str = "") -> bytes:
    """The VCALENDAR of ``entries``, published as ``name``."""
    from icalendar import Calendar, vDuration

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", TZID)
    if description:
        calendar.add("x-wr-caldesc", description)
    calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    entries = list(entries)
    calendar.add_component(paris_timezone(*_years_covered(entries, now)))
    stamp = now.astimezone(UTC)
    for entry in entries:
        calendar.add_component(_vevent(entry, stamp))
    return calendar.to_ical()


def _vevent(entry: FeedEntry, stamp: datetime) -> VEvent:
    from icalendar import Event as VEvent

    event = VEvent()
    event.add("uid", entry.uid)
    # With METHOD:PUBLISH, DTSTAMP is when this copy of the calendar was made.
    event.add("dtstamp", stamp)
    event.add("dtstart", in_paris(entry.start))
    event.add("dtend", in_paris(entry.end))
    event.add("summary", entry.title)
    if entry.location:
        event.add("location", entry.location)
    if entry.description:
        event.add("description", entry.description)
    if entry.url:
        event.add("url", entry.url)
    if entry.categories:
        event.add("categories", list(entry.categories))
    # A subscribed calendar drops or greys a cancelled event instead of keeping it.
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if entry.cancelled else "OPAQUE")
    if entry.created is not None:
        event.add("created", entry.created.astimezone(UTC))
    if entry.last_modified is not None:
        event.add("last-modified", entry.last_modified.astimezone(UTC))
    return event


def _years_covered(entries: list[FeedEntry], now: datetime) -> tuple[int, int]:
    years = [now.year] + [in_paris(moment).year for e in entries for moment in (e.start, e.end)]
    return min(years), max(years)


@functools.lru_cache(maxsize=8)
def paris_timezone(first_year: int, last_year: int) -> Timezone:
    """Europe/Paris's VTIMEZONE from the system's tz database, covering the given years.

    Built from zoneinfo rather than written by hand so that a change of the law (summer
    time abolished, say) reaches the feeds with the tz database. The component is cached
    and must not be changed by callers.
    """
    from icalendar import Timezone

    zone = Timezone.from_tzinfo(PARIS, tzid=TZID, first_date=date(first_year - 1, 1, 1),
                                last_date=date(last_year + 2, 1, 1))
    for observance in zone.subcomponents:
        _fix_onsets(observance)
    return zone


def _fix_onsets(observance: Timezone) -> None:
    """RFC 5545 reads an observance's DTSTART (and RDATEs) as a wall-clock time in the
    offset in force *before* the change: summer time starts at 02:00, not 03:00.
    icalendar 6 writes the first wall-clock time *after* a forward jump; put each onset
    back on the real transition, checked against zoneinfo so a fixed library is left alone.
    """
    from icalendar import vDDDTypes

    before = observance["TZOFFSETFROM"].td
    after = observance["TZOFFSETTO"].td
    if before == after:
        return
    # Plain item access: the property helpers of icalendar's components vary across 6.x.
    observance["DTSTART"] = vDDDTypes(_onset(observance["DTSTART"].dt, before, after))
    rdates = observance.get("RDATE")
    if rdates is None:
        return
    lists = rdates if isinstance(rdates, list) else [rdates]
    moments = [_onset(moment.dt, before, after) for rdate in lists for moment in rdate.dts]
    del observance["RDATE"]
    observance.add("RDATE", moments)


def _onset(wall: datetime, before: timedelta, after: timedelta) -> datetime:
    for candidate in (wall, wall - (after - before)):
        instant = (candidate - before).replace(tzinfo=UTC)
        if (instant.astimezone(PARIS).utcoffset() == after
                and (instant - timedelta(seconds=1)).astimezone(PARIS).utcoffset() == before):
            return candidate
    return wall
