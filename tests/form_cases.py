"""Every form of the members, partners and agenda pages, and the cases every form is checked against.

``FORMS`` says who fills each form, where, with which valid data and which tables it writes;
the lists below feed the generic checks of ``tests/test_form_validation.py``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session
from werkzeug.test import TestResponse

from core.agenda.bookables import Bookable
from core.agenda.events import Event, EventKind, Visibility
from core.members import Association, Person
from core.partners import Partner, PartnerContact, PartnerService
from core.web.forms import DATETIME_MESSAGE
from tests.conftest import World
from tests.form_checks import (
    ADMIN_A,
    BAD_EMAIL,
    BAD_PHONE,
    BAD_QPV,
    BAD_WEBSITE,
    COLLECTIVE,
    COORD_A,
    INVALID_CHOICE,
    REQUIRED,
    Form,
    send,
)

INVALID_CHOICES = "Une des cases cochées n'est pas possible : cochez dans la liste."
PARTNER_TABLES = ("partners", "partner_associations", "partner_neighbourhoods")


def first_contact(world: World) -> PartnerContact:
    """The partner's contact (Paul Conseiller)."""
    return world.partner.contacts[0]


def first_service(world: World) -> PartnerService:
    """The partner's service (childcare)."""
    return world.partner.services[0]


def _fill_alpha(db: Session, world: World) -> None:
    association = db.get(Association, world.asso_a.id)
    association.email, association.phone = "contact@alpha.org", "01 48 00 00 00"
    association.address, association.website = "1 rue de la Paix", "https://alpha.org"
    db.commit()


def _fill_samir(db: Session, world: World) -> None:
    db.get(Person, world.supported_a.id).phone = "06 11 22 33 44"
    db.commit()


def _fill_partner(db: Session, world: World) -> None:
    partner = db.get(Partner, world.partner.id)
    partner.description, partner.email = "Accompagne les 16-25 ans", "accueil@ml.fr"
    partner.phone, partner.address = "01 49 00 00 00", "3 rue Gabriel Péri"
    partner.website = "https://ml.fr"
    db.commit()


def _fill_contact(db: Session, world: World) -> None:
    contact = db.get(PartnerContact, first_contact(world).id)
    contact.job_title, contact.email, contact.phone = "Conseiller", "paul@ml.fr", "06 01 02 03 04"
    db.commit()


def _fill_service(db: Session, world: World) -> None:
    db.get(PartnerService, first_service(world).id).description = "Places en crèche"
    db.commit()


EVENT_TABLES = ("events", "bookables", "event_series")


def _event_data(w: World) -> dict[str, Any]:
    return {"title": "Atelier numérique", "kind": "workshop", "association_id": w.asso_a.id,
            "visibility": "association", "starts_at": "2030-03-14T14:00",
            "ends_at": "2030-03-14T16:00", "partner_id": 0, "place": "Salle 2",
            "description": "Apporter son téléphone.", "signup": "y", "capacity": 10,
            "held_back": 2, "waitlist": "y", "cutoff_hours": 24}


def first_event(world: World) -> Event:
    db = object_session(world.asso_a)
    assert db is not None
    return db.scalars(select(Event).order_by(Event.id)).first()


def _fill_event(db: Session, world: World) -> None:
    start = datetime(2030, 3, 14, 13, tzinfo=UTC)
    bookable = Bookable(owner="agenda", association_id=world.asso_a.id, title="Atelier numérique",
                        starts_at=start, capacity=10, held_back=2)
    db.add(Event(association_id=world.asso_a.id, title="Atelier numérique", kind=EventKind.WORKSHOP,
                 visibility=Visibility.ASSOCIATION, starts_at=start, ends_at=start + timedelta(hours=2),
                 place="Salle 2", bookable=bookable))
    db.commit()


