"""A pathway's hours month by month, planned and worked: how the hours grew, and how far
the person came to the sessions planned. Shown as a chart on the pathway's page."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from babel.dates import format_date
from markupsafe import Markup
from sqlalchemy import select

from core.plugin_api import Series, bar_chart, day_bounds, in_paris, session
from plugins.premieres_heures.models import Attendance, Pathway, WorkSession

MAX_MONTHS = 60  # a pathway lasts 6 to 9 months; a long one shows its last five years


def _next_month(month: date) -> date:
    return month.replace(year=month.year + month.month // 12, month=month.month % 12 + 1)


def _months(first: date, last: date) -> list[date]:
    """The first day of every month from ``first``'s to ``last``'s (the last MAX_MONTHS)."""
    months = []
    month = first.replace(day=1)
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return months[-MAX_MONTHS:]


def monthly_hours(pathway: Pathway, today: date) -> tuple[list[date], list[float], list[float]]:
    """(months, hours planned, hours worked): every session of the month counts as planned,
    the ones the person came to (present) as worked; from the pathway's first month to its
    last one so far (its exit's or this one) — one query."""
    last = min(today, pathway.exit_date or pathway.planned_end)
    months = _months(pathway.start_date, last)
    if not months:  # the pathway starts later
        return [], [], []
    start, end = day_bounds(months[0])[0], day_bounds(_next_month(months[-1]))[0]
    planned: dict[date, float] = defaultdict(float)
    worked: dict[date, float] = defaultdict(float)
    for starts_at, ends_at, attendance in session.execute(
            select(WorkSession.starts_at, WorkSession.ends_at, WorkSession.attendance)
            .where(WorkSession.pathway_id == pathway.id, WorkSession.starts_at >= start,
                   WorkSession.starts_at < end)):
        month = in_paris(starts_at).date().replace(day=1)
        hours = (ends_at - starts_at).total_seconds() / 3600
        planned[month] += hours
        if attendance == Attendance.PRESENT:
            worked[month] += hours
    return months, [planned[m] for m in months], [worked[m] for m in months]


def hours_chart(pathway: Pathway, today: date) -> Markup:
    months, planned, worked = monthly_hours(pathway, today)
    return bar_chart(
        "Heures prévues et travaillées par mois", [format_date(m, "MMM yyyy", locale="fr_FR")
                                                   for m in months],
        [Series("Prévues", planned), Series("Travaillées", worked)], unit="h", category="Mois",
        caption="Prévues : toutes les séances du planning ; travaillées : celles où la "
                "personne était présente.",
        empty_message="Aucune séance pour l'instant.")
