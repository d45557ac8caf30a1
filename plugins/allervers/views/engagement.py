"""Engagement: an identified contact becomes a person supported by the association, with a
pathway. For the association's coordinators and admins, under
``/p/allervers/<association>/contacts/<contact_id>/engager``."""

from __future__ import annotations

from flask import abort, flash, request
from werkzeug.wrappers import Response

from core.plugin_api import (
    Level,
    access,
    current_person,
    neighbourhoods,
    paris_today,
    see_other,
    session,
)
from plugins.allervers.engagement import (
    AlreadyEngaged,
    contact_for_update,
    engage,
    first_contact_of,
    pathway_of_contact,
)
from plugins.allervers.forms_pathways import EngageForm
from plugins.allervers.pathways import Refused
from plugins.allervers.settings import stages_of
from plugins.allervers.targets import target_check
from plugins.allervers.views import bp, coordination
from plugins.allervers.views.pathways import (
    fill_start_choices,
    form_status,
    refuse,
    render,
)


@bp.route("/<association>/contacts/<int:contact_id>/engager", methods=["GET", "POST"])
@access(Level.MANAGER)
def contact_engage(association: str, contact_id: int) -> Response | tuple[str, int]:
    current = coordination()
    contact = contact_for_update(current, contact_id)
    if contact is None:
        abort(404)
    if contact.person_id is not None:
        existing = pathway_of_contact(contact)
        flash("Ce contact a déjà rejoint un parcours.", "info")
        if existing is not None:
            return see_other("allervers.pathway_detail", association=current.slug,
                             pathway_id=existing.id)
        return see_other("members.person_detail", person_id=contact.person_id)
    today = paris_today()
    first_contact_on, neighbourhood_id = first_contact_of(contact)
    me = current_person()
    defaults = None
    if request.method == "GET":
        defaults = {"first_name": contact.name, "started_on": max(today, first_contact_on),
                    "referent_id": me.id if me else None,
                    "phone": contact.reach if _looks_like_phone(contact.reach) else ""}
    form = EngageForm(data=defaults)
    fill_start_choices(form, current)
    stages = stages_of(current)
    if form.validate_on_submit():
        try:
            pathway = engage(current, contact, first_name=form.first_name.data,
                             last_name=form.last_name.data, email=form.email.data or None,
                             phone=form.phone.data or "", referent_id=form.referent_id.data,
                             started_on=form.started_on.data, first_stage=stages[0],
                             stage_partner_id=form.stage_partner_id.data or None, today=today)
        except AlreadyEngaged as engaged:  # pragma: no cover - the lock above makes it rare
            session.rollback()
            if engaged.pathway is not None:
                return see_other("allervers.pathway_detail", association=current.slug,
                                 pathway_id=engaged.pathway.id)
            abort(409)
        except Refused as refused:
            refuse(form, refused)
        else:
            session.commit()
            flash(f"{form.first_name.data} {form.last_name.data} est accompagné·e : parcours ouvert "
                  f"à l'étape « {stages[0]} ».", "success")
            return see_other("allervers.pathway_detail", association=current.slug,
                             pathway_id=pathway.id)
    check = target_check(current, contact.age_at_first_contact, neighbourhood_id,
                         {n.id: n for n in neighbourhoods()})
    return render("engage.html", form_status(form), association=current, form=form,
                  contact=contact, first_contact_on=first_contact_on, check=check,
                  first_stage=stages[0])


def _looks_like_phone(reach: str) -> bool:
    digits = [c for c in reach if c.isdigit()]
    return 6 <= len(digits) <= 15 and all(c.isdigit() or c in " .+-" for c in reach.strip())
