"""Sites en transition: bad input on every form of the plugin. Each is refused with 422, a
French message next to the field at fault, and nothing saved or lost; whatever text is typed
in any field, the answer is never a server error (Hypothesis)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from core.database import session
from plugins.sites.allocations import AllocationFields, save_allocation
from plugins.sites.models import Lot, LotKind, Owner, Site
from tests.conftest import World
from tests.form_checks import dump
from tests.support import committed, field_error, login, post

BASE = "/p/sites/alpha"
TABLES = ("sites_owners", "sites_sites", "sites_lots", "sites_allocations")
REQUIRED = "obligatoire"
BAD_DATE = "Date invalide"
CHOICES = {"partner_id", "owner_id", "neighbourhood_id", "kind", "contact_person_id"}


@dataclass(frozen=True)
class Records:
    owner: int
    site: int  # available 2025-01-01 to 2028-12-31
    lot: int  # A1, allocated 2025-03-01 to 2025-12-31
    other_lot: int  # B1, free
    allocation: int


def records(app: Flask, db: Session, world: World) -> Records:
    a = world.asso_a.id
    owner = Owner(association_id=a, name="Ville")
    db.add(owner)
    db.flush()
    site = Site(association_id=a, owner_id=owner.id, name="Friche Lumière", address="3 rue du Port",
                total_area=Decimal(600), available_from=date(2025, 1, 1), available_until=date(2028, 12, 31))
    db.add(site)
    db.flush()
    lot = Lot(association_id=a, site_id=site.id, code="A1", kind=LotKind.OFFICE, area=Decimal(20),
              fee_per_m2=Decimal(8), charges=Decimal(20))
    other = Lot(association_id=a, site_id=site.id, code="B1", kind=LotKind.WORKSHOP, area=Decimal(50),
                fee_per_m2=Decimal(5), charges=Decimal(0))
    db.add_all([lot, other])
    db.commit()
    allocation = allocate(app, site.id, lot.id, "Coopérative", date(2025, 3, 1), date(2025, 12, 31))
    return Records(owner.id, site.id, lot.id, other.id, allocation)


def allocate(app: Flask, site_id: int, lot_id: int, occupant: str, starts_on: date, ends_on: date) -> int:
    """An allocation written by the plugin's own rule, committed as a request would."""
    def write() -> int:
        row = save_allocation(session.get(Site, site_id), session.get(Lot, lot_id),
                              AllocationFields(occupant=occupant, starts_on=starts_on, ends_on=ends_on))
        session.flush()
        return row.id
    return committed(app, write)


@dataclass(frozen=True)
class Case:
    url: Callable[[Records], str]
    valid: Callable[[World, Records], dict[str, Any]]
    bad: tuple[tuple[dict[str, Any], str, str], ...]  # (changes, field at fault, words of its message)


def _site(w: World, r: Records) -> dict[str, Any]:
    return {"name": "Halle aux grains", "owner_id": str(r.owner), "address": "8 quai Sud",
            "neighbourhood_id": str(w.neighbourhood.id), "total_area": "1 250,5",
            "available_from": "2025-01-01", "available_until": "2029-06-30", "constraints": "",
            "access_notes": ""}


def _lot(w: World, r: Records) -> dict[str, Any]:
    return {"code": "c2", "kind": "storage", "area": "12,5", "fee_per_m2": "3", "charges": "0",
            "accessible": "y", "accessibility": "Rampe"}


def _allocation(w: World, r: Records) -> dict[str, Any]:
    return {"occupant": "Atelier Vélo", "starts_on": "2026-01-01", "ends_on": "2026-06-30",
            "contact_person_id": str(w.supported_a.id), "contact_name": "",
            "contact_email": "velo@exemple.org", "contact_phone": "06 12 34 56 78", "note": ""}


