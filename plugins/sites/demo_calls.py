"""Demo data beyond the site and its allocations: an open call for applications with its
criteria, applications scored by the team and partly decided; the occupants' agreements,
fields, jobs and commitments with last year's follow-up; reservations of the free shared
room. Everything dated from ``today``, so that the review, the ranking, the warnings and
the rooms' week show at once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select

from core.plugin_api import AssociationRef, add_months, paris_to_utc, people_of, session
from plugins.sites.models import Allocation, Lot, Site
from plugins.sites.models_agreements import Agreement, Commitment, CommitmentKind, FollowUp
from plugins.sites.models_calls import (
    Application,
    Call,
    CallLot,
    Choice,
    Criterion,
    Decision,
    Field,
    LegalForm,
    Score,
)
from plugins.sites.models_rooms import RoomReservation

CRITERIA = [
    ("Utilité pour le quartier", "Ce que le projet apporte aux habitants du quartier.", 3),
    ("Solidité du projet", "Budget, équipe, partenaires.", 2),
    ("Emplois et activités locales", "Embauches, bénévolat, ouverture au public.", 2),
    ("Adéquation au lot", "Surface, usage, contraintes du site.", 1),
]
# (organisation, legal form, field, jobs, lots wished, each reviewer's scores or None)
APPLICATIONS = [
    ("Repair Café des Tilleuls", LegalForm.ASSOCIATION, Field.CIRCULAR, 1, ["B2", "D2"],
     [(5, 4, 4, 5), (4, 4, 5, 4)]),
    ("Atelier couture Fil Solidaire", LegalForm.ASSOCIATION, Field.SOCIAL, 2, ["B2", "C2"],
     [(4, 3, 4, 4), (4, 4, 3, 4)]),
    ("Collectif Graff & Cie", LegalForm.INFORMAL, Field.ARTISTIC, 0, ["D2"], [(3, 2, 2, 4), None]),
    ("SCOP Menuiserie Bois Vivant", LegalForm.COOPERATIVE, Field.ESS, 4, ["B2"], [(3, 5, 5, 2), None]),
    ("Épicerie vrac ambulante", LegalForm.SOLE_TRADER, Field.CIRCULAR, 1, ["C2"], None),
    ("Compagnie Les Mots Dits", LegalForm.ASSOCIATION, Field.ARTISTIC, 0, ["D2", "C2"], None),
]
# (lot, field, jobs declared, commitments: (kind, description, target, unit, achieved last year))
OCCUPANTS = {
    "A1": (Field.ESS, 3, [(CommitmentKind.LOCAL_HIRES, "Recruter dans le quartier", 2, "embauches", 1)]),
    "B1": (Field.CIRCULAR, 5, [
        (CommitmentKind.PUBLIC_OPENING, "Boutique ouverte au public", 100, "demi-journées", 92),
        (CommitmentKind.NEIGHBOURHOOD, "Ateliers de réparation avec les habitants", 12, "ateliers", 14)]),
    "B2": (Field.ARTISTIC, 1, [(CommitmentKind.NEIGHBOURHOOD, "Répétitions ouvertes", 6, "répétitions", 4)]),
    "B3": (Field.SOCIAL, 2, []),
    "C1": (Field.SOCIAL, 0, []),
    "D1": (Field.CIRCULAR, 0, [(CommitmentKind.NEIGHBOURHOOD, "Jardinage avec l'école", 10, "séances", 10)]),
}


def load(association: AssociationRef, site: Site, lots: dict[str, Lot], today: date) -> None:
    team = people_of(association, ("coordinator", "admin"))
    _call(association, site, lots, today, [person.id for person in team[:2]])
    _occupants(association, lots, today)
    _reservations(association, lots, today, team[0].id if team else None)


def _call(association: AssociationRef, site: Site, lots: dict[str, Lot], today: date,
          reviewers: list[int]) -> None:
    call = Call(association_id=association.id, site_id=site.id,
                title="Appel à candidatures — ateliers et espaces extérieurs",
                presentation=("Trois espaces de l'ancienne école s'ouvrent à des projets d'économie "
                              "sociale et solidaire, d'économie circulaire, d'action sociale ou de "
                              "création artistique. "
                              "Occupation temporaire, redevance modérée, visite sur rendez-vous."),
                opens_on=today - timedelta(days=20), closes_on=today + timedelta(days=15), published=True)
    session.add(call)
    session.flush()
    session.add_all([CallLot(call_id=call.id, lot_id=lots[code].id) for code in ("B2", "C2", "D2")])
    criteria = [Criterion(call_id=call.id, position=index, label=label, description=text, weight=weight)
                for index, (label, text, weight) in enumerate(CRITERIA)]
    session.add_all(criteria)
    session.flush()
    for index, (name, form, field, jobs, wished, scores) in enumerate(APPLICATIONS):
        application = Application(
            association_id=association.id, call_id=call.id, organisation=name, legal_form=form, field=field,
            project=f"{name} cherche un lieu pour s'installer durablement dans le quartier.",
            for_the_neighbourhood="Des permanences ouvertes aux habitants et des ateliers gratuits.",
            jobs=jobs,
            contact_name="Contact de démonstration", contact_email=f"candidature{index + 1}@exemple.org",
            view_token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
            submitted_at=paris_to_utc(datetime.combine(today - timedelta(days=18 - 2 * index), time(10, 30))))
        session.add(application)
        session.flush()
        choices = [Choice(association_id=association.id, application_id=application.id,
                          lot_id=lots[code].id, preference=rank + 1) for rank, code in enumerate(wished)]
        session.add_all(choices)
        # The demo association may have a single team member: a second reviewer's scores
        # then stay unscored (the blind review shows with two).
        for reviewer, given in zip(reviewers, scores or [], strict=False):
            if given is None:
                continue
            session.add_all([Score(association_id=association.id, application_id=application.id,
                                   criterion_id=criterion.id, reviewer_id=reviewer, score=value,
                                   comment="Projet bien ancré dans le quartier." if value >= 4 else "")
                             for criterion, value in zip(criteria, given, strict=True)])
        if index == 0:  # the best scored: B2 when the theatre company leaves
            choices[0].decision = Decision.ACCEPTED
            choices[0].decided_at = paris_to_utc(datetime.combine(today, time(9)))
        if index == 3:
            choices[0].decision = Decision.WAITING


def _occupants(association: AssociationRef, lots: dict[str, Lot], today: date) -> None:
    allocations = {lot_code: allocation for allocation, lot_code in session.execute(
        select(Allocation, Lot.code).join(Lot, Lot.id == Allocation.lot_id)
        .where(Allocation.association_id == association.id))}
    for code, (field, jobs, commitments) in OCCUPANTS.items():
        allocation = allocations[code]
        allocation.field, allocation.jobs = field, jobs
        lot = lots[code]
        insured_until = today + timedelta(days=20) if code == "B1" else add_months(today, 8)
        session.add(Agreement(
            association_id=association.id, allocation_id=allocation.id,
            fee=(lot.fee_per_m2 * lot.area).quantize(Decimal("0.01")), charges=lot.charges,
            deposit=(lot.fee_per_m2 * lot.area * 2).quantize(Decimal("0.01")),
            starts_on=allocation.starts_on, ends_on=allocation.ends_on, insurer="Mutuelle associative",
            insurance_expires_on=insured_until, signed_on=allocation.starts_on - timedelta(days=7),
            terms="Accès au site du lundi au samedi de 8 h à 21 h."))
        for kind, description, target, unit, achieved in commitments:
            commitment = Commitment(association_id=association.id, allocation_id=allocation.id, kind=kind,
                                    description=description, target=target, unit=unit)
            session.add(commitment)
            session.flush()
            if allocation.starts_on.year < today.year:
                session.add(FollowUp(association_id=association.id, commitment_id=commitment.id,
                                     year=today.year - 1, achieved=achieved,
                                     comment="Bilan présenté au comité de site."))


def _reservations(association: AssociationRef, lots: dict[str, Lot], today: date,
                  person_id: int | None) -> None:
    monday = today + timedelta(days=7 - today.weekday())
    room = lots["S2"]
    for day, start, hours, purpose in ((0, 10, 2, "Réunion des occupants"), (1, 14, 3, "Atelier CV"),
                                       (3, 9, 2, "Permanence emploi"), (4, 18, 2, "Répétition chorale")):
        first = paris_to_utc(datetime.combine(monday + timedelta(days=day), time(start)))
        session.add(RoomReservation(association_id=association.id, lot_id=room.id, starts_at=first,
                                    ends_at=first + timedelta(hours=hours), purpose=purpose,
                                    person_id=person_id))