FORMS: dict[str, Form] = {
    # Members: associations, people, roles, neighbourhoods.
    "association_create": Form(
        COLLECTIVE, lambda w: "/associations/nouvelle",
        lambda w: {"name": "Association Gamma", "short_name": "Gamma",
                   "email": "contact@gamma.org", "phone": "01 23 45 67 89",
                   "address": "2 place du Marché", "website": "https://gamma.org",
                   "neighbourhoods": [w.neighbourhood.id]},
        ("associations", "association_neighbourhoods"),
    ),
    "association_edit": Form(
        ADMIN_A, lambda w: "/associations/alpha/modifier",
        lambda w: {"name": "Association Alpha", "short_name": "Alpha",
                   "email": "contact@alpha.org", "phone": "01 48 00 00 00",
                   "address": "1 rue de la Paix", "website": "https://alpha.org",
                   "neighbourhoods": [w.neighbourhood.id]},
        ("associations", "association_neighbourhoods"), _fill_alpha,
    ),
    "person_create": Form(
        COORD_A, lambda w: "/personnes/nouvelle",
        lambda w: {"first_name": "Nadia", "last_name": "Nouvelle", "email": "nadia@test.org",
                   "phone": "06 12 34 56 78", "association_id": w.asso_a.id, "role": "supported"},
        ("people", "memberships"),
    ),
    "person_edit": Form(
        COORD_A, lambda w: f"/personnes/{w.supported_a.id}/modifier",
        lambda w: {"first_name": "Samir", "last_name": "Suivi", "email": "samir@test.org",
                   "phone": "06 11 22 33 44"},
        ("people",), _fill_samir,
    ),
    "membership_save": Form(
        COORD_A, lambda w: f"/personnes/{w.supported_a.id}/roles",
        lambda w: {"association_id": w.asso_a.id, "role": "volunteer"},
        ("memberships",),
    ),
    "neighbourhood_create": Form(
        COLLECTIVE, lambda w: "/quartiers/nouveau",
        lambda w: {"name": "Cosmonautes", "city": "Saint-Denis", "qpv_code": "QN09301M"},
        ("neighbourhoods",),
    ),
    "neighbourhood_edit": Form(
        COLLECTIVE, lambda w: f"/quartiers/{w.neighbourhood.id}/modifier",
        lambda w: {"name": "Franc-Moisin", "city": "Saint-Denis", "qpv_code": "QN09316M"},
        ("neighbourhoods",),
    ),
    # Partners directory: partners, their contacts and services.
    "partner_create": Form(
        COORD_A, lambda w: "/partenaires/nouveau",
        lambda w: {"name": "France Travail Saint-Denis", "kind": "france_travail",
                   "description": "Agence locale", "email": "contact@ft.fr",
                   "phone": "01 40 00 00 00", "address": "5 rue du Port",
                   "website": "https://francetravail.fr", "neighbourhoods": [w.neighbourhood.id],
                   "associations": [w.asso_a.id]},
        PARTNER_TABLES,
    ),
    "partner_edit": Form(
        COORD_A, lambda w: f"/partenaires/{w.partner.id}/modifier",
        lambda w: {"name": "Mission Locale Test", "kind": "mission_locale",
                   "description": "Accompagne les 16-25 ans", "email": "accueil@ml.fr",
                   "phone": "01 49 00 00 00", "address": "3 rue Gabriel Péri",
                   "website": "https://ml.fr", "neighbourhoods": [w.neighbourhood.id],
                   "associations": [w.asso_a.id]},
        PARTNER_TABLES, _fill_partner,
    ),
    "contact_create": Form(
        COORD_A, lambda w: f"/partenaires/{w.partner.id}/contacts/nouveau",
        lambda w: {"first_name": "Inès", "last_name": "Référente", "job_title": "Conseillère",
                   "email": "ines@ml.fr", "phone": "01 02 03 04 05"},
        ("partner_contacts",),
    ),
    "contact_edit": Form(
        COORD_A,
        lambda w: f"/partenaires/{w.partner.id}/contacts/{first_contact(w).id}/modifier",
        lambda w: {"first_name": "Paul", "last_name": "Conseiller", "job_title": "Conseiller",
                   "email": "paul@ml.fr", "phone": "06 01 02 03 04"},
        ("partner_contacts",), _fill_contact,
    ),
    "service_create": Form(
        COORD_A, lambda w: f"/partenaires/{w.partner.id}/services/nouveau",
        lambda w: {"name": "Atelier CV", "description": "Chaque mardi",
                   "barriers": ["digital", "training"]},
        ("partner_services", "partner_service_barriers"),
    ),
    "service_edit": Form(
        COORD_A,
        lambda w: f"/partenaires/{w.partner.id}/services/{first_service(w).id}/modifier",
        lambda w: {"name": "Garde solidaire", "description": "Places en crèche",
                   "barriers": ["childcare"]},
        ("partner_services", "partner_service_barriers"), _fill_service,
    ),
    # The agenda: events (times typed in Paris time) and their places.
    "event_create": Form(COORD_A, lambda w: "/agenda/nouveau", _event_data, EVENT_TABLES),
    "event_edit": Form(COORD_A, lambda w: f"/agenda/{first_event(w).id}/modifier", _event_data,
                       EVENT_TABLES, _fill_event),
}


def submit(client: FlaskClient, db: Session, world: World, form_name: str,
           changes: dict[str, Any]) -> tuple[TestResponse, dict[str, Any], dict[str, Any]]:
    """Post the valid data of ``FORMS[form_name]`` with ``changes`` (see ``send``)."""
    return send(client, db, world, FORMS[form_name], changes)


# --- Required fields: each left empty, then filled with spaces ----------------------------

