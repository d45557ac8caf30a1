"""Partners directory: forms, filters, association links, contacts and services."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from core.members import Association
from core.partners import Barrier, Partner, PartnerContact, PartnerKind, PartnerService
from tests.form_cases import FORMS, INVALID_CHOICES, PARTNER_TABLES, first_contact, first_service, submit
from tests.form_checks import (
    ADMIN_A,
    ADMIN_B,
    COLLECTIVE,
    COORD_A,
    VOLUNTEER_A,
    assert_refused,
    dump,
    fresh,
)
from tests.support import login, post, text_of

TAKEN = "Un partenaire porte déjà ce nom."

PARTNER_FORMS = ["partner_create", "partner_edit", "contact_create", "contact_edit",
                 "service_create", "service_edit"]


# --- Partner names and search ----------------------------------------------------------

@pytest.mark.parametrize("name", ["Mission Locale Test", "MISSION LOCALE TEST", " ccas test "])
def test_partner_name_taken_on_create(client, db, world, name):
    """Another partner's name, whatever its case, is refused."""
    response, before, after = submit(client, db, world, "partner_create", {"name": name})
    assert_refused(response, before, after, "name", TAKEN)


@pytest.mark.parametrize("name", ["école de la 2e chance", "ECOLE DE LA 2E CHANCE"])
def test_partner_name_with_accented_capitals_taken(client, db, world, name):
    """"ÉCOLE…", "école…" and "ECOLE…" are the same partner, on SQLite as on PostgreSQL."""
    db.add(Partner(name="École de la 2e chance", kind=PartnerKind.OTHER))
    db.commit()
    response, before, after = submit(client, db, world, "partner_create", {"name": name})
    assert_refused(response, before, after, "name", TAKEN)


@pytest.mark.parametrize("term", ["%C3%A9cole", "ECOLE", "%C3%89cole+de+la"])
def test_partner_search_ignores_case_and_accents(client, db, world, term):
    db.add(Partner(name="École de la 2e chance", kind=PartnerKind.OTHER))
    db.commit()
    login(client, VOLUNTEER_A)
    assert ">École de la 2e chance</a>" in text_of(client.get(f"/partenaires/?q={term}"))


def test_partner_name_taken_on_edit(client, db, world):
    login(client, COORD_A)
    before = dump(db, PARTNER_TABLES)
    response = post(client, f"/partenaires/{world.other_partner.id}/modifier",
                    {"name": "mission locale test", "kind": "ccas"})
    assert_refused(response, before, dump(db, PARTNER_TABLES), "name", TAKEN)


def test_coordinator_cannot_tick_an_association_they_do_not_manage(client, db, world):
    """Association B is not offered to coordinator A, even posted by hand."""
    response, before, after = submit(client, db, world, "partner_edit",
                                     {"associations": [world.asso_a.id, world.asso_b.id]})
    assert_refused(response, before, after, "associations", INVALID_CHOICES)


# --- Partners ---------------------------------------------------------------------------

def test_coordinator_creates_a_partner(client, db, world):
    """Every field, its neighbourhoods and associations are saved."""
    response, _before, _after = submit(client, db, world, "partner_create", {})
    assert response.status_code == 303
    partner = db.scalar(select(Partner).where(Partner.name == "France Travail Saint-Denis"))
    assert response.headers["Location"].endswith(f"/partenaires/{partner.id}")
    assert (partner.kind, partner.description, partner.email, partner.phone, partner.address,
            partner.website, partner.active) == (
        PartnerKind.FRANCE_TRAVAIL, "Agence locale", "contact@ft.fr", "01 40 00 00 00",
        "5 rue du Port", "https://francetravail.fr", True)
    assert [n.name for n in partner.neighbourhoods] == ["Franc-Moisin"]
    assert [a.slug for a in partner.associations] == ["alpha"]


def test_coordinator_edits_a_partner(client, db, world):
    response, _before, _after = submit(client, db, world, "partner_edit", {
        "name": "Mission Locale Plaine Commune", "kind": "other", "description": "",
        "website": "", "neighbourhoods": [], "associations": []})
    assert response.status_code == 303
    partner = fresh(db).get(Partner, world.partner.id)
    assert (partner.name, partner.kind, partner.description, partner.website) == (
        "Mission Locale Plaine Commune", PartnerKind.OTHER, "", "")
    assert partner.neighbourhoods == []
    assert partner.associations == []


