"""The association's sites at a glance: each site's occupancy and income today, and the
occupancies ending soon."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Numeric, and_, case, func, select, type_coerce

from core.plugin_api import Level, access, columns_as, paris_today, plugin_associations, session
from plugins.sites.allocations import ending_soon
from plugins.sites.models import Allocation, Lot, Site
from plugins.sites.settings import rules_of
from plugins.sites.views import bp, render, team

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class SiteLine:
    id: int
    name: str
    address: str
    available_from: date
    available_until: date
    lots: int
    lots_area: Decimal | None
    occupied_area: Decimal | None
    income: Decimal | None

    @property
    def rate(self) -> Decimal | None:
        return (self.occupied_area or ZERO) * 100 / self.lots_area if self.lots_area else None


def sites_of(association_id: int, today: date) -> list[SiteLine]:
    """Every site of the association with its figures of the day, in one query."""
    running = and_(Allocation.lot_id == Lot.id, Allocation.starts_on <= today, Allocation.ends_on >= today)
    occupied = case((Allocation.id.is_not(None), Lot.area), else_=0)
    income = case((Allocation.id.is_not(None), Lot.fee_per_m2 * Lot.area + Lot.charges), else_=0)

    def exact(total: Any) -> Any:
        # Read back with every decimal: typed as the columns' Numeric(…, 2), a sum of fee × area
        # would come back already cut to the cent (101.625 as 101.62), before any rounding rule.
        return type_coerce(total, Numeric())
    return list(session.scalars(
        select(columns_as(SiteLine, Site.id, Site.name, Site.address, Site.available_from,
                          Site.available_until, func.count(Lot.id), exact(func.sum(Lot.area)),
                          exact(func.sum(occupied)), exact(func.sum(income))))
        .outerjoin(Lot, Lot.site_id == Site.id).outerjoin(Allocation, running)
        .where(Site.association_id == association_id)
        .group_by(Site.id, Site.name, Site.address, Site.available_from, Site.available_until)
        .order_by(Site.name, Site.id)))


@bp.get("/")
@access(Level.MANAGER)
def index() -> tuple[str, int]:
    """The associations of the user that run the plugin."""
    return render("index.html", associations=plugin_associations())


@bp.get("/<association>/")
@access(Level.MANAGER)
def home(association: str) -> tuple[str, int]:
    current = team()
    today = paris_today()
    days = rules_of(current).ending_warning_days
    return render("home.html", association=current, sites=sites_of(current.id, today), today=today,
                  ending=ending_soon(current.id, today, days), days=days)
