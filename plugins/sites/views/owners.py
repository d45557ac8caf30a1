"""Owners: who lends the sites — a partner of the directory, or a name and a contact."""

from __future__ import annotations

from flask import flash, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.plugin_api import (
    INVALID_FORM_STATUS,
    AssociationRef,
    Level,
    access,
    partner_names,
    partners,
    see_other,
    session,
)
from plugins.sites.forms_sites import NONE, OwnerForm
from plugins.sites.models import Owner
from plugins.sites.views import bp, own_or_404, render, team


def owners_of(current: AssociationRef) -> list[tuple[Owner, str]]:
    """The association's owners with the name shown (the partner's, or their own), in one query."""
    rows = session.execute(select(Owner, partner_names.c.name)
                           .outerjoin(partner_names, partner_names.c.id == Owner.partner_id)
                           .where(Owner.association_id == current.id)).all()
    named = [(owner, partner_name or owner.name) for owner, partner_name in rows]
    return sorted(named, key=lambda row: (row[1].casefold(), row[0].id))


def _form(owner: Owner | None) -> OwnerForm:
    if request.method == "GET" and owner is not None:
        form = OwnerForm(data={"partner_id": owner.partner_id or NONE, "name": owner.name,
                               "contact": owner.contact})
    else:
        form = OwnerForm(data={"partner_id": NONE} if request.method == "GET" else None)
    kept = owner.partner_id if owner else None
    # The directory's active partners, and the one already chosen even if no longer active.
    choices = [(p.id, p.name) for p in partners()]
    if kept is not None and kept not in {pid for pid, _ in choices}:
        choices.append((kept, session.scalar(select(partner_names.c.name)
                                             .where(partner_names.c.id == kept)) or "Partenaire"))
    form.partner_id.choices = [(NONE, "Aucun : nom ci-dessous"), *choices]
    return form


def _save(current: AssociationRef, owner: Owner | None) -> Response | tuple[str, int]:
    form = _form(owner)
    if form.validate_on_submit():
        if owner is None:
            owner = Owner(association_id=current.id)
            session.add(owner)
        owner.partner_id = form.partner_id.data or None
        # The partner's name is kept on the owner too: if the partner ever leaves the
        # directory (partner_id SET NULL), the owner is still named, as its check requires.
        named = next((p.name for p in partners() if p.id == owner.partner_id), "") if owner.partner_id else ""
        owner.name, owner.contact = form.name.data or named[:150], form.contact.data or ""
        session.commit()
        flash("Propriétaire enregistré.", "success")
        return see_other("sites.owner_list", association=current.slug)
    return render("owner_form.html", INVALID_FORM_STATUS if form.errors else 200, association=current,
                  form=form, heading="Modifier le propriétaire" if owner else "Nouveau propriétaire")


@bp.get("/<association>/proprietaires/")
@access(Level.MANAGER)
def owner_list(association: str) -> tuple[str, int]:
    current = team()
    return render("owner_list.html", association=current, owners=owners_of(current))


@bp.route("/<association>/proprietaires/nouveau", methods=["GET", "POST"])
@access(Level.MANAGER)
def owner_create(association: str) -> Response | tuple[str, int]:
    return _save(team(), None)


@bp.route("/<association>/proprietaires/<int:owner_id>/modifier", methods=["GET", "POST"])
@access(Level.MANAGER)
def owner_edit(association: str, owner_id: int) -> Response | tuple[str, int]:
    current = team()
    return _save(current, own_or_404(Owner, owner_id, current))
