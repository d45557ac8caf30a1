"""Outreach actions: the list, one action's page, and the coordinators' form.

Routes (under /p/allervers/<association>/):

- GET       actions/                          actions            volunteers and up
- GET       actions/<id>                      action_detail      volunteers and up
- GET, POST actions/nouvelle                  action_new         coordinators
- GET, POST actions/<id>/modifier             action_edit        coordinators
- POST      actions/<id>/supprimer            action_delete      coordinators
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, render_template, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.plugin_api import (
    INVALID_FORM_STATUS,
    AssociationRef,
    Level,
    Role,
    access,
    day_param,
    has_role,
    in_paris,
    neighbourhoods,
    paris_today,
    partner_names,
    people_of,
    see_other,
    session,
    utcnow,
)
from plugins.allervers import TITLE
from plugins.allervers.forms_outreach import ActionForm
from plugins.allervers.models_outreach import OutreachAction
from plugins.allervers.outreach import (
    PLACE_LABELS,
    action_in,
    choices_for,
    contacts_of_action,
    member_ids_of,
    partner_ids_of,
    past_actions,
    person_label,
    save_action,
    tally_count,
    upcoming_actions,
)
from plugins.allervers.views import bp, coordination, team


def action_or_404(current: AssociationRef, action_id: int) -> OutreachAction:
    action = action_in(current.id, action_id)
    if action is None:
        abort(404)
    return action


def is_coordinator(current: AssociationRef) -> bool:
    return has_role(current.id, Role.COORDINATOR)


@bp.get("/<association>/actions/")
@access(Level.MEMBER)
def actions(association: str) -> str:
    current = team()
    now = utcnow()
    return render_template("allervers/action_list.html", title=TITLE, association=current,
                           upcoming=upcoming_actions(current.id, now), past=past_actions(current.id, now),
                           place_labels=PLACE_LABELS, can_edit=is_coordinator(current))


@bp.get("/<association>/actions/<int:action_id>")
@access(Level.MEMBER)
def action_detail(association: str, action_id: int) -> str:
    current = team()
    action = action_or_404(current, action_id)
    members = people_of(current, ids=member_ids_of(action.id))
    partner_ids = partner_ids_of(action.id)
    names = list(session.scalars(select(partner_names.c.name).where(
        partner_names.c.id.in_(partner_ids)).order_by(partner_names.c.name))) if partner_ids else []
    neighbourhood = next((n for n in neighbourhoods() if n.id == action.neighbourhood_id), None)
    return render_template(
        "allervers/action_detail.html", title=TITLE, association=current, action=action,
        members=[person_label(p) for p in members], partners=names,
        neighbourhood=neighbourhood, place_label=PLACE_LABELS[action.place_kind],
        tallies=tally_count(action.id), contacts=contacts_of_action(action.id),
        can_edit=is_coordinator(current))


def _render_form(current: AssociationRef, form: ActionForm, action: OutreachAction | None,
                 status: int) -> tuple[str, int]:
    cancel_endpoint = ("allervers.action_detail", {"action_id": action.id}) if action else (
        "allervers.actions", {})
    return render_template("allervers/action_form.html", title=TITLE, association=current,
                           form=form, action=action, cancel=cancel_endpoint), status


def _save(current: AssociationRef, form: ActionForm, action: OutreachAction | None) -> Response:
    saved = save_action(current, action, form.fields_typed())
    session.commit()
    flash("Action enregistrée." if action else "Action créée.", "success")
    return see_other("allervers.action_detail", association=current.slug, action_id=saved.id)


@bp.route("/<association>/actions/nouvelle", methods=["GET", "POST"])
@access(Level.MANAGER)
def action_new(association: str) -> Response | tuple[str, int]:
    current = coordination()
    form = ActionForm()
    form.offer(*choices_for(current))
    if form.validate_on_submit():
        return _save(current, form, None)
    if request.method == "GET":
        day = day_param(request.args.get("jour"), paris_today())
        start = in_paris(utcnow()).replace(year=day.year, month=day.month, day=day.day, hour=14,
                                           minute=0, second=0, microsecond=0, tzinfo=None)
        form.starts_at.data, form.ends_at.data = start, start + timedelta(hours=2)
    return _render_form(current, form, None, INVALID_FORM_STATUS if form.errors else 200)


@bp.route("/<association>/actions/<int:action_id>/modifier", methods=["GET", "POST"])
@access(Level.MANAGER)
def action_edit(association: str, action_id: int) -> Response | tuple[str, int]:
    current = coordination()
    action = action_or_404(current, action_id)
    form = ActionForm()
    form.offer(*choices_for(current))
    if form.validate_on_submit():
        return _save(current, form, action)
    if request.method == "GET":
        form.starts_at.data = in_paris(action.starts_at).replace(tzinfo=None)
        form.ends_at.data = in_paris(action.ends_at).replace(tzinfo=None)
        form.place_kind.data, form.place.data = action.place_kind.value, action.place
        form.neighbourhood_id.data, form.notes.data = action.neighbourhood_id, action.notes
        form.member_ids.data = sorted(member_ids_of(action.id))
        form.partner_ids.data = sorted(partner_ids_of(action.id))
    return _render_form(current, form, action, INVALID_FORM_STATUS if form.errors else 200)


@bp.post("/<association>/actions/<int:action_id>/supprimer")
@access(Level.MANAGER)
def action_delete(association: str, action_id: int) -> Response:
    current = coordination()
    action = action_or_404(current, action_id)
    session.delete(action)
    session.commit()
    flash("Action supprimée, avec ses comptages et ses contacts.", "success")
    return see_other("allervers.actions", association=current.slug)
