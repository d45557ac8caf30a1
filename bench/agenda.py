"""The agenda at scale: 5,000 people, 50,000 events, 100,000 bookings.

Run from the repository root::

    .venv/bin/python bench/agenda.py [--database-url URL] [--requests 200]

The database is a fresh SQLite file in a temporary folder, or, with ``--database-url``,
a PostgreSQL database whose name contains ``bench`` (its ``public`` schema is dropped and
created again first). The real migrations build the schema; the data goes in with bulk
Core inserts, in batches:

- one collective, 20 associations (``Banc01`` is the big one: a fifth of the people),
  5,000 people with their memberships (people supported, volunteers, coordinators),
  30 partners, and three accounts: a volunteer and a coordinator of ``Banc01``, and a
  collective administrator;
- 50,000 events over two years around today (a fifth of them in weekly series), across
  associations, kinds and visibilities; nine in ten with places (a ``Bookable``);
- 100,000 bookings: confirmed up to the open places (a few on held-back places), then
  waitlisted, plus some cancelled ones as history. The volunteer books a lot.

Then, through Flask's test client, logged in as each of the three users, it times every
agenda page, booking a place, joining a waitlist and cancelling a place (which promotes
the first person waiting), and prints the median and 95th percentile, the SQL statements
per request, the machine, the row counts, and the query plan of the upcoming list.
See bench/README.md to read the figures.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from machine_load import Activity, describe_machine, median_ms, p95_ms
from sqlalchemy import Connection, Engine, event, func, insert, or_, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, aliased

from core.agenda.bookables import AGENDA_OWNER, Bookable
from core.agenda.bookings import Attendance, Booking, BookingStatus
from core.agenda.clock import day_bounds, in_paris, paris_to_utc, paris_today
from core.agenda.events import Event, EventKind, EventSeries, Visibility, length_class
from core.agenda.queries import events_query
from core.agenda.views.listing import UPCOMING_PAGE_SIZE
from core.auth.accounts import Account
from core.auth.passwords import hash_password
from core.database import Base, get_database, utcnow
from core.database.migrate import upgrade
from core.members import Association, Collective, Membership, Person, Role
from core.partners import Partner, PartnerKind
from core.testing import TEST_PASSWORD, csrf_token, login, make_app, prepare_postgresql
from core.web.text import fold

PEOPLE = 5_000
EVENTS = 50_000
BOOKINGS = 100_000  # rows, cancelled history included
ASSOCIATIONS = 20
PARTNERS = 30
BATCH = 5_000
SPAN_DAYS = 365  # events from a year ago to a year ahead
SERIES_SHARE = 0.2  # of the events
BOOKABLE_SHARE = 0.9
FULL_SHARE = 0.05  # of the other bookables: every open place taken, usually a queue
CANCELLED_BOOKINGS_SHARE = 0.04
VOLUNTEER_PAST = 150  # past events the volunteer went to
VOLUNTEER_FUTURE = 40  # upcoming events the volunteer booked, besides the full ones
SHOWCASE_WAITING = 25  # the showcase event: 40 places taken, 25 people waiting
SEED = 2024
LATER_PAGE = 100
SLOW_MS = 100.0
BOUND_DAYS = 31  # the what-if: no event lasts more than a month
BUSY_CORES = 0.2  # above this, other processes disturbed the measure
MIN_SAMPLES = 20

VOLUNTEER_EMAIL = "benevole@bench.invalid"
COORDINATOR_EMAIL = "coordination@bench.invalid"
ADMIN_EMAIL = "admin@bench.invalid"
ROLES = {"volunteer": VOLUNTEER_EMAIL, "coordinator": COORDINATOR_EMAIL, "admin": ADMIN_EMAIL}
PROTECTED_DATABASES = {"test", "maillage_ci", "postgres", "template0", "template1"}

FIRST_NAMES = ["Camille", "Nadia", "Lucas", "Fatou", "Jérôme", "Inès", "Karim", "Sandrine", "Moussa",
               "Aïcha", "Dylan", "Yasmine", "Léa", "Omar", "Hélène", "Thomas", "Sophie", "Marc",
               "Claire", "Patrick", "Mamadou", "Chloé", "Rachid", "Emma", "Kevin"]
LAST_NAMES = ["Martin", "Benali", "Diallo", "Petit", "Moreau", "Haddad", "Lefèvre", "Traoré",
              "Mansouri", "Robert", "Cherif", "Garnier", "Roux", "Blanc", "Saïdi", "Lemoine",
              "Fontaine", "Dubois", "Vidal", "Nguyen", "Kone", "Bernard", "Durand", "Mercier",
              "Bouaziz", "Camara", "Fernandes", "Lambert", "Girard", "Ouali"]
TITLES = {
    EventKind.WORKSHOP: ["Atelier CV", "Atelier lettre de motivation", "Atelier numérique",
                         "Préparer un entretien", "Atelier code de la route"],
    EventKind.INFORMATION: ["Réunion d'information Premières heures", "Découvrir les métiers du soin",
                            "Information formation qualifiante"],
    EventKind.VOLUNTEERING: ["Permanence d'accueil", "Aide aux démarches en ligne", "Accueil café"],
    EventKind.MEETING: ["Réunion d'équipe", "Comité de suivi", "Réunion des bénévoles"],
    EventKind.OUTING: ["Visite d'entreprise", "Salon de l'emploi", "Sortie culturelle"],
    EventKind.OTHER: ["Repas partagé", "Portes ouvertes", "Assemblée générale"],
}
KIND_WEIGHTS = {EventKind.WORKSHOP: 30, EventKind.INFORMATION: 15, EventKind.VOLUNTEERING: 20,
                EventKind.MEETING: 15, EventKind.OUTING: 10, EventKind.OTHER: 10}


# --- generating the data -------------------------------------------------------------------------


@dataclass
class Slot:
    """A bookable being filled: its policy, and how many bookings it gets in each state."""

    bookable_id: int
    event_id: int
    association_id: int | None
    visibility: Visibility
    starts_at: datetime
    capacity: int
    held_back: int
    waitlist: bool
    cancelled: bool
    plain: bool  # no opening or closing time, no cancellation cutoff
    open: int = 0
    held: int = 0
    waiting: int = 0
    volunteer: bool = False  # the volunteer holds the first open place
    reserved: bool = False  # set aside for the booking measures

    @property
    def open_places(self) -> int:
        return self.capacity - self.held_back

    def fill(self, rng: random.Random, waiting: tuple[int, int]) -> None:
        self.open = self.open_places
        self.held = rng.randint(0, self.held_back)
        self.waiting = rng.randint(*waiting) if self.waitlist else 0


@dataclass
class Plan:
    """What the generator built that the measures need."""

    volunteer_id: int
    coordinator_id: int
    admin_id: int
    big_association_id: int
    showcase_event_id: int
    busy_week: date  # a Monday
    busy_month: date  # the 1st
    timings: dict[str, float] = field(default_factory=dict)


class Generator:
    def __init__(self, rng: random.Random, reserve: int, events: int, bookings: int) -> None:
        self.rng = rng
        self.reserve = reserve  # full events to set aside for each booking measure
        self.event_count, self.booking_count = events, bookings
        self.now = utcnow().replace(microsecond=0)
        self.today = paris_today(self.now)
        self.stamp = {"created_at": self.now, "updated_at": self.now}
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.volunteer_id, self.coordinator_id, self.admin_id = 1, 2, 3
        self.big = 1
        self.members: dict[int, list[int]] = {}  # association -> people (the three users left out)
        self.everyone: list[int] = []
        self.slots: list[Slot] = []

    # People and associations.

    def people(self) -> None:
        rng = self.rng
        ids = list(range(1, ASSOCIATIONS + 1))
        self.rows["collective"] = [{"id": 1, "name": "Collectif du banc d'essai",
                                    "territory": "Seine-Saint-Denis", **self.stamp}]
        self.rows["associations"] = [
            {"id": i, "name": f"Association Banc {i:02d}", "short_name": f"Banc{i:02d}",
             "slug": f"banc-{i:02d}", "email": f"contact@banc{i:02d}.invalid", "phone": "",
             "address": f"{i} rue de la République, 93200 Saint-Denis", "website": "",
             "active": True, **self.stamp}
            for i in ids
        ]
        weights = [5 if i == self.big else 1 for i in ids]  # Banc01: about a fifth of the people
        self.members = {i: [] for i in ids}
        people, memberships = [], []
        roles = {self.volunteer_id: Role.VOLUNTEER, self.coordinator_id: Role.COORDINATOR}
        emails = {self.volunteer_id: VOLUNTEER_EMAIL, self.coordinator_id: COORDINATOR_EMAIL,
                  self.admin_id: ADMIN_EMAIL}
        for pid in range(1, PEOPLE + 1):
            first = FIRST_NAMES[pid % len(FIRST_NAMES)]
            last = LAST_NAMES[(pid * 7) % len(LAST_NAMES)]
            if pid in emails:
                role, email = roles.get(pid), emails[pid]
            else:
                draw = rng.random()
                role = Role.COORDINATOR if draw < 0.05 else Role.VOLUNTEER if draw < 0.25 else Role.SUPPORTED
                has_email = role is not Role.SUPPORTED or rng.random() < 0.4
                email = f"p{pid}@bench.invalid" if has_email else None
            people.append({"id": pid, "first_name": first, "last_name": last, "email": email,
                           "phone": "", "active": True, "deactivated_at": None,
                           "search_key": fold(f"{first} {last} {last} {first} {email or ''}"),
                           **self.stamp})
            if role is None:  # the collective administrator belongs to no association
                continue
            home = self.big if pid in roles else rng.choices(ids, weights)[0]
            joined = [(home, role)]
            if pid not in roles and rng.random() < 0.1:
                other = rng.choice([i for i in ids if i != home])
                joined.append((other, Role.SUPPORTED if role is Role.SUPPORTED else Role.VOLUNTEER))
            for association_id, joined_role in joined:
                memberships.append({"id": len(memberships) + 1, "person_id": pid,
                                    "association_id": association_id, "role": joined_role, **self.stamp})
                if pid not in emails:
                    self.members[association_id].append(pid)
            if pid not in emails:
                self.everyone.append(pid)
        self.rows["people"], self.rows["memberships"] = people, memberships
        password_hash = hash_password(TEST_PASSWORD)  # once: argon2 is slow on purpose
        self.rows["accounts"] = [
            {"id": n, "person_id": pid, "password_hash": password_hash,
             "is_collective_admin": pid == self.admin_id,
             "last_login_at": None, **self.stamp}
            for n, pid in enumerate(sorted(emails), start=1)
        ]
        kinds = list(PartnerKind)
        self.rows["partners"] = [
            {"id": i, "name": f"Partenaire {i:02d} ({kinds[i % len(kinds)].label})",
             "kind": kinds[i % len(kinds)], "description": "", "email": "", "phone": "",
             "address": f"{i} avenue du Président Wilson, 93210 Saint-Denis", "website": "",
             "active": True, "search_key": fold(f"Partenaire {i:02d}"), **self.stamp}
            for i in range(1, PARTNERS + 1)
        ]

    # Events, their series and their places.

    def _association(self) -> int | None:
        if self.rng.random() < 0.1:
            return None  # an event of the whole collective
        ids = list(range(1, ASSOCIATIONS + 1))
        return self.rng.choices(ids, [3 if i == self.big else 1 for i in ids])[0]

    def _visibility(self, association_id: int | None) -> Visibility:
        draw = self.rng.random()
        if association_id is None:
            return Visibility.PUBLIC if draw < 0.3 else Visibility.COLLECTIVE
        return (Visibility.ASSOCIATION if draw < 0.5 else Visibility.COLLECTIVE if draw < 0.85
                else Visibility.PUBLIC)

    def _places(self) -> dict[str, Any] | None:
        rng = self.rng
        if rng.random() >= BOOKABLE_SHARE:
            return None
        capacity = rng.randint(5, 40)
        return {
            "capacity": capacity,
            "held_back": rng.randint(1, max(1, capacity // 4)) if rng.random() < 0.2 else 0,
            "waitlist": rng.random() < 0.85,
            "opens_days": 14 if rng.random() < 0.05 else None,
            "closes_hours": 1 if rng.random() < 0.1 else None,
            "cutoff": 24 * 60 if rng.random() < 0.2 else 0,
        }

    def _add_event(self, *, starts_at: datetime, minutes: int, association_id: int | None,
                   kind: EventKind, visibility: Visibility, title: str, places: dict[str, Any] | None,
                   series_id: int | None = None, cancelled: bool | None = None) -> int:
        rng = self.rng
        events, bookables = self.rows["events"], self.rows["bookables"]
        event_id = len(events) + 1
        if cancelled is None:
            cancelled = rng.random() < 0.03
        partner_id = rng.randint(1, PARTNERS) if rng.random() < 0.3 else None
        bookable_id = None
        if places is not None:
            bookable_id = len(bookables) + 1
            opens_at = (starts_at - timedelta(days=places["opens_days"])) if places["opens_days"] else None
            closes_at = (starts_at - timedelta(hours=places["closes_hours"])
                         if places["closes_hours"] else None)
            bookables.append({
                "id": bookable_id, "owner": AGENDA_OWNER, "owner_id": event_id,
                "association_id": association_id, "title": title, "starts_at": starts_at,
                "capacity": places["capacity"], "held_back": places["held_back"],
                "taken_open": 0, "taken_held": 0, "waitlist": places["waitlist"],
                "opens_at": opens_at, "closes_at": closes_at,
                "cancellation_cutoff_minutes": places["cutoff"], "absences_count": False,
                "cancelled": cancelled, **self.stamp,
            })
            self.slots.append(Slot(
                bookable_id=bookable_id, event_id=event_id, association_id=association_id,
                visibility=visibility, starts_at=starts_at, capacity=places["capacity"],
                held_back=places["held_back"], waitlist=places["waitlist"], cancelled=cancelled,
                plain=opens_at is None and closes_at is None and not places["cutoff"],
            ))
        events.append({
            "id": event_id, "association_id": association_id, "title": title,
            "description": "Apportez un CV si vous en avez un." if rng.random() < 0.3 else "",
            "kind": kind, "place": "" if partner_id else f"Salle {rng.randint(1, 12)}",
            "partner_id": partner_id, "starts_at": starts_at,
            "ends_at": starts_at + timedelta(minutes=minutes),
            "length_class": length_class(timedelta(minutes=minutes)), "visibility": visibility,
            "cancelled": cancelled, "bookable_id": bookable_id, "series_id": series_id,
            "detached": False,
            "created_by_id": self.coordinator_id if association_id == self.big else None,
            **self.stamp,
        })
        return event_id

    def events(self) -> int:
        """All the events; returns the showcase event's id."""
        rng = self.rng
        self.rows["events"], self.rows["bookables"], self.rows["event_series"] = [], [], []
        first_day = self.today - timedelta(days=SPAN_DAYS)
        days = [first_day + timedelta(days=n) for n in range(2 * SPAN_DAYS)]

        def weight(day: date) -> float:
            busy = (1.0, 1.0, 1.0, 1.0, 0.9, 0.4, 0.1)[day.weekday()]
            return busy * (0.3 if day.month == 8 else 0.7 if day.month in (7, 12) else 1.0)

        kinds, kind_weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())

        def at(day: date, hour: int, minute: int = 0) -> datetime:
            return paris_to_utc(datetime.combine(day, clock_time(hour, minute)))

        # The showcase: 40 places taken, a long queue, for the event page seen by its team.
        showcase = self._add_event(
            starts_at=at(self.today + timedelta(days=10), 14), minutes=180, association_id=self.big,
            kind=EventKind.INFORMATION, visibility=Visibility.ASSOCIATION,
            title="Forum de l'emploi du printemps", cancelled=False,
            places={"capacity": 40, "held_back": 0, "waitlist": True, "opens_days": None,
                    "closes_hours": None, "cutoff": 0})
        self.slots[-1].open, self.slots[-1].waiting, self.slots[-1].reserved = 40, SHOWCASE_WAITING, True

        series_target = int(self.event_count * SERIES_SHARE)
        while len(self.rows["events"]) < series_target:
            series_id = len(self.rows["event_series"]) + 1
            association_id = self._association()
            interval = 1 if rng.random() < 0.7 else 2
            count = min(rng.randint(4, 26), series_target - len(self.rows["events"]))
            start_day = rng.choice(days[: len(days) - count * interval * 7])
            start_day -= timedelta(days=start_day.weekday() - rng.randint(0, 4))
            kind = rng.choice([EventKind.WORKSHOP, EventKind.VOLUNTEERING, EventKind.MEETING])
            visibility = self._visibility(association_id)
            title, hour = rng.choice(TITLES[kind]), rng.choice([9, 10, 14, 16, 18])
            places = self._places()
            self.rows["event_series"].append({
                "id": series_id, "association_id": association_id, "interval_weeks": interval,
                "until": None, "occurrences": count, **self.stamp})
            for n in range(count):
                self._add_event(starts_at=at(start_day + timedelta(weeks=n * interval), hour),
                                minutes=120, association_id=association_id, kind=kind,
                                visibility=visibility, title=title, places=places, series_id=series_id)

        one_offs = self.event_count - len(self.rows["events"])
        for day in rng.choices(days, [weight(d) for d in days], k=one_offs):
            association_id = self._association()
            kind = rng.choices(kinds, kind_weights)[0]
            self._add_event(starts_at=at(day, rng.randint(8, 19), rng.choice((0, 30))),
                            minutes=rng.choice((60, 90, 120, 180, 240)), association_id=association_id,
                            kind=kind, visibility=self._visibility(association_id),
                            title=rng.choice(TITLES[kind]), places=self._places())
        return showcase

    # Bookings.

    def _sees(self, slot: Slot) -> bool:
        """Whether the volunteer (a member of the big association only) sees the event."""
        return slot.visibility is not Visibility.ASSOCIATION or slot.association_id == self.big

    def allocate(self) -> None:
        """How many bookings each bookable gets, in each state."""
        rng = self.rng
        soon = self.now + timedelta(days=2)
        usable = [s for s in self.slots if not s.reserved and not s.cancelled and s.plain
                  and s.waitlist and s.starts_at > soon and self._sees(s)]
        own = [s for s in usable if s.association_id == self.big]
        shared = [s for s in usable if s.association_id != self.big]
        if len(own) < self.reserve or len(shared) < self.reserve:
            raise SystemExit(f"not enough upcoming events to set {self.reserve} aside "
                             f"({len(own)} of the big association, {len(shared)} others)")
        # Full events where the volunteer holds a place, for "cancel, and the queue moves up".
        for slot in rng.sample(own, self.reserve):
            slot.fill(rng, (2, 4))
            slot.volunteer = slot.reserved = True
        # Full events the volunteer has not booked, for "book a full event: waitlisted".
        for slot in rng.sample(shared, self.reserve):
            slot.fill(rng, (1, 3))
            slot.reserved = True
        others = [s for s in self.slots if not s.reserved]
        for slot in others:
            if rng.random() < FULL_SHARE:
                slot.fill(rng, (1, 4))
        room = [s for s in others if s.open < s.open_places - 1]
        past = [s for s in room if s.starts_at < self.now and self._sees(s) and not s.cancelled]
        future = [s for s in room if s.starts_at > self.now and self._sees(s) and not s.cancelled]
        for slot in rng.sample(past, VOLUNTEER_PAST) + rng.sample(future, VOLUNTEER_FUTURE):
            slot.volunteer, slot.open = True, slot.open + 1

        live_target = self.booking_count - int(self.booking_count * CANCELLED_BOOKINGS_SHARE)
        missing = live_target - sum(s.open + s.held + s.waiting for s in self.slots)
        if missing < 0:
            raise SystemExit("the full events alone exceed the bookings wanted: lower FULL_SHARE")
        while missing:  # the rest at random, never filling an event
            for slot in rng.choices(room, k=missing):
                if slot.open < slot.open_places - 1:
                    slot.open += 1
                    missing -= 1

    def bookings(self) -> None:
        rng = self.rng
        rows: list[dict[str, Any]] = []
        bookables = self.rows["bookables"]

        def add(bookable_id: int, person_id: int, status: BookingStatus, queued_at: datetime, *,
                pool: str | None = None, referral: bool = False, attendance: Attendance | None = None,
                cancelled_at: datetime | None = None) -> None:
            rows.append({
                "id": len(rows) + 1, "bookable_id": bookable_id, "person_id": person_id,
                "booked_by_id": self.coordinator_id if referral else person_id, "status": status,
                "pool": pool, "referral": referral, "attendance": attendance, "queued_at": queued_at,
                "confirmed_at": queued_at if status is BookingStatus.CONFIRMED else None,
                "cancelled_at": cancelled_at, "reminded_at": None,
            })

        for slot in self.slots:
            pool = self.members[slot.association_id] if slot.association_id else self.everyone
            people = rng.sample(pool, slot.open + slot.held + slot.waiting - slot.volunteer)
            if slot.volunteer:
                people.insert(0, self.volunteer_id)
            base = min(slot.starts_at, self.now) - timedelta(days=21)
            past = slot.starts_at < self.now
            for n, person_id in enumerate(people):
                queued_at = base + timedelta(minutes=7 * n)
                if n < slot.open + slot.held:
                    attendance = None
                    if past and not slot.cancelled:
                        draw = rng.random()
                        attendance = (Attendance.PRESENT if draw < 0.8 else Attendance.ABSENT
                                      if draw < 0.9 else None)
                    held = n >= slot.open
                    add(slot.bookable_id, person_id, BookingStatus.CONFIRMED, queued_at,
                        pool="held" if held else "open", referral=held, attendance=attendance)
                else:
                    add(slot.bookable_id, person_id, BookingStatus.WAITLISTED, queued_at)
            bookable = bookables[slot.bookable_id - 1]
            bookable["taken_open"], bookable["taken_held"] = slot.open, slot.held
        while len(rows) < self.booking_count:  # cancelled ones: history, which every query filters out
            slot = rng.choice(self.slots)
            pool = self.members[slot.association_id] if slot.association_id else self.everyone
            queued_at = min(slot.starts_at, self.now) - timedelta(days=30)
            add(slot.bookable_id, rng.choice(pool), BookingStatus.CANCELLED, queued_at,
                cancelled_at=queued_at + timedelta(hours=2))
        self.rows["bookings"] = rows

    def busiest(self) -> tuple[date, date]:
        """The Monday of the busiest week and the 1st of the busiest month."""
        days = Counter(in_paris(e["starts_at"]).date() for e in self.rows["events"])
        weeks: Counter[date] = Counter()
        months: Counter[date] = Counter()
        for day, count in days.items():
            weeks[day - timedelta(days=day.weekday())] += count
            months[day.replace(day=1)] += count
        return weeks.most_common(1)[0][0], months.most_common(1)[0][0]


