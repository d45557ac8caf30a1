"""Occupancy agreements (conventions d'occupation temporaire et précaire): one per allocation,
lying inside its period, with its amounts, its insurance and two files — the insurance
certificate and the signed copy.

The files are the core's uploads. A new one replaces the old, which goes when the
transaction commits (``delete_upload``); removing an agreement, or the allocation it hangs
on, removes its files first (``delete_files_of``): the database's cascade removes rows, not
files. Nothing here commits: the view does, once, or rolls back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from core.plugin_api import StoredFile, columns_as, delete_upload, session
from plugins.sites.allocations import day_label
from plugins.sites.models import Allocation, Lot
from plugins.sites.models_agreements import Agreement

CENT = Decimal("0.01")


class AgreementRefused(Exception):
    """``str(error)`` is the French reason; ``field`` the form field it is about."""

    def __init__(self, message: str, field: str = "starts_on") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class AgreementFields:
    fee: Decimal  # a month
    starts_on: date
    ends_on: date
    charges: Decimal = Decimal(0)  # a month
    deposit: Decimal = Decimal(0)
    insurer: str = ""
    insurance_expires_on: date | None = None
    signed_on: date | None = None
    terms: str = ""


def default_fee(lot: Lot) -> Decimal:
    """The lot's fee per m² × its area, to the cent: what the form offers first."""
    return (lot.fee_per_m2 * lot.area).quantize(CENT, rounding=ROUND_HALF_UP)


def agreement_of(allocation_id: int) -> Agreement | None:
    return session.scalar(select(Agreement).where(Agreement.allocation_id == allocation_id))


def check_period(allocation: Allocation, fields: AgreementFields) -> None:
    """Raises ``AgreementRefused`` unless the agreement lies inside the allocation: an
    agreement for days the occupant has no right to the lot would mislead everyone."""
    if fields.ends_on < fields.starts_on:
        raise AgreementRefused("La fin ne peut pas précéder le début.", "ends_on")
    if fields.starts_on < allocation.starts_on:
        raise AgreementRefused("La convention ne peut pas commencer avant l'attribution, "
                               f"le {day_label(allocation.starts_on)}.")
    if fields.ends_on > allocation.ends_on:
        raise AgreementRefused("La convention ne peut pas finir après l'attribution, "
                               f"le {day_label(allocation.ends_on)}.", "ends_on")
    if fields.signed_on is not None and fields.signed_on > fields.ends_on:
        raise AgreementRefused("La signature ne peut pas suivre la fin de la convention.", "signed_on")


def save_agreement(allocation: Allocation, fields: AgreementFields, *, existing: Agreement | None = None,
                   insurance: StoredFile | None = None, signed: StoredFile | None = None) -> Agreement:
    """Write the allocation's agreement (or change ``existing``) in the current transaction.
    A file given replaces the one kept, deleted once the transaction commits. Raises
    ``AgreementRefused`` (see ``check_period``), after which the caller rolls back."""
    check_period(allocation, fields)
    row = existing
    if row is None:
        row = Agreement(association_id=allocation.association_id, allocation_id=allocation.id)
        session.add(row)
    row.fee, row.charges, row.deposit = fields.fee, fields.charges, fields.deposit
    row.starts_on, row.ends_on = fields.starts_on, fields.ends_on
    row.insurer, row.insurance_expires_on = fields.insurer, fields.insurance_expires_on
    row.signed_on, row.terms = fields.signed_on, fields.terms
    if insurance is not None:
        delete_upload(row.insurance)
        row.insurance = insurance
    if signed is not None:
        delete_upload(row.signed)
        row.signed = signed
    return row


def delete_agreement(agreement: Agreement) -> None:
    """The row now, its files when the transaction commits."""
    delete_upload(agreement.insurance)
    delete_upload(agreement.signed)
    session.delete(agreement)


def delete_files_of(allocation_id: int) -> None:
    """The files of the allocation's agreement, before the allocation is deleted (its rows
    go with the database's cascade)."""
    agreement = agreement_of(allocation_id)
    if agreement is not None:
        delete_upload(agreement.insurance)
        delete_upload(agreement.signed)


@dataclass(frozen=True, slots=True)
class AgreementLine:
    """What the site's page says of an allocation's agreement."""

    id: int
    allocation_id: int
    starts_on: date
    ends_on: date
    signed_on: date | None
    insurance_expires_on: date | None


def agreements_of_site(site_id: int) -> dict[int, AgreementLine]:
    """The agreements of the site's allocations, by allocation id (one query)."""
    rows = session.scalars(
        select(columns_as(AgreementLine, Agreement.id, Agreement.allocation_id, Agreement.starts_on,
                          Agreement.ends_on, Agreement.signed_on, Agreement.insurance_expires_on))
        .join(Allocation, Allocation.id == Agreement.allocation_id)
        .join(Lot, Lot.id == Allocation.lot_id)
        .where(Lot.site_id == site_id))
    return {row.allocation_id: row for row in rows}
