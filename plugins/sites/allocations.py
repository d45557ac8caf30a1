"""Allocations: a lot given to an occupant for a period inside the site's availability.

Two allocations of one lot never overlap. The check is the core's ``save_without_overlap``:
on SQLite the POST holds the write lock from its first statement, so checking then inserting
cannot interleave with another request; on PostgreSQL two requests may pass the check
together, and the exclusion constraint of the migration refuses the second insert, turned
into the same French refusal. Nothing here commits: the view does, once, or rolls back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from core.plugin_api import Overlap, day_bounds, french_date, save_without_overlap, session
from plugins.sites.models import Allocation, Lot, Site
from plugins.sites.models_calls import Field


class AllocationRefused(Exception):
    """``str(error)`` is the French reason; ``field`` the form field it is about."""

    def __init__(self, message: str, field: str = "starts_on") -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class AllocationFields:
    occupant: str
    starts_on: date
    ends_on: date
    contact_person_id: int | None = None
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""
    note: str = ""
    field: Field | None = None  # the occupant's, for the funder's indicators
    jobs: int = 0  # jobs the occupant declares on the site
    application_id: int | None = None  # the application it came from


def day_label(day: date) -> str:
    return french_date(day)


def _clash(lot_id: int, starts_on: date, ends_on: date, existing_id: int | None) -> Allocation | None:
    query = select(Allocation).where(Allocation.lot_id == lot_id, Allocation.starts_on <= ends_on,
                                     Allocation.ends_on >= starts_on)
    if existing_id is not None:
        query = query.where(Allocation.id != existing_id)
    with session.no_autoflush:
        return session.scalar(query.order_by(Allocation.starts_on).limit(1))


def _taken(other: Allocation | None) -> str:
    if other is None:  # saved by another request in the same instant, then read back gone
        return "Ce lot est déjà attribué sur une partie de cette période."
    return (f"Ce lot est déjà attribué à « {other.occupant} » du {day_label(other.starts_on)} "
            f"au {day_label(other.ends_on)}.")


def save_allocation(site: Site, lot: Lot, fields: AllocationFields, *,
                    existing: Allocation | None = None) -> Allocation:
    """Add an allocation of ``lot`` (or change ``existing``) in the current transaction.
    Raises ``AllocationRefused`` — the end before the start, a day outside the site's
    availability, the lot already allocated then — after which the caller rolls back."""
    if fields.ends_on < fields.starts_on:
        raise AllocationRefused("La fin ne peut pas précéder le début.", "ends_on")
    if fields.starts_on < site.available_from:
        raise AllocationRefused(f"Le site n'est disponible qu'à partir du {day_label(site.available_from)}.")
    if fields.ends_on > site.available_until:
        raise AllocationRefused(f"Le site n'est disponible que jusqu'au {day_label(site.available_until)}.",
                                "ends_on")
    other = _clash(lot.id, fields.starts_on, fields.ends_on, existing.id if existing else None)
    if other is not None:
        raise AllocationRefused(_taken(other))
    row = existing if existing is not None else Allocation(association_id=lot.association_id, lot_id=lot.id)
    row.occupant, row.note = fields.occupant, fields.note
    row.contact_person_id, row.contact_name = fields.contact_person_id, fields.contact_name
    row.contact_email, row.contact_phone = fields.contact_email, fields.contact_phone
    row.field, row.jobs, row.application_id = fields.field, fields.jobs, fields.application_id
    row.starts_on, row.ends_on = fields.starts_on, fields.ends_on
    row.starts_at, row.ends_at = day_bounds(fields.starts_on, (fields.ends_on - fields.starts_on).days + 1)
    try:
        save_without_overlap(row, owner=Allocation.lot_id, start=Allocation.starts_at, end=Allocation.ends_at,
                             message="Ce lot est déjà attribué sur une partie de cette période.")
    except Overlap:  # another coordinator saved one at the same moment (PostgreSQL)
        raise AllocationRefused(_taken(_clash(lot.id, fields.starts_on, fields.ends_on,
                                              existing.id if existing else None))) from None
    return row


def outside_window(site_id: int, available_from: date, available_until: date) -> Allocation | None:
    """An allocation of the site that a new availability window would leave outside, if any:
    the window cannot shrink under an occupant."""
    return session.scalar(
        select(Allocation).join(Lot, Lot.id == Allocation.lot_id)
        .where(Lot.site_id == site_id,
               (Allocation.starts_on < available_from) | (Allocation.ends_on > available_until))
        .order_by(Allocation.starts_on).limit(1))


def ending_soon(association_id: int, today: date, days: int, site_id: int | None = None) -> list[tuple[
        Allocation, str, str]]:
    """Allocations running today that end within ``days`` days, soonest first, with their lot's
    code and site's name (one query)."""
    query = (select(Allocation, Lot.code, Site.name).join(Lot, Lot.id == Allocation.lot_id)
             .join(Site, Site.id == Lot.site_id)
             .where(Allocation.association_id == association_id, Allocation.starts_on <= today,
                    Allocation.ends_on >= today, Allocation.ends_on <= today + timedelta(days=days)))
    if site_id is not None:
        query = query.where(Lot.site_id == site_id)
    return [(allocation, code, name) for allocation, code, name in
            session.execute(query.order_by(Allocation.ends_on, Allocation.id))]