# Insertion order follows the foreign keys (bookables before the events that point at them).
TABLES = ["collective", "associations", "partners", "people", "memberships", "accounts",
          "event_series", "bookables", "events", "bookings"]


def generate(app: Flask, reserve: int, seed: int, *, events: int = EVENTS,
             bookings: int = BOOKINGS) -> Plan:
    """Fill the migrated, empty database of ``app``; the people stay PEOPLE whatever
    ``events`` (the associations need enough members to fill 40 places and a queue)."""
    timings = {}
    started = time.perf_counter()
    generator = Generator(random.Random(seed), reserve, events, bookings)  # noqa: S311 - test data
    generator.people()
    showcase = generator.events()
    generator.allocate()
    generator.bookings()
    busy_week, busy_month = generator.busiest()
    timings["build rows"] = time.perf_counter() - started

    started = time.perf_counter()
    database = get_database(app)
    tables = Base.metadata.tables
    with Session(database.engine) as db:
        for name in TABLES:
            rows = generator.rows[name]
            for offset in range(0, len(rows), BATCH):
                db.execute(insert(tables[name]), rows[offset:offset + BATCH])
        if database.engine.dialect.name == "postgresql":
            # Explicit ids leave the sequences behind: the app's own inserts would collide.
            for name in TABLES:
                db.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608
                                f"(SELECT max(id) FROM {name}))"))  # table names: constants above
        db.commit()
    timings["insert"] = time.perf_counter() - started
    if database.engine.dialect.name == "sqlite":
        # Fold the load into the database file, as a long-running site's would be.
        with database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    if database.engine.dialect.name == "postgresql":
        # What autovacuum would do shortly after such a load: statistics for the planner.
        started = time.perf_counter()
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM (ANALYZE)")
        timings["VACUUM ANALYZE"] = time.perf_counter() - started
    return Plan(volunteer_id=generator.volunteer_id, coordinator_id=generator.coordinator_id,
                admin_id=generator.admin_id, big_association_id=generator.big,
                showcase_event_id=showcase, busy_week=busy_week, busy_month=busy_month,
                timings=timings)


