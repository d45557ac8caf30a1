"""The records the calls' rows of tests/matrix_sites.py need: for each association a site
with a lot, a call open today on it with a criterion and an application with a file; for
Alpha also a draft and a closed call. Each application opens with a known token
(``matrice-alpha``, ``matrice-beta``) whose hash is stored, as the public form does."""

from __future__ import annotations

import hashlib
import io
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from werkzeug.datastructures import FileStorage

from core.agenda.clock import paris_today
from core.database import session
from core.plugin_api import store_upload
from plugins.sites.forms_public import ATTACHMENT_KINDS, ATTACHMENT_MAX
from plugins.sites.models import Lot, LotKind, Site
from plugins.sites.models_calls import (
    Application,
    Attachment,
    Call,
    CallLot,
    Choice,
    Criterion,
    Field,
    LegalForm,
)
from tests.conftest import World

PDF = (Path(__file__).parent / "data" / "uploads" / "plan.pdf").read_bytes()
TOKENS = {"a": "matrice-alpha", "b": "matrice-beta"}


def _call(association_id: int, site_id: int, lot_id: int, title: str, opens: int, closes: int,
          published: bool = True) -> Call:
    today = paris_today()
    call = Call(association_id=association_id, site_id=site_id, title=title, published=published,
                opens_on=today + timedelta(days=opens), closes_on=today + timedelta(days=closes))
    session.add(call)
    session.flush()
    session.add(CallLot(call_id=call.id, lot_id=lot_id))
    return call


def records_calls(world: World) -> dict[str, int]:
    ids: dict[str, int] = {}
    for suffix, association in (("a", world.asso_a), ("b", world.asso_b)):
        today = paris_today()
        site = Site(association_id=association.id, name="Halle", address="2 rue Basse",
                    total_area=Decimal(300), available_from=today - timedelta(days=30),
                    available_until=today + timedelta(days=900))
        session.add(site)
        session.flush()
        lot = Lot(association_id=association.id, site_id=site.id, code="H1", kind=LotKind.WORKSHOP,
                  area=Decimal(40), fee_per_m2=Decimal(5), charges=Decimal(0))
        session.add(lot)
        session.flush()
        call = _call(association.id, site.id, lot.id, "Appel ouvert", -5, 20)
        criterion = Criterion(call_id=call.id, label="Ancrage", weight=2, position=1)
        application = Application(
            association_id=association.id, call_id=call.id, organisation="Atelier",
            legal_form=LegalForm.OTHER, field=Field.ESS, project="Projet", for_the_neighbourhood="Quartier",
            contact_name="Paule", contact_email="paule@atelier.example",
            view_token_hash=hashlib.sha256(TOKENS[suffix].encode()).hexdigest())
        session.add_all([criterion, application])
        session.flush()
        session.add(Choice(association_id=association.id, application_id=application.id, lot_id=lot.id,
                           preference=1))
        attachment = Attachment(association_id=association.id, application_id=application.id,
                                file=store_upload(FileStorage(io.BytesIO(PDF), "statuts.pdf"), plugin="sites",
                                                  kinds=ATTACHMENT_KINDS, max_bytes=ATTACHMENT_MAX))
        session.add(attachment)
        session.flush()
        ids |= {f"call_site_{suffix}": site.id, f"call_lot_{suffix}": lot.id, f"call_{suffix}": call.id,
                f"criterion_{suffix}": criterion.id, f"attachment_{suffix}": attachment.id}
        if suffix == "a":
            ids["draft_a"] = _call(association.id, site.id, lot.id, "Brouillon", 0, 10, published=False).id
            ids["closed_a"] = _call(association.id, site.id, lot.id, "Clos", -40, -10).id
    return ids