FORMS: dict[str, Case] = {
    "owner": Case(
        lambda r: "proprietaires/nouveau",
        lambda w, r: {"partner_id": str(w.partner.id), "name": "", "contact": "Service patrimoine"},
        (({"partner_id": "0"}, "name", "Choisissez un partenaire"),
         ({"partner_id": "999999"}, "partner_id", "choix"),
         ({"partner_id": ""}, "partner_id", REQUIRED), ({"name": "x" * 151}, "name", "150"))),
    "site": Case(
        lambda r: "sites/nouveau", _site,
        (({"name": "  "}, "name", REQUIRED), ({"address": ""}, "address", REQUIRED),
         ({"total_area": "0"}, "total_area", "plus grand que 0"),
         ({"total_area": "-3"}, "total_area", "positif"),
         ({"total_area": "1e400"}, "total_area", "1 250"),
         ({"total_area": "12,345"}, "total_area", "Deux décimales"),
         ({"total_area": "٣٥"}, "total_area", "positif"),
         ({"total_area": "9" * 30}, "total_area", "plus petit"),
         ({"available_from": "2025-02-30"}, "available_from", BAD_DATE),
         ({"available_until": "2024-12-31"}, "available_until", "suivre son début"),
         ({"available_until": ""}, "available_until", REQUIRED),
         ({"owner_id": "999999"}, "owner_id", "choix"),
         ({"neighbourhood_id": "x"}, "neighbourhood_id", "choix"))),
    "site_edit": Case(
        lambda r: f"sites/{r.site}/modifier",
        lambda w, r: {**_site(w, r), "available_from": "2025-01-01", "available_until": "2028-12-31"},
        (({"available_from": "2025-06-01"}, "available_from", "Coopérative"),
         ({"available_until": "2025-10-31"}, "available_until", "couvrir les occupations"))),
    "lot": Case(
        lambda r: f"sites/{r.site}/lots/nouveau", _lot,
        (({"code": "a1"}, "code", "déjà ce code"), ({"code": ""}, "code", REQUIRED),
         ({"code": "x" * 21}, "code", "20"),
         ({"kind": "cave"}, "kind", "choix"), ({"area": ""}, "area", REQUIRED),
         ({"area": "0"}, "area", "plus grand"),
         ({"area": "douze"}, "area", "24,5"), ({"fee_per_m2": ""}, "fee_per_m2", REQUIRED),
         ({"fee_per_m2": "8.505"}, "fee_per_m2", "Deux décimales"), ({"charges": "-5"}, "charges", "positif"),
         ({"accessibility": "x" * 201}, "accessibility", "200"))),
    "lot_edit": Case(
        lambda r: f"lots/{r.other_lot}/modifier",
        lambda w, r: {**_lot(w, r), "code": "B1"},
        (({"code": "A1"}, "code", "déjà ce code"), ({"fee_per_m2": "99999999"}, "fee_per_m2", "plus petit"))),
    "allocation": Case(
        lambda r: f"lots/{r.lot}/attributions/nouvelle", _allocation,
        (({"starts_on": "2025-12-31"}, "starts_on", "Coopérative"),
         ({"starts_on": "2025-02-01", "ends_on": "2025-03-01"}, "starts_on", "déjà attribué"),
         ({"ends_on": "2025-12-31"}, "ends_on", "précéder"),
         ({"starts_on": "2024-12-31"}, "starts_on", "à partir du 1er janvier 2025"),
         ({"ends_on": "2029-01-01"}, "ends_on", "jusqu'au 31 décembre 2028"),
         ({"starts_on": ""}, "starts_on", REQUIRED), ({"ends_on": "31/02/2026"}, "ends_on", BAD_DATE),
         ({"occupant": " "}, "occupant", REQUIRED),
         ({"contact_person_id": "999999"}, "contact_person_id", "choix"),
         ({"contact_person_id": str(0) + "x"}, "contact_person_id", "choix"),
         ({"contact_email": "velo@"}, "contact_email", "e-mail invalide"),
         ({"contact_phone": "appelez-moi"}, "contact_phone", "téléphone invalide"))),
    "allocation_edit": Case(
        lambda r: f"attributions/{r.allocation}/modifier",
        lambda w, r: {**_allocation(w, r), "occupant": "Coopérative", "starts_on": "2025-03-01",
                      "ends_on": "2026-02-28"},
        (({"ends_on": "2029-03-01"}, "ends_on", "jusqu'au"), ({"occupant": ""}, "occupant", REQUIRED))),
}
BAD = [(name, changes, field, words) for name, case in FORMS.items() for changes, field, words in case.bad]


@pytest.fixture
def coord(client, world: World, maillage_enable_plugin):
    maillage_enable_plugin("sites", world.asso_a)
    login(client, "coord.a@test.org")
    return client


@pytest.mark.parametrize("name", sorted(FORMS))
def test_the_valid_form_is_saved(app, coord, db, world, name):
    """The baseline the bad cases change one field of: it is accepted."""
    known = records(app, db, world)
    case = FORMS[name]
    before = dump(db, TABLES)
    response = post(coord, f"{BASE}/{case.url(known)}", case.valid(world, known))
    assert response.status_code == 303, (name, response.get_data(as_text=True)[-800:])
    assert dump(db, TABLES) != before


@pytest.mark.parametrize(("name", "changes", "field", "words"), BAD,
                         ids=[f"{name}-{field}-{i}" for i, (name, _, field, _) in enumerate(BAD)])
def test_bad_input_is_refused_next_to_its_field_and_nothing_changes(app, coord, db, world, name, changes,
                                                                    field, words):
    known = records(app, db, world)
    case = FORMS[name]
    before = dump(db, TABLES)
    response = post(coord, f"{BASE}/{case.url(known)}", {**case.valid(world, known), **changes})
    assert response.status_code == 422, name
    message = field_error(response, field)
    assert message, f"no message next to {field!r}"
    assert words.casefold() in message.casefold(), message
    assert not any(english in message for english in ("Not a valid", "This field", "Invalid")), message
    assert dump(db, TABLES) == before
    # what was typed is kept in the form, so that nothing is lost (a list offers its own choices)
    page = response.get_data(as_text=True)
    for key, value in {**case.valid(world, known), **changes}.items():
        if key not in CHOICES and value.strip() and len(value) < 60 and key != "code":
            assert value.replace("'", "&#39;") in page, key


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_text_in_any_field_never_breaks_a_form(app, coord, db, world, data):
    known = db.info.get("sites_records")
    if known is None:
        known = db.info["sites_records"] = records(app, db, world)
    name = data.draw(st.sampled_from(sorted(FORMS)))
    case = FORMS[name]
    valid = case.valid(world, known)
    typed = {key: data.draw(TEXT | st.just(value)) for key, value in valid.items()}
    before = dump(db, TABLES)
    response = post(coord, f"{BASE}/{case.url(known)}", typed)
    # 400: a NUL character, refused before any form by the core (core/web/params.py)
    nul = any("\x00" in value for value in typed.values())
    assert response.status_code in (303, 422) or (nul and response.status_code == 400), (
        name, typed, response.status_code)
    if response.status_code == 422:
        assert dump(db, TABLES) == before, (name, typed)