def _blank(fields: list[tuple[str, str]], spaces: str) -> list[Any]:
    return [pytest.param(form_name, field_id, blank, id=f"{form_name}-{field_id}-{label}")
            for form_name, field_id in fields
            for label, blank in (("empty", ""), ("spaces", spaces))]


REQUIRED_FIELDS = [
    *_blank([
        ("association_create", "name"), ("association_create", "short_name"),
        ("association_edit", "name"), ("association_edit", "short_name"),
        ("person_create", "first_name"), ("person_create", "last_name"),
        ("person_create", "association_id"), ("person_create", "role"),
        ("person_edit", "first_name"), ("person_edit", "last_name"),
        ("membership_save", "association_id"), ("membership_save", "role"),
        ("neighbourhood_create", "name"), ("neighbourhood_edit", "name"),
    ], "   "),
    *_blank([
        ("partner_create", "name"), ("partner_create", "kind"),
        ("partner_edit", "name"), ("partner_edit", "kind"),
        ("contact_create", "first_name"), ("contact_create", "last_name"),
        ("contact_edit", "first_name"), ("contact_edit", "last_name"),
        ("service_create", "name"), ("service_edit", "name"),
    ], "  "),
    *_blank([
        ("event_create", "title"), ("event_create", "kind"), ("event_create", "association_id"),
        ("event_create", "visibility"), ("event_create", "starts_at"), ("event_create", "ends_at"),
        ("event_edit", "title"), ("event_edit", "starts_at"), ("event_edit", "capacity"),
    ], " "),
]


# --- Length limits: (form, field, limit), with the letter the value is made of -------------

def _limits(cases: list[tuple[str, str, int]], letter: str) -> list[Any]:
    return [pytest.param(form_name, field_id, limit, letter, id=f"{form_name}-{field_id}-{limit}")
            for form_name, field_id, limit in cases]


TOO_LONG = [
    *_limits([
        ("association_create", "name", 150), ("association_create", "short_name", 40),
        ("association_create", "address", 300), ("association_edit", "name", 150),
        ("association_edit", "website", 300),
        ("person_create", "first_name", 80), ("person_create", "last_name", 80),
        ("person_edit", "first_name", 80), ("person_edit", "last_name", 80),
        ("neighbourhood_create", "name", 120), ("neighbourhood_create", "city", 120),
        ("neighbourhood_edit", "name", 120),
    ], "É"),
    *_limits([
        ("partner_create", "name", 150), ("partner_create", "description", 2000),
        ("partner_create", "address", 300), ("partner_create", "website", 300),
        ("partner_edit", "name", 150), ("partner_edit", "address", 300),
        ("contact_create", "first_name", 80), ("contact_create", "last_name", 80),
        ("contact_create", "job_title", 120), ("contact_edit", "last_name", 80),
        ("service_create", "name", 150), ("service_create", "description", 2000),
        ("service_edit", "name", 150),
    ], "é"),
    *_limits([
        ("event_create", "title", 200), ("event_create", "place", 300),
        ("event_create", "description", 5000), ("event_edit", "title", 200),
    ], "à"),
]


# --- Malformed values: (form, field, value, message) ---------------------------------------

MALFORMED = [
    ("association_create", "email", "contact@", BAD_EMAIL),
    ("association_create", "phone", "appelez-moi", BAD_PHONE),
    ("association_create", "website", "www.gamma.org", BAD_WEBSITE),
    ("association_edit", "email", "contact.alpha.org", BAD_EMAIL),
    ("association_edit", "phone", "01 48", BAD_PHONE),
    ("association_edit", "website", "javascript:alert(1)", BAD_WEBSITE),
    ("person_create", "email", "nadia@", BAD_EMAIL),
    ("person_create", "phone", "zéro six", BAD_PHONE),
    ("person_edit", "email", "samir at test.org", BAD_EMAIL),
    ("person_edit", "phone", "06-xx", BAD_PHONE),
    ("person_create", "role", "superuser", INVALID_CHOICE),
    ("person_create", "association_id", "abc", INVALID_CHOICE),
    ("membership_save", "role", "superuser", INVALID_CHOICE),
    ("membership_save", "association_id", "999999", INVALID_CHOICE),
    ("neighbourhood_create", "qpv_code", "93200", BAD_QPV),
    ("neighbourhood_edit", "qpv_code", "Q-1", BAD_QPV),
    ("partner_create", "email", "contact@ft", BAD_EMAIL),
    ("partner_create", "phone", "trente-neuf", BAD_PHONE),
    ("partner_create", "website", "francetravail.fr", BAD_WEBSITE),
    ("partner_create", "kind", "licorne", INVALID_CHOICE),
    ("partner_create", "neighbourhoods", ["999999"], INVALID_CHOICES),
    ("partner_edit", "email", "accueil@@ml.fr", BAD_EMAIL),
    ("partner_edit", "phone", "12", BAD_PHONE),
    ("partner_edit", "website", "ftp://ml.fr", BAD_WEBSITE),
    ("partner_edit", "kind", "", REQUIRED),
    ("contact_create", "email", "ines", BAD_EMAIL),
    ("contact_create", "phone", "+33 (0)1", BAD_PHONE),
    ("contact_edit", "email", "paul@ml", BAD_EMAIL),
    ("contact_edit", "phone", "joignable le matin", BAD_PHONE),
    ("service_create", "barriers", ["teleportation"], INVALID_CHOICES),
    ("service_edit", "barriers", ["childcare", "bonheur"], INVALID_CHOICES),
    ("event_create", "kind", "fête", INVALID_CHOICE),
    ("event_create", "visibility", "secret", INVALID_CHOICE),
    ("event_create", "association_id", "999999", INVALID_CHOICE),
    ("event_create", "partner_id", "abc", INVALID_CHOICE),
    ("event_create", "starts_at", "jeudi", DATETIME_MESSAGE),
    ("event_create", "ends_at", "2030-03-14T12:00", "La fin doit être après le début."),
    ("event_create", "capacity", "dix", "Un nombre entier est attendu (exemple : 12)."),
    ("event_create", "capacity", "0", "Places : un nombre entre 1 et 10000."),
    ("event_create", "held_back", "11", "Pas plus de places réservées que de places en tout."),
    ("event_create", "cutoff_hours", "-1", "Délai d'annulation : un nombre entre 0 et 720."),
    ("event_create", "closes_at", "2030-03-15T10:00",
     "La clôture ne peut pas être après la fin de l'activité."),
    ("event_edit", "ends_at", "2030-03-14T14:00", "La fin doit être après le début."),
]


