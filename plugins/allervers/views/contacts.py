"""Identified contacts: people met at an action who agreed to be known by a first name or
nickname and a way to reach them. Without the consent checked and explained, nothing is
saved — not even the name.

Routes (under /p/allervers/<association>/):

- GET       actions/<id>/contacts                 action_contacts    volunteers and up
- GET, POST actions/<id>/contacts/nouveau         contact_new        volunteers and up
  (``?comptage=<tally id>``: the person counted in that tally, so the funnel counts them once)
- GET       contacts/<id>                         contact_detail     volunteers and up
- GET, POST contacts/<id>/modifier                contact_edit       coordinators
- POST      contacts/<id>/supprimer               contact_delete     coordinators

Pages naming a person are sent with ``Cache-Control: no-store``.
"""

from __future__ import annotations

from flask import abort, flash, render_template, request
from flask import session as browser
from werkzeug.wrappers import Response

from core.plugin_api import (
    INVALID_FORM_STATUS,
    AssociationRef,
    Level,
    access,
    add_error,
    as_id,
    current_person,
    id_arg,
    in_paris,
    paris_today,
    people_of,
    see_other,
    session,
)
from plugins.allervers import TITLE
from plugins.allervers.forms_outreach import CONSENT_BEFORE_ACTION, ContactEditForm, ContactForm
from plugins.allervers.models_outreach import Contact
from plugins.allervers.outreach import (
    PLACE_LABELS,
    Consent,
    contact_in,
    contacts_of_action,
    create_contact,
    person_label,
    tally_free,
    update_contact,
)
from plugins.allervers.views import bp, coordination, team
from plugins.allervers.views.actions import action_or_404, is_coordinator
from plugins.allervers.views.tallies import LAST_TALLY

NO_STORE = {"Cache-Control": "no-store"}
TALLY_TAKEN = "Ce comptage n'est pas de cette action, ou une personne identifiée en vient déjà."


def contact_or_404(current: AssociationRef, contact_id: int) -> Contact:
    contact = contact_in(current.id, contact_id)
    if contact is None:
        abort(404)
    return contact


@bp.get("/<association>/actions/<int:action_id>/contacts")
@access(Level.MEMBER)
def action_contacts(association: str, action_id: int) -> tuple[str, int, dict[str, str]]:
    current = team()
    action = action_or_404(current, action_id)
    return render_template("allervers/contact_list.html", title=TITLE, association=current,
                           action=action, contacts=contacts_of_action(action.id),
                           place_labels=PLACE_LABELS), 200, NO_STORE


@bp.route("/<association>/actions/<int:action_id>/contacts/nouveau", methods=["GET", "POST"])
@access(Level.MEMBER)
def contact_new(association: str, action_id: int) -> Response | tuple[str, int, dict[str, str]]:
    current = team()
    action = action_or_404(current, action_id)
    form = ContactForm()
    if request.method == "GET":
        form.consent_on.data = paris_today()
        tally_id = id_arg("comptage")
        form.tally_id.data = str(tally_id) if tally_id and tally_free(action.id, tally_id) else ""
    if form.validate_on_submit():
        tally_id = as_id(form.tally_id.data) if form.tally_id.data else None
        if form.tally_id.data and (tally_id is None or not tally_free(action.id, tally_id)):
            add_error(form.consent, TALLY_TAKEN)
        elif form.consent_on.data < in_paris(action.starts_at).date():
            add_error(form.consent_on, CONSENT_BEFORE_ACTION)
        else:
            by = current_person()
            contact = create_contact(current.id, action.id, form.fields_typed(),
                                     Consent(on=form.consent_on.data, by_id=by.id if by else None,
                                             explained=form.consent_explained.data or ""),
                                     tally_id)
            session.commit()
            if tally_id is not None:  # the tally became this contact: no longer « the last » to undo
                browser.pop(LAST_TALLY, None)
            flash(f"Contact enregistré : {contact.name}.", "success")
            return see_other("allervers.contact_detail", association=current.slug,
                             contact_id=contact.id)
    return render_template("allervers/contact_form.html", title=TITLE, association=current,
                           action=action, form=form, contact=None,
                           ), INVALID_FORM_STATUS if form.errors else 200, NO_STORE


@bp.get("/<association>/contacts/<int:contact_id>")
@access(Level.MEMBER)
def contact_detail(association: str, contact_id: int) -> tuple[str, int, dict[str, str]]:
    current = team()
    contact = contact_or_404(current, contact_id)
    named = {p.id: person_label(p) for p in people_of(
        current, ids=[i for i in (contact.consent_by_id, contact.person_id) if i])}
    return render_template("allervers/contact_detail.html", title=TITLE, association=current,
                           contact=contact, action=contact.action,
                           place_label=PLACE_LABELS[contact.action.place_kind],
                           consent_by=named.get(contact.consent_by_id or 0, ""),
                           person_name=named.get(contact.person_id or 0, ""),
                           can_edit=is_coordinator(current)), 200, NO_STORE


@bp.route("/<association>/contacts/<int:contact_id>/modifier", methods=["GET", "POST"])
@access(Level.MANAGER)
def contact_edit(association: str, contact_id: int) -> Response | tuple[str, int, dict[str, str]]:
    current = coordination()
    contact = contact_or_404(current, contact_id)
    form = ContactEditForm()
    if form.validate_on_submit():
        update_contact(contact, form.fields_typed())
        session.commit()
        flash("Contact enregistré.", "success")
        return see_other("allervers.contact_detail", association=current.slug, contact_id=contact.id)
    if request.method == "GET":
        form.name.data, form.reach.data = contact.name, contact.reach
        form.age_at_first_contact.data = contact.age_at_first_contact
    return render_template("allervers/contact_form.html", title=TITLE, association=current,
                           action=contact.action, form=form, contact=contact,
                           ), INVALID_FORM_STATUS if form.errors else 200, NO_STORE


@bp.post("/<association>/contacts/<int:contact_id>/supprimer")
@access(Level.MANAGER)
def contact_delete(association: str, contact_id: int) -> Response:
    current = coordination()
    contact = contact_or_404(current, contact_id)
    action_id = contact.action_id
    session.delete(contact)
    session.commit()
    flash("Contact supprimé.", "success")
    return see_other("allervers.action_contacts", association=current.slug, action_id=action_id)
