"""Booking a place, for oneself or for someone else, cancelling, and marking attendance."""

from __future__ import annotations

from functools import cache

from flask import abort, flash, request
from flask_login import current_user
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from core.agenda import engine
from core.agenda.bookings import Attendance, Booking, BookingStatus
from core.agenda.events import Event, Visibility
from core.agenda.forms import NEW_PERSON, BookForForm
from core.agenda.notify import tell_promoted
from core.agenda.scope import can_manage_event, can_see_event, managed_association_ids
from core.agenda.views import bp
from core.agenda.views.common import event_or_404
from core.auth.permissions import Level, access, require
from core.database import reads_first, session, utcnow
from core.members.memberships import Membership, new_member
from core.members.people import Person
from core.members.roles import Role
from core.web.forms import INVALID_FORM_STATUS
from core.web.views import see_other

REFUSED_STATUS = 409  # the request was understood, but the event's state forbids it
# Past this many, the list of people to pick from is cut: coordinators search the rest.
MAX_PEOPLE_CHOICES = 1000


def _refused(event: Event, message: str, *, book_for: BookForForm | None = None,
             status: int = REFUSED_STATUS) -> tuple[str, int]:
    from core.agenda.views.events import render_event

    session.rollback()
    return render_event(event, refusal=message, book_for=book_for), status


def _flash_booked(booking: Booking, *, who: str) -> None:
    if booking.status is BookingStatus.CONFIRMED:
        flash(f"{who} inscrit·e.", "success")
    else:
        position = engine.waitlist_position(booking)
        flash(f"C'est complet : {who.lower()} en liste d'attente (position {position}). "
              "Un e-mail sera envoyé si une place se libère.", "warning")


def _bookable_event_or_404(event_id: int) -> Event:
    """The event with its places, what a booking needs; the rest loads if a refusal shows it."""
    event = session.scalar(_event_with_places(), {"event_id": event_id})
    if event is None or event.bookable is None or not can_see_event(event):
        abort(404)
    return event


@cache
def _event_with_places() -> Select[tuple[Event]]:
    # Built once: every booking runs it, and building costs more than running.
    return select(Event).where(Event.id == bindparam("event_id")).options(joinedload(Event.bookable))


@cache
def _event_to_book() -> Select[tuple[int, int, Visibility, int | None]]:
    # Columns, not the event: a place taken needs no more (a refusal loads the page's event).
    return (select(Event.id, Event.bookable_id, Event.visibility, Event.association_id)
            .where(Event.id == bindparam("event_id"), Event.bookable_id.is_not(None)))


@bp.post("/<int:event_id>/inscription")
@access(Level.AUTHENTICATED)
def book(event_id: int) -> Response | tuple[str, int]:
    with reads_first():  # before the write lock: it is held for the booking alone
        event = session.connection().execute(_event_to_book(), {"event_id": event_id}).one_or_none()
        if event is None or not can_see_event(event):
            abort(404)
    try:
        booking = engine.book(event.bookable_id, current_user.person_id,
                              booked_by_id=current_user.person_id)
    except engine.BookingRefused as refusal:
        session.rollback()
        with reads_first():
            shown = _bookable_event_or_404(event_id)
        return _refused(shown, str(refusal))
    session.commit()
    # A place needs no flash: the event page says « Vous êtes inscrit·e. » in the same words,
    # and twice on one screen reads as two messages. A queue is news (it was full), and the
    # flash keeps the position given in the booking's own transaction.
    if booking.status is not BookingStatus.CONFIRMED:
        _flash_booked(booking, who="Vous êtes")
    return see_other("agenda.event_detail", event_id=event.id)


def book_for_choices(form: BookForForm, event: Event) -> None:
    """People the coordinator may book: the event's association's, or for an event of the
    whole collective, those of the associations they run."""
    if event.association_id is not None:
        scope: set[int] | None = {event.association_id}
    else:
        scope = managed_association_ids()
    query = select(Person.id, Person.first_name, Person.last_name).where(Person.active)
    if scope is not None:
        query = query.where(Person.memberships.any(Membership.association_id.in_(scope)))
    rows = session.execute(query.order_by(Person.last_name, Person.first_name)
                           .limit(MAX_PEOPLE_CHOICES))
    form.person_id.choices = [(NEW_PERSON, "— Nouvelle personne (ci-dessous) —"),
                              *((pid, f"{last} {first}") for pid, first, last in rows)]


