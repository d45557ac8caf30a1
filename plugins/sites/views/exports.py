"""A site's lots, allocations and agreements as CSV or Excel files, through the core's ``export_table``.

``/p/sites/<association>/sites/<site>/telecharger/<table>.<csv|xlsx>``: the team's, as the
site's page is; another association's site answers 404. Each file is read in one query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import abort
from sqlalchemy import Numeric, select, type_coerce
from werkzeug.wrappers import Response

from core.plugin_api import (
    ExportColumn,
    Level,
    access,
    export_table,
    paris_today,
    people_names,
    session,
)
from plugins.sites.models import Allocation, Lot, Site
from plugins.sites.models_agreements import Agreement
from plugins.sites.occupancy import KIND_LABELS, lots_of
from plugins.sites.views import bp, own_or_404, team

EUROS = {"decimals": 2}


@dataclass(frozen=True)
class Table:
    filename: str
    columns: tuple[ExportColumn, ...]
    rows: Callable[[Site], Iterable[Any]]


def _lots(site: Site) -> Iterable[Any]:
    return lots_of(site.id, paris_today())


def _allocations(site: Site) -> Iterable[Any]:
    return session.execute(
        select(Lot.code, Lot.kind, Lot.area, Allocation.occupant, Allocation.starts_on, Allocation.ends_on,
               Allocation.contact_name, Allocation.contact_email, Allocation.contact_phone, Allocation.note,
               type_coerce(Lot.fee_per_m2 * Lot.area + Lot.charges, Numeric()).label("monthly"),
               people_names.c.first_name, people_names.c.last_name)
        .join(Lot, Lot.id == Allocation.lot_id)
        .outerjoin(people_names, people_names.c.id == Allocation.contact_person_id)
        .where(Lot.site_id == site.id)
        .order_by(Lot.code, Allocation.starts_on, Allocation.id))


def _agreements(site: Site) -> Iterable[Any]:
    return session.execute(
        select(Lot.code, Allocation.occupant, Agreement.starts_on, Agreement.ends_on, Agreement.fee,
               Agreement.charges, Agreement.deposit, Agreement.insurer, Agreement.insurance_expires_on,
               Agreement.signed_on, Agreement.signed_key.is_not(None).label("signed_copy"),
               Agreement.insurance_key.is_not(None).label("certificate"))
        .join(Allocation, Allocation.id == Agreement.allocation_id)
        .join(Lot, Lot.id == Allocation.lot_id)
        .where(Lot.site_id == site.id)
        .order_by(Lot.code, Agreement.starts_on, Agreement.id))


def _referent(row: Any) -> str:
    return f"{row.first_name} {row.last_name}" if row.first_name is not None else ""


TABLES: dict[str, Table] = {
    "lots": Table("Lots", (
        ExportColumn("Code", "code", kind="text"), ExportColumn("Type", lambda row: KIND_LABELS[row.kind]),
        ExportColumn("Surface (m²)", "area", decimals=2),
        ExportColumn("Redevance par m² et par mois (€)", "fee_per_m2", **EUROS),
        ExportColumn("Charges par mois (€)", "charges", **EUROS),
        ExportColumn("Montant mensuel (€)", "monthly_amount", **EUROS),
        ExportColumn("Accessible PMR", "accessible"), ExportColumn("Accès", "accessibility"),
        ExportColumn("Occupant aujourd'hui", lambda row: row.occupant or ""),
        ExportColumn("Occupé jusqu'au", "until")), _lots),
    "attributions": Table("Attributions", (
        ExportColumn("Lot", "code", kind="text"), ExportColumn("Type", lambda row: KIND_LABELS[row.kind]),
        ExportColumn("Surface (m²)", "area", decimals=2), ExportColumn("Occupant", "occupant"),
        ExportColumn("Du", "starts_on"), ExportColumn("Au", "ends_on"),
        ExportColumn("Montant mensuel (€)", "monthly", **EUROS),
        ExportColumn("Personne référente", _referent), ExportColumn("Contact", "contact_name"),
        ExportColumn("E-mail", "contact_email"), ExportColumn("Téléphone", "contact_phone"),
        ExportColumn("Note", "note")), _allocations),
    "conventions": Table("Conventions d'occupation", (
        ExportColumn("Lot", "code", kind="text"), ExportColumn("Occupant", "occupant"),
        ExportColumn("Du", "starts_on"), ExportColumn("Au", "ends_on"),
        ExportColumn("Redevance mensuelle (€)", "fee", **EUROS),
        ExportColumn("Charges mensuelles (€)", "charges", **EUROS),
        ExportColumn("Dépôt de garantie (€)", "deposit", **EUROS), ExportColumn("Assureur", "insurer"),
        ExportColumn("Attestation d'assurance reçue", "certificate"),
        ExportColumn("Assurance valable jusqu'au", "insurance_expires_on"),
        ExportColumn("Signée le", "signed_on"), ExportColumn("Exemplaire signé reçu", "signed_copy")),
        _agreements),
}


@bp.get("/<association>/sites/<int:site_id>/telecharger/<table>.<format>")
@access(Level.MANAGER)
def download(association: str, site_id: int, table: str, format: str) -> Response:
    current = team()
    site = own_or_404(Site, site_id, current)
    wanted = TABLES.get(table)
    if wanted is None:
        abort(404)
    return export_table(format, f"{wanted.filename} — {site.name}", wanted.columns, wanted.rows(site),
                        title=wanted.filename)
