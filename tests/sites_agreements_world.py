"""Test data of Sites en transition's agreements and commitments: a site, a lot and an
allocation written by the plugin's own rules, and agreements on them — shared by
tests/test_sites_agreements.py and tests/test_sites_commitments.py."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from core.agenda.clock import paris_today
from core.database import session
from core.plugin_api import store_upload
from plugins.sites.agreements import AgreementFields, save_agreement
from plugins.sites.allocations import AllocationFields, save_allocation
from plugins.sites.models import Allocation, Lot, LotKind, Owner, Site
from plugins.sites.models_agreements import Agreement, Commitment
from tests.support import committed

DATA = Path(__file__).parent / "data" / "uploads"
PNG = (DATA / "python.png").read_bytes()
PDF = (DATA / "plan.pdf").read_bytes()


@dataclass(frozen=True)
class Occupancy:
    site: int
    lot: int
    allocation: int
    starts_on: date
    ends_on: date


def occupancy(app: Flask, association_id: int, *, start: int = -30, end: int = 400, code: str = "A1",
              occupant: str = "Coopérative Ressources", site_name: str = "Friche Lumière",
              contact: dict[str, Any] | None = None) -> Occupancy:
    """A site of its own (with an owner), a lot of 20 m² at 8 € a m² and 20 € of charges, and
    its allocation from ``start`` to ``end`` days from today."""
    today = paris_today()

    def write() -> Occupancy:
        owner = Owner(association_id=association_id, name="Ville de Saint-Denis",
                      contact="Service du patrimoine")
        session.add(owner)
        session.flush()
        site = Site(association_id=association_id, owner_id=owner.id, name=site_name, address="3 rue du Port",
                    total_area=Decimal(600), available_from=today + timedelta(days=start - 100),
                    available_until=today + timedelta(days=end + 100))
        session.add(site)
        session.flush()
        lot = Lot(association_id=association_id, site_id=site.id, code=code, kind=LotKind.WORKSHOP,
                  area=Decimal(20), fee_per_m2=Decimal("8.25"), charges=Decimal(20))
        session.add(lot)
        session.flush()
        row = save_allocation(site, lot, AllocationFields(
            occupant=occupant, starts_on=today + timedelta(days=start), ends_on=today + timedelta(days=end),
            **(contact or {})))
        session.flush()
        return Occupancy(site.id, lot.id, row.id, row.starts_on, row.ends_on)
    return committed(app, write)


def value_of(page: str, name: str) -> str | None:
    """The value a page's form shows in its field ``name``."""
    found = re.search(rf'<input [^>]*name="{name}"[^>]*value="([^"]*)"', page)
    return found.group(1) if found else None


def upload(content: bytes, name: str) -> FileStorage:
    return FileStorage(io.BytesIO(content), name)


def agreement(app: Flask, allocation_id: int, *, start: date | None = None, end: date | None = None,
              insurance_expires_on: date | None = None, files: bool = False, **fields: Any) -> int:
    """An agreement written by the plugin's own rule, over the whole allocation unless told."""
    def write() -> int:
        allocation = session.get(Allocation, allocation_id)
        stored = {}
        if files:
            stored = {"insurance": store_upload(upload(PNG, "assurance.png"), plugin="sites",
                                                kinds=("pdf", "jpeg", "png"), max_bytes=5 * 1024 * 1024),
                      "signed": store_upload(upload(PDF, "convention.pdf"), plugin="sites", kinds=("pdf",),
                                             max_bytes=5 * 1024 * 1024)}
        row = save_agreement(allocation, AgreementFields(
            fee=fields.pop("fee", Decimal(165)), starts_on=start or allocation.starts_on,
            ends_on=end or allocation.ends_on, insurance_expires_on=insurance_expires_on, **fields), **stored)
        session.flush()
        return row.id
    return committed(app, write)


def browser_records() -> dict[str, int]:
    """For the browser tests, once the demo data is loaded: its first agreement, the
    allocation it is of, and the first commitment (followed last year)."""
    agreement_row = session.scalar(select(Agreement).order_by(Agreement.id).limit(1))
    commitment_id = session.scalar(select(Commitment.id).order_by(Commitment.id).limit(1))
    assert agreement_row is not None and commitment_id is not None, "the demo data has no agreement"
    return {"allocation": agreement_row.allocation_id, "agreement": agreement_row.id,
            "commitment": commitment_id}
