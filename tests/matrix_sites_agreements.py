"""The records the agreements' and commitments' rows of tests/matrix_sites.py need: in each
association, an allocation of its own lot (so that the matrix's deletion of ``allocation_a``
leaves it alone) with an agreement holding both its files, and a commitment with a year
followed."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from werkzeug.datastructures import FileStorage

from core.agenda.clock import paris_today
from core.database import session
from core.plugin_api import StoredFile, store_upload
from plugins.sites.agreements import AgreementFields, save_agreement
from plugins.sites.allocations import AllocationFields, save_allocation
from plugins.sites.forms_agreements import FILE_MAX, INSURANCE_KINDS, SIGNED_KINDS
from plugins.sites.models import Lot, LotKind, Site
from plugins.sites.models_agreements import Commitment, CommitmentKind, FollowUp
from tests.conftest import World

DATA = Path(__file__).parent / "data" / "uploads"


def _file(name: str, kinds: tuple[str, ...]) -> StoredFile:
    sent = FileStorage(io.BytesIO((DATA / name).read_bytes()), name)
    return store_upload(sent, plugin="sites", kinds=kinds, max_bytes=FILE_MAX)


def records_agreements(world: World) -> dict[str, int]:
    today = paris_today()
    ids = {}
    for suffix, association in (("a", world.asso_a), ("b", world.asso_b)):
        site = Site(association_id=association.id, name="Halle", address="2 quai Sud",
                    total_area=Decimal(300), available_from=today - timedelta(days=365),
                    available_until=today + timedelta(days=3 * 365))
        session.add(site)
        session.flush()
        lot = Lot(association_id=association.id, site_id=site.id, code="C1", kind=LotKind.WORKSHOP,
                  area=Decimal(40), fee_per_m2=Decimal(5), charges=Decimal(10))
        session.add(lot)
        session.flush()
        allocation = save_allocation(site, lot, AllocationFields(
            occupant="Recyclerie", starts_on=today - timedelta(days=30), ends_on=today + timedelta(days=200)))
        session.flush()
        agreement = save_agreement(allocation, AgreementFields(
            fee=Decimal(200), starts_on=allocation.starts_on, ends_on=allocation.ends_on),
            insurance=_file("python.png", INSURANCE_KINDS), signed=_file("plan.pdf", SIGNED_KINDS))
        commitment = Commitment(association_id=association.id, allocation_id=allocation.id,
                                kind=CommitmentKind.NEIGHBOURHOOD, description="Ateliers avec l'école",
                                target=6, unit="ateliers")
        session.add(commitment)
        session.flush()
        session.add(FollowUp(association_id=association.id, commitment_id=commitment.id, year=today.year,
                             achieved=2))
        session.flush()
        ids |= {f"agr_allocation_{suffix}": allocation.id, f"agreement_{suffix}": agreement.id,
                f"commitment_{suffix}": commitment.id}
    return ids
