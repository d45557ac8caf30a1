"""A site's timeline: lots × months, the allocations and the gaps between them.

Two readings of the same two queries (the lots, the allocations overlapping the months
shown): a chart of the area occupied and free each month, through the core's ``bar_chart``
(with its table of values), and a table of lots by month naming each month's occupants —
which, on a phone, reads lot by lot, a line per month.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from markupsafe import Markup
from sqlalchemy import select

from core.plugin_api import Series, add_months, bar_chart, month_bounds, month_label, months_between, session
from plugins.sites.models import Allocation, Lot

OUTSIDE = "Hors disponibilité"


@dataclass(frozen=True)
class Cell:
    occupants: tuple[str, ...]
    full: bool  # allocated every day of the month
    available: bool = True  # the owner lends the site some day of the month

    @property
    def text(self) -> str:
        if not self.occupants:
            return "Libre" if self.available else OUTSIDE
        names = ", ".join(self.occupants)
        return names if self.full else f"{names} (une partie du mois)"


@dataclass(frozen=True)
class Row:
    lot_id: int
    code: str
    area: Decimal
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class Timeline:
    months: tuple[date, ...]
    labels: tuple[str, ...]
    rows: tuple[Row, ...]
    chart: Markup


def _days_inside(month: date, available_from: date, available_until: date) -> int:
    first, last = month_bounds(month)
    start, stop = max(first, available_from), min(last, available_until)
    return (stop - start).days + 1 if start <= stop else 0


def timeline_of(site_id: int, first_month: date, count: int, available_from: date,
                available_until: date) -> Timeline:
    """Months before the site is lent or after it is given back are neither occupied nor free:
    a lot is free only on the days the owner lends the site."""
    months = tuple(months_between(first_month, add_months(first_month.replace(day=1), count - 1)))
    lent = [_days_inside(m, available_from, available_until) for m in months]
    ends = [month_bounds(m)[1] for m in months]  # once: the loop below reads them lots × months times
    first, last = months[0], ends[-1]
    lots = session.execute(select(Lot.id, Lot.code, Lot.area).where(Lot.site_id == site_id)
                           .order_by(Lot.code, Lot.id)).all()
    periods: dict[int, list[tuple[date, date, str]]] = defaultdict(list)
    for lot_id, starts_on, ends_on, occupant in session.execute(
            select(Allocation.lot_id, Allocation.starts_on, Allocation.ends_on, Allocation.occupant)
            .join(Lot, Lot.id == Allocation.lot_id)
            .where(Lot.site_id == site_id, Allocation.starts_on <= last, Allocation.ends_on >= first)
            .order_by(Allocation.starts_on, Allocation.id)):
        periods[lot_id].append((starts_on, ends_on, occupant))
    occupied_days = [Decimal(0)] * len(months)  # m² × days, per month
    rows = []
    for lot_id, code, area in lots:
        cells = []
        for index, (month, end) in enumerate(zip(months, ends, strict=True)):
            names, days = [], 0
            for starts_on, ends_on, occupant in periods[lot_id]:
                start, stop = max(starts_on, month), min(ends_on, end)
                if start <= stop:
                    names.append(occupant)
                    days += (stop - start).days + 1
            cells.append(Cell(tuple(names), full=days == end.day, available=lent[index] > 0))
            occupied_days[index] += area * days
        rows.append(Row(lot_id, code, area, tuple(cells)))
    total = sum((area for _, _, area in lots), Decimal(0))
    occupied = [float(occupied_days[i] / end.day) for i, end in enumerate(ends)]
    labels = tuple(month_label(m, short=True) for m in months)
    chart = bar_chart(
        "Surface occupée et libre par mois", labels,
        [Series("Occupée", occupied),
     Series("Libre", [max(float(total) * lent[i] / end.day - occupied[i], 0.0)
                      for i, end in enumerate(ends)])],
        unit="m²", stacked=True, category="Mois", decimals=0,
        caption="Surface moyenne sur les jours du mois, tous lots du site confondus ; hors des "
                "dates de mise à disposition, rien n'est libre.",
        empty_message="Aucun lot sur ce site.")
    return Timeline(months, labels, tuple(rows), chart)
