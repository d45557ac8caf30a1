"""Calls for applications to test on, shared by tests/test_sites_calls.py and
tests/test_sites_public.py: a site of Alpha with three lots, a second site with one, an
owner and an occupant visitors must never see, and a call open today with two criteria."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from core.agenda.clock import paris_to_utc, paris_today
from plugins.sites.models import Allocation, Lot, LotKind, Owner, Site
from plugins.sites.models_calls import Call, CallLot, Criterion
from tests.conftest import World

OWNER = "Bailleur Secret Habitat"
OWNER_CONTACT = "patrimoine@bailleur-secret.example"
ADDRESS = "12 rue Confidentielle"
OCCUPANT = "Occupant Discret"
TITLE = "Ateliers de l'ancienne école"


@dataclass(frozen=True)
class CallWorld:
    site: int  # « Ancienne école », in the world's neighbourhood
    lots: tuple[int, int, int]  # A1 (office, 20 m², 8 €/m², 20 € charges), A2, B1 of the site
    other_site: int  # « Halle », Alpha's too
    other_lot: int  # H1, the Halle's
    call: int  # published, open from 10 days ago to 20 days on, lots A1, A2, B1
    criteria: tuple[int, int]  # « Ancrage dans le quartier » (3), « Emplois » (2)


def flat(text: str) -> str:
    """The page's words, without tags: what a reader sees."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def make_site(db: Session, association_id: int, name: str, neighbourhood_id: int | None = None) -> int:
    today = paris_today()
    owner = Owner(association_id=association_id, name=OWNER, contact=OWNER_CONTACT)
    db.add(owner)
    db.flush()
    site = Site(association_id=association_id, owner_id=owner.id, name=name, address=ADDRESS,
                neighbourhood_id=neighbourhood_id, total_area=Decimal(600),
                available_from=today - timedelta(days=400), available_until=today + timedelta(days=900),
                access_notes="Code du portail : 4321")
    db.add(site)
    db.flush()
    return site.id


def make_lot(db: Session, association_id: int, site_id: int, code: str, kind: LotKind = LotKind.OFFICE,
             area: str = "20", fee: str = "8", charges: str = "20", accessible: bool = True) -> int:
    lot = Lot(association_id=association_id, site_id=site_id, code=code, kind=kind, area=Decimal(area),
              fee_per_m2=Decimal(fee), charges=Decimal(charges), accessible=accessible,
              accessibility="Rampe côté cour" if accessible else "")
    db.add(lot)
    db.flush()
    return lot.id


def make_call(db: Session, association_id: int, site_id: int, lot_ids: list[int], *, opens_on: date,
              closes_on: date, published: bool = True, title: str = TITLE) -> int:
    call = Call(association_id=association_id, site_id=site_id, title=title, opens_on=opens_on,
                closes_on=closes_on, published=published,
                presentation="Des ateliers pour des projets du quartier.\nVisite le 12.")
    db.add(call)
    db.flush()
    db.add_all(CallLot(call_id=call.id, lot_id=lot_id) for lot_id in lot_ids)
    db.flush()
    return call.id


def add_criterion(db: Session, call_id: int, label: str, weight: int, position: int) -> int:
    criterion = Criterion(call_id=call_id, label=label, weight=weight, position=position,
                          description=f"Ce que « {label} » regarde.")
    db.add(criterion)
    db.flush()
    return criterion.id


def build(db: Session, world: World) -> CallWorld:
    a = world.asso_a.id
    today = paris_today()
    site = make_site(db, a, "Ancienne école", world.neighbourhood.id)
    lots = (make_lot(db, a, site, "A1"), make_lot(db, a, site, "A2", area="15", accessible=False),
            make_lot(db, a, site, "B1", LotKind.WORKSHOP, area="50", fee="5", charges="0"))
    db.add(Allocation(association_id=a, lot_id=lots[0], occupant=OCCUPANT,
                      starts_on=today - timedelta(days=100), ends_on=today - timedelta(days=50),
                      starts_at=_midnight(today - timedelta(days=100)),
                      ends_at=_midnight(today - timedelta(days=49))))
    other_site = make_site(db, a, "Halle")
    other_lot = make_lot(db, a, other_site, "H1")
    call = make_call(db, a, site, list(lots), opens_on=today - timedelta(days=10),
                     closes_on=today + timedelta(days=20))
    criteria = (add_criterion(db, call, "Ancrage dans le quartier", 3, 1),
                add_criterion(db, call, "Emplois", 2, 2))
    db.commit()
    return CallWorld(site, lots, other_site, other_lot, call, criteria)


def _midnight(day: date) -> datetime:
    return paris_to_utc(datetime.combine(day, time()))
