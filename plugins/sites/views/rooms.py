"""Shared rooms, reserved by the hour by every member of the association (volunteers
included: the occupants with an account and the association's own people), not only its
team: the rooms and their next reservations, a room's week, the reservation form, and
cancelling one's own (the team cancels any).

The rules of a reservation and the overlap guard are ``rooms.save_reservation``'s; a refusal
comes back next to its field, with the member's input, and nothing saved."""

from __future__ import annotations

from datetime import date, time, timedelta

from flask import abort, flash, redirect, request, url_for
from werkzeug.wrappers import Response

from core.plugin_api import (
    INVALID_FORM_STATUS,
    AssociationRef,
    Level,
    Role,
    access,
    add_error,
    association_or_404,
    current_person,
    has_role,
    in_paris,
    plugin_associations,
    reads_first,
    require_role,
    see_other,
    session,
    utcnow,
)
from plugins.sites.forms_rooms import ReservationForm
from plugins.sites.forms_sites import NONE
from plugins.sites.models import Lot, Site
from plugins.sites.models_rooms import RoomReservation
from plugins.sites.rooms import (
    ReservationRefused,
    at_label,
    clock_label,
    day_label,
    is_room,
    monday_of,
    occupants_of,
    parse_clock,
    rooms_of,
    save_reservation,
    upcoming,
    week_of,
)
from plugins.sites.settings import rules_of
from plugins.sites.views import bp, own_or_404, render

FIRST_YEAR, LAST_YEAR = 1900, 2999  # the calendar the core's dates keep to


def members() -> AssociationRef:
    """The association of the URL, for its members from volunteer up (403 otherwise)."""
    current = association_or_404()
    require_role(current, Role.VOLUNTEER)
    return current


def room_or_404(lot_id: int, current: AssociationRef) -> tuple[Lot, Site]:
    """The association's shared room and its site; 404 for another lot, or another
    association's."""
    lot = own_or_404(Lot, lot_id, current)
    if not is_room(lot):
        abort(404)
    return lot, own_or_404(Site, lot.site_id, current)


def _me() -> int | None:
    person = current_person()
    return person.id if person else None


def _viewer(current: AssociationRef) -> dict[str, object]:
    """Who is looking, for the templates: their id (their own reservations say « vous » and
    can be cancelled) and whether they are the team (who see names and cancel any)."""
    return {"me": _me(), "is_team": has_role(current.id, Role.COORDINATOR)}


def _day(value: str | None) -> date | None:
    """A day from the query string, or None when it is not one the calendar keeps."""
    try:
        day = date.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


def _clock(value: str | None) -> time | None:
    try:
        return parse_clock(value or "")
    except ValueError:
        return None


@bp.get("/salles/")
@access(Level.MEMBER)
def rooms_index() -> Response | tuple[str, int]:
    """The menu's entry: the member's associations that run the plugin — straight to the
    rooms when there is one."""
    mine = [a for a in plugin_associations() if has_role(a.id, Role.VOLUNTEER)]
    if len(mine) == 1:
        return redirect(url_for("sites.room_list", association=mine[0].slug))
    return render("room_index.html", associations=mine)


@bp.get("/<association>/salles/")
@access(Level.MEMBER)
def room_list(association: str) -> tuple[str, int]:
    current = members()
    now = utcnow()
    hours = rules_of(current).rooms
    return render("room_list.html", association=current, rooms=rooms_of(current.id, in_paris(now).date()),
                  upcoming=upcoming(current.id, now), hours=hours, **_viewer(current))


@bp.get("/<association>/salles/<int:lot_id>")
@access(Level.MEMBER)
def room_week(association: str, lot_id: int) -> tuple[str, int]:
    current = members()
    lot, site = room_or_404(lot_id, current)
    now = utcnow()
    monday = monday_of(_day(request.args.get("semaine")) or in_paris(now).date())
    hours = rules_of(current).rooms
    return render("room_week.html", association=current, lot=lot, site=site, monday=monday,
                  days=week_of(lot.id, monday, hours, now), hours=hours,
                  previous=monday - timedelta(days=7), next=monday + timedelta(days=7),
                  this_week=monday_of(in_paris(now).date()), **_viewer(current))


def _form(site: Site, today: date) -> ReservationForm:
    if request.method == "GET":
        start = _clock(request.args.get("debut"))
        form = ReservationForm(data={"day": _day(request.args.get("jour")) or today, "start": start,
                                     "end": _clock(request.args.get("fin")), "allocation_id": NONE})
    else:
        form = ReservationForm()
    form.allocation_id.choices = [(NONE, "Aucun"), *occupants_of(site.id, today)]
    return form


@bp.route("/<association>/salles/<int:lot_id>/reserver", methods=["GET", "POST"])
@access(Level.MEMBER)
def room_reserve(association: str, lot_id: int) -> Response | tuple[str, int]:
    with reads_first():  # before the write lock: it is held for the reservation alone
        current = members()
        lot, site = room_or_404(lot_id, current)
        hours = rules_of(current).rooms
        now = utcnow()
        form = _form(site, in_paris(now).date())
        valid = form.validate_on_submit()
    if valid:
        fields = form.fields()
        try:
            save_reservation(site, lot, fields, hours, person_id=_me(), now=now)
        except ReservationRefused as refusal:
            session.rollback()
            add_error(getattr(form, refusal.field), str(refusal))
        else:
            session.commit()
            flash(f"Salle {lot.code} réservée le {day_label(fields.day)} de {clock_label(fields.start)} "
                  f"à {clock_label(fields.end)}.", "success")
            return see_other("sites.room_week", association=current.slug, lot_id=lot.id,
                             semaine=monday_of(fields.day).isoformat())
    return render("room_form.html", INVALID_FORM_STATUS if form.errors else 200, association=current,
                  lot=lot, site=site, form=form, hours=hours)


@bp.post("/<association>/reservations/<int:reservation_id>/annuler")
@access(Level.MEMBER)
def reservation_cancel(association: str, reservation_id: int) -> Response:
    with reads_first():
        current = members()
        reservation = own_or_404(RoomReservation, reservation_id, current)
        lot = own_or_404(Lot, reservation.lot_id, current)
        if reservation.person_id != _me() and not has_role(current.id, Role.COORDINATOR):
            abort(403)  # someone else's: only its author and the team cancel it
    week = monday_of(in_paris(reservation.starts_at).date()).isoformat()
    when = f"du {day_label(in_paris(reservation.starts_at).date())} {_slot(reservation)}"
    if reservation.ends_at <= utcnow():
        flash(f"La réservation {when} est passée : elle reste dans l'historique de la salle.", "warning")
    else:
        session.delete(reservation)
        session.commit()
        flash(f"Réservation de la salle {lot.code} {when} annulée.", "success")
    return see_other("sites.room_week", association=current.slug, lot_id=lot.id, semaine=week)


def _slot(reservation: RoomReservation) -> str:
    return f"de {at_label(reservation.starts_at)} à {at_label(reservation.ends_at)}"
