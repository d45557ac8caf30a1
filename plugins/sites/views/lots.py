"""Lots of a site: create and change. A code names one lot of the site only."""

from __future__ import annotations

from flask import flash, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from core.plugin_api import INVALID_FORM_STATUS, AssociationRef, Level, access, add_error, see_other, session
from plugins.sites.forms_sites import LotForm
from plugins.sites.models import Lot, LotKind, Site
from plugins.sites.numbers import typed
from plugins.sites.views import bp, own_or_404, render, team

CODE_TAKEN = "Un autre lot du site porte déjà ce code."


def _form(lot: Lot | None) -> LotForm:
    if request.method == "GET" and lot is not None:
        return LotForm(data={"code": lot.code, "kind": lot.kind.value, "area": typed(lot.area),
                             "fee_per_m2": typed(lot.fee_per_m2), "charges": typed(lot.charges),
                             "accessible": lot.accessible, "accessibility": lot.accessibility})
    return LotForm(data={"kind": LotKind.OFFICE.value, "charges": "0"} if request.method == "GET" else None)


def _save(current: AssociationRef, site: Site, lot: Lot | None) -> Response | tuple[str, int]:
    form = _form(lot)
    if form.validate_on_submit():
        taken = select(Lot.id).where(Lot.site_id == site.id, Lot.code == form.code.data)
        if lot is not None:
            taken = taken.where(Lot.id != lot.id)
        if session.scalar(taken.limit(1)) is not None:
            add_error(form.code, CODE_TAKEN)
        else:
            if lot is None:
                lot = Lot(association_id=current.id, site_id=site.id)
                session.add(lot)
            lot.code, lot.kind = form.code.data, LotKind(form.kind.data)
            for name, value in form.amounts().items():
                setattr(lot, name, value)
            lot.accessible, lot.accessibility = bool(form.accessible.data), form.accessibility.data or ""
            try:
                session.commit()
            except IntegrityError:  # the same code saved by someone else in the same instant
                session.rollback()
                add_error(form.code, CODE_TAKEN)
            else:
                flash(f"Lot {lot.code} enregistré.", "success")
                return see_other("sites.site_detail", association=current.slug, site_id=site.id)
    return render("lot_form.html", INVALID_FORM_STATUS if form.errors else 200, association=current,
                  site=site, form=form, heading=f"Lot {lot.code}" if lot else "Nouveau lot")


@bp.route("/<association>/sites/<int:site_id>/lots/nouveau", methods=["GET", "POST"])
@access(Level.MANAGER)
def lot_create(association: str, site_id: int) -> Response | tuple[str, int]:
    current = team()
    return _save(current, own_or_404(Site, site_id, current), None)


@bp.route("/<association>/lots/<int:lot_id>/modifier", methods=["GET", "POST"])
@access(Level.MANAGER)
def lot_edit(association: str, lot_id: int) -> Response | tuple[str, int]:
    current = team()
    lot = own_or_404(Lot, lot_id, current)
    return _save(current, own_or_404(Site, lot.site_id, current), lot)
