"""Aller-vers: an identified contact becomes a person supported with a pathway (engaged);
the core's ``add_person`` behind it."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from core.members import Membership, Person, Role
from core.plugin_api import AssociationRef, add_person, paris_today
from plugins.allervers.models_outreach import Contact
from plugins.allervers.models_pathways import Pathway, PathwayReferent, PathwayStage
from tests.allervers_pathways_world import (
    BASE,
    COORD_A,
    COORD_B,
    STAGES,
    VOLUNTEER_A,
    count,
    enable,
    make_action,
    make_contact,
)
from tests.conftest import World
from tests.form_checks import dump
from tests.support import committed, field_error, login, post
from tests.support import text_of as raw_text


@pytest.fixture
def enabled(world, maillage_enable_plugin):
    return enable(world, maillage_enable_plugin)


@pytest.fixture
def coord(client, enabled):
    login(client, COORD_A)
    return client


def text_of(response) -> str:
    return html.unescape(raw_text(response))


def engage_form(**changes: str) -> dict[str, str]:
    data = {"last_name": "Benali", "first_name": "Yanis", "email": "", "phone": "06 11 22 33 44",
            "referent_id": "", "started_on": paris_today().isoformat(), "stage_partner_id": "0"}
    data.update(changes)
    return data


def alpha(world: World) -> AssociationRef:
    a = world.asso_a
    return AssociationRef(id=a.id, slug=a.slug, name=a.name, short_name=a.short_name)


# --- The core's add_person ------------------------------------------------------------------

def test_add_person_adds_a_supported_person_of_the_association(app, db, world):
    ref = committed(app, add_person, alpha(world), " Inès ", "Morel", email="Ines@Exemple.org",
                    phone="06 00 00 00 01")
    person = db.get(Person, ref.id)
    assert (person.first_name, person.last_name, person.email, person.phone) == (
        "Inès", "Morel", "ines@exemple.org", "06 00 00 00 01")
    membership = db.scalar(select(Membership).where(Membership.person_id == ref.id))
    assert (membership.association_id, membership.role) == (world.asso_a.id, Role.SUPPORTED)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"email": "SAMIR@test.org"}, "Cette adresse e-mail est déjà celle d'une autre personne."),
    ({"role": "coordinator"}, "Un module n'ajoute que des personnes accompagnées ou des bénévoles."),
    ({"phone": "0" * 31}, "Le téléphone tient en 30 caractères."),
])
def test_add_person_refuses_in_french(app, db, world, kwargs, message):
    before = count(db, Person)
    with pytest.raises(ValueError, match=message):
        committed(app, add_person, alpha(world), "Inès", "Morel", **kwargs)
    with pytest.raises(ValueError, match="obligatoires"):
        committed(app, add_person, alpha(world), "Inès", "  ")
    assert count(db, Person) == before


# --- Engagement -----------------------------------------------------------------------------

def test_engaging_a_contact_creates_one_person_and_one_pathway(coord, db, world):
    action = make_action(db, world.asso_a.id, neighbourhood_id=world.neighbourhood.id)
    contact = make_contact(db, action, age=19)
    page = coord.get(f"{BASE}/contacts/{contact.id}/engager")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    text = text_of(page)
    assert 'value="Yanis"' in text  # the first name, prefilled
    assert "dans le public cible 16–29 ans" in text and "QPV" in text
    people_before = count(db, Person)

    response = post(coord, f"{BASE}/contacts/{contact.id}/engager",
                    engage_form(referent_id=str(world.coordinator_a.id), email="yanis@exemple.org"))
    assert response.status_code == 303
    assert count(db, Person) == people_before + 1
    pathway = db.scalar(select(Pathway))
    assert response.headers["Location"].endswith(f"{BASE}/parcours/{pathway.id}")
    db.refresh(contact)
    assert (contact.person_id, contact.engaged_on) == (pathway.person_id, paris_today())
    person = db.get(Person, pathway.person_id)
    assert (person.first_name, person.last_name, person.email) == ("Yanis", "Benali", "yanis@exemple.org")
    assert db.scalar(select(Membership.role).where(Membership.person_id == person.id)) is Role.SUPPORTED
    assert (pathway.contact_id, pathway.first_contact_on, pathway.age_at_first_contact,
            pathway.neighbourhood_id, pathway.referent_id) == (
        contact.id, paris_today() - timedelta(days=10), 19, world.neighbourhood.id,
        world.coordinator_a.id)
    stages = db.scalars(select(PathwayStage).where(PathwayStage.pathway_id == pathway.id)).all()
    assert [(s.name, s.started_on, s.ended_on) for s in stages] == [(STAGES[0], paris_today(), None)]
    referents = db.scalars(select(PathwayReferent)).all()
    assert [(r.referent_id, r.from_on, r.until_on) for r in referents] == [
        (world.coordinator_a.id, paris_today(), None)]

    # The same form sent again (a double tap): nothing more, straight to the pathway.
    again = post(coord, f"{BASE}/contacts/{contact.id}/engager",
                 engage_form(referent_id=str(world.coordinator_a.id), email="yanis@exemple.org"))
    assert again.status_code == 303
    assert again.headers["Location"].endswith(f"{BASE}/parcours/{pathway.id}")
    assert count(db, Person) == people_before + 1
    assert count(db, Pathway) == 1


def test_the_last_name_is_required_and_a_taken_email_refused_in_french(coord, db, world):
    contact = make_contact(db, make_action(db, world.asso_a.id))
    people_before = count(db, Person)
    missing = post(coord, f"{BASE}/contacts/{contact.id}/engager",
                   engage_form(last_name="", referent_id=str(world.coordinator_a.id)))
    assert missing.status_code == 422
    assert field_error(missing, "last_name") == "Ce champ est obligatoire."
    taken = post(coord, f"{BASE}/contacts/{contact.id}/engager",
                 engage_form(email="Samir@test.org", referent_id=str(world.coordinator_a.id)))
    assert taken.status_code == 422
    assert field_error(taken, "email") == "Cette adresse e-mail est déjà celle d'une autre personne."
    assert 'value="Benali"' in text_of(taken)  # nothing typed is lost
    before_contact = post(coord, f"{BASE}/contacts/{contact.id}/engager",
                          engage_form(started_on=(paris_today() - timedelta(days=20)).isoformat(),
                                      referent_id=str(world.coordinator_a.id)))
    assert before_contact.status_code == 422
    assert "premier contact" in field_error(before_contact, "started_on")
    assert count(db, Person) == people_before and count(db, Pathway) == 0
    db.refresh(contact)
    assert contact.person_id is None


def test_another_associations_contact_is_404_and_volunteers_403(app, client, db, enabled, world):
    contact_b = make_contact(db, make_action(db, world.asso_b.id))
    contact_a = make_contact(db, make_action(db, world.asso_a.id))
    login(client, COORD_A)
    assert client.get(f"{BASE}/contacts/{contact_b.id}/engager").status_code == 404
    assert post(client, f"{BASE}/contacts/{contact_b.id}/engager", engage_form()).status_code == 404
    assert client.get(f"{BASE}/contacts/999999/engager").status_code == 404
    volunteer = app.test_client()
    login(volunteer, VOLUNTEER_A)
    assert volunteer.get(f"{BASE}/contacts/{contact_a.id}/engager").status_code == 403
    assert post(volunteer, f"{BASE}/contacts/{contact_a.id}/engager", engage_form()).status_code == 403
    other = app.test_client()
    login(other, COORD_B)
    assert other.get(f"{BASE}/contacts/{contact_a.id}/engager").status_code in (403, 404)
    db.expire_all()
    assert db.get(Contact, contact_a.id).person_id is None


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
TABLES = ("people", "memberships", "allervers_pathways", "allervers_pathway_stages",
          "allervers_pathway_referents", "allervers_contacts")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_text_in_any_field_never_breaks_the_engagement_form(app, coord, db, world, data):
    known = db.info.get("allervers_contacts")
    if known is None:
        action = make_action(db, world.asso_a.id)
        known = db.info["allervers_contacts"] = [make_contact(db, action, name=f"C{i}").id for i in range(30)]
    contact_id = known[data.draw(st.integers(0, len(known) - 1))]
    valid = engage_form(referent_id=str(world.coordinator_a.id))
    typed = {key: data.draw(TEXT | st.just(value)) for key, value in valid.items()}
    before = dump(db, TABLES)
    response = post(coord, f"{BASE}/contacts/{contact_id}/engager", typed)
    nul = any("\x00" in value for value in typed.values())
    assert response.status_code in (303, 422) or (nul and response.status_code == 400), (
        typed, response.status_code)
    if response.status_code != 303:
        assert dump(db, TABLES) == before, typed


def test_the_contact_page_snippet_links_to_the_engagement_for_coordinators(app, db, enabled, world):
    from flask import render_template

    contact = make_contact(db, make_action(db, world.asso_a.id))
    with app.test_request_context():
        shown = render_template("allervers/engage_button.html", association=alpha(world), contact=contact,
                                can_edit=True)
        hidden = render_template("allervers/engage_button.html", association=alpha(world), contact=contact,
                                 can_edit=False)
    assert f"{BASE}/contacts/{contact.id}/engager" in shown and "Ouvrir un parcours" in shown
    assert "engager" not in hidden
