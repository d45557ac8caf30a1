"""Territoire zéro chômeur data shared by its test modules: a small living territory, and
people added by the dozen to show that a page's queries do not grow with them."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from core.members import Person
from core.members.memberships import Membership
from core.members.roles import Role
from core.plugin_api import paris_to_utc
from plugins.tzcld.models import (
    Activity,
    CdeRates,
    CleMember,
    Consultation,
    Decision,
    DecisionSubject,
    DecisionVersion,
    Employment,
    Meeting,
    MeetingAttendee,
    Outcome,
    Ppde,
    PpdeStatus,
    Proposer,
    Transition,
    WorkingTime,
)
from tests.conftest import World

PAYLOAD = "=cmd|' /C calc'!A0"


def territory(db: Session, world: World) -> dict[str, int]:
    """Alpha: Samir waiting since 1 March 2025 (identified, met, waiting), a contract at 35 h
    then 17,5 h, the 2025 rates, a committee member, a meeting with a decision changed once
    about an activity reviewed twice. Bêta: one entry of its own, never in Alpha's files."""
    a, b = world.asso_a.id, world.asso_b.id
    entry = Ppde(association_id=a, person_id=world.supported_a.id, status=PpdeStatus.WAITING,
                 without_work_since=date(2023, 1, 1), resident_since=date(2020, 5, 1),
                 consent_on=date(2025, 2, 1), waiting_since=date(2025, 3, 1),
                 transitions=[Transition(association_id=a, status=status, on=on,
                                         recorded_by_id=world.coordinator_a.id, note=note)
                              for status, on, note in ((PpdeStatus.IDENTIFIED, date(2025, 1, 5), PAYLOAD),
                                                       (PpdeStatus.MET, date(2025, 2, 1), ""),
                                                       (PpdeStatus.WAITING, date(2025, 3, 1), ""))])
    other = Ppde(association_id=b, person_id=world.supported_b.id, status=PpdeStatus.WAITING,
                 waiting_since=date(2025, 3, 1),
                 transitions=[Transition(association_id=b, status=PpdeStatus.WAITING, on=date(2025, 3, 1))])
    contract = Employment(association_id=a, person_id=world.volunteer_a.id, ppde=False, job="Encadrant",
                          started_on=date(2025, 1, 1),
                          hours=[WorkingTime(effective_on=date(2025, 1, 1), weekly_hours=Decimal(35)),
                                 WorkingTime(effective_on=date(2025, 1, 16), weekly_hours=Decimal("17.5"))])
    ppde_contract = Employment(association_id=a, person_id=world.admin_a.id, ppde=True, job="Recyclerie",
                               started_on=date(2025, 1, 1),
                               hours=[WorkingTime(effective_on=date(2025, 1, 1), weekly_hours=Decimal(35))])
    rates = CdeRates(association_id=a, year=2025, hourly_minimum_wage=Decimal("11.88"),
                     state_rate=Decimal(95), departement_share=Decimal(20), hours_per_year=1820)
    member = CleMember(association_id=a, name="Mme Lefèvre", organisation="Mairie", role="Élue",
                       reads_decisions=True)
    activity = Activity(association_id=a, title=PAYLOAD, need="Réemploi", proposer=Proposer.RESIDENT,
                        proposed_on=date(2025, 1, 10),
                        consultations=[Consultation(consulted="Garage Martin", consulted_on=date(2025, 1, 20),
                                                    answer="Pas concerné"),
                                       Consultation(consulted="Ressourcerie", consulted_on=date(2025, 1, 21),
                                                    competition=True)])
    db.add_all([entry, other, contract, ppde_contract, rates, member, activity])
    db.flush()
    meeting = Meeting(association_id=a, starts_at=paris_to_utc(datetime(2025, 2, 3, 18, 0)),
                      ends_at=paris_to_utc(datetime(2025, 2, 3, 20, 0)), place="Mairie annexe",
                      agenda="Activités", attendees=[MeetingAttendee(member_id=member.id)])
    db.add(meeting)
    db.flush()
    decision = Decision(association_id=a, meeting_id=meeting.id, subject=DecisionSubject.ACTIVITY,
                        activity_id=activity.id, title="Recyclerie", outcome=Outcome.APPROVED,
                        reasons="Besoin avéré",
                        versions=[DecisionVersion(title="Recyclerie", outcome=Outcome.POSTPONED,
                                                  reasons="Consultation en cours",
                                                  replaced_by_id=world.coordinator_a.id)])
    db.add(decision)
    db.commit()
    return {"ppde": entry.id, "other": other.id}


def grow(db: Session, world: World, count: int) -> None:
    """``count`` more people of Alpha, each waiting on the register and under contract."""
    start = date(2025, 1, 1)
    for index in range(count):
        person = Person(first_name="Personne", last_name=f"Nombre {index}")
        db.add(person)
        db.flush()
        db.add(Membership(person_id=person.id, association_id=world.asso_a.id, role=Role.SUPPORTED))
        db.add(Ppde(association_id=world.asso_a.id, person_id=person.id, status=PpdeStatus.WAITING,
                    waiting_since=start + timedelta(days=index),
                    transitions=[Transition(association_id=world.asso_a.id, status=PpdeStatus.HIRED,
                                            on=start + timedelta(days=index))]))
        day = start + timedelta(days=index)
        db.add(Employment(association_id=world.asso_a.id, person_id=person.id, ppde=index % 5 != 0,
                          started_on=day, hours=[WorkingTime(effective_on=day, weekly_hours=Decimal(24))]))
    db.commit()