# --- Posts that need the CSRF token: every form, and the buttons that change something -----

CSRF_POSTS: dict[str, Form] = {
    **FORMS,
    "person_status": Form(ADMIN_A, lambda w: f"/personnes/{w.volunteer_a.id}/statut",
                          lambda w: {"active": "0"}, ("people",)),
    "association_status": Form(COLLECTIVE, lambda w: "/associations/alpha/statut",
                               lambda w: {"active": "0"}, ("associations",)),
    "membership_remove": Form(
        COORD_A,
        lambda w: f"/personnes/{w.supported_a.id}/roles/"
                  f"{w.membership_id(w.supported_a, w.asso_a)}/retirer",
        lambda w: {}, ("memberships",)),
    "account_invite": Form(COORD_A, lambda w: f"/personnes/{w.supported_a.id}/acces",
                           lambda w: {}, ("accounts",)),
    "partner_status": Form(COLLECTIVE, lambda w: f"/partenaires/{w.partner.id}/statut",
                           lambda w: {"active": "0"}, ("partners",)),
    "contact_delete": Form(
        COORD_A,
        lambda w: f"/partenaires/{w.partner.id}/contacts/{first_contact(w).id}/supprimer",
        lambda w: {}, ("partner_contacts",)),
    "service_delete": Form(
        COORD_A,
        lambda w: f"/partenaires/{w.partner.id}/services/{first_service(w).id}/supprimer",
        lambda w: {}, ("partner_services", "partner_service_barriers")),
}


# --- An edit with one bad field: (form, changes typed, the bad field) ----------------------

KEEP_TYPED = [
    ("association_edit", {"name": "Alpha Renommée", "address": "9 avenue Neuve",
                          "phone": "pas un numéro"}, "phone"),
    ("association_edit", {"name": "Alpha Renommée", "email": "nouveau@alpha.org",
                          "short_name": ""}, "short_name"),
    ("person_edit", {"first_name": "Samira", "phone": "07 00 00 00 00",
                     "email": "pas-une-adresse"}, "email"),
    ("person_edit", {"first_name": "Samira", "email": "samira@test.org",
                     "last_name": "L" * 81}, "last_name"),
    ("person_edit", {"first_name": "Samira", "email": "coord.a@test.org"}, "email"),
    ("neighbourhood_edit", {"name": "Franc-Moisin Bel-Air", "city": "Saint-Ouen",
                            "qpv_code": "invalide"}, "qpv_code"),
    ("partner_edit", {"name": "Mission Locale Plaine Commune", "address": "1 place Neuve",
                      "email": "accueil@"}, "email"),
    ("partner_edit", {"description": "Nouvelle présentation", "phone": "01 02 03 04 05",
                      "name": ""}, "name"),
    ("contact_edit", {"first_name": "Paulo", "job_title": "Directeur",
                      "phone": "pas de téléphone"}, "phone"),
    ("service_edit", {"description": "Nouvelle description", "barriers": ["housing"],
                      "name": "S" * 151}, "name"),
    ("event_edit", {"title": "Atelier numérique avancé", "place": "Salle 3",
                    "capacity": "plein"}, "capacity"),
]
