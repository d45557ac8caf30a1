"""Sites en transition's test data beyond a site and its lots: a call for applications on
a site, its criteria, applications with their wished lots, as the public form and the team
would have saved them. Shared by the plugin's test modules (test modules never import each
other)."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from core.agenda.clock import paris_today
from plugins.sites.models import Lot, LotKind, Site
from plugins.sites.models_calls import Application, Call, CallLot, Choice, Criterion, Field, LegalForm


def site_with_lots(db: Session, association_id: int, codes: list[str], *,
                   kind: LotKind = LotKind.OFFICE) -> tuple[Site, list[Lot]]:
    today = paris_today()
    site = Site(association_id=association_id, name="Friche Lumière", address="12 rue des Ateliers",
                total_area=Decimal(1200), available_from=today - timedelta(days=365),
                available_until=today + timedelta(days=4 * 365))
    db.add(site)
    db.flush()
    lots = [Lot(association_id=association_id, site_id=site.id, code=code, kind=kind, area=Decimal(25),
                fee_per_m2=Decimal(6), charges=Decimal(30)) for code in codes]
    db.add_all(lots)
    db.flush()
    return site, lots


CRITERIA = (("Utilité pour le quartier", 3), ("Solidité", 1))


def call_on(db: Session, site: Site, lots: list[Lot], *, opens_on: date | None = None,
            closes_on: date | None = None, published: bool = True,
            criteria: tuple[tuple[str, int], ...] = CRITERIA) -> Call:
    today = paris_today()
    call = Call(association_id=site.association_id, site_id=site.id, title="Appel 2027 : ateliers",
                presentation="Des ateliers pour des projets du quartier.",
                opens_on=opens_on or today - timedelta(days=10),
                closes_on=closes_on or today + timedelta(days=20),
                published=published)
    db.add(call)
    db.flush()
    db.add_all([CallLot(call_id=call.id, lot_id=lot.id) for lot in lots])
    db.add_all([Criterion(call_id=call.id, position=index, label=label, weight=weight)
                for index, (label, weight) in enumerate(criteria)])
    db.flush()
    return call


def application_to(db: Session, call: Call, lots: list[Lot], organisation: str, *,
                   email: str = "contact@exemple.org", field: Field = Field.ESS,
                   jobs: int = 2) -> Application:
    application = Application(
        association_id=call.association_id, call_id=call.id, organisation=organisation,
        legal_form=LegalForm.ASSOCIATION, field=field, project=f"Le projet de {organisation}.",
        for_the_neighbourhood="Des ateliers ouverts le samedi.", jobs=jobs, contact_name="Inès Martin",
        contact_email=email, contact_phone="06 12 34 56 78",
        view_token_hash=hashlib.sha256(f"{call.id}-{organisation}".encode()).hexdigest())
    db.add(application)
    db.flush()
    db.add_all([Choice(association_id=call.association_id, application_id=application.id, lot_id=lot.id,
                       preference=index + 1) for index, lot in enumerate(lots)])
    db.flush()
    return application
