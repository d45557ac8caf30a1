"""An event's page, and creating, changing and cancelling events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import abort, flash, render_template
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.agenda.bookings import Attendance, Booking, BookingStatus
from core.agenda.clock import in_paris, paris_to_utc
from core.agenda.engine import BookingRefused, waitlist_position
from core.agenda.events import Event, EventKind, Visibility
from core.agenda.forms import WHOLE_COLLECTIVE, BookForForm, EventForm, NewEventForm
from core.agenda.notify import tell_event_cancelled, tell_event_moved, tell_promoted
from core.agenda.scheduling import (
    EventFields,
    Places,
    Recurrence,
    cancel_event,
    create_events,
    live_bookings,
    local_input,
    update_event,
)
from core.agenda.scope import can_manage_event, managed_association_ids
from core.agenda.views import bp
from core.agenda.views.bookings import book_for_choices
from core.agenda.views.common import event_or_404
from core.auth.permissions import Level, access, is_collective_admin, require
from core.database import session, utcnow
from core.members.associations import Association
from core.members.people import Person
from core.partners.models import Partner
from core.web.exports import ExportColumn, export_table
from core.web.forms import INVALID_FORM_STATUS, add_error
from core.web.params import id_arg
from core.web.reading import columns_as
from core.web.views import see_other


def _choices(form: EventForm) -> None:
    managed = managed_association_ids()
    query = select(Association.id, Association.name).where(Association.active)
    if managed is not None:
        query = query.where(Association.id.in_(managed))
    choices: list[tuple[int, str]] = [tuple(row) for row in session.execute(query.order_by(Association.name))]
    if is_collective_admin():
        choices.insert(0, (WHOLE_COLLECTIVE, "Tout le collectif"))
    form.association_id.choices = choices
    partners = session.execute(
        select(Partner.id, Partner.name).where(Partner.active).order_by(Partner.name)
    )
    form.partner_id.choices = [(0, "Aucun"), *(tuple(row) for row in partners)]


def _fields(form: EventForm) -> EventFields:
    return EventFields(
        title=form.title.data, kind=EventKind(form.kind.data),
        visibility=Visibility(form.visibility.data),
        starts_at=paris_to_utc(form.starts_at.data), ends_at=paris_to_utc(form.ends_at.data),
        association_id=form.association_id.data or None, description=form.description.data or "",
        place=form.place.data or "", partner_id=form.partner_id.data or None,
    )


def _places(form: EventForm) -> Places | None:
    if not form.signup.data:
        return None
    return Places(
        capacity=form.capacity.data, held_back=form.held_back.data or 0,
        waitlist=form.waitlist.data,
        opens_at=paris_to_utc(form.opens_at.data) if form.opens_at.data else None,
        closes_at=paris_to_utc(form.closes_at.data) if form.closes_at.data else None,
        cancellation_cutoff_minutes=(form.cutoff_hours.data or 0) * 60,
    )


def _recurrence(form: NewEventForm) -> Recurrence | None:
    if not form.repeat_weeks.data:
        return None
    return Recurrence(interval_weeks=form.repeat_weeks.data, until=form.repeat_until.data,
                      count=form.repeat_count.data)


@bp.get("/<int:event_id>")
@access(Level.AUTHENTICATED)
def event_detail(event_id: int) -> str:
    return render_event(event_or_404(event_id))


def render_event(event: Event, *, refusal: str = "", book_for: BookForForm | None = None) -> str:
    """The event page; ``refusal`` explains a booking that was just refused. With
    ``book_for``, a refused booking of someone else: its form again, with what went wrong."""
    if book_for is not None:
        return render_template("agenda/book_for.html", event=event, book_for=book_for,
                               refusal=refusal)
    mine = None
    position = None
    bookings: list[BookingLine] = []
    manage = can_manage_event(event)
    if event.bookable is not None:
        mine = session.scalar(
            select(Booking).where(Booking.bookable_id == event.bookable_id,
                                  Booking.person_id == current_user.person_id,
                                  Booking.status != BookingStatus.CANCELLED)
        )
        position = waitlist_position(mine) if mine is not None else None
        if manage:
            bookings = booking_lines(event.bookable_id)
    return render_template(
        "agenda/event_detail.html", event=event, mine=mine, position=position, manage=manage,
        bookings=bookings, refusal=refusal, started=event.starts_at <= utcnow(),
        confirmed_count=sum(b.status is BookingStatus.CONFIRMED for b in bookings),
    )


@dataclass(frozen=True, slots=True)
class BookingLine:
    """A booking as the team's list on the event page shows it."""

    id: int
    person_id: int
    status: BookingStatus
    referral: bool
    attendance: Attendance | None
    first_name: str
    last_name: str
    queued_at: datetime

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


def booking_lines(bookable_id: int) -> list[BookingLine]:
    """The team's list: the booked, then the waitlist in its order; cancellations left out."""
    return list(session.scalars(
        select(columns_as(BookingLine, Booking.id, Booking.person_id, Booking.status,
                          Booking.referral, Booking.attendance, Person.first_name,
                          Person.last_name, Booking.queued_at))
        .join(Person, Person.id == Booking.person_id)
        .where(Booking.bookable_id == bookable_id, Booking.status != BookingStatus.CANCELLED)
        .order_by(Booking.status, Booking.queued_at, Booking.id)
    ))


