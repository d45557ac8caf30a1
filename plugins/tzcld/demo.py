"""Demo data for ``maillage demo load``: a living territory in the demo association.

Built through the plugin's own rules (``move`` for every step of the register) so that the
demo never shows what the team could not have recorded. Dates are relative to ``today``: some
people wait, one for longer than the alert threshold, several were hired (their contracts
open with the hours they chose), one found a job elsewhere; a supervisor counts apart. The
people are the association's supported people, in the core's order; with fewer of them, fewer
entries. The CDE rates are the demo's: check the year's official figures before using them.

The committee (``committee.decide`` and ``amend``, the rules the pages apply) has three
members, one of them a partner's contact, a past meeting whose decisions approved a
recyclerie (now running, its wording changed once) and refused a delivery round (a local
business does it), and a meeting to come, in the team's agenda; a third activity waits for
its non-competition review.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from core.plugin_api import (
    AssociationRef,
    add_months,
    neighbourhoods,
    paris_to_utc,
    partners,
    people_of,
    session,
)
from plugins.tzcld.committee import amend, decide
from plugins.tzcld.models import (
    Activity,
    ActivityStatus,
    CdeRates,
    CleMember,
    Consultation,
    DecisionSubject,
    Employment,
    ExitReason,
    Meeting,
    MeetingAttendee,
    Outcome,
    PpdeStatus,
    Proposer,
    Stage,
    Territory,
    TerritoryEbe,
    TerritoryNeighbourhood,
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
    for quarter in neighbourhoods()[:2]:
        session.add(TerritoryNeighbourhood(territory_id=territory.id, neighbourhood_id=quarter.id))
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
    _committee(association, today)


def _evening(day: date) -> tuple[datetime, datetime]:
    start = paris_to_utc(datetime(day.year, day.month, day.day, 18))
    return start, start + timedelta(hours=2)


def _committee(association: AssociationRef, today: date) -> None:
    coordinators = people_of(association, ("coordinator",))
    ebe = next(iter(partners(("ebe",))), None)
    members = [CleMember(association_id=association.id, name="Mme Roussel", organisation="Mairie",
                         role="Adjointe à l'emploi", reads_decisions=True),
               CleMember(association_id=association.id, name="M. Benali", role="Conseil citoyen")]
    if ebe is not None:
        members.append(CleMember(association_id=association.id, name="Mme Carpentier", partner_id=ebe.id,
                                 organisation=ebe.name, role="Directrice"))
    if coordinators:
        members.append(CleMember(association_id=association.id, person_id=coordinators[0].id,
                                 organisation=association.short_name, role="Cheffe de projet"))
    session.add_all(members)
    recyclerie = Activity(association_id=association.id, title="Recyclerie de quartier",
                          need="Aucun lieu de réemploi à moins de 10 km ; des encombrants sur les trottoirs.",
                          proposer=Proposer.RESIDENT, proposer_name="Conseil citoyen",
                          proposed_on=today - timedelta(days=200),
                          consultations=[Consultation(consulted="Emmaüs du secteur",
                                                      consulted_on=today - timedelta(days=180),
                                                      answer="Favorable : personne ne collecte ici.")])
    round_ = Activity(association_id=association.id, title="Tournée de livraison de courses",
                      need="Des personnes âgées sans voiture.", proposer=Proposer.PPDE,
                      proposed_on=today - timedelta(days=190),
                      consultations=[Consultation(consulted="Épicerie Martin",
                                                  consulted_on=today - timedelta(days=175),
                                                  answer="Livre déjà le quartier deux fois par semaine.",
                                                  competition=True)])
    garden = Activity(association_id=association.id, title="Entretien des jardins partagés",
                      need="Jardins en friche au pied des immeubles.", proposer=Proposer.LOCAL_AUTHORITY,
                      proposer_name="Bailleur social", proposed_on=today - timedelta(days=15))
    session.add_all([recyclerie, round_, garden])
    past, soon = today - timedelta(days=160), today + timedelta(days=21)
    starts, ends = _evening(past)
    meeting = Meeting(association_id=association.id, starts_at=starts, ends_at=ends, place="Mairie annexe",
                      agenda="Activités proposées ; point sur la liste d'attente.",
                      minutes="Deux activités examinées, consultations à l'appui.")
    starts, ends = _evening(soon)
    session.add_all([meeting, Meeting(association_id=association.id, starts_at=starts, ends_at=ends,
                                      place="Mairie annexe", agenda="Jardins partagés ; budget de l'année.")])
    session.flush()
    meeting.attendees = [MeetingAttendee(member_id=m.id) for m in members[:3]]
    decision = decide(association.id, meeting.id, subject=DecisionSubject.ACTIVITY, activity=recyclerie,
                      title="Recyclerie", outcome=Outcome.POSTPONED, reasons="Local à confirmer.")
    session.flush()
    amend(decision, title="Recyclerie de quartier", outcome=Outcome.APPROVED,
          reasons="Local confirmé par le bailleur.", by_id=coordinators[0].id if coordinators else None)
    decide(association.id, meeting.id, subject=DecisionSubject.ACTIVITY, activity=round_,
           title="Tournée de livraison", outcome=Outcome.REFUSED,
           reasons="Concurrence avec l'épicerie du quartier, qui livre déjà.")
    recyclerie.status, recyclerie.started_on, recyclerie.jobs = (ActivityStatus.RUNNING,
                                                                 past + timedelta(days=30), 4)
