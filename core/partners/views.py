"""Partner directory: list with filters, pages, contacts and services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, render_template, request
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from core.auth.permissions import Level, access, association_ids_with, has_level
from core.database import session
from core.members import Association, Neighbourhood, Role
from core.partners.forms import ContactForm, PartnerForm, ServiceForm
from core.partners.models import (
    Partner,
    PartnerContact,
    PartnerService,
    ServiceBarrier,
    partner_associations,
    partner_neighbourhoods,
)
from core.partners.vocabulary import Barrier, PartnerKind
from core.referrals.views import partner_block
from core.web.exports import ExportColumn, export_table
from core.web.forms import INVALID_FORM_STATUS, add_error, name_taken
from core.web.params import id_arg
from core.web.reading import columns_as
from core.web.views import (
    Page,
    commit_or_conflict,
    get_or_404,
    like_pattern,
    phone_search,
    search_term,
    see_other,
)

bp = Blueprint("partners", __name__, template_folder="templates", url_prefix="/partenaires")

TAKEN = "Un partenaire porte déjà ce nom."


def _partner_or_404(partner_id: int) -> Partner:
    partner = session.get(Partner, partner_id)
    if partner is None or (not partner.active and not has_level(Level.COLLECTIVE_ADMIN)):
        abort(404)
    return partner


def _enum_arg(name: str, enum_class: type[Any]) -> Any:
    value = request.args.get(name, "")
    return enum_class(value) if value in {member.value for member in enum_class} else None


@dataclass(frozen=True, slots=True)
class PartnerFilters:
    """What the partner list is narrowed to, from its query string; its export reads the same."""

    term: str
    kind: PartnerKind | None
    barrier: Barrier | None
    neighbourhood_id: int | None

    @classmethod
    def from_request(cls) -> PartnerFilters:
        return cls(term=search_term(), kind=_enum_arg("type", PartnerKind),
                   barrier=_enum_arg("frein", Barrier), neighbourhood_id=id_arg("quartier"))

    def args(self) -> dict[str, Any]:
        """The filters as the list's query string holds them, for links that keep them."""
        given = {"q": self.term, "type": self.kind and self.kind.value,
                 "frein": self.barrier and self.barrier.value, "quartier": self.neighbourhood_id}
        return {key: value for key, value in given.items() if value}


def _filtered(query: Select[Any], filters: PartnerFilters) -> Select[Any]:
    """``query`` (of partners, or of their columns) narrowed to the active partners the
    filters chose."""
    query = query.where(Partner.active)
    if filters.term:
        pattern = like_pattern(filters.term)
        by_phone = phone_search(Partner.phone, filters.term)
        query = query.where(
            or_(
                Partner.search_key.like(pattern, escape="\\"),
                Partner.services.any(PartnerService.search_key.like(pattern, escape="\\")),
                *([by_phone] if by_phone is not None else []),
            )
        )
    if filters.kind:
        query = query.where(Partner.kind == filters.kind)
    if filters.barrier:
        query = query.where(Partner.services.any(
            PartnerService.barrier_links.any(ServiceBarrier.barrier == filters.barrier)))
    if filters.neighbourhood_id:
        query = query.where(Partner.neighbourhoods.any(Neighbourhood.id == filters.neighbourhood_id))
    return query


@bp.get("/")
@access(Level.MEMBER)
def partner_list() -> str:
    filters = PartnerFilters.from_request()
    query = _filtered(
        select(Partner)
        .options(selectinload(Partner.services), selectinload(Partner.neighbourhoods))
        .order_by(Partner.name),
        filters,
    )
    return render_template(
        "partners/partner_list.html",
        page=Page(query),
        term=filters.term,
        kind=filters.kind,
        barrier=filters.barrier,
        neighbourhood_id=filters.neighbourhood_id,
        kinds=list(PartnerKind),
        barriers=list(Barrier),
        neighbourhoods=session.scalars(select(Neighbourhood).order_by(Neighbourhood.name)).all(),
        can_edit=has_level(Level.MANAGER),
        # The export takes the same filters (not the page number: it holds every page).
        export_args=filters.args(),
    )


@dataclass(frozen=True, slots=True)
class PartnerLine:
    id: int
    name: str
    kind: PartnerKind
    email: str
    phone: str
    address: str
    website: str


