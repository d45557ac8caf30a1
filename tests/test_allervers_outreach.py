"""Aller-vers: outreach actions (create, edit, delete, validation, rights, agenda) and the
identified contacts (consent required before anything identifying is stored)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from core.agenda.clock import in_paris, paris_today
from core.database import session
from plugins.allervers import plugin
from plugins.allervers.models_outreach import Contact, OutreachAction, action_members, action_partners
from plugins.allervers.outreach import agenda_items_for
from tests.conftest import World
from tests.form_checks import dump
from tests.matrix_allervers_outreach import (
    make_action,
    make_contact,
    make_tally,
    valid_action,
    valid_contact,
)
from tests.support import committed, field_error, login, post, text_of

BASE = "/p/allervers/alpha"
VOLUNTEER, COORD = "benevole.a@test.org", "coord.a@test.org"
TABLES = ("allervers_actions", "allervers_action_members", "allervers_action_partners",
          "allervers_contacts")


@pytest.fixture
def enable(world: World, maillage_enable_plugin):
    maillage_enable_plugin("allervers", world.asso_a)


@pytest.fixture
def coord(client, enable):
    login(client, COORD)
    return client


@pytest.fixture
def volunteer(client, enable):
    login(client, VOLUNTEER)
    return client


def action_of(app, association_id: int, **kwargs) -> int:
    return committed(app, lambda: make_action(association_id, **kwargs).id)


def count(model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_a_coordinator_creates_an_action_in_paris_time_with_team_and_partners(app, coord, db, world):
    form = {**valid_action(), "place_kind": "market", "neighbourhood_id": str(world.neighbourhood.id),
            "member_ids": [str(world.volunteer_a.id), str(world.coordinator_a.id)],
            "partner_ids": str(world.partner.id)}
    day = form["starts_at"][:10]
    response = post(coord, f"{BASE}/actions/nouvelle", form)
    assert response.status_code == 303, field_error(response, "ends_at")
    action = db.scalar(select(OutreachAction))
    assert action.neighbourhood_id == world.neighbourhood.id
    assert in_paris(action.starts_at).replace(tzinfo=None) == datetime.fromisoformat(f"{day}T14:00")
    assert action.starts_at.astimezone(UTC).hour in (12, 13)  # stored in UTC
    team = {world.volunteer_a.id, world.coordinator_a.id}
    assert set(db.scalars(select(action_members.c.person_id))) == team
    assert set(db.scalars(select(action_partners.c.partner_id))) == {world.partner.id}
    page = text_of(coord.get(response.headers["Location"]))
    assert "Victor Volontaire" in page and "Mission Locale Test" in page and "Franc-Moisin" in page


def test_a_coordinator_edits_then_deletes_an_action(app, coord, db, world):
    action_id = action_of(app, world.asso_a.id)
    response = post(coord, f"{BASE}/actions/{action_id}/modifier",
                    {**valid_action(), "place": "Sortie du lycée", "member_ids": str(world.volunteer_a.id)})
    assert response.status_code == 303
    db.expire_all()
    assert db.get(OutreachAction, action_id).place == "Sortie du lycée"
    edit = coord.get(f"{BASE}/actions/{action_id}/modifier")
    assert edit.status_code == 200 and "Sortie du lycée" in text_of(edit)
    assert post(coord, f"{BASE}/actions/{action_id}/supprimer").status_code == 303
    db.expire_all()
    assert db.get(OutreachAction, action_id) is None


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"ends_at": "{day}T13:00"}, "ends_at", "La fin doit être après le début."),
    ({"ends_at": "{day}T14:00"}, "ends_at", "La fin doit être après le début."),
    ({"starts_at": "demain"}, "starts_at", None),
    ({"place": "  "}, "place", "Ce champ est obligatoire."),
    ({"place_kind": "lune"}, "place_kind", None),
    ({"neighbourhood_id": "999999"}, "neighbourhood_id", None),
    ({"neighbourhood_id": "abc"}, "neighbourhood_id", None),
    ({"member_ids": "{supported_b}"}, "member_ids", None),
    ({"member_ids": "{coordinator_b}"}, "member_ids", None),
    ({"member_ids": "{supported_a}"}, "member_ids", None),
    ({"partner_ids": "999999"}, "partner_ids", None),
])
def test_bad_action_input_is_refused_in_french_and_nothing_saved(app, coord, db, world, changes, field,
                                                                  message):
    form = valid_action()
    day = form["starts_at"][:10]
    ids = {"day": day, "supported_b": world.supported_b.id, "coordinator_b": world.coordinator_b.id,
           "supported_a": world.supported_a.id}
    form.update({key: value.format(**ids) for key, value in changes.items()})
    before = dump(db, TABLES)
    response = post(coord, f"{BASE}/actions/nouvelle", form)
    assert response.status_code == 422
    error = field_error(response, field)
    assert error, text_of(response)
    if message:
        assert error == message
    assert dump(db, TABLES) == before


def test_volunteers_see_actions_but_do_not_create_them(app, volunteer, db, world):
    action_id = action_of(app, world.asso_a.id)
    assert volunteer.get(f"{BASE}/actions/").status_code == 200
    assert volunteer.get(f"{BASE}/actions/{action_id}").status_code == 200
    assert volunteer.get(f"{BASE}/actions/nouvelle").status_code == 403
    assert post(volunteer, f"{BASE}/actions/nouvelle", valid_action()).status_code == 403
    assert post(volunteer, f"{BASE}/actions/{action_id}/supprimer").status_code == 403


def test_another_associations_action_and_contact_answer_404(app, coord, db, world):
    def build():
        action = make_action(world.asso_b.id)
        return action.id, make_contact(action).id
    action_b, contact_b = committed(app, build)
    assert coord.get(f"{BASE}/actions/{action_b}").status_code == 404
    assert coord.get(f"{BASE}/actions/{action_b}/modifier").status_code == 404
    assert coord.get(f"{BASE}/contacts/{contact_b}").status_code == 404
    assert post(coord, f"{BASE}/contacts/{contact_b}/supprimer").status_code == 404
    assert post(coord, f"{BASE}/actions/{action_b}/contacts/nouveau", valid_contact()).status_code == 404


def test_the_list_shows_upcoming_and_past_actions_in_constant_queries(app, coord, db, world):
    from tests.support import count_queries

    action_of(app, world.asso_a.id, days=2, place="Marché du lundi")
    action_of(app, world.asso_a.id, days=-5, place="Fête de quartier")
    with count_queries(app) as few:
        page = coord.get(f"{BASE}/actions/")
    text = text_of(page)
    assert text.index("Marché du lundi") < text.index("Fête de quartier")

    def more():
        for n in range(6):
            action = make_action(world.asso_a.id, days=n - 3, place=f"Lieu {n}")
            make_tally(action)
            make_contact(action)
    committed(app, more)
    with count_queries(app) as many:
        coord.get(f"{BASE}/actions/")
    assert len(many) == len(few)


def test_actions_are_in_the_teams_agenda(app, db, world, enable):
    action_id = action_of(app, world.asso_a.id, days=1, place="Parvis de la gare")
    with app.test_request_context():
        from core.pluginhost.refs import association_ref
        alpha = association_ref(world.asso_a)
        start = datetime.now(UTC)
        items = plugin.agenda_items(alpha, start, start + timedelta(days=7))
        assert [(i.uid, i.visibility) for i in items] == [(f"action-{action_id}", "association")]
        assert "Parvis de la gare" in items[0].title
        assert agenda_items_for(alpha, start + timedelta(days=3), start + timedelta(days=7), str) == []


# --- identified contacts ---------------------------------------------------------------------


def test_a_volunteer_identifies_a_person_with_consent_recorded(app, volunteer, db, world):
    action_id = action_of(app, world.asso_a.id)
    response = post(volunteer, f"{BASE}/actions/{action_id}/contacts/nouveau", valid_contact())
    assert response.status_code == 303
    contact = db.scalar(select(Contact))
    assert (contact.name, contact.consent_by_id, contact.consent_on) == (
        "Inès", world.volunteer_a.id, paris_today())
    page = volunteer.get(response.headers["Location"])
    assert page.headers["Cache-Control"] == "no-store"
    assert "recueilli par Victor Volontaire" in text_of(page)
    listing = volunteer.get(f"{BASE}/actions/{action_id}/contacts")
    assert "Inès" in text_of(listing) and listing.headers["Cache-Control"] == "no-store"
    # Volunteers record; coordinators edit and delete.
    assert volunteer.get(f"{BASE}/contacts/{contact.id}/modifier").status_code == 403
    assert post(volunteer, f"{BASE}/contacts/{contact.id}/supprimer").status_code == 403


@pytest.mark.parametrize(("changes", "field"), [
    ({"consent": None}, "consent"),
    ({"consent": ""}, "consent"),
    ({"consent": "false"}, "consent"),
    # Only the checkbox's own value is a yes: a script sending these records no consent.
    ({"consent": "0"}, "consent"),
    ({"consent": "no"}, "consent"),
    ({"consent": "off"}, "consent"),
    ({"consent": "n"}, "consent"),
    ({"consent_on": "2001-01-01"}, "consent_on"),  # before the person was met
    ({"consent_explained": "   "}, "consent_explained"),
    ({"consent_explained": None}, "consent_explained"),
    ({"consent_on": ""}, "consent_on"),
    ({"consent_on": "2999-01-01"}, "consent_on"),
])
def test_without_consent_nothing_identifying_is_saved(app, volunteer, db, world, changes, field):
    action_id = action_of(app, world.asso_a.id)
    form = {**valid_contact(), "name": "Nom Secret", "reach": "07 99 99 99 99"}
    for key, value in changes.items():
        if value is None:
            form.pop(key)
        else:
            form[key] = value
    response = post(volunteer, f"{BASE}/actions/{action_id}/contacts/nouveau", form)
    assert response.status_code == 422
    assert field_error(response, field)
    db.expire_all()
    assert db.scalar(select(func.count(Contact.id))) == 0
    # The name typed is shown back to the user, never stored.
    assert not db.scalar(select(func.count()).select_from(Contact).where(Contact.name == "Nom Secret"))


def test_a_contact_from_a_tally_is_linked_once(app, volunteer, db, world):
    def build():
        action = make_action(world.asso_a.id)
        return action.id, make_tally(action).id
    action_id, tally_id = committed(app, build)
    form_page = volunteer.get(f"{BASE}/actions/{action_id}/contacts/nouveau?comptage={tally_id}")
    assert f'value="{tally_id}"' in text_of(form_page)
    response = post(volunteer, f"{BASE}/actions/{action_id}/contacts/nouveau",
                    {**valid_contact(), "tally_id": str(tally_id)})
    assert response.status_code == 303
    assert db.scalar(select(Contact.tally_id)) == tally_id
    again = post(volunteer, f"{BASE}/actions/{action_id}/contacts/nouveau",
                 {**valid_contact(), "name": "Autre", "tally_id": str(tally_id)})
    assert again.status_code == 422
    assert db.scalar(select(func.count(Contact.id))) == 1


def test_a_coordinator_edits_and_deletes_a_contact(app, coord, db, world):
    contact_id = committed(app, lambda: make_contact(make_action(world.asso_a.id)).id)
    refused = post(coord, f"{BASE}/contacts/{contact_id}/modifier", {"name": "", "reach": "x"})
    assert refused.status_code == 422
    assert post(coord, f"{BASE}/contacts/{contact_id}/modifier",
                {"name": "Yan", "reach": "yan@exemple.org", "age_at_first_contact": "21"}).status_code == 303
    db.expire_all()
    assert db.get(Contact, contact_id).name == "Yan"
    assert post(coord, f"{BASE}/contacts/{contact_id}/supprimer").status_code == 303
    db.expire_all()
    assert db.get(Contact, contact_id) is None


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_text_in_any_field_never_breaks_the_action_form(app, coord, db, world, data):
    typed = {key: data.draw(TEXT | st.just(value)) for key, value in valid_action().items()}
    typed["member_ids"] = data.draw(TEXT | st.just(str(world.volunteer_a.id)))
    before = dump(db, TABLES)
    response = post(coord, f"{BASE}/actions/nouvelle", typed)
    nul = any("\x00" in value for value in typed.values())
    assert response.status_code in (303, 422) or (nul and response.status_code == 400), (
        typed, response.status_code)
    if response.status_code != 303:
        assert dump(db, TABLES) == before


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_text_in_any_field_never_breaks_the_contact_form(app, volunteer, db, world, data):
    action_id = db.info.get("allervers_action")
    if action_id is None:
        action_id = db.info["allervers_action"] = action_of(app, world.asso_a.id)
    typed = {key: data.draw(TEXT | st.just(value)) for key, value in valid_contact().items()}
    typed["tally_id"] = data.draw(TEXT)
    before = dump(db, TABLES)
    response = post(volunteer, f"{BASE}/actions/{action_id}/contacts/nouveau", typed)
    nul = any("\x00" in value for value in typed.values())
    assert response.status_code in (303, 422) or (nul and response.status_code == 400), (
        typed, response.status_code)
    if response.status_code != 303:
        assert dump(db, TABLES) == before
    if typed["consent"] in ("", "false") or not typed["consent_explained"].strip():
        assert response.status_code != 303


def test_members_see_the_action_in_the_agenda_week_another_association_does_not(app, client, db, world,
                                                                                 enable):
    action_id = action_of(app, world.asso_a.id, days=1, place="Parvis de la mairie")
    day = in_paris(db.get(OutreachAction, action_id).starts_at).date()
    login(client, VOLUNTEER)
    week = text_of(client.get(f"/agenda/semaine?jour={day.isoformat()}"))
    assert "Parvis de la mairie" in week
    other = app.test_client()
    login(other, "coord.b@test.org")
    assert "Parvis de la mairie" not in text_of(other.get(f"/agenda/semaine?jour={day.isoformat()}"))


def test_the_home_page_shows_upcoming_actions_and_this_months_counts(app, volunteer, db, world):
    def build():
        action = make_action(world.asso_a.id, days=0, place="Marché couvert")
        action.starts_at = datetime.now(UTC).replace(microsecond=0)
        action.ends_at = action.starts_at + timedelta(hours=2)
        make_tally(action)
        make_tally(action)
        make_contact(action, person_id=world.supported_a.id)
        make_action(world.asso_a.id, days=1, place="Sortie du collège")
        make_action(world.asso_b.id, days=1, place="Chez Bêta")
    committed(app, build)
    page = text_of(volunteer.get(f"{BASE}/"))
    assert "Marché couvert" in page and "Sortie du collège" in page and "Chez Bêta" not in page
    facts = page.split("Ce mois-ci")[1]
    assert "<dt>Personnes comptées</dt><dd>2</dd>" in facts
    assert "<dt>Personnes identifiées</dt><dd>1</dd>" in facts
    assert "<dt>Personnes accompagnées</dt><dd>1</dd>" in facts
    assert "Entonnoir" not in page  # a coordinators' page: not offered to volunteers
