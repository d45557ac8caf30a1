"""Counts for funder reports and the collective's review: organisations and square
metres, never people (an occupant or an applicant is a project), so no small-cell masking.

For the period from ``period_start`` to ``period_end`` (both included):

- **Area occupied at the period's end** (m²): the lots allocated on ``period_end``, over
  the area of the sites available that day (both reported: a rate is read against them).
- **Occupants by field**: the allocations running at some time in the period, one
  indicator per field, always all of them (an allocation without a field counts as
  « autre »); the fields are the calls' (DOMAIN.md).
- **Applications received**: sent in the period; those of calls since purged (retention)
  count by their call's closing day, from the counts kept. **Accepted**: of those, the ones
  with a lot accepted.
- **Jobs declared by occupants**: the sum of the jobs declared by the allocations running
  on ``period_end``.

Five queries whatever the amount of data.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from core.plugin_api import AssociationRef, Indicator, paris_to_utc, session
from plugins.sites import NAME
from plugins.sites.labels import FIELD_LABELS
from plugins.sites.models import Allocation, Lot, Site
from plugins.sites.models_calls import Application, Call, CallCounts, Choice, Decision, Field


def _area(value: Decimal | None) -> float:
    return float(value or 0)


def indicators_for(association: AssociationRef, period_start: date, period_end: date) -> list[Indicator]:
    if period_end < period_start:
        return []

    def indicator(key: str, label: str, value: int | float, unit: str) -> Indicator:
        return Indicator(key=f"{NAME}.{key}", label=label, value=value, unit=unit,
                         period_start=period_start, period_end=period_end)

    occupied, jobs = session.execute(
        select(func.sum(Lot.area), func.sum(Allocation.jobs)).join(Lot, Lot.id == Allocation.lot_id)
        .where(Allocation.association_id == association.id, Allocation.starts_on <= period_end,
               Allocation.ends_on >= period_end)).one()
    available = session.scalar(
        select(func.sum(Site.total_area)).where(Site.association_id == association.id,
                                                Site.available_from <= period_end,
                                                Site.available_until >= period_end))
    by_field: dict[Field, int] = {}
    for field, count in session.execute(
            select(Allocation.field, func.count())
            .where(Allocation.association_id == association.id, Allocation.starts_on <= period_end,
                   Allocation.ends_on >= period_start)
            .group_by(Allocation.field)):
        by_field[field or Field.OTHER] = by_field.get(field or Field.OTHER, 0) + count
    received, accepted = _applications(association, period_start, period_end)
    return [
        indicator("area_occupied", "Surface occupée en fin de période", _area(occupied), "m²"),
        indicator("area_available", "Surface des sites disponibles en fin de période", _area(available),
                  "m²"),
        *(indicator(f"occupants.{field.value}", f"Occupants : {FIELD_LABELS[field]}",
                    by_field.get(field, 0), "occupants")
          for field in Field),
        indicator("applications_received", "Candidatures reçues", received, "candidatures"),
        indicator("applications_accepted", "Candidatures retenues", accepted, "candidatures"),
        indicator("jobs_declared", "Emplois déclarés par les occupants en fin de période", int(jobs or 0),
                  "emplois"),
    ]


def _applications(association: AssociationRef, period_start: date, period_end: date) -> tuple[int, int]:
    start = paris_to_utc(datetime.combine(period_start, time()))
    end = paris_to_utc(datetime.combine(period_end + timedelta(days=1), time()))
    accepted_ids = select(Choice.application_id).where(Choice.decision == Decision.ACCEPTED)
    received, accepted = session.execute(
        select(func.count(), func.count().filter(Application.id.in_(accepted_ids)))
        .where(Application.association_id == association.id, Application.submitted_at >= start,
               Application.submitted_at < end)).one()
    kept_received, kept_accepted = session.execute(
        select(func.coalesce(func.sum(CallCounts.received), 0),
               func.coalesce(func.sum(CallCounts.accepted), 0))
        .join(Call, Call.id == CallCounts.call_id)
        .where(CallCounts.association_id == association.id, Call.closes_on >= period_start,
               Call.closes_on <= period_end)).one()
    return int(received) + int(kept_received), int(accepted) + int(kept_accepted)
