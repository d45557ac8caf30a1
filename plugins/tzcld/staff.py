"""The EBE's staff in full-time equivalents (ETP), month by month.

ETP of a contract in a month = the weekly hours in force each calendar day, divided by the
hours of a full-time week (a setting), averaged over the month's days: a contract that starts
on the 16th of a 30-day month at 35 h counts 0.5; one that goes from 35 h to 17.5 h on the
same day counts 0.75. Figures are kept exact (Decimal) and rounded only when shown, so that
the CDE is computed on the exact ETP.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from sqlalchemy import or_, select

from core.plugin_api import month_bounds, months_between, session
from plugins.tzcld.models import Employment, WorkingTime
from plugins.tzcld.settings import Rules

ZERO = Decimal(0)


@dataclass(frozen=True)
class Contract:
    ppde: bool
    started_on: date
    ended_on: date | None  # the last day worked
    hours: tuple[tuple[date, Decimal], ...]  # (from this day, weekly hours), by day


def etp_in_month(contract: Contract, month: date, full_time: Decimal) -> Decimal:
    first, last = month_bounds(month)
    return _hour_days(contract, first, last) / (full_time * ((last - first).days + 1))


def _hour_days(contract: Contract, first: date, last: date) -> Decimal:
    """The weekly hours in force each day of the contract between ``first`` and ``last``, summed."""
    start, end = max(contract.started_on, first), min(contract.ended_on or last, last)
    hour_days = ZERO
    if end < start:
        return hour_days
    for index, (effective_on, weekly) in enumerate(contract.hours):
        following = contract.hours[index + 1][0] if index + 1 < len(contract.hours) else None
        segment_start = max(effective_on, start)
        segment_end = min(end, following - timedelta(days=1)) if following else end
        if segment_end >= segment_start:
            hour_days += weekly * ((segment_end - segment_start).days + 1)
    return hour_days


@dataclass(frozen=True)
class MonthFigures:
    month: date  # its first day
    etp_ppde: Decimal
    etp_other: Decimal
    headcount: int  # under contract on the month's last day
    entries: int
    exits: int
    over_cap: bool  # the non-PPDE share is above its cap
    # The PPDE ETP as an exact fraction (hour-days over a full-time month's): the CDE is
    # computed from it, so that a half cent is a half cent (19/14 ETP is no Decimal).
    etp_ppde_fraction: Fraction | None = None

    @property
    def etp_ppde_exact(self) -> Fraction:
        return self.etp_ppde_fraction if self.etp_ppde_fraction is not None else Fraction(self.etp_ppde)

    @property
    def etp(self) -> Decimal:
        return self.etp_ppde + self.etp_other

    @property
    def other_share(self) -> Decimal | None:
        return self.etp_other / self.etp if self.etp else None


def monthly_figures(contracts: list[Contract], first_month: date, last_month: date,
                    rules: Rules) -> list[MonthFigures]:
    figures = []
    for month in months_between(first_month, last_month):
        first, last = month_bounds(month)
        full = rules.full_time_hours * ((last - first).days + 1)
        ppde_hours = other_hours = ZERO
        headcount = entries = exits = 0
        for contract in contracts:
            # A contract outside the month adds nothing: no ETP, no entry, no exit. Skipping it
            # (and the month's bounds computed once) keeps a year of 300 contracts cheap.
            if contract.started_on > last or (contract.ended_on is not None and contract.ended_on < first):
                continue
            # Hour-days are exact (hours with 2 decimals × days): summed, then divided once.
            if contract.ppde:
                ppde_hours += _hour_days(contract, first, last)
            else:
                other_hours += _hour_days(contract, first, last)
            under_contract = contract.ended_on is None or contract.ended_on >= last
            headcount += contract.started_on <= last and under_contract
            entries += first <= contract.started_on <= last
            exits += contract.ended_on is not None and first <= contract.ended_on <= last
        ppde, other = ppde_hours / full, other_hours / full
        total = ppde_hours + other_hours
        figures.append(MonthFigures(month, ppde, other, headcount, entries, exits,
                                    over_cap=bool(total) and other_hours / total > rules.non_ppde_cap,
                                    etp_ppde_fraction=Fraction(ppde_hours) / Fraction(full)))
    return figures


def contracts_of(association_id: int, first: date, last: date) -> list[Contract]:
    """The association's contracts that overlap [first, last], in two queries."""
    rows = session.execute(
        select(Employment.id, Employment.ppde, Employment.started_on, Employment.ended_on)
        .where(Employment.association_id == association_id, Employment.started_on <= last,
               or_(Employment.ended_on.is_(None), Employment.ended_on >= first))
        .order_by(Employment.id)).all()
    hours: dict[int, list[tuple[date, Decimal]]] = defaultdict(list)
    if rows:
        for employment_id, effective_on, weekly in session.execute(
                select(WorkingTime.employment_id, WorkingTime.effective_on, WorkingTime.weekly_hours)
                .join(Employment, Employment.id == WorkingTime.employment_id)
                .where(Employment.association_id == association_id, Employment.started_on <= last,
                       or_(Employment.ended_on.is_(None), Employment.ended_on >= first))
                .order_by(WorkingTime.employment_id, WorkingTime.effective_on)):
            hours[employment_id].append((effective_on, Decimal(weekly)))
    return [Contract(ppde, started_on, ended_on, tuple(hours[employment_id]))
            for employment_id, ppde, started_on, ended_on in rows]
