"""Counts for funder reports (State, département, the experiment's fund): numbers, never
lists of people.

Rules, for the period from ``period_start`` to ``period_end`` (both included):

- **Waiting at the period's end**: people whose last step on or before ``period_end`` put
  them on the waiting list. Read from the dated steps, not from the current status, so that
  a past period is right: someone hired after it still waited at its end.
- **Median wait at the period's end**: over those people, the days from their (latest)
  entry into the waiting list to ``period_end``. A median over 1 or 2 people is one or two
  people's wait: it is masked like a small cell (value 0, unit « masqué : moins de 3 »);
  with nobody waiting its value is 0 and its unit says so.
- **Hires**: steps to « hired by the EBE » dated in the period (a person hired twice counts
  twice: these are hires, not people).
- **Exits by reason**: people with a step to « exit » dated in the period, one indicator per
  reason, always all of them (a missing reason would be ambiguous); an exit recorded without
  a reason counts as « other ». Each is a breakdown cell under the plugin API's small-cell
  rule (``masked_count``), and no total of exits is reported, so that a masked cell cannot
  be worked out by subtraction. The other counts are totals, reported exactly.
- **ETP and CDE are counted by calendar month**, the unit the CDE is owed in: the months from
  ``period_start``'s to ``period_end``'s, each whole (the labels name them). The PPDE ETP is
  the **average of the months' PPDE ETP** (an ETP over a period, as staff figures are read),
  rounded to the hundredth; the State's and the département's parts of the CDE are the
  **sums of the months' parts**, each month rounded to the cent as ``cde.py`` computes it.
  If a month of the period has no rates for its year, both parts are reported as 0 with a
  unit saying « non calculé » and the years missing — never a partial sum that could be read
  as the whole.

At most six queries whatever the amount of data: the association's settings (none within a
request, where the host has them), the waiting list at the end, the period's steps, the
contracts and their hours, the rates.
"""

from __future__ import annotations

import statistics
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import distinct, func, select

from core.plugin_api import (
    MASKED_UNIT,
    SMALL_CELL,
    AssociationRef,
    Indicator,
    masked_count,
    month_bounds,
    month_label,
    session,
)
from plugins.tzcld import NAME
from plugins.tzcld.cde import monthly_cde, rates_by_year
from plugins.tzcld.models import ExitReason, PpdeStatus, Transition
from plugins.tzcld.register import EXIT_LABELS
from plugins.tzcld.settings import rules_of
from plugins.tzcld.staff import contracts_of, monthly_figures

HUNDREDTH = Decimal("0.01")


def waiting_since_at(association_id: int, day: date) -> list[date]:
    """The day each person waiting on ``day`` entered the waiting list: of everyone's steps
    up to ``day``, the last one (by date, then as recorded), when it is « waiting »."""
    ranked = select(
        Transition.status, Transition.on,
        func.row_number().over(partition_by=Transition.ppde_id,
                               order_by=(Transition.on.desc(), Transition.id.desc())).label("rank"),
    ).where(Transition.association_id == association_id, Transition.on <= day).subquery()
    return list(session.scalars(
        select(ranked.c.on).where(ranked.c.rank == 1, ranked.c.status == PpdeStatus.WAITING)))


def _median_wait(days: list[int]) -> tuple[int | float, str]:
    if not days:
        return 0, "jours (aucune personne en attente)"
    if len(days) < SMALL_CELL:
        return 0, MASKED_UNIT
    median = statistics.median(days)
    return (median if median % 1 else int(median)), "jours"


def _months(first: date, last: date) -> str:
    start, end = month_label(first), month_label(last)
    return start if start == end else f"{start} à {end}"


def indicators_for(association: AssociationRef, period_start: date,
                   period_end: date) -> list[Indicator]:
    if period_end < period_start:
        return []
    rules = rules_of(association)

    def indicator(key: str, label: str, value: int | float, unit: str) -> Indicator:
        return Indicator(key=f"{NAME}.{key}", label=label, value=value, unit=unit,
                         period_start=period_start, period_end=period_end)

    waits = [(period_end - since).days for since in waiting_since_at(association.id, period_end)]
    median, median_unit = _median_wait(waits)

    hires = 0
    exits = dict.fromkeys(ExitReason, 0)
    for status, reason, steps, people in session.execute(
            select(Transition.status, Transition.exit_reason, func.count(),
                   func.count(distinct(Transition.ppde_id)))
            .where(Transition.association_id == association.id,
                   Transition.status.in_((PpdeStatus.HIRED, PpdeStatus.EXITED)),
                   Transition.on >= period_start, Transition.on <= period_end)
            .group_by(Transition.status, Transition.exit_reason)):
        if status is PpdeStatus.HIRED:
            hires += steps
        else:
            exits[reason or ExitReason.OTHER] += people

    first_month, last_month = period_start.replace(day=1), period_end.replace(day=1)
    figures = monthly_figures(contracts_of(association.id, first_month, month_bounds(last_month)[1]),
                              first_month, last_month, rules)
    months = _months(first_month, last_month)
    etp = sum((f.etp_ppde for f in figures), Decimal(0)) / len(figures)
    cde = monthly_cde(figures, rates_by_year(association.id))
    missing = sorted({m.month.year for m in cde if m.state is None or m.departement is None})
    if missing:
        state = departement = 0.0
        cde_unit = f"€ non calculé : taux {', '.join(map(str, missing))} non saisis"
    else:
        state = float(sum((m.state for m in cde if m.state is not None), Decimal(0)))
        departement = float(sum((m.departement for m in cde if m.departement is not None), Decimal(0)))
        cde_unit = "€"

    result = [
        indicator("waiting_at_end", "Personnes volontaires en attente d'embauche à la fin de la période",
                  len(waits), "personnes"),
        indicator("median_wait_at_end", "Durée médiane d'attente à la fin de la période",
                  median, median_unit),
        indicator("hires", "Embauches par l'EBE", hires, "embauches"),
    ]
    for reason, label in EXIT_LABELS.items():
        value, unit = masked_count(exits[reason])
        result.append(indicator(f"exits.{reason.value}", f"Sorties : {label.lower()}", value, unit))
    result += [
        indicator("etp_ppde", f"ETP de PPDE, moyenne mensuelle ({months})",
                  float(etp.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)), "ETP"),
        indicator("cde_state", f"Contribution au développement de l'emploi, part de l'État ({months})",
                  state, cde_unit),
        indicator("cde_departement",
                  f"Contribution au développement de l'emploi, part du département ({months})",
                  departement, cde_unit),
    ]
    return result