@bp.get("/export.<format>")
@access(Level.MEMBER)
def partner_list_export(format: str) -> Response:
    """The list with its filters, every page of it, with what a partner's page says of each;
    in four queries whatever its length."""
    filters = PartnerFilters.from_request()
    partners = session.scalars(_filtered(
        select(columns_as(PartnerLine, Partner.id, Partner.name, Partner.kind, Partner.email,
                          Partner.phone, Partner.address, Partner.website))
        .order_by(Partner.name), filters))
    chosen = _filtered(select(Partner.id), filters)
    services: dict[int, dict[int, str]] = {}  # partner -> service id -> name, in order
    barriers: dict[int, set[Barrier]] = {}
    for partner_id, service_id, service, barrier in session.execute(
        select(PartnerService.partner_id, PartnerService.id, PartnerService.name,
               ServiceBarrier.barrier)
        .outerjoin(ServiceBarrier, ServiceBarrier.service_id == PartnerService.id)
        .where(PartnerService.partner_id.in_(chosen))
        .order_by(PartnerService.partner_id, PartnerService.name, PartnerService.id)
    ):
        services.setdefault(partner_id, {})[service_id] = service
        if barrier is not None:
            barriers.setdefault(partner_id, set()).add(barrier)
    neighbourhoods = _names_by_partner(
        select(partner_neighbourhoods.c.partner_id, Neighbourhood.name)
        .join(Neighbourhood, Neighbourhood.id == partner_neighbourhoods.c.neighbourhood_id)
        .where(partner_neighbourhoods.c.partner_id.in_(chosen))
        .order_by(partner_neighbourhoods.c.partner_id, Neighbourhood.name))
    associations = _names_by_partner(
        select(partner_associations.c.partner_id, Association.short_name)
        .join(Association, Association.id == partner_associations.c.association_id)
        .where(partner_associations.c.partner_id.in_(chosen))
        .order_by(partner_associations.c.partner_id, Association.name))
    order = list(Barrier)
    columns = [
        ExportColumn("Nom", "name"),
        ExportColumn("Type", "kind"),
        ExportColumn("Services", lambda p: list(services.get(p.id, {}).values())),
        ExportColumn("Freins levés",
                     lambda p: sorted(barriers.get(p.id, ()), key=order.index)),
        ExportColumn("Quartiers couverts", lambda p: neighbourhoods.get(p.id, [])),
        ExportColumn("Travaille avec", lambda p: associations.get(p.id, [])),
        ExportColumn("E-mail", "email"),
        ExportColumn("Téléphone", "phone"),
        ExportColumn("Adresse", "address"),
        ExportColumn("Site web", "website"),
    ]
    return export_table(format, "Partenaires", columns, partners)