# --- measuring -------------------------------------------------------------------------------


@dataclass
class Statement:
    sql: str
    parameters: Any
    ns: int = 0


class Recorder:
    """Every SQL statement the app's engine sends while ``active``, with its duration."""

    def __init__(self, engine: Engine) -> None:
        self.active = False
        self.statements: list[Statement] = []
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, _connection: Connection, _cursor: Any, sql: str, parameters: Any, context: Any,
                _executemany: bool) -> None:
        statement = Statement(sql, parameters)
        if self.active:
            self.statements.append(statement)
        context._bench_statement = (statement, time.perf_counter_ns())

    def _after(self, _connection: Connection, _cursor: Any, _sql: str, _parameters: Any, context: Any,
               _executemany: bool) -> None:
        statement, started = context._bench_statement
        statement.ns = time.perf_counter_ns() - started

    def start(self) -> None:
        self.statements = []
        self.active = True

    def stop(self) -> list[Statement]:
        self.active = False
        return self.statements


@dataclass
class Result:
    page: str
    role: str
    url: str
    wall: list[int] = field(default_factory=list)
    cpu: list[int] = field(default_factory=list)  # this thread's CPU time (SQLite's work included)
    sql: list[int] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    shown: int | None = None
    last: list[Statement] = field(default_factory=list)  # the statements of the last request

    @property
    def median_ms(self) -> float:
        return median_ms(self.wall)

    @property
    def p95_ms(self) -> float:
        return p95_ms(self.wall)

    @property
    def cpu_ms(self) -> float:
        return median_ms(self.cpu)

    @property
    def sql_ms(self) -> float:
        return median_ms(self.sql)

    @property
    def query_count(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}–{high}"


