"""Sites: create, change, and the site's page — its lots, who occupies them today, the
occupancy rate by area and the income per month, the occupancies to come or ending, and its
photos, plans and documents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import flash, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.plugin_api import (
    INVALID_FORM_STATUS,
    AssociationRef,
    Level,
    access,
    add_error,
    columns_as,
    neighbourhoods,
    paris_today,
    partner_names,
    see_other,
    session,
)
from plugins.sites.allocations import day_label, ending_soon, outside_window
from plugins.sites.documents import documents_of
from plugins.sites.forms_documents import KIND_LABELS, DocumentForm
from plugins.sites.forms_sites import NONE, SiteForm
from plugins.sites.models import Allocation, Lot, Owner, Site
from plugins.sites.numbers import typed
from plugins.sites.occupancy import lots_of, occupancy
from plugins.sites.settings import rules_of
from plugins.sites.views import bp, neighbourhood_choices, own_or_404, render, team
from plugins.sites.views.owners import owners_of


@dataclass(frozen=True, slots=True)
class AllocationLine:
    id: int
    lot_id: int
    code: str
    occupant: str
    starts_on: date
    ends_on: date


def allocations_of(site_id: int, today: date) -> list[AllocationLine]:
    """The site's allocations running today or to come, by start (one query)."""
    return list(session.scalars(
        select(columns_as(AllocationLine, Allocation.id, Allocation.lot_id, Lot.code, Allocation.occupant,
                          Allocation.starts_on, Allocation.ends_on))
        .join(Lot, Lot.id == Allocation.lot_id)
        .where(Lot.site_id == site_id, Allocation.ends_on >= today)
        .order_by(Allocation.starts_on, Lot.code, Allocation.id)))


def owner_name(owner_id: int | None) -> str:
    if owner_id is None:
        return ""
    row = session.execute(select(Owner.name, partner_names.c.name)
                          .outerjoin(partner_names, partner_names.c.id == Owner.partner_id)
                          .where(Owner.id == owner_id)).first()
    return (row[1] or row[0]) if row else ""


def _form(current: AssociationRef, site: Site | None) -> SiteForm:
    if request.method == "GET" and site is not None:
        form = SiteForm(data={
            "name": site.name, "owner_id": site.owner_id or NONE, "address": site.address,
            "neighbourhood_id": site.neighbourhood_id or NONE, "total_area": typed(site.total_area),
            "available_from": site.available_from, "available_until": site.available_until,
            "constraints": site.constraints, "access_notes": site.access_notes})
    else:
        fresh = {"owner_id": NONE, "neighbourhood_id": NONE}
        form = SiteForm(data=fresh if request.method == "GET" else None)
    form.owner_id.choices = [(NONE, "Non renseigné"), *((o.id, name) for o, name in owners_of(current))]
    form.neighbourhood_id.choices = neighbourhood_choices("Non renseigné")
    return form


def _save(current: AssociationRef, site: Site | None) -> Response | tuple[str, int]:
    form = _form(current, site)
    if form.validate_on_submit():
        start, end = form.available_from.data, form.available_until.data
        left_out = outside_window(site.id, start, end) if site is not None else None
        if left_out is not None:
            field = form.available_from if left_out.starts_on < start else form.available_until
            add_error(field, f"« {left_out.occupant} » occupe un lot du {day_label(left_out.starts_on)} "
                             f"au {day_label(left_out.ends_on)} : la disponibilité doit couvrir "
                             "les occupations du site.")
        else:
            if site is None:
                site = Site(association_id=current.id)
                session.add(site)
            site.name, site.address = form.name.data, form.address.data
            site.owner_id = form.owner_id.data or None
            site.neighbourhood_id = form.neighbourhood_id.data or None
            site.total_area = form.area
            site.available_from, site.available_until = start, end
            site.constraints, site.access_notes = form.constraints.data or "", form.access_notes.data or ""
            session.commit()
            flash("Site enregistré.", "success")
            return see_other("sites.site_detail", association=current.slug, site_id=site.id)
    return render("site_form.html", INVALID_FORM_STATUS if form.errors else 200, association=current,
                  form=form, site=site, heading=f"Modifier « {site.name} »" if site else "Nouveau site")


@bp.route("/<association>/sites/nouveau", methods=["GET", "POST"])
@access(Level.MANAGER)
def site_create(association: str) -> Response | tuple[str, int]:
    return _save(team(), None)


@bp.route("/<association>/sites/<int:site_id>/modifier", methods=["GET", "POST"])
@access(Level.MANAGER)
def site_edit(association: str, site_id: int) -> Response | tuple[str, int]:
    current = team()
    return _save(current, own_or_404(Site, site_id, current))


@bp.get("/<association>/sites/<int:site_id>")
@access(Level.MANAGER)
def site_detail(association: str, site_id: int) -> tuple[str, int]:
    current = team()
    return detail_page(current, own_or_404(Site, site_id, current), DocumentForm(formdata=None))


def detail_page(current: AssociationRef, site: Site, form: DocumentForm) -> tuple[str, int]:
    """The site's page, with the documents' form as sent (422 when it was refused)."""
    today = paris_today()
    lots = lots_of(site.id, today)
    days = rules_of(current).ending_warning_days
    quarter = next((n for n in neighbourhoods() if n.id == site.neighbourhood_id), None)
    return render("site_detail.html", INVALID_FORM_STATUS if form.errors else 200, association=current,
                  site=site, lots=lots, figures=occupancy(lots), documents=documents_of(site.id),
                  document_form=form, document_kinds=KIND_LABELS,
                  owner=owner_name(site.owner_id), neighbourhood=quarter, today=today,
                  allocations=allocations_of(site.id, today), days=days,
                  ending=ending_soon(current.id, today, days, site_id=site.id))