def _work_with(db: Session, partner: Partner, *associations: Association) -> None:
    db.get(Partner, partner.id).associations = [db.get(Association, a.id) for a in associations]
    db.commit()


def test_editing_keeps_links_of_associations_one_does_not_manage(client, db, world):
    """Coordinator A ticking A on a partner of B: both links remain."""
    _work_with(db, world.other_partner, world.asso_b)
    login(client, COORD_A)
    response = post(client, f"/partenaires/{world.other_partner.id}/modifier",
                    {"name": "CCAS Test", "kind": "ccas", "associations": [world.asso_a.id]})
    assert response.status_code == 303
    linked = fresh(db).get(Partner, world.other_partner.id).associations
    assert sorted(a.slug for a in linked) == ["alpha", "beta"]


def test_unticking_removes_only_ones_own_association(client, db, world):
    """Coordinator A unticking A leaves B's link alone."""
    _work_with(db, world.partner, world.asso_a, world.asso_b)
    login(client, COORD_A)
    response = post(client, f"/partenaires/{world.partner.id}/modifier",
                    {"name": "Mission Locale Test", "kind": "mission_locale"})
    assert response.status_code == 303
    assert [a.slug for a in fresh(db).get(Partner, world.partner.id).associations] == ["beta"]


def test_edit_form_ticks_current_values(client, world):
    """The edit form opens with the partner's kind, neighbourhoods and associations."""
    login(client, COORD_A)
    page = text_of(client.get(f"/partenaires/{world.partner.id}/modifier"))
    assert '<option selected value="mission_locale">' in page
    assert f'checked id="neighbourhoods-0" name="neighbourhoods" type="checkbox" ' \
           f'value="{world.neighbourhood.id}"' in page
    assert f'checked id="associations-0" name="associations" type="checkbox" ' \
           f'value="{world.asso_a.id}"' in page


def test_volunteers_read_partners(client, world):
    login(client, VOLUNTEER_A)
    page = text_of(client.get(f"/partenaires/{world.partner.id}"))
    assert "Garde d&#39;enfants solidaire" in page
    assert "/modifier" not in page


@pytest.mark.parametrize("form_name", PARTNER_FORMS)
def test_volunteers_do_not_edit(client, db, world, form_name):
    """Volunteers read the directory; changing it takes a coordinator (403)."""
    form = FORMS[form_name]
    login(client, VOLUNTEER_A)
    before = dump(db, form.tables)
    assert client.get(form.url(world)).status_code == 403
    assert post(client, form.url(world), form.data(world)).status_code == 403
    assert dump(db, form.tables) == before


def test_deactivated_partner_is_hidden_except_from_collective_admins(client, db, world):
    login(client, COLLECTIVE)
    assert post(client, f"/partenaires/{world.partner.id}/statut",
                {"active": "0"}).status_code == 303
    assert fresh(db).get(Partner, world.partner.id).active is False
    assert client.get(f"/partenaires/{world.partner.id}").status_code == 200
    other = client.application.test_client()
    login(other, ADMIN_A)
    assert "Mission Locale Test" not in text_of(other.get("/partenaires/"))
    assert other.get(f"/partenaires/{world.partner.id}").status_code == 404
    assert other.get(f"/partenaires/{world.partner.id}/modifier").status_code == 404


def test_only_collective_admins_change_a_partners_status(client, db, world):
    login(client, ADMIN_B)
    assert post(client, f"/partenaires/{world.partner.id}/statut",
                {"active": "0"}).status_code == 403
    assert fresh(db).get(Partner, world.partner.id).active is True


# --- List and filters -------------------------------------------------------------------

def partners_in(response: TestResponse) -> set[str]:
    assert response.status_code == 200
    page = text_of(response)
    return {name for name in ("Mission Locale Test", "CCAS Test") if f">{name}</a>" in page}


@pytest.mark.parametrize(("query", "expected"), [
    ("", {"Mission Locale Test", "CCAS Test"}),
    ("type=ccas", {"CCAS Test"}),
    ("type=mission_locale", {"Mission Locale Test"}),
    ("type=ebe", set()),
    ("type=inconnu", {"Mission Locale Test", "CCAS Test"}),
    ("frein=childcare", {"Mission Locale Test"}),
    ("frein=housing", {"CCAS Test"}),
    ("frein=administrative", {"CCAS Test"}),
    ("frein=mobility", set()),
    ("quartier={n}", {"Mission Locale Test"}),
    ("quartier=999999", set()),
    ("q=mission", {"Mission Locale Test"}),
    ("q=DOMICILIATION", {"CCAS Test"}),
    ("q=enfants", {"Mission Locale Test"}),
    ("q=%25", set()),
    ("type=ccas&frein=housing&q=domic", {"CCAS Test"}),
    ("type=ccas&frein=childcare", set()),
])
def test_partner_list_filters(client, world, query, expected):
    """Filter by kind, barrier, neighbourhood; search names and service names."""
    login(client, VOLUNTEER_A)
    assert partners_in(client.get("/partenaires/?" + query.format(n=world.neighbourhood.id))) \
        == expected