def shown_rows(body: str) -> int:
    """Events linked from a list page (the month grid shows 4 a day), bookings on an event page."""
    return len(re.findall(r'href="/agenda/\d+"', body)) + body.count('data-label="Personne"')


class Bench:
    def __init__(self, app: Flask, recorder: Recorder, budget: float) -> None:
        self.app = app
        self.recorder = recorder
        self.budget = budget
        self.results: list[Result] = []

    def _request(self, result: Result, send: Any, expected: int, label: str) -> str:
        self.recorder.start()
        started, started_cpu = time.perf_counter_ns(), time.thread_time_ns()
        response = send()
        body = response.get_data(as_text=True)
        response.close()
        elapsed, cpu = time.perf_counter_ns() - started, time.thread_time_ns() - started_cpu
        statements = self.recorder.stop()
        if response.status_code != expected:
            raise SystemExit(f"{label} as {result.role} answered {response.status_code}, "
                             f"not {expected}:\n{body[:2000]}")
        result.wall.append(elapsed)
        result.cpu.append(cpu)
        result.sql.append(sum(s.ns for s in statements))
        result.queries.append(len(statements))
        result.last = statements
        return body

    def get(self, page: str, role: str, client: FlaskClient, url: str, requests: int, warmup: int) -> Result:
        result = Result(page, role, url)
        started = time.perf_counter()
        for n in range(warmup):
            response = client.get(url)
            response.close()
            if response.status_code != 200:
                raise SystemExit(f"GET {url} as {role} answered {response.status_code}, not 200")
            if n >= 2 and time.perf_counter() - started > self.budget / 4:
                break
        gc.collect()
        started = time.perf_counter()
        for _ in range(requests):
            body = self._request(result, lambda: client.get(url), 200, f"GET {url}")
            if len(result.wall) >= MIN_SAMPLES and time.perf_counter() - started > self.budget:
                break  # a slow page: enough samples for a median and a p95
        result.shown = shown_rows(body)
        self.results.append(result)
        self._progress(result)
        return result

    @staticmethod
    def _progress(result: Result) -> None:
        progress(f"  {result.page:<38} {result.role:<12} median {result.median_ms:7.1f} ms "
                 f"(CPU {result.cpu_ms:6.1f}), {result.query_count} queries ({len(result.wall)} requests)")

    def post(self, page: str, role: str, client: FlaskClient, urls: list[str], warmup: int) -> Result:
        """One POST per url (each books or cancels something new); the first ``warmup`` untimed."""
        result = Result(page, role, urls[0])
        token = csrf_token(client)
        for url in urls[:warmup]:
            response = client.post(url, data={"csrf_token": token})
            response.close()
            if response.status_code != 303:
                raise SystemExit(f"POST {url} as {role} answered {response.status_code}, not 303")
        gc.collect()
        for url in urls[warmup:]:
            self._request(result, lambda url=url: client.post(url, data={"csrf_token": token}), 303,
                          f"POST {url}")
        self.results.append(result)
        self._progress(result)
        return result


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def booking_targets(db: Session, plan: Plan, need: int, rng: random.Random) -> dict[str, list[int]]:
    """Events to book (places left), full events to queue for, and the volunteer's places to
    give up on full events, all upcoming, open for booking, seen by the volunteer."""
    now = utcnow()
    soon = now + timedelta(days=2)
    mine = (select(Booking.id).where(Booking.bookable_id == Bookable.id,
                                     Booking.person_id == plan.volunteer_id,
                                     Booking.status != BookingStatus.CANCELLED).exists())
    bookable = (
        select(Event.id, Bookable.taken_open, Bookable.capacity, Bookable.held_back, Bookable.waitlist)
        .join(Bookable, Bookable.id == Event.bookable_id)
        .where(Event.starts_at > soon, Event.cancelled.is_(False), Bookable.cancelled.is_(False),
               (Bookable.opens_at.is_(None)) | (Bookable.opens_at <= now),
               (Bookable.closes_at.is_(None)) | (Bookable.closes_at > soon),
               Event.visibility.in_([Visibility.COLLECTIVE, Visibility.PUBLIC])
               | (Event.association_id == plan.big_association_id),
               ~mine)
    )
    free, full = [], []
    for event_id, taken, capacity, held_back, waitlist in db.execute(bookable):
        if taken < capacity - held_back:
            free.append(event_id)
        elif waitlist:
            full.append(event_id)
    queued = aliased(Booking)
    waiting = (select(queued.id).where(queued.bookable_id == Bookable.id,
                                       queued.status == BookingStatus.WAITLISTED).exists())
    cancellable = list(db.scalars(
        select(Booking.id).join(Bookable, Bookable.id == Booking.bookable_id)
        .where(Booking.person_id == plan.volunteer_id, Booking.status == BookingStatus.CONFIRMED,
               Bookable.owner == AGENDA_OWNER, Bookable.cancelled.is_(False),
               Bookable.starts_at > soon, Bookable.cancellation_cutoff_minutes == 0, waiting)
    ))
    found = {"book": sorted(free), "waitlist": sorted(full), "cancel": sorted(cancellable)}
    for name, ids in found.items():
        if len(ids) < need:
            raise SystemExit(f"only {len(ids)} events found to {name}, {need} needed")
    return {name: sorted(rng.sample(ids, need)) for name, ids in found.items()}


