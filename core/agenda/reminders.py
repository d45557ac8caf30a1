"""Reminders of the next day's bookings, sent by ``maillage agenda remind`` (run from cron).

Each person gets one email listing all their confirmed bookings of the day. A booking is
claimed by a conditional UPDATE on ``reminded_at`` before its email goes out, so running the
command twice, or two runs at once, sends each reminder once.

Choices a coordinator should know about:

- People without an email address are counted in the report and their bookings are left
  unmarked: if someone adds their address before the day, a later run still reminds them.
- Deactivated people get no reminder (as they get no password link): they have left.
- If sending fails for one person, their claim is rolled back (the next run retries) and
  the others are still reminded; the report names the addresses that failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from babel.dates import format_date
from flask import current_app
from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.orm import joinedload

from core.agenda.bookables import AGENDA_OWNER, Bookable
from core.agenda.bookings import Booking, BookingStatus
from core.agenda.clock import day_bounds, in_paris, paris_today
from core.agenda.events import Event
from core.database import session, utcnow, write_intent
from core.mail import send_mail
from core.members.people import Person

MY_BOOKINGS_PATH = "/agenda/mes-inscriptions"
EVENT_PATH = "/agenda/{event_id}"  # the page of agenda.event_detail


@dataclass(frozen=True)
class ReminderItem:
    """One line of a reminder: what, when, where (a plugin's bookable has no place or page)."""

    title: str
    starts_at: datetime
    place: str = ""
    event_id: int | None = None


@dataclass(frozen=True)
class Reminder:
    email: str
    first_name: str
    items: list[ReminderItem]


@dataclass
class ReminderReport:
    day: date
    dry_run: bool = False
    reminders: list[Reminder] = field(default_factory=list)  # sent (or, dry run, to send)
    without_email: int = 0  # people with bookings that day but no address: not reminded
    failed: list[str] = field(default_factory=list)  # addresses whose sending failed

    @property
    def people(self) -> int:
        return len(self.reminders)

    @property
    def bookings(self) -> int:
        return sum(len(reminder.items) for reminder in self.reminders)


def reminder_day(now: datetime | None = None) -> date:
    """Tomorrow, in Paris."""
    return paris_today(now) + timedelta(days=1)


def send_reminders(day: date | None = None, now: datetime | None = None, *,
                   dry_run: bool = False) -> ReminderReport:
    """Email each person their confirmed bookings of ``day`` (default: tomorrow in Paris)
    not reminded yet. A dry run lists them without sending or marking anything."""
    now = now or utcnow()
    day = day or reminder_day(now)
    report = ReminderReport(day=day, dry_run=dry_run)
    due = _due_clause(*day_bounds(day))
    # SQLite: every transaction below takes the write lock at BEGIN, so two runs queue up
    # instead of failing with "database is locked" when they claim.
    with write_intent():
        people = _people_due(due)
        session.commit()
        for person_id, email, first_name in people:
            if email is None:
                report.without_email += 1
                continue
            _remind(report, person_id, email, first_name, due, now)
    return report


def _due_clause(start: datetime, end: datetime) -> ColumnElement[bool]:
    """Bookings to remind: confirmed, not reminded yet, of a live bookable starting that day."""
    live_that_day = select(Bookable.id).where(
        Bookable.starts_at >= start, Bookable.starts_at < end, Bookable.cancelled.is_(False)
    )
    return and_(
        Booking.status == BookingStatus.CONFIRMED,
        Booking.reminded_at.is_(None),
        Booking.bookable_id.in_(live_that_day),
    )


def _people_due(due: ColumnElement[bool]) -> Sequence[tuple[int, str | None, str]]:
    return session.execute(
        select(Person.id, Person.email, Person.first_name)
        .where(Person.active.is_(True),
               Person.id.in_(select(Booking.person_id).where(due)))
        .order_by(Person.id)
    ).all()


def _remind(report: ReminderReport, person_id: int, email: str, first_name: str,
            due: ColumnElement[bool], now: datetime) -> None:
    """One person, one transaction: claim, send, commit — or roll the claim back."""
    mine = and_(Booking.person_id == person_id, due)
    if report.dry_run:
        booking_ids = list(session.scalars(select(Booking.id).where(mine)))
    else:
        booking_ids = _claim(mine, now)
    if not booking_ids:  # another run got there first
        session.rollback()
        return
    reminder = Reminder(email=email, first_name=first_name, items=_items(booking_ids))
    if report.dry_run:
        session.rollback()
        report.reminders.append(reminder)
        return
    subject, body = compose(reminder, report.day, now)
    # The claim is committed only once the email is out: a crash in between must leave
    # the booking to the next run rather than lose its reminder.
    try:
        send_mail(email, subject, body)
    except Exception:
        session.rollback()
        current_app.logger.exception("reminder to person %s failed; the next run retries", person_id)
        report.failed.append(email)
        return
    session.commit()
    report.reminders.append(reminder)


def _claim(mine: ColumnElement[bool], now: datetime) -> list[int]:
    """Mark the bookings and return those this run marked. On PostgreSQL a concurrent run's
    UPDATE waits for ours, re-checks ``reminded_at IS NULL`` and returns nothing; on SQLite
    (RETURNING needs 3.35) the two transactions do not overlap at all."""
    claimed = session.execute(
        update(Booking).where(mine).values(reminded_at=now).returning(Booking.id)
        .execution_options(synchronize_session=False)
    )
    return list(claimed.scalars())


def _items(booking_ids: list[int]) -> list[ReminderItem]:
    rows = session.execute(
        select(Bookable, Event)
        .join(Booking, Booking.bookable_id == Bookable.id)
        .outerjoin(Event, and_(Event.bookable_id == Bookable.id, Bookable.owner == AGENDA_OWNER))
        .options(joinedload(Event.partner))
        .where(Booking.id.in_(booking_ids))
        .order_by(Bookable.starts_at, Bookable.id)
    )
    return [
        ReminderItem(title=event.title, starts_at=bookable.starts_at, place=event.where,
                     event_id=event.id)
        if event is not None else ReminderItem(title=bookable.title, starts_at=bookable.starts_at)
        for bookable, event in rows
    ]


# --- the email ----------------------------------------------------------------------------


def day_label(day: date) -> str:
    """ "jeudi 12 mars" """
    return format_date(day, "EEEE d MMMM", locale="fr")


def time_label(moment: datetime) -> str:
    """ "9 h 30", in Paris, as French typography writes it """
    local = in_paris(moment)
    return f"{local.hour} h {local:%M}"


def _relative_day(day: date, now: datetime) -> tuple[str, str] | None:
    """("de demain", "demain") and the like; None for another day (a re-run for a missed
    day must not say "demain" about another day)."""
    today = paris_today(now)
    if day == today + timedelta(days=1):
        return "de demain", "demain"
    if day == today:
        return "d'aujourd'hui", "aujourd'hui"
    return None


def _base_url() -> str:
    return str(current_app.config.get("BASE_URL") or "").rstrip("/")


def compose(reminder: Reminder, day: date, now: datetime) -> tuple[str, str]:
    """Subject and plain-text body, in French. Only the person's own bookings appear."""
    what = "vos activités" if len(reminder.items) > 1 else "votre activité"
    label = day_label(day)
    relative = _relative_day(day, now)
    if relative is None:
        subject, when = f"Rappel : {what} du {label}", f"le {label}"
    else:
        subject, when = f"Rappel : {what} {relative[0]} ({label})", f"{relative[1]}, {label},"
    base = _base_url()
    lines = [f"Bonjour {reminder.first_name},", "",
             f"Petit rappel : {when} vous êtes inscrit·e à :", ""]
    for item in reminder.items:
        lines.append(f"- {time_label(item.starts_at)} : {item.title}")
        if item.place:
            lines.append(f"  Lieu : {item.place}")
        if item.event_id is not None and base:
            lines.append(f"  {base}{EVENT_PATH.format(event_id=item.event_id)}")
    cancel_where = f" :\n{base}{MY_BOOKINGS_PATH}" if base else "."
    lines += [
        "",
        "Vous ne pouvez plus venir ? Annulez votre inscription pour laisser la place à "
        f"quelqu'un d'autre, sur la page « Mes inscriptions » de l'agenda{cancel_where}",
        "Si l'annulation en ligne n'est plus possible, prévenez l'association.",
        "",
        "À bientôt,",
        "L'équipe du collectif",
        "",
    ]
    return subject, "\n".join(lines)
