"""Demo data for ``maillage demo load``: a living territory in the demo association.

Built through the plugin's own rules (``move`` for every step of the register) so that the
demo never shows what the team could not have recorded. Dates are relative to ``today``: some
people wait, one for longer than the alert threshold, several were hired (their contracts
open with the hours they chose), one found a job elsewhere; a supervisor counts apart. The
people are the association's supported people, in the core's order; with fewer of them, fewer
entries. The CDE rates are the demo's: check the year's official figures before using them.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from core.plugin_api import AssociationRef, partners, people_of, session
from plugins.tzcld.calendar import add_months
from plugins.tzcld.models import (
    CdeRates,
    Employment,
    ExitReason,
    PpdeStatus,
    Stage,
    Territory,
    TerritoryEbe,
    WorkingTime,
)
from plugins.tzcld.register import enter, move
from plugins.tzcld.settings import Rules

# (status reached, days ago it started, hours chosen if hired, exit reason)
SCENARIOS = [  # the first ones show most, for a demo association with few people
    (PpdeStatus.WAITING, 140, None, None),  # longer than the 90-day alert
    (PpdeStatus.HIRED, 420, Decimal(35), None),
    (PpdeStatus.WAITING, 45, None, None),
    (PpdeStatus.HIRED, 300, Decimal(24), None),
    (PpdeStatus.EXITED, 250, None, ExitReason.JOB_ELSEWHERE),
    (PpdeStatus.MET, 20, None, None),
    (PpdeStatus.HIRED, 200, Decimal("17.5"), None),
    (PpdeStatus.IDENTIFIED, 5, None, None),
    (PpdeStatus.WAITING, 10, None, None),
]


def load(association: AssociationRef, today: date) -> None:
    rules = Rules({})
    territory = Territory(association_id=association.id, name=f"Territoire {association.short_name}",
                          stage=Stage.AUTHORISED, authorised_on=add_months(today, -18))
    session.add(territory)
    session.flush()
    for ebe in partners(("ebe",))[:1]:
        session.add(TerritoryEbe(territory_id=territory.id, partner_id=ebe.id))
    for year, wage, rate in ((today.year - 1, "11.88", 95), (today.year, "12.02", 95)):
        session.add(CdeRates(association_id=association.id, year=year, hourly_minimum_wage=Decimal(wage),
                             state_rate=Decimal(rate), departement_share=Decimal(15), hours_per_year=1820))
    people = people_of(association, ("supported",))
    for person, (status, days, hours, reason) in zip(people, SCENARIOS, strict=False):
        start = today - timedelta(days=days)
        entry = enter(association.id, person.id, start, recorded_by_id=None,
                      without_work_since=add_months(start, -30), resident_since=add_months(start, -60),
                      consent_on=start)
        steps = []
        if status is not PpdeStatus.IDENTIFIED:
            steps.append((PpdeStatus.MET, start + timedelta(days=2)))
        if status in (PpdeStatus.WAITING, PpdeStatus.HIRED, PpdeStatus.EXITED):
            steps.append((PpdeStatus.WAITING, start + timedelta(days=4)))
        if status is PpdeStatus.HIRED:
            steps.append((PpdeStatus.HIRED, start + timedelta(days=60)))
        if status is PpdeStatus.EXITED:
            steps.append((PpdeStatus.EXITED, start + timedelta(days=90)))
        for step, on in steps:
            move(entry, step, on, rules=rules, today=today, recorded_by_id=None,
                 exit_reason=reason if step is PpdeStatus.EXITED else None,
                 weekly_hours=hours if step is PpdeStatus.HIRED else None)
    coordinators = people_of(association, ("coordinator",))
    if coordinators:  # the EBE's supervisor: not a PPDE, counted apart and capped
        supervisor = Employment(association_id=association.id, person_id=coordinators[0].id, ppde=False,
                                job="Encadrant technique", started_on=add_months(today, -14))
        supervisor.hours.append(WorkingTime(effective_on=supervisor.started_on, weekly_hours=Decimal(35)))
        session.add(supervisor)
    session.flush()