# --- Contacts and services --------------------------------------------------------------

def test_contact_create_and_edit(client, db, world):
    response, _before, _after = submit(client, db, world, "contact_create", {})
    assert response.status_code == 303
    contact = db.scalar(select(PartnerContact).where(PartnerContact.last_name == "Référente"))
    assert (contact.partner_id, contact.first_name, contact.job_title, contact.email,
            contact.phone) == (world.partner.id, "Inès", "Conseillère", "ines@ml.fr",
                               "01 02 03 04 05")
    response = post(client, f"/partenaires/{world.partner.id}/contacts/{contact.id}/modifier",
                    {"first_name": "Inès", "last_name": "Durand", "job_title": "",
                     "email": "", "phone": ""})
    assert response.status_code == 303
    contact = fresh(db).get(PartnerContact, contact.id)
    assert (contact.last_name, contact.job_title, contact.email) == ("Durand", "", "")


def test_barriers_are_saved_on_a_service(client, db, world):
    """The barriers ticked on a service are saved, and replaced when edited."""
    response, _before, _after = submit(client, db, world, "service_create", {})
    assert response.status_code == 303
    service = db.scalar(select(PartnerService).where(PartnerService.name == "Atelier CV"))
    assert (service.partner_id, service.description) == (world.partner.id, "Chaque mardi")
    assert service.barriers == [Barrier.DIGITAL, Barrier.TRAINING]
    url = f"/partenaires/{world.partner.id}/services/{service.id}/modifier"
    page = text_of(client.get(url))
    assert 'checked id="barriers-5" name="barriers" type="checkbox" value="digital"' in page
    response = post(client, url, {"name": "Atelier CV", "barriers": ["training", "mobility"]})
    assert response.status_code == 303
    assert fresh(db).get(PartnerService, service.id).barriers == [Barrier.MOBILITY,
                                                                  Barrier.TRAINING]
    assert post(client, url, {"name": "Atelier CV"}).status_code == 303
    assert fresh(db).get(PartnerService, service.id).barriers == []


def test_service_with_barriers_shows_in_the_barrier_filter(client, db, world):
    submit(client, db, world, "service_create", {"barriers": ["mobility"]})
    assert partners_in(client.get("/partenaires/?frein=mobility")) == {"Mission Locale Test"}


@pytest.mark.parametrize(("kind", "action", "method"), [
    ("contacts", "modifier", "GET"), ("contacts", "modifier", "POST"),
    ("contacts", "supprimer", "POST"),
    ("services", "modifier", "GET"), ("services", "modifier", "POST"),
    ("services", "supprimer", "POST"),
])
def test_child_of_another_partner_is_not_found(client, db, world, kind, action, method):
    """A contact or service reached through another partner's URL answers 404."""
    child = (world.other_partner.contacts if kind == "contacts" else
             world.other_partner.services)[0]
    tables = ("partner_contacts", "partner_services", "partner_service_barriers")
    login(client, COORD_A)
    before = dump(db, tables)
    url = f"/partenaires/{world.partner.id}/{kind}/{child.id}/{action}"
    data = {"first_name": "X", "last_name": "Y", "name": "Z"}
    response = client.get(url) if method == "GET" else post(client, url, data)
    assert response.status_code == 404
    assert dump(db, tables) == before


@pytest.mark.parametrize("kind", ["contacts", "services"])
def test_coordinator_deletes_a_contact_or_service(client, db, world, kind):
    child_id = (first_contact(world) if kind == "contacts" else first_service(world)).id
    login(client, COORD_A)
    response = post(client, f"/partenaires/{world.partner.id}/{kind}/{child_id}/supprimer")
    assert response.status_code == 303
    model = PartnerContact if kind == "contacts" else PartnerService
    assert fresh(db).scalar(select(model).where(model.id == child_id)) is None
    assert fresh(db).get(Partner, world.partner.id) is not None
