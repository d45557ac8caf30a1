"""A site's lots and who occupies them today: the occupancy rate by area and the income.

Occupancy rate = the area of the lots allocated today ÷ the area of all the site's lots.
Income per month = for each lot allocated today, its fee per m² × its area + its charges.
Both computed from one query, whatever the number of lots.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import and_, select

from core.plugin_api import columns_as, session
from plugins.sites.models import Allocation, Lot, LotKind

ZERO = Decimal(0)

KIND_LABELS = {
    LotKind.OFFICE: "Bureau",
    LotKind.WORKSHOP: "Atelier",
    LotKind.STORAGE: "Stockage",
    LotKind.OUTDOOR: "Extérieur",
    LotKind.SHARED_ROOM: "Salle partagée",
}


@dataclass(frozen=True, slots=True)
class LotLine:
    """A lot as the site's page lists it, with today's occupant if any."""

    id: int
    code: str
    kind: LotKind
    area: Decimal
    fee_per_m2: Decimal
    charges: Decimal
    accessible: bool
    accessibility: str
    allocation_id: int | None
    occupant: str | None
    until: date | None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def monthly_amount(self) -> Decimal:
        return self.fee_per_m2 * self.area + self.charges

    @property
    def occupied(self) -> bool:
        return self.allocation_id is not None


def lots_of(site_id: int, today: date) -> list[LotLine]:
    """The site's lots by code, each with the allocation running today (at most one: two
    allocations of a lot never overlap)."""
    running = and_(Allocation.lot_id == Lot.id, Allocation.starts_on <= today, Allocation.ends_on >= today)
    return list(session.scalars(
        select(columns_as(LotLine, Lot.id, Lot.code, Lot.kind, Lot.area, Lot.fee_per_m2, Lot.charges,
                          Lot.accessible, Lot.accessibility, Allocation.id, Allocation.occupant,
                          Allocation.ends_on))
        .outerjoin(Allocation, running)
        .where(Lot.site_id == site_id)
        .order_by(Lot.code, Lot.id)))


@dataclass(frozen=True)
class Occupancy:
    lots_area: Decimal
    occupied_area: Decimal
    occupied_lots: int
    income: Decimal  # per month, from the lots allocated today
    potential: Decimal  # per month, were every lot allocated

    @property
    def rate(self) -> Decimal | None:
        """The share of the lots' area allocated today, in %; None without lots."""
        if not self.lots_area:
            return None
        return self.occupied_area * 100 / self.lots_area


def occupancy(lots: list[LotLine]) -> Occupancy:
    occupied = [lot for lot in lots if lot.occupied]
    return Occupancy(lots_area=sum((lot.area for lot in lots), ZERO),
                     occupied_area=sum((lot.area for lot in occupied), ZERO),
                     occupied_lots=len(occupied),
                     income=sum((lot.monthly_amount for lot in occupied), ZERO),
                     potential=sum((lot.monthly_amount for lot in lots), ZERO))