def check_bookings(db: Session, plan: Plan, targets: dict[str, list[int]]) -> None:
    """Each POST did what it says: a place, a place in the queue, a place given up and taken."""
    def statuses(event_ids: list[int]) -> Counter[str]:
        return Counter(db.scalars(
            select(Booking.status).join(Event, Event.bookable_id == Booking.bookable_id)
            .where(Event.id.in_(event_ids), Booking.person_id == plan.volunteer_id,
                   Booking.status != BookingStatus.CANCELLED)))

    need = len(targets["book"])
    booked, queued = statuses(targets["book"]), statuses(targets["waitlist"])
    cancelled = db.scalar(select(func.count(Booking.id)).where(
        Booking.id.in_(targets["cancel"]), Booking.status == BookingStatus.CANCELLED))
    refilled = db.scalar(
        select(func.count(Bookable.id)).join(Booking, Booking.bookable_id == Bookable.id)
        .where(Booking.id.in_(targets["cancel"]),
               Bookable.taken_open == Bookable.capacity - Bookable.held_back))
    problems = []
    if booked[BookingStatus.CONFIRMED] != need:
        problems.append(f"booking: {dict(booked)} instead of {need} confirmed")
    if queued[BookingStatus.WAITLISTED] != need:
        problems.append(f"full events: {dict(queued)} instead of {need} waitlisted")
    if cancelled != need or refilled != need:
        problems.append(f"cancelling: {cancelled} cancelled, {refilled} places taken up from the queue, "
                        f"instead of {need}")
    if problems:
        raise SystemExit("the bookings did not do what they should: " + "; ".join(problems))


