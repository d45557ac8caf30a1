"""The contribution au développement de l'emploi (CDE) the State and the département owe
for the PPDE the EBE employs, month by month, from the year's rates (settings kept by year).

    State part of a month      = PPDE ETP × gross hourly minimum wage × State rate
                                 × hours of a full-time year / 12
    Département part of a month = State part × the département's share

Both are computed from the exact ETP and rounded once, to the cent (half up); a year is the
sum of its months as rounded, what is actually paid month by month.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import select

from core.plugin_api import session
from plugins.tzcld.models import CdeRates
from plugins.tzcld.staff import MonthFigures


@dataclass(frozen=True)
class Rates:
    hourly_minimum_wage: Decimal
    state_rate: Decimal  # in %
    departement_share: Decimal  # in %, of the State's part
    hours_per_year: int


@dataclass(frozen=True)
class MonthCde:
    month: date
    etp_ppde: Decimal
    state: Decimal | None  # None: no rates for that year yet
    departement: Decimal | None


def cents(amount: Decimal | Fraction) -> Decimal:
    """To the cent, half up, from the exact amount (amounts here are never negative)."""
    return Decimal(math.floor(Fraction(amount) * 100 + Fraction(1, 2))) / 100


def cde_of_month(etp_ppde: Decimal | Fraction, rates: Rates) -> tuple[Decimal, Decimal]:
    """Computed in exact fractions and rounded once each: with Decimal's 28 digits, an ETP such
    as 19/14 would make a part that falls on a half cent round down."""
    state = (Fraction(etp_ppde) * Fraction(rates.hourly_minimum_wage) * Fraction(rates.state_rate) / 100
             * rates.hours_per_year / 12)
    return cents(state), cents(state * Fraction(rates.departement_share) / 100)


def rates_by_year(association_id: int) -> dict[int, Rates]:
    rows = session.scalars(select(CdeRates).where(CdeRates.association_id == association_id))
    return {r.year: Rates(Decimal(r.hourly_minimum_wage), Decimal(r.state_rate),
                          Decimal(r.departement_share), r.hours_per_year) for r in rows}


def monthly_cde(figures: list[MonthFigures], rates: dict[int, Rates]) -> list[MonthCde]:
    result = []
    for month in figures:
        year_rates = rates.get(month.month.year)
        state, departement = (cde_of_month(month.etp_ppde_exact, year_rates) if year_rates
                              else (None, None))
        result.append(MonthCde(month.month, month.etp_ppde, state, departement))
    return result


@dataclass(frozen=True)
class YearCde:
    year: int
    state: Decimal | None  # None if a month of it has no rates
    departement: Decimal | None
    months: int


def yearly_cde(months: list[MonthCde]) -> list[YearCde]:
    years: dict[int, list[MonthCde]] = {}
    for month in months:
        years.setdefault(month.month.year, []).append(month)
    result = []
    for year, items in sorted(years.items()):
        if all(m.state is not None and m.departement is not None for m in items):
            state = sum((m.state for m in items if m.state is not None), Decimal(0))
            departement = sum((m.departement for m in items if m.departement is not None), Decimal(0))
            result.append(YearCde(year, state, departement, len(items)))
        else:
            result.append(YearCde(year, None, None, len(items)))
    return result