def _names_by_partner(query: Select[Any]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for partner_id, name in session.execute(query):
        found.setdefault(partner_id, []).append(name)
    return found


def _partner_form(partner: Partner | None) -> PartnerForm:
    form = PartnerForm(obj=partner)
    form.neighbourhoods.choices = [
        (n.id, n.label) for n in session.scalars(select(Neighbourhood).order_by(Neighbourhood.name))
    ]
    # Each user ticks only the associations they speak for; the others' links stay.
    query = select(Association).where(Association.active).order_by(Association.name)
    mine = association_ids_with(Role.COORDINATOR)
    if mine is not None:
        query = query.where(Association.id.in_(mine))
    form.associations.choices = [(a.id, a.name) for a in session.scalars(query)]
    if partner is not None and not form.is_submitted():
        form.neighbourhoods.data = [n.id for n in partner.neighbourhoods]
        form.associations.data = [a.id for a in partner.associations]
        form.kind.data = partner.kind.value
    return form


def _save_partner(form: PartnerForm, partner: Partner) -> bool:
    if not form.validate():
        return False
    if name_taken(Partner.name, form.name.data, Partner.id != (partner.id or -1)):
        add_error(form.name, TAKEN)
        return False
    for field in ("name", "description", "email", "phone", "address", "website"):
        setattr(partner, field, getattr(form, field).data or "")
    partner.kind = PartnerKind(form.kind.data)
    partner.neighbourhoods = list(
        session.scalars(select(Neighbourhood).where(Neighbourhood.id.in_(form.neighbourhoods.data or [])))
    )
    editable = {choice for choice, _label in form.associations.choices}
    kept = [a for a in partner.associations if a.id not in editable]
    chosen = session.scalars(
        select(Association).where(Association.id.in_(set(form.associations.data or []) & editable))
    )
    partner.associations = kept + list(chosen)
    session.add(partner)
    return commit_or_conflict(form.name, TAKEN)


@bp.route("/nouveau", methods=["GET", "POST"])
@access(Level.MANAGER)
def partner_create() -> Response | tuple[str, int]:
    form = _partner_form(None)
    if form.is_submitted():
        partner = Partner()
        if _save_partner(form, partner):
            flash(f"Partenaire « {partner.name} » ajouté.", "success")
            return see_other("partners.partner_detail", partner_id=partner.id)
        session.rollback()
        return render_template("partners/partner_form.html", form=form,
                               partner=None), INVALID_FORM_STATUS
    return render_template("partners/partner_form.html", form=form, partner=None), 200


@bp.get("/<int:partner_id>")
@access(Level.MEMBER)
def partner_detail(partner_id: int) -> str:
    partner = _partner_or_404(partner_id)
    return render_template("partners/partner_detail.html", partner=partner,
                           referrals=partner_block(partner),
                           can_edit=has_level(Level.MANAGER),
                           can_deactivate=has_level(Level.COLLECTIVE_ADMIN))


@bp.route("/<int:partner_id>/modifier", methods=["GET", "POST"])
@access(Level.MANAGER)
def partner_edit(partner_id: int) -> Response | tuple[str, int]:
    partner = _partner_or_404(partner_id)
    form = _partner_form(partner)
    if form.is_submitted():
        if _save_partner(form, partner):
            flash("Modifications enregistrées.", "success")
            return see_other("partners.partner_detail", partner_id=partner.id)
        session.rollback()
        return render_template("partners/partner_form.html", form=form,
                               partner=partner), INVALID_FORM_STATUS
    return render_template("partners/partner_form.html", form=form, partner=partner), 200


@bp.post("/<int:partner_id>/statut")
@access(Level.COLLECTIVE_ADMIN)
def partner_status(partner_id: int) -> Response:
    partner = _partner_or_404(partner_id)
    partner.active = request.form.get("active") == "1"
    session.commit()
    flash("Partenaire réactivé." if partner.active else "Partenaire désactivé.", "success")
    return see_other("partners.partner_detail", partner_id=partner.id)


def _child_page(partner: Partner, child: Any, form: Any, template: str,
                apply: Any) -> Response | tuple[str, int]:
    """Shared create/edit flow of a contact or a service."""
    if form.is_submitted():
        if form.validate():
            apply(child, form)
            if child.id is None:
                child.partner = partner
                session.add(child)
            session.commit()
            flash("Enregistré.", "success")
            return see_other("partners.partner_detail", partner_id=partner.id)
        return render_template(template, form=form, partner=partner,
                               item=child), INVALID_FORM_STATUS
    return render_template(template, form=form, partner=partner, item=child), 200


def _apply_contact(contact: PartnerContact, form: ContactForm) -> None:
    for field in ("first_name", "last_name", "job_title", "email", "phone"):
        setattr(contact, field, getattr(form, field).data or "")


def _apply_service(service: PartnerService, form: ServiceForm) -> None:
    service.name = form.name.data
    service.description = form.description.data or ""
    service.barriers = [Barrier(value) for value in form.barriers.data or []]


def _child_or_404(model: type[Any], partner: Partner, child_id: int) -> Any:
    child = get_or_404(model, child_id)
    if child.partner_id != partner.id:
        abort(404)
    return child


@bp.route("/<int:partner_id>/contacts/nouveau", methods=["GET", "POST"])
@access(Level.MANAGER)
def contact_create(partner_id: int) -> Response | tuple[str, int]:
    partner = _partner_or_404(partner_id)
    return _child_page(partner, PartnerContact(), ContactForm(), "partners/contact_form.html",
                       _apply_contact)


@bp.route("/<int:partner_id>/contacts/<int:contact_id>/modifier", methods=["GET", "POST"])
@access(Level.MANAGER)
def contact_edit(partner_id: int, contact_id: int) -> Response | tuple[str, int]:
    partner = _partner_or_404(partner_id)
    contact = _child_or_404(PartnerContact, partner, contact_id)
    return _child_page(partner, contact, ContactForm(obj=contact), "partners/contact_form.html",
                       _apply_contact)


@bp.post("/<int:partner_id>/contacts/<int:contact_id>/supprimer")
@access(Level.MANAGER)
def contact_delete(partner_id: int, contact_id: int) -> Response:
    partner = _partner_or_404(partner_id)
    session.delete(_child_or_404(PartnerContact, partner, contact_id))
    session.commit()
    flash("Contact supprimé.", "success")
    return see_other("partners.partner_detail", partner_id=partner.id)


@bp.route("/<int:partner_id>/services/nouveau", methods=["GET", "POST"])
@access(Level.MANAGER)
def service_create(partner_id: int) -> Response | tuple[str, int]:
    partner = _partner_or_404(partner_id)
    return _child_page(partner, PartnerService(), ServiceForm(), "partners/service_form.html",
                       _apply_service)


@bp.route("/<int:partner_id>/services/<int:service_id>/modifier", methods=["GET", "POST"])
@access(Level.MANAGER)
def service_edit(partner_id: int, service_id: int) -> Response | tuple[str, int]:
    partner = _partner_or_404(partner_id)
    service = _child_or_404(PartnerService, partner, service_id)
    form = ServiceForm(obj=service)
    if not form.is_submitted():
        form.barriers.data = [b.value for b in service.barriers]
    return _child_page(partner, service, form, "partners/service_form.html", _apply_service)


@bp.post("/<int:partner_id>/services/<int:service_id>/supprimer")
@access(Level.MANAGER)
def service_delete(partner_id: int, service_id: int) -> Response:
    partner = _partner_or_404(partner_id)
    session.delete(_child_or_404(PartnerService, partner, service_id))
    session.commit()
    flash("Service supprimé.", "success")
    return see_other("partners.partner_detail", partner_id=partner.id)
