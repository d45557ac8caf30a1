"""Emails to people whose booking changed without them asking: promoted off a waitlist, or
the activity cancelled.

Shared by the agenda pages and the plugins' booking API. Mails leave only once the
transaction commits (``send_mail_after_commit``): a promotion that is rolled back is never
announced. These functions may run outside a request (a CLI command): they need an app
context only, for the French dates and the mail settings.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from flask_babel import format_datetime
from sqlalchemy import select

from core.agenda.bookables import Bookable
from core.agenda.bookings import Booking, BookingStatus
from core.database import session, utcnow
from core.mail import send_mail_after_commit
from core.members.people import Person

# "jeudi 12 mars à 14:00", in Europe/Paris (the app's Babel timezone).
WHEN_FORMAT = "EEEE d MMMM 'à' HH:mm"


class _Recipient(NamedTuple):
    first_name: str
    email: str


def when(moment: datetime) -> str:
    return format_datetime(moment, WHEN_FORMAT)


def _recipients(person_ids: Iterable[int]) -> dict[int, _Recipient]:
    """People who can be written to (one query); those without an email are left out."""
    ids = set(person_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(Person.id, Person.first_name, Person.email)
        .where(Person.id.in_(ids), Person.email.is_not(None))
    )
    return {row.id: _Recipient(row.first_name, row.email) for row in rows}


def tell_promoted(bookings: list[Booking]) -> None:
    """Tell each person their place off the waitlist, once the transaction commits."""
    if not bookings:
        return
    recipients = _recipients(booking.person_id for booking in bookings)
    bookable_ids = {booking.bookable_id for booking in bookings}
    # A place on a cancelled or already started activity is nothing to announce (the
    # engine still promotes there when someone cancels late).
    activities = {
        row.id: row for row in session.execute(
            select(Bookable.id, Bookable.title, Bookable.starts_at)
            .where(Bookable.id.in_(bookable_ids), Bookable.cancelled.is_(False),
                   Bookable.starts_at > utcnow())
        )
    } if recipients else {}
    for booking in bookings:
        recipient = recipients.get(booking.person_id)
        activity = activities.get(booking.bookable_id)
        if recipient is None or activity is None:
            continue
        send_mail_after_commit(
            recipient.email,
            f"Une place s'est libérée : « {activity.title} »",
            f"Bonjour {recipient.first_name},\n\n"
            f"Une place s'est libérée : vous êtes inscrit·e à « {activity.title} » "
            f"le {when(activity.starts_at)}.\n\n"
            "Si vous ne pouvez plus venir, annulez votre inscription : la place ira à la "
            "personne suivante de la liste d'attente.\n",
        )


def tell_event_cancelled(bookings: list[Booking], title: str, starts_at: datetime) -> None:
    """Tell the people booked (or queued) on a cancelled activity, once the transaction
    commits."""
    recipients = _recipients(booking.person_id for booking in bookings)
    for booking in bookings:
        recipient = recipients.get(booking.person_id)
        if recipient is None:
            continue
        was = ("en liste d'attente" if booking.status is BookingStatus.WAITLISTED
               else "inscrit·e")
        send_mail_after_commit(
            recipient.email,
            f"Annulé : « {title} »",
            f"Bonjour {recipient.first_name},\n\n"
            f"« {title} », prévu le {when(starts_at)}, est annulé. "
            f"Vous étiez {was} : vous n'avez rien à faire.\n",
        )


def tell_event_moved(bookings: list[Booking], title: str, starts_at: datetime, where: str) -> None:
    """Tell the people booked (or queued) that the time or place changed, once the
    transaction commits: a volunteer who planned the afternoon must know."""
    recipients = _recipients(booking.person_id for booking in bookings)
    place = f"\nLieu : {where}\n" if where else ""
    for booking in bookings:
        recipient = recipients.get(booking.person_id)
        if recipient is None:
            continue
        send_mail_after_commit(
            recipient.email,
            f"Changement : « {title} »",
            f"Bonjour {recipient.first_name},\n\n"
            f"« {title} » a changé : c'est maintenant le {when(starts_at)}.\n{place}\n"
            "Si vous ne pouvez plus venir, annulez votre inscription : la place ira à "
            "quelqu'un d'autre.\n",
        )
