"""Counts for funder reports (FSE+, State, département): numbers, never lists of people.

Rules, for the period from ``period_start`` to ``period_end`` (both included, calendar days
in Paris time):

- **Participants**: people whose pathway has at least one *present* work session in the
  period and who, by the end of the period, have worked on at least two distinct days
  (DOMAIN.md: an action of one day or less does not make someone a participant). The days
  are counted over the whole pathway up to the period's end, not only inside the period:
  someone who worked on 31 March and on 2 April is a participant of the second quarter.
- **Hours worked**: the hours of the present sessions that start in the period.
- **Entries**: pathways that started in the period.
- **Exits by outcome**: pathways that ended in the period, one indicator per outcome, always
  all of them (a missing outcome would be ambiguous).

Small cells, under the plugin API's rule (``masked_count``): a breakdown cell — an exit
outcome — counting 1 or 2 people is *masked*: its value is 0 and its unit says « masqué :
moins de 3 ». A 0 is reported as such (it describes nobody). Totals (participants, entries,
hours) say nothing about any one person's situation and are reported exactly; no total of
exits is reported, so that a masked cell cannot be worked out by subtraction.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import case, func, select

from core.plugin_api import AssociationRef, Indicator, day_bounds, in_paris, masked_count, session
from plugins.premieres_heures import NAME
from plugins.premieres_heures.models import Attendance, ExitOutcome, Pathway, WorkSession

MIN_DAYS = 2  # distinct days of work that make someone a participant

EXIT_LABELS = {
    ExitOutcome.INSERTION_CONTRACT: "Sorties vers un contrat d'insertion",
    ExitOutcome.TRAINING: "Sorties vers une formation",
    ExitOutcome.JOB: "Sorties vers un emploi",
    ExitOutcome.OTHER: "Autres sorties",
    ExitOutcome.INTERRUPTION: "Parcours interrompus",
}


def _participants(association_id: int, since: datetime, until: datetime) -> int:
    """One row per pathway worked in the period: first and last present session up to the
    period's end. Two distinct days exist exactly when the first and the last differ."""
    present = (WorkSession.association_id == association_id,
               WorkSession.attendance == Attendance.PRESENT, WorkSession.starts_at < until)
    rows = session.execute(
        select(func.min(WorkSession.starts_at), func.max(WorkSession.starts_at))
        .where(*present)
        .group_by(WorkSession.pathway_id)
        .having(func.sum(case((WorkSession.starts_at >= since, 1), else_=0)) > 0)
    ).all()
    return sum(1 for first, last in rows if _days_apart(first, last))


def _days_apart(first: datetime, last: datetime) -> bool:
    return in_paris(first).date() != in_paris(last).date()


def _hours(association_id: int, since: datetime, until: datetime) -> float:
    spans = session.execute(
        select(WorkSession.starts_at, WorkSession.ends_at).where(
            WorkSession.association_id == association_id,
            WorkSession.attendance == Attendance.PRESENT,
            WorkSession.starts_at >= since, WorkSession.starts_at < until)
    ).all()
    return round(sum((end - start).total_seconds() for start, end in spans) / 3600, 2)


def indicators_for(association: AssociationRef, period_start: date,
                   period_end: date) -> list[Indicator]:
    since, until = day_bounds(period_start, (period_end - period_start).days + 1)
    entries = session.scalar(select(func.count(Pathway.id)).where(
        Pathway.association_id == association.id,
        Pathway.start_date >= period_start, Pathway.start_date <= period_end)) or 0
    exits = dict(session.execute(
        select(Pathway.exit_outcome, func.count(Pathway.id))
        .where(Pathway.association_id == association.id, Pathway.exit_outcome.is_not(None),
               Pathway.exit_date >= period_start, Pathway.exit_date <= period_end)
        .group_by(Pathway.exit_outcome)
    ).all())

    def indicator(key: str, label: str, value: int | float, unit: str) -> Indicator:
        return Indicator(key=f"{NAME}.{key}", label=label, value=value, unit=unit,
                         period_start=period_start, period_end=period_end)

    result = [
        indicator("participants", "Participants (au moins deux jours de travail)",
                  _participants(association.id, since, until), "personnes"),
        indicator("hours_worked", "Heures travaillées", _hours(association.id, since, until),
                  "heures"),
        indicator("entries", "Entrées en parcours", entries, "personnes"),
    ]
    for outcome, label in EXIT_LABELS.items():
        value, unit = masked_count(exits.get(outcome, 0))
        result.append(indicator(f"exits.{outcome.value}", label, value, unit))
    return result
