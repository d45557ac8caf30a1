"""Allocations of a lot: give it to an occupant for a period, change or remove that.

The period's rules and the overlap guard are ``allocations.save_allocation``'s; a refusal
comes back next to its field, with the user's input, and nothing saved. From an accepted
application (``?candidature=<id>``, the link of the application's page), the form starts
from what the applicant wrote, and the allocation keeps the application it came from."""

from __future__ import annotations

from flask import flash, request
from werkzeug.wrappers import Response

from core.plugin_api import (
    INVALID_FORM_STATUS,
    AssociationRef,
    Level,
    access,
    add_error,
    id_arg,
    paris_today,
    people_of,
    see_other,
    session,
)
from plugins.sites.agreements import delete_files_of
from plugins.sites.allocations import AllocationRefused, save_allocation
from plugins.sites.forms_allocations import NO_FIELD, AllocationForm
from plugins.sites.forms_sites import NONE
from plugins.sites.models import Allocation, Lot, Site
from plugins.sites.models_calls import Application
from plugins.sites.views import bp, own_or_404, render, team


def _application(current: AssociationRef) -> Application | None:
    """The application of ``?candidature=``, the association's (404 otherwise); none when the
    parameter is absent or cannot be an id."""
    application_id = id_arg("candidature")
    return None if application_id is None else own_or_404(Application, application_id, current)


def _form(current: AssociationRef, site: Site, allocation: Allocation | None,
          application: Application | None) -> AllocationForm:
    if request.method == "GET" and allocation is not None:
        form = AllocationForm(data={
            "occupant": allocation.occupant, "starts_on": allocation.starts_on, "ends_on": allocation.ends_on,
            "contact_person_id": allocation.contact_person_id or NONE,
            "contact_name": allocation.contact_name,
            "contact_email": allocation.contact_email, "contact_phone": allocation.contact_phone,
            "field": allocation.field.value if allocation.field else NO_FIELD, "jobs": allocation.jobs,
            "note": allocation.note})
    elif request.method == "GET":
        start = max(paris_today(), site.available_from)
        data = {"starts_on": start, "ends_on": site.available_until, "contact_person_id": NONE}
        if application is not None:
            data |= {"occupant": application.organisation, "contact_name": application.contact_name,
                     "contact_email": application.contact_email, "contact_phone": application.contact_phone,
                     "field": application.field.value, "jobs": application.jobs}
        form = AllocationForm(data=data)
    else:
        form = AllocationForm()
    people = people_of(current)
    kept = allocation.contact_person_id if allocation else None
    choices = [(p.id, f"{p.last_name} {p.first_name}") for p in people]
    if kept is not None and kept not in {p.id for p in people}:
        choices.append((kept, "Personne qui a quitté l'association"))
    form.contact_person_id.choices = [(NONE, "Aucune"), *choices]
    return form


def _save(current: AssociationRef, lot: Lot, allocation: Allocation | None,
          application: Application | None = None) -> Response | tuple[str, int]:
    site = own_or_404(Site, lot.site_id, current)
    form = _form(current, site, allocation, application)
    if form.validate_on_submit():
        came_from = application.id if application else (allocation.application_id if allocation else None)
        try:
            save_allocation(site, lot, form.fields(came_from), existing=allocation)
        except AllocationRefused as refusal:
            session.rollback()
            add_error(getattr(form, refusal.field), str(refusal))
        else:
            session.commit()
            flash(f"Lot {lot.code} attribué à « {form.occupant.data} ».", "success")
            return see_other("sites.site_detail", association=current.slug, site_id=site.id)
    return render("allocation_form.html", INVALID_FORM_STATUS if form.errors else 200, association=current,
                  site=site, lot=lot, form=form, allocation=allocation, application=application)


@bp.route("/<association>/lots/<int:lot_id>/attributions/nouvelle", methods=["GET", "POST"])
@access(Level.MANAGER)
def allocation_create(association: str, lot_id: int) -> Response | tuple[str, int]:
    current = team()
    return _save(current, own_or_404(Lot, lot_id, current), None, _application(current))


@bp.route("/<association>/attributions/<int:allocation_id>/modifier", methods=["GET", "POST"])
@access(Level.MANAGER)
def allocation_edit(association: str, allocation_id: int) -> Response | tuple[str, int]:
    current = team()
    allocation = own_or_404(Allocation, allocation_id, current)
    return _save(current, own_or_404(Lot, allocation.lot_id, current), allocation)


@bp.post("/<association>/attributions/<int:allocation_id>/supprimer")
@access(Level.MANAGER)
def allocation_delete(association: str, allocation_id: int) -> Response:
    current = team()
    allocation = own_or_404(Allocation, allocation_id, current)
    lot = own_or_404(Lot, allocation.lot_id, current)
    delete_files_of(allocation.id)  # its agreement's files: the cascade removes rows, not files
    session.delete(allocation)
    session.commit()
    flash(f"Attribution du lot {lot.code} supprimée.", "success")
    return see_other("sites.site_detail", association=current.slug, site_id=lot.site_id)