BOOKING_COLUMNS = [
    ExportColumn("Nom", "last_name"),
    ExportColumn("Prénom", "first_name"),
    ExportColumn("Statut", "status"),
    ExportColumn("Orientation", "referral"),
    ExportColumn("Présence", "attendance"),
    ExportColumn("Inscription le", "queued_at"),
]


@bp.get("/<int:event_id>/inscriptions/export.<format>")
@access(Level.MANAGER)
def bookings_export(event_id: int, format: str) -> Response:
    """The list of bookings the event page shows its team, to its team only (as
    book_for_form: 404 where the event is not seen, 403 where it is seen but not run)."""
    event = event_or_404(event_id)
    if event.bookable_id is None:
        abort(404)
    require(can_manage_event(event), visible=True)
    day = in_paris(event.starts_at).strftime("%d-%m-%Y")
    return export_table(format, f"Inscriptions - {event.title} - {day}", BOOKING_COLUMNS,
                        booking_lines(event.bookable_id), title="Inscriptions")


@bp.get("/<int:event_id>/inscrire")
@access(Level.MANAGER)
def book_for_form(event_id: int) -> str | Response:
    """The team books someone: a person of the association, or a newcomer by name (the form
    posts to bookings.book_for)."""
    event = event_or_404(event_id)
    if event.bookable is None:
        abort(404)
    require(can_manage_event(event), visible=True)
    if event.cancelled or event.starts_at <= utcnow():  # the event page says why
        return see_other("agenda.event_detail", event_id=event.id)
    form = BookForForm(formdata=None)
    book_for_choices(form, event)
    return render_event(event, book_for=form)


@bp.route("/nouveau", methods=["GET", "POST"])
@access(Level.MANAGER)
def event_create() -> Response | tuple[str, int]:
    form = NewEventForm()
    _choices(form)
    if form.is_submitted():
        if form.validate():
            events = create_events(_fields(form), _places(form), recurrence=_recurrence(form),
                                   created_by_id=current_user.person_id)
            session.commit()
            if len(events) > 1:
                flash(f"{len(events)} séances créées.", "success")
            else:
                flash("Événement créé.", "success")
            return see_other("agenda.event_detail", event_id=events[0].id)
        return render_template("agenda/event_form.html", form=form, event=None), INVALID_FORM_STATUS
    if id_arg("association"):
        form.association_id.data = id_arg("association")
    return render_template("agenda/event_form.html", form=form, event=None), 200


def _fill(form: EventForm, event: Event) -> None:
    form.title.data, form.kind.data = event.title, event.kind.value
    form.association_id.data = event.association_id or WHOLE_COLLECTIVE
    form.visibility.data = event.visibility.value
    form.starts_at.data, form.ends_at.data = local_input(event.starts_at), local_input(event.ends_at)
    form.partner_id.data = event.partner_id or 0
    form.place.data, form.description.data = event.place, event.description
    bookable = event.bookable
    form.signup.data = bookable is not None
    if bookable is not None:
        form.capacity.data, form.held_back.data = bookable.capacity, bookable.held_back
        form.waitlist.data = bookable.waitlist
        form.opens_at.data = local_input(bookable.opens_at)
        form.closes_at.data = local_input(bookable.closes_at)
        form.cutoff_hours.data = bookable.cancellation_cutoff_minutes // 60


def _managed_event_or_404(event_id: int) -> Event:
    event = event_or_404(event_id)
    require(can_manage_event(event), visible=True)
    return event


@bp.route("/<int:event_id>/modifier", methods=["GET", "POST"])
@access(Level.MANAGER)
def event_edit(event_id: int) -> Response | tuple[str, int]:
    event = _managed_event_or_404(event_id)
    form = EventForm()
    _choices(form)
    if not form.is_submitted():
        _fill(form, event)
        return render_template("agenda/event_form.html", form=form, event=event), 200
    if form.validate():
        before = (event.starts_at, event.ends_at, event.place, event.partner_id)
        try:
            promoted = update_event(event, _fields(form), _places(form))
        except BookingRefused as refusal:
            session.rollback()
            add_error(form.capacity if form.signup.data else form.signup, str(refusal))
        else:
            tell_promoted(promoted)
            if event.bookable is not None and before != (
                    event.starts_at, event.ends_at, event.place, event.partner_id):
                session.refresh(event, ["partner"])
                tell_event_moved([b for b in live_bookings(event.bookable.id) if b not in promoted],
                                 event.title, event.starts_at, event.where)
            session.commit()
            flash("Événement modifié." + (" Les autres séances de la série ne changent pas."
                                          if event.series_id else ""), "success")
            return see_other("agenda.event_detail", event_id=event.id)
    return render_template("agenda/event_form.html", form=form, event=event), INVALID_FORM_STATUS


@bp.post("/<int:event_id>/annuler")
@access(Level.MANAGER)
def event_cancel(event_id: int) -> Response:
    event = _managed_event_or_404(event_id)
    if event.cancelled:
        flash("Cet événement est déjà annulé.", "warning")
        return see_other("agenda.event_detail", event_id=event.id)
    told: list[Any] = cancel_event(event)
    tell_event_cancelled(told, event.title, event.starts_at)
    session.commit()
    flash("Événement annulé" + (ngettext(" : %(num)d personne prévenue par e-mail.",
                                         " : %(num)d personnes prévenues par e-mail.", len(told))
                                if told else "."), "success")
    return see_other("agenda.event_detail", event_id=event.id)
