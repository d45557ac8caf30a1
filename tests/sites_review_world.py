"""Calls for applications written straight into the database, for the review's tests, its
scale test and its rows of the permission matrix: a site with lots, a call opening them with
weighted criteria, applications wishing lots in order. (The public form that creates
applications is another module's.)"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from core.agenda.clock import paris_today
from plugins.sites.models import Lot, LotKind, Site
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

# Received from this instant on, a minute apart, in the order they are made.
FIRST_RECEIVED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@dataclass
class CallWorld:
    association_id: int
    site: int
    call: int
    lots: dict[str, int]  # code → id
    criteria: list[int]  # in their order
    weights: list[int]
    applications: dict[str, int] = field(default_factory=dict)  # organisation → id
    choices: dict[tuple[str, str], int] = field(default_factory=dict)  # (organisation, code) → id


def make_call(db: Any, association_id: int, *, lots: Sequence[str] = ("A1", "B1"),
              criteria: Sequence[tuple[str, int]] = (("Qualité du projet", 3), ("Ancrage local", 1)),
              title: str = "Appel 2026", site: int | None = None) -> CallWorld:
    """A call on a site (a new one unless ``site`` is given) opening ``lots``, with
    ``criteria`` (label, weight); flushed, not committed."""
    today = paris_today()
    if site is None:
        row = Site(association_id=association_id, name="Friche Lumière", address="3 rue du Port",
                   total_area=Decimal(800), available_from=today - timedelta(days=30),
                   available_until=today + timedelta(days=4 * 365))
        db.add(row)
        db.flush()
        site = row.id
    lot_ids = {}
    for code in lots:
        lot = Lot(association_id=association_id, site_id=site, code=code, kind=LotKind.WORKSHOP,
                  area=Decimal(30), fee_per_m2=Decimal(6), charges=Decimal(10))
        db.add(lot)
        db.flush()
        lot_ids[code] = lot.id
    call = Call(association_id=association_id, site_id=site, title=title, presentation="Des ateliers.",
                opens_on=today - timedelta(days=20), closes_on=today + timedelta(days=10), published=True)
    db.add(call)
    db.flush()
    db.add_all(CallLot(call_id=call.id, lot_id=lot_id) for lot_id in lot_ids.values())
    rows = [Criterion(call_id=call.id, position=index, label=label, weight=weight,
                      description=f"Ce que l'on attend : {label.lower()}.")
            for index, (label, weight) in enumerate(criteria)]
    db.add_all(rows)
    db.flush()
    return CallWorld(association_id, site, call.id, lot_ids, [c.id for c in rows], [w for _, w in criteria])


def add_application(db: Any, world: CallWorld, organisation: str, wishes: Sequence[str] = ("A1",), *,
                    email: str | None = None, received: datetime | None = None,
                    field_: Field = Field.CIRCULAR, jobs: int = 3) -> int:
    """An application wishing ``wishes`` (lot codes) in that order; flushed."""
    index = len(world.applications)
    application = Application(
        association_id=world.association_id, call_id=world.call, organisation=organisation,
        legal_form=LegalForm.ASSOCIATION, field=field_, project=f"Le projet de {organisation}.",
        for_the_neighbourhood="Un atelier ouvert le samedi.", jobs=jobs,
        contact_name=f"Contact {organisation}", contact_email=email or f"contact{index}@exemple.org",
        contact_phone="06 12 34 56 78", view_token_hash=secrets.token_hex(32),
        submitted_at=received or FIRST_RECEIVED + timedelta(minutes=index))
    db.add(application)
    db.flush()
    world.applications[organisation] = application.id
    for preference, code in enumerate(wishes, start=1):
        choice = Choice(association_id=world.association_id, application_id=application.id,
                        lot_id=world.lots[code], preference=preference)
        db.add(choice)
        db.flush()
        world.choices[organisation, code] = choice.id
    return application.id


def add_scores(db: Any, world: CallWorld, organisation: str, reviewer_id: int | None, scores: Sequence[int],
               comment: str = "") -> None:
    """A reviewer's scores of an application, one per criterion in order (fewer: some left
    unscored); flushed."""
    db.add_all(Score(association_id=world.association_id, application_id=world.applications[organisation],
                     criterion_id=criterion, reviewer_id=reviewer_id, score=score, comment=comment)
               for criterion, score in zip(world.criteria, scores, strict=False))
    db.flush()


def decide(db: Any, world: CallWorld, organisation: str, code: str, decision: Decision | None,
           reasons: str = "") -> None:
    choice = db.get(Choice, world.choices[organisation, code])
    choice.decision, choice.reasons = decision, reasons
    db.flush()