def _newcomer(form: BookForForm, event: Event) -> Person:
    """Someone with no account, added to the event's association as a person supported."""
    assert event.association_id is not None  # the view refuses newcomers otherwise
    person = new_member(form.first_name.data, form.last_name.data,
                        association_id=event.association_id, role=Role.SUPPORTED,
                        phone=form.phone.data or "")
    session.flush()
    return person


@bp.post("/<int:event_id>/inscrire")
@access(Level.MANAGER)
def book_for(event_id: int) -> Response | tuple[str, int]:
    with reads_first():
        event = _bookable_event_or_404(event_id)
        require(can_manage_event(event), visible=True)
        form = BookForForm()
        book_for_choices(form, event)
    assert event.bookable_id is not None
    if not form.validate():
        return _refused(event, "", book_for=form, status=INVALID_FORM_STATUS)
    if form.person_id.data == NEW_PERSON:
        if event.association_id is None:
            form.first_name.errors = ["Pour un événement du collectif, ajoutez d'abord la "
                                      "personne dans une association, puis choisissez-la."]
            return _refused(event, "", book_for=form, status=INVALID_FORM_STATUS)
        person = _newcomer(form, event)
    else:
        person = session.get(Person, form.person_id.data)
        assert person is not None  # one of the choices
    try:
        booking = engine.book(event.bookable_id, person.id, booked_by_id=current_user.person_id,
                              referral=form.referral.data)
    except engine.BookingRefused as refusal:
        return _refused(event, str(refusal), book_for=form)
    session.commit()
    _flash_booked(booking, who=person.full_name)
    return see_other("agenda.event_detail", event_id=event.id)


@bp.post("/inscriptions/<int:booking_id>/annuler")
@access(Level.AUTHENTICATED)
def booking_cancel(booking_id: int) -> Response | tuple[str, int]:
    booking = session.get(Booking, booking_id)
    if booking is None:
        abort(404)
    event = session.scalar(select(Event).where(Event.bookable_id == booking.bookable_id))
    if event is None:
        abort(404)  # a plugin's booking: cancelled from the plugin's own pages
    event = event_or_404(event.id)
    own = booking.person_id == current_user.person_id
    manage = can_manage_event(event)
    require(own or manage, visible=own or manage)
    try:
        # The team may still cancel after the cutoff (someone phoned in).
        promoted = engine.cancel(booking.id, enforce_cutoff=not manage)
    except engine.BookingRefused as refusal:
        return _refused(event, str(refusal))
    tell_promoted(promoted)
    session.commit()
    flash("Inscription annulée." + (" La première personne en liste d'attente a la place."
                                    if promoted else ""), "success")
    if request.form.get("retour") == "mes-inscriptions" and own:
        return see_other("agenda.my_bookings")
    return see_other("agenda.event_detail", event_id=event.id)


@bp.post("/<int:event_id>/presences")
@access(Level.MANAGER)
def attendance(event_id: int) -> Response | tuple[str, int]:
    event = _bookable_event_or_404(event_id)
    require(can_manage_event(event), visible=True)
    if event.starts_at > utcnow():
        return _refused(event, "Les présences se notent à partir du début de l'activité.")
    confirmed = session.scalars(
        select(Booking).where(Booking.bookable_id == event.bookable_id,
                              Booking.status == BookingStatus.CONFIRMED)
    ).all()
    values = {a.value for a in Attendance}
    for booking in confirmed:
        chosen = request.form.get(f"presence-{booking.id}", "")
        if chosen and chosen not in values:
            return _refused(event, "Une des présences n'est pas un choix possible.",
                            status=INVALID_FORM_STATUS)
        booking.attendance = Attendance(chosen) if chosen else None
    session.commit()
    flash("Présences enregistrées.", "success")
    return see_other("agenda.event_detail", event_id=event.id)
