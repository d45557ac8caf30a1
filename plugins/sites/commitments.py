"""Occupants' commitments to the neighbourhood (opening to the public, activities with the
neighbourhood, local hires…), each with a yearly target, and their yearly follow-up: what
was achieved each year of the allocation, against the target.

A commitment hangs on an allocation; its follow-up has one row a year, inside the
allocation's years (a second save of a year changes that row). Nothing here commits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from core.plugin_api import session
from plugins.sites.models import Allocation
from plugins.sites.models_agreements import Commitment, CommitmentKind, FollowUp

KIND_LABELS = {
    CommitmentKind.PUBLIC_OPENING: "Ouverture au public",
    CommitmentKind.NEIGHBOURHOOD: "Activités avec le quartier",
    CommitmentKind.LOCAL_HIRES: "Embauches locales",
    CommitmentKind.OTHER: "Autre",
}


class FollowUpRefused(Exception):
    """``str(error)`` is the French reason; ``field`` the form field it is about."""

    def __init__(self, message: str, field: str = "year") -> None:
        super().__init__(message)
        self.field = field


def years_of(allocation: Allocation) -> list[int]:
    """The calendar years the allocation covers, at least in part."""
    return list(range(allocation.starts_on.year, allocation.ends_on.year + 1))


def commitments_of(allocation_id: int) -> list[Commitment]:
    return list(session.scalars(select(Commitment).where(Commitment.allocation_id == allocation_id)
                                .order_by(Commitment.id)))


@dataclass(frozen=True, slots=True)
class YearLine:
    """A year of a commitment: its target, what was achieved (None: not followed yet), the
    rate in % (None without a figure or with a target of 0)."""

    year: int
    target: int
    achieved: int | None
    comment: str

    @property
    def rate(self) -> Decimal | None:
        if self.achieved is None or self.target == 0:
            return None
        return (Decimal(self.achieved) * 100 / self.target).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def follow_ups_of(commitments: list[Commitment], years: list[int]) -> dict[int, list[YearLine]]:
    """Each commitment's years, every year of ``years`` (followed or not), by commitment id
    (one query for them all)."""
    rows: dict[int, dict[int, FollowUp]] = defaultdict(dict)
    if commitments:
        for row in session.scalars(select(FollowUp).where(
                FollowUp.commitment_id.in_([c.id for c in commitments]))):
            rows[row.commitment_id][row.year] = row
    table = {}
    for commitment in commitments:
        mine = rows[commitment.id]
        table[commitment.id] = [
            YearLine(year, commitment.target, mine[year].achieved if year in mine else None,
                     mine[year].comment if year in mine else "")
            for year in years]
    return table


def follow_up_of(commitment_id: int, year: int) -> FollowUp | None:
    return session.scalar(select(FollowUp).where(FollowUp.commitment_id == commitment_id,
                                                 FollowUp.year == year))


def save_follow_up(commitment: Commitment, allocation: Allocation, year: int, achieved: int,
                   comment: str = "") -> FollowUp:
    """Record what was achieved in ``year`` — or change what was recorded for it. Raises
    ``FollowUpRefused`` for a year the allocation does not cover."""
    years = years_of(allocation)
    if year not in years:
        raise FollowUpRefused(f"L'attribution couvre les années {years[0]} à {years[-1]} : "
                              "choisissez l'une d'elles." if len(years) > 1 else
                              f"L'attribution ne couvre que l'année {years[0]}.")
    row = follow_up_of(commitment.id, year)
    if row is None:
        row = FollowUp(association_id=commitment.association_id, commitment_id=commitment.id, year=year)
        session.add(row)
    row.achieved, row.comment = achieved, comment
    return row
