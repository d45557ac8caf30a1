"""Records for the tests of Aller-vers' pathways: an outreach action of Alpha in its QPV,
identified contacts, pathways built through the plugin's own functions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from core.plugin_api import paris_to_utc, paris_today
from plugins.allervers import pathways as domain
from plugins.allervers.models_outreach import Contact, OutreachAction, PlaceKind
from plugins.allervers.models_pathways import Pathway
from tests.conftest import World
from tests.support import committed

PLUGIN = "allervers"
BASE = "/p/allervers/alpha"
COORD_A = "coord.a@test.org"
ADMIN_A = "admin.a@test.org"
VOLUNTEER_A = "benevole.a@test.org"
COORD_B = "coord.b@test.org"
STAGES = ["Aller vers", "Accompagner vers", "Accès à l'entreprise"]


def enable(world: World, enable_plugin: Any) -> World:
    """The plugin enabled for Alpha only (the ``enabled`` fixture of each module)."""
    enable_plugin(PLUGIN, world.asso_a)
    return world


def make_action(db: Session, association_id: int, *, day: date | None = None,
                neighbourhood_id: int | None = None) -> OutreachAction:
    day = day or paris_today() - timedelta(days=10)
    action = OutreachAction(association_id=association_id, place_kind=PlaceKind.MARKET,
                            place="Marché du Franc-Moisin", neighbourhood_id=neighbourhood_id,
                            starts_at=paris_to_utc(datetime.combine(day, time(10))),
                            ends_at=paris_to_utc(datetime.combine(day, time(12))), notes="")
    db.add(action)
    db.commit()
    return action


def make_contact(db: Session, action: OutreachAction, *, name: str = "Yanis",
                 reach: str = "06 11 22 33 44", age: int | None = 19) -> Contact:
    contact = Contact(association_id=action.association_id, action_id=action.id, name=name,
                      reach=reach, age_at_first_contact=age,
                      consent_on=paris_today() - timedelta(days=10),
                      consent_explained="Ce que l'association garde et pourquoi ; droit de retrait.")
    db.add(contact)
    db.commit()
    return contact


def make_pathway(app: Flask, world: World, *, person_id: int | None = None,
                 association_id: int | None = None, started_on: date | None = None,
                 first_contact_on: date | None = None, age: int | None = 20,
                 neighbourhood_id: int | None = None, referent_id: int | None = None) -> int:
    """A pathway through the plugin's own function, committed; its id."""
    started_on = started_on or paris_today() - timedelta(days=30)

    def start() -> int:
        pathway = domain.start_pathway(
            association_id or world.asso_a.id, person_id or world.supported_a.id,
            first_contact_on=first_contact_on or started_on, started_on=started_on,
            first_stage=STAGES[0], today=paris_today(),
            referent_id=referent_id if referent_id is not None else world.coordinator_a.id,
            age_at_first_contact=age, neighbourhood_id=neighbourhood_id)
        return pathway.id

    return committed(app, start)


def count(db: Session, model: Any) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model)) or 0


def pathway(db: Session, pathway_id: int) -> Pathway:
    db.expire_all()
    found = db.get(Pathway, pathway_id)
    assert found is not None
    return found