def measure(app: Flask, plan: Plan, args: argparse.Namespace, rng: random.Random
            ) -> tuple[list[Result], list[Statement], Recorder]:
    recorder = Recorder(get_database(app).engine)
    bench = Bench(app, recorder, args.budget)
    clients: dict[str, FlaskClient] = {}
    for role, email in ROLES.items():
        clients[role] = app.test_client()
        login(clients[role], email)

    big = plan.big_association_id
    pages = [
        ("/agenda/ (page 1)", "/agenda/"),
        (f"/agenda/?page={LATER_PAGE}", f"/agenda/?page={LATER_PAGE}"),
        ("/agenda/?places=1", "/agenda/?places=1"),
        ("/agenda/?association=…&type=workshop", f"/agenda/?association={big}&type=workshop"),
        ("/agenda/semaine (busiest week)", f"/agenda/semaine?jour={plan.busy_week.isoformat()}"),
        ("/agenda/mois (busiest month)", f"/agenda/mois?mois={plan.busy_month:%Y-%m}"),
        ("/agenda/mes-inscriptions", "/agenda/mes-inscriptions"),
        ("/agenda/<id> (65 bookings)", f"/agenda/{plan.showcase_event_id}"),
    ]
    progress("Timing the pages:")
    list_query: list[Statement] = []
    for page, url in pages:
        for role, client in clients.items():
            result = bench.get(page, role, client, url, args.requests, args.warmup)
            if role == "volunteer" and url == "/agenda/":
                list_query = result.last

    posts = max(args.requests // 2, MIN_SAMPLES)
    warmup = max(2, args.warmup // 4)
    with Session(get_database(app).engine) as db:
        targets = booking_targets(db, plan, posts + warmup, rng)
    volunteer = clients["volunteer"]
    progress("Timing the bookings:")
    bench.post("POST /agenda/<id>/inscription", "volunteer", volunteer,
               [f"/agenda/{i}/inscription" for i in targets["book"]], warmup)
    bench.post("POST …/inscription (full: waitlist)", "volunteer", volunteer,
               [f"/agenda/{i}/inscription" for i in targets["waitlist"]], warmup)
    bench.post("POST …/annuler (queue moves up)", "volunteer", volunteer,
               [f"/agenda/inscriptions/{i}/annuler" for i in targets["cancel"]], warmup)
    with Session(get_database(app).engine) as db:
        check_bookings(db, plan, targets)
    return bench.results, list_query, recorder


@dataclass
class WhatIf:
    """The agenda's own queries for the volunteer, timed alone: as they are, with a lower bound
    on ``starts_at``, and with an extra index on ``events(ends_at)``."""

    name: str
    ms: dict[str, float] = field(default_factory=dict)  # variant -> median SQL ms
    rows: int = 0
    plans: dict[str, str] = field(default_factory=dict)  # variant -> how events is read


AS_IS, BOUNDED, INDEXED = "as is", f"+ starts_at > start - {BOUND_DAYS} days", "+ index on events(ends_at)"


def what_if(engine: Engine, recorder: Recorder, plan: Plan, runs: int = 15) -> list[WhatIf]:
    """Would a bound on starts_at, or an index on ends_at, fix the scans? Measured on the
    benchmark's own database; the index is dropped again at the end."""
    now = utcnow()
    # events_visible_clause() for the volunteer: shared events, and those of their association.
    visible = or_(Event.visibility.in_([Visibility.COLLECTIVE, Visibility.PUBLIC]),
                  Event.association_id.in_([plan.big_association_id]))
    week = day_bounds(plan.busy_week, 7)
    first = plan.busy_month  # the month page's grid: whole weeks around the month
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    grid_start = first - timedelta(days=first.weekday())
    grid_end = last - timedelta(days=last.weekday()) + timedelta(days=7)
    month = day_bounds(grid_start, (grid_end - grid_start).days)

    def statements(bounded: bool) -> dict[str, Any]:
        def query(start: datetime, end: datetime | None = None, first: int | None = None) -> Any:
            found = events_query(visible, start=start, end=end, first=first)
            return found.where(Event.starts_at > start - timedelta(days=BOUND_DAYS)) if bounded else found

        later = UPCOMING_PAGE_SIZE * LATER_PAGE
        return {
            "upcoming list, page 1": query(now, first=UPCOMING_PAGE_SIZE).limit(UPCOMING_PAGE_SIZE),
            f"upcoming list, page {LATER_PAGE}": query(now, first=later).limit(UPCOMING_PAGE_SIZE)
            .offset(later - UPCOMING_PAGE_SIZE),
            "its count (pager)": select(func.count()).select_from(query(now).order_by(None).subquery()),
            "busiest week": query(*week),
            "busiest month (grid)": query(*month),
        }

    results = {name: WhatIf(name) for name in statements(False)}

    def run(variant: str, bounded: bool) -> None:
        with Session(engine) as db:
            for name, statement in statements(bounded).items():
                samples = []
                for _ in range(runs):
                    recorder.start()
                    rows = db.execute(statement).all()
                    recorded = recorder.stop()
                    samples.append(sum(s.ns for s in recorded))
                results[name].ms[variant] = median_ms(samples)
                results[name].rows = len(rows)
                results[name].plans[variant] = plan_summary(explain(engine, recorded[-1]))

    run(AS_IS, bounded=False)
    run(BOUNDED, bounded=True)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE INDEX bench_ix_events_ends_at ON events (ends_at)")
        if engine.dialect.name == "postgresql":
            connection.exec_driver_sql("ANALYZE events")
    try:
        run(INDEXED, bounded=False)
    finally:
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP INDEX bench_ix_events_ends_at")
    return list(results.values())


def plan_summary(lines: list[str]) -> str:
    """How the plan reads the events table (and, on PostgreSQL, how many rows it threw away)."""
    keep = [line.strip() for line in lines
            if re.search(r"(Scan|SCAN|SEARCH).* events\b|Rows Removed by Filter|^\s*Sort Method"
                         r"|USE TEMP B-TREE", line)]
    summary = "; ".join(re.sub(r"^->\s*|\s*\(cost=[^)]*\)", "", line) for line in keep)
    return summary or "; ".join(line.strip() for line in lines[:2])


# --- reporting -------------------------------------------------------------------------------


def database_version(engine: Engine) -> str:
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            version = connection.exec_driver_sql("SHOW server_version").scalar()
            return f"PostgreSQL {version} (psycopg)"
        version = connection.exec_driver_sql("SELECT sqlite_version()").scalar()
        return f"SQLite {version} (WAL)"


def row_counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as db:
        counts = {name: db.scalar(select(func.count()).select_from(model)) or 0
                  for name, model in (("people", Person), ("memberships", Membership),
                                      ("associations", Association), ("partners", Partner),
                                      ("event series", EventSeries), ("events", Event),
                                      ("bookables", Bookable), ("bookings", Booking))}
        counts["live bookings"] = db.scalar(select(func.count(Booking.id)).where(
            Booking.status != BookingStatus.CANCELLED)) or 0
        counts["accounts"] = db.scalar(select(func.count(Account.id))) or 0
        counts["collective"] = db.scalar(select(func.count(Collective.id))) or 0
    return counts


def one_line(sql: str, limit: int = 400) -> str:
    flat = re.sub(r"\s+", " ", sql).strip()
    return flat if len(flat) <= limit else flat[:limit] + " …"


def explain(engine: Engine, statement: Statement) -> list[str]:
    """The plan of one recorded statement, with the parameters it ran with."""
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            rows = connection.exec_driver_sql("EXPLAIN (ANALYZE) " + statement.sql,
                                              statement.parameters)
            return [row[0] for row in rows]
        rows = list(connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement.sql,
                                               statement.parameters))
    depth = {0: -1}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return lines


def markdown_table(headers: list[str], rows: list[list[str]], left: int = 2) -> None:
    """A Markdown table, aligned in the terminal too; the first ``left`` columns are text."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=True)]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(f"{cell:<{w}}" if i < left else f"{cell:>{w}}"
                                 for i, (cell, w) in enumerate(zip(cells, widths, strict=True))) + " |"

    print(line(headers))
    print("|" + "|".join("-" * (w + 2) if i < left else "-" * (w + 1) + ":"
                         for i, w in enumerate(widths)) + "|")
    for row in rows:
        print(line(row))


def report(engine: Engine, plan: Plan, counts: dict[str, int], results: list[Result],
           list_query: list[Statement], fixes: list[WhatIf], migrate_s: float, others: float | None,
           elapsed: float) -> None:
    kind = "PostgreSQL" if engine.dialect.name == "postgresql" else "SQLite"
    print(f"# Agenda benchmark ({kind})\n")
    print(f"Machine: {describe_machine(database_version(engine))}")
    if others is not None:
        server = " (the PostgreSQL server's work for the benchmark counts as another process)"
        print(f"While timing, other processes kept {others:.2f} of the {os.cpu_count()} CPUs busy"
              + (server if kind == "PostgreSQL" else "")
              + (": a busy machine, wall-clock times are inflated (p95 most); CPU ms is steadier."
                 if others > BUSY_CORES else "."))
    print()
    print("Data: " + ", ".join(f"{count:,} {name}" for name, count in counts.items()) + ".")
    generated = sum(plan.timings.values())
    print(f"Generated in {generated:.1f} s ("
          + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in plan.timings.items())
          + f"), after the migrations ({migrate_s:.1f} s).")
    print(f"Busiest week: {plan.busy_week:%d/%m/%Y}; busiest month: {plan.busy_month:%m/%Y}; "
          f"the event page shows event {plan.showcase_event_id}.\n")

    rows = [[r.page, r.role, f"{r.median_ms:.1f}", f"{r.p95_ms:.1f}", r.query_count,
             f"{r.cpu_ms:.1f}", f"{r.sql_ms:.1f}", str(len(r.wall)), "" if r.shown is None else str(r.shown)]
            for r in results]
    markdown_table(["page", "role", "median ms", "p95 ms", "queries", "CPU ms", "SQL ms", "n", "shown"],
                   rows)
    print("\nmedian, p95: wall clock of the whole request through the test client. queries: SQL "
          "statements per request (on SQLite, the BEGIN the app sends itself included). CPU ms: "
          "median CPU time of the benchmark's thread (SQLite's work included, PostgreSQL's not). "
          "SQL ms: median wall time spent in the database driver. n: timed requests. shown: events "
          "(or bookings) on the page.\n")

    listing = [s for s in list_query if "FROM events" in s.sql and "LIMIT" in s.sql]
    counting = [s for s in list_query if s.sql.lstrip().lower().startswith("select count(")]
    for title, found in (("The upcoming list for the volunteer (page 1)", listing),
                         ("Its count, for the pager", counting)):
        if not found:
            print(f"{title}: not found among the page's statements.\n")
            continue
        statement = found[0]
        verb = "EXPLAIN (ANALYZE)" if kind == "PostgreSQL" else "EXPLAIN QUERY PLAN"
        print(f"## {title}: {statement.ns / 1e6:.1f} ms in the request\n")
        print("```sql\n" + one_line(statement.sql, 10_000) + "\n```\n")
        print(f"{verb}:\n\n```")
        print("\n".join(explain(engine, statement)))
        print("```\n")

    slow_pages = [page for page in dict.fromkeys(r.page for r in results)
                  if any(r.page == page and r.median_ms > SLOW_MS for r in results)]
    if slow_pages:
        print(f"## Pages slower than {SLOW_MS:.0f} ms (median) for some role\n")
    for page in slow_pages:
        group = [r for r in results if r.page == page]
        print(f"### {page}\n")
        for r in group:
            print(f"- {r.role}: {r.median_ms:.0f} ms ({r.cpu_ms:.0f} ms CPU), of which {r.sql_ms:.0f} ms "
                  f"in SQL, {r.query_count} statements")
        worst = max(group, key=lambda r: r.median_ms)
        statements = sorted(worst.last, key=lambda s: s.ns, reverse=True)
        print(f"\nSlowest statements of one request as {worst.role}:\n")
        for statement in statements[:2]:
            print(f"- {statement.ns / 1e6:.1f} ms: `{one_line(statement.sql, 200)}`")
        if statements and statements[0].ns / 1e6 > 0.2 * worst.median_ms:
            print("\nIts plan:\n\n```")
            print("\n".join(explain(engine, statements[0])))
            print("```")
        else:
            print("\nSQL is under a fifth of the request: the time goes to Python "
                  "(building ORM objects, rendering the template).")
        print()
    print("## What would fix the scans: the same queries alone, for the volunteer (median SQL ms)\n")
    variants = [AS_IS, BOUNDED, INDEXED]
    markdown_table(["query", "rows", *variants],
                   [[fix.name, str(fix.rows), *(f"{fix.ms[v]:.1f}" for v in variants)] for fix in fixes],
                   left=1)
    print(f"\n{BOUNDED}: the same query with `AND events.starts_at > :start - {BOUND_DAYS} days`, "
          f"which holds if no event lasts longer than that. {INDEXED}: created for this test, "
          "then dropped. How each reads events:\n")
    for fix in fixes:
        for variant in variants:
            print(f"- {fix.name}, {variant}: {fix.plans[variant]}")
    print()
    print(f"Ran in {elapsed:.0f} s.")


# --- main ------------------------------------------------------------------------------------


def prepare_database(url: str) -> None:
    """Empty the PostgreSQL benchmark database, refusing any that is not clearly one."""
    name = make_url(url).database or ""
    if name in PROTECTED_DATABASES or "bench" not in name:
        raise SystemExit(f"refusing to empty database {name!r}: its name must contain 'bench' "
                         f"(and not be one of {sorted(PROTECTED_DATABASES)})")
    prepare_postgresql(url)


@dataclass
class DataSet:
    url: str
    app: Flask
    plan: Plan
    events: int
    bookings: int


def data_set(folder: Path, database_url: str | None, *, events: int, seed: int, name: str) -> DataSet:
    """The bench data set in a migrated database: the PostgreSQL one given (emptied first), or
    a fresh SQLite file ``name``.sqlite3 in ``folder``. Bookings scale with the events; the
    people stay PEOPLE (the associations need enough members to fill 40 places and a queue)."""
    os.environ["MAILLAGE_INSTANCE_PATH"] = str(folder / "instance")
    if database_url:
        url = database_url
        progress(f"Emptying {make_url(url).render_as_string(hide_password=True)}…")
        prepare_database(url)
    else:
        url = f"sqlite:///{folder / f'{name}.sqlite3'}"
    app = make_app(url, TESTING=False, LOG_LEVEL="WARNING")
    upgrade(app)
    bookings = round(BOOKINGS * events / EVENTS)
    progress(f"Generating {PEOPLE:,} people, {events:,} events, {bookings:,} bookings…")
    plan = generate(app, 1, seed, events=events, bookings=bookings)
    return DataSet(url, app, plan, events, bookings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", metavar="URL",
                        help="PostgreSQL database to use, emptied first; its name must contain "
                             "'bench' (default: a fresh SQLite file in a temporary folder)")
    parser.add_argument("--requests", type=int, default=200, metavar="N",
                        help="timed requests per page and role (default: 200); N/2 for each "
                             "kind of booking")
    parser.add_argument("--warmup", type=int, default=20, metavar="N",
                        help="untimed requests per page and role first (default: 20)")
    parser.add_argument("--budget", type=float, default=20.0, metavar="SECONDS",
                        help="stop timing a page after this long, once it has 20 samples (default: 20)")
    parser.add_argument("--seed", type=int, default=SEED, help=f"random seed (default: {SEED})")
    args = parser.parse_args(argv)
    if args.requests < MIN_SAMPLES:
        parser.error(f"--requests must be at least {MIN_SAMPLES} (for a 95th percentile)")

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="maillage-bench-agenda-") as folder:
        root = Path(folder)
        os.environ["MAILLAGE_INSTANCE_PATH"] = str(root / "instance")
        if args.database_url:
            url = args.database_url
            progress(f"Emptying {make_url(url).render_as_string(hide_password=True)}…")
            prepare_database(url)
        else:
            url = f"sqlite:///{root / 'agenda-bench.sqlite3'}"
        app = make_app(url, TESTING=False, LOG_LEVEL="WARNING")
        engine = get_database(app).engine
        progress("Migrating…")
        migrate_started = time.perf_counter()
        upgrade(app)
        migrate_s = time.perf_counter() - migrate_started

        posts = max(args.requests // 2, MIN_SAMPLES) + max(2, args.warmup // 4)
        progress(f"Generating {PEOPLE:,} people, {EVENTS:,} events, {BOOKINGS:,} bookings…")
        plan = generate(app, posts, args.seed)
        progress(f"  done in {sum(plan.timings.values()):.1f} s")
        counts = row_counts(engine)
        activity = Activity.now()
        results, list_query, recorder = measure(app, plan, args, random.Random(args.seed + 1))  # noqa: S311
        others = Activity.now().others_since(activity)
        progress("Trying a bound on starts_at and an index on ends_at…")
        fixes = what_if(engine, recorder, plan)
        report(engine, plan, counts, results, list_query, fixes, migrate_s, others,
               time.perf_counter() - started)
        get_database(app).dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
