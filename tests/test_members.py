"""Members: associations, people, roles and neighbourhoods — forms, scope and permissions."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.test import TestResponse

import core.mail
from core.auth.accounts import Account
from core.members import Association, Membership, Neighbourhood, Person, Role
from tests.form_cases import FORMS, submit
from tests.form_checks import (
    ADMIN_A,
    ADMIN_B,
    COLLECTIVE,
    COORD_A,
    EMAIL_TAKEN,
    INVALID_CHOICE,
    ROLE_REFUSED,
    VOLUNTEER_A,
    assert_refused,
    dump,
    error,
    fresh,
)
from tests.support import PASSWORD, login, post, text_of

# --- Duplicates and search ---------------------------------------------------------------

DUPLICATES = [
    ("person_create", "email", "COORD.A@test.org", EMAIL_TAKEN),
    ("person_edit", "email", "COORD.A@test.org", EMAIL_TAKEN),
    ("association_create", "name", "association alpha",
     "Ce nom est déjà utilisé par une autre association."),
    ("association_create", "name", "ASSOCIATION BÊTA",
     "Ce nom est déjà utilisé par une autre association."),
    ("association_create", "short_name", "ALPHA", "Ce nom court est déjà utilisé."),
    ("association_edit", "name", "Association Bêta",
     "Ce nom est déjà utilisé par une autre association."),
    ("association_edit", "short_name", "bêta", "Ce nom court est déjà utilisé."),
    ("neighbourhood_create", "name", "FRANC-MOISIN", "Ce quartier existe déjà."),
    ("neighbourhood_create", "qpv_code", "qn09316m",
     "Ce code QPV est déjà attribué à un autre quartier."),
]


@pytest.mark.parametrize(("form_name", "field_id", "value", "message"), DUPLICATES)
def test_duplicate_is_refused(client, db, world, form_name, field_id, value, message):
    """A value another record already holds (whatever its case) is refused, nothing saved."""
    response, before, after = submit(client, db, world, form_name, {field_id: value})
    assert_refused(response, before, after, field_id, message)


@pytest.mark.parametrize(("form_name", "field_id", "existing", "typed", "message"), [
    ("association_create", "name", Association(name="Élan Solidaire", short_name="ES",
                                               slug="es"),
     "élan solidaire", "Ce nom est déjà utilisé par une autre association."),
    ("association_create", "short_name", Association(name="Élan", short_name="ÉLAN",
                                                     slug="elan"),
     "élan", "Ce nom court est déjà utilisé."),
    ("neighbourhood_create", "name", Neighbourhood(name="Île-Saint-Denis"),
     "île-saint-denis", "Ce quartier existe déjà."),
    ("neighbourhood_create", "name", Neighbourhood(name="Île-Saint-Denis"),
     "ILE-SAINT-DENIS", "Ce quartier existe déjà."),
], ids=["association-name", "short-name", "neighbourhood", "neighbourhood-no-accent"])
def test_duplicate_with_accented_capitals(client, db, world, form_name, field_id, existing,
                                          typed, message):
    """"ÉLAN", "élan" and "Elan" are the same name, on SQLite as on PostgreSQL."""
    db.add(existing)
    db.commit()
    response, before, after = submit(client, db, world, form_name, {field_id: typed})
    assert_refused(response, before, after, field_id, message)


@pytest.mark.parametrize("term", ["%C3%A9lodie", "%C3%89LODIE", "elodie", "ecrivain+elo"])
def test_search_ignores_case_and_accents(client, db, world, term):
    """Searching "élodie", "ÉLODIE" or "elodie" finds Élodie (on SQLite too)."""
    db.add(Person(first_name="Élodie", last_name="Écrivain", memberships=[
        Membership(association_id=world.asso_a.id, role=Role.SUPPORTED)]))
    db.commit()
    login(client, COORD_A)
    assert ">Écrivain Élodie</a>" in text_of(client.get(f"/personnes/?q={term}"))


def test_renaming_a_neighbourhood_to_a_taken_name(client, db, world):
    """Editing a neighbourhood cannot take another one's name."""
    other = Neighbourhood(name="Floréal", city="Saint-Denis")
    db.add(other)
    db.commit()
    login(client, COLLECTIVE)
    before = dump(db, ("neighbourhoods",))
    response = post(client, f"/quartiers/{other.id}/modifier",
                    {"name": "franc-moisin", "city": "Saint-Denis", "qpv_code": ""})
    assert_refused(response, before, dump(db, ("neighbourhoods",)), "name",
                   "Ce quartier existe déjà.")


# --- Associations -------------------------------------------------------------------------

def test_collective_admin_creates_an_association(client, db, world):
    """Every field is saved, the slug comes from the short name, neighbourhoods are linked."""
    response, _before, _after = submit(client, db, world, "association_create", {})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/associations/gamma")
    created = db.scalar(select(Association).where(Association.slug == "gamma"))
    assert (created.name, created.short_name, created.email, created.phone, created.address,
            created.website) == ("Association Gamma", "Gamma", "contact@gamma.org",
                                 "01 23 45 67 89", "2 place du Marché", "https://gamma.org")
    assert [n.name for n in created.neighbourhoods] == ["Franc-Moisin"]
    assert client.get("/associations/gamma").status_code == 200


def test_new_association_whose_slug_is_taken_gets_another(client, db, world):
    """A short name that slugifies like an existing one gets a distinct slug."""
    response, _before, _after = submit(client, db, world, "association_create",
                                       {"name": "Alpha Deux", "short_name": "Alpha !"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/associations/alpha-2")
    assert db.scalar(select(Association.name).where(Association.slug == "alpha")) == \
        "Association Alpha"


def test_association_edit_changes_slug_and_old_slug_is_gone(client, db, world):
    """Renaming the short name moves the page: new slug answers, the old one is 404."""
    response, _before, _after = submit(client, db, world, "association_edit",
                                       {"short_name": "Élan Solidaire", "neighbourhoods": []})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/associations/elan-solidaire")
    association = fresh(db).get(Association, world.asso_a.id)
    assert (association.slug, association.short_name) == ("elan-solidaire", "Élan Solidaire")
    assert association.neighbourhoods == []
    assert client.get("/associations/alpha").status_code == 404
    assert client.get("/associations/elan-solidaire").status_code == 200


@pytest.mark.parametrize(("user", "status"), [(COORD_A, 403), (ADMIN_B, 404), (VOLUNTEER_A, 403)])
def test_only_association_admins_edit_it(client, db, world, user, status):
    """A coordinator sees the association but may not edit it; other associations: 404."""
    login(client, user)
    before = dump(db, ("associations",))
    assert client.get("/associations/alpha/modifier").status_code == status
    response = post(client, "/associations/alpha/modifier", FORMS["association_edit"].data(world)
                    | {"name": "Piratée"})
    assert response.status_code == status
    assert dump(db, ("associations",)) == before


def test_only_collective_admins_create_associations(client, db, world):
    """An association admin cannot create an association."""
    login(client, ADMIN_A)
    response = post(client, "/associations/nouvelle", FORMS["association_create"].data(world))
    assert response.status_code == 403
    assert db.scalar(select(Association).where(Association.slug == "gamma")) is None


# --- People -------------------------------------------------------------------------------

def test_coordinator_creates_a_person_with_a_membership(client, db, world):
    """The person is saved (email lower-cased) with a membership in the chosen association."""
    response, _before, _after = submit(client, db, world, "person_create",
                                       {"email": "Nadia@Test.org"})
    assert response.status_code == 303
    person = db.scalar(select(Person).where(Person.last_name == "Nouvelle"))
    assert response.headers["Location"].endswith(f"/personnes/{person.id}")
    assert (person.first_name, person.email, person.phone, person.active) == (
        "Nadia", "nadia@test.org", "06 12 34 56 78", True)
    assert [(m.association_id, m.role) for m in person.memberships] == [
        (world.asso_a.id, Role.SUPPORTED)]
    assert person.account is None


def test_person_without_email(client, db, world):
    """The email is optional: two people without one do not collide."""
    login(client, COORD_A)
    for first_name in ("Nadia", "Nina"):
        response = post(client, "/personnes/nouvelle", FORMS["person_create"].data(world)
                        | {"first_name": first_name, "email": ""})
        assert response.status_code == 303
    emails = db.scalars(select(Person.email).where(Person.last_name == "Nouvelle")).all()
    assert emails == [None, None]


@pytest.mark.parametrize("role", ["admin", "coordinator"])
@pytest.mark.parametrize("form_name", ["person_create", "membership_save"])
def test_coordinator_cannot_grant_a_managing_role(client, db, world, form_name, role):
    """Only an association's admins make admins and coordinators."""
    response, before, after = submit(client, db, world, form_name, {"role": role})
    assert_refused(response, before, after, "role", ROLE_REFUSED)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COORDINATOR])
def test_association_admin_grants_a_managing_role(client, db, world, role):
    """An association admin may give any role, replacing the person's role there."""
    login(client, ADMIN_A)
    response = post(client, f"/personnes/{world.volunteer_a.id}/roles",
                    {"association_id": world.asso_a.id, "role": role.value})
    assert response.status_code == 303
    memberships = fresh(db).scalars(
        select(Membership).where(Membership.person_id == world.volunteer_a.id)).all()
    assert [(m.association_id, m.role) for m in memberships] == [(world.asso_a.id, role)]


def test_association_admin_creates_a_coordinator(client, db, world):
    login(client, ADMIN_A)
    response = post(client, "/personnes/nouvelle", FORMS["person_create"].data(world)
                    | {"role": "coordinator"})
    assert response.status_code == 303
    person = db.scalar(select(Person).where(Person.email == "nadia@test.org"))
    assert [m.role for m in person.memberships] == [Role.COORDINATOR]


@pytest.mark.parametrize("form_name", ["person_create", "membership_save"])
def test_coordinator_cannot_pick_another_association(client, db, world, form_name):
    """Association B is not among coordinator A's choices, even posted by hand."""
    response, before, after = submit(client, db, world, form_name,
                                     {"association_id": world.asso_b.id, "role": "supported"})
    assert_refused(response, before, after, "association_id", INVALID_CHOICE)
    assert not error(response, "role")


@pytest.mark.parametrize("action", ["change", "remove"])
def test_coordinator_cannot_change_an_admins_role(client, db, world, action):
    """A coordinator can neither demote nor remove someone who outranks them."""
    login(client, COORD_A)
    before = dump(db, ("memberships",))
    if action == "change":
        response = post(client, f"/personnes/{world.admin_a.id}/roles",
                        {"association_id": world.asso_a.id, "role": "volunteer"})
    else:
        membership_id = world.membership_id(world.admin_a, world.asso_a)
        response = post(client, f"/personnes/{world.admin_a.id}/roles/{membership_id}/retirer")
    assert response.status_code == 403
    assert dump(db, ("memberships",)) == before


def test_coordinator_removes_a_supported_persons_role(client, db, world):
    login(client, COORD_A)
    membership_id = world.membership_id(world.supported_a, world.asso_a)
    response = post(client, f"/personnes/{world.supported_a.id}/roles/{membership_id}/retirer")
    assert response.status_code == 303
    assert fresh(db).get(Membership, membership_id) is None


def test_coordinator_edits_a_person(client, db, world):
    response, _before, _after = submit(client, db, world, "person_edit", {
        "first_name": "Samira", "last_name": "Suivie", "email": "SAMIRA@test.org", "phone": ""})
    assert response.status_code == 303
    person = fresh(db).get(Person, world.supported_a.id)
    assert (person.first_name, person.last_name, person.email, person.phone) == (
        "Samira", "Suivie", "samira@test.org", "")


def test_person_keeps_own_email_in_another_case(client, db, world):
    """Re-typing one's own address in capitals is not a duplicate."""
    response, _before, _after = submit(client, db, world, "person_edit",
                                       {"email": "SAMIR@TEST.ORG"})
    assert response.status_code == 303


def test_person_with_an_account_keeps_an_email(client, db, world):
    """An account logs in by email: it cannot be erased."""
    login(client, ADMIN_A)
    before = dump(db, ("people",))
    response = post(client, f"/personnes/{world.volunteer_a.id}/modifier",
                    {"first_name": "Victor", "last_name": "Volontaire", "email": "", "phone": ""})
    assert_refused(response, before, dump(db, ("people",)), "email",
                   "Cette personne a un accès à l'intranet : son e-mail est nécessaire.")


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_coordinator_cannot_edit_someone_who_outranks_them(client, db, world, method):
    """Editing admin_a's email would hand over their account: 403."""
    login(client, COORD_A)
    before = dump(db, ("people",))
    url = f"/personnes/{world.admin_a.id}/modifier"
    if method == "GET":
        response = client.get(url)
    else:
        response = post(client, url, {"first_name": "Alice", "last_name": "Admin",
                                      "email": "pirate@test.org", "phone": ""})
    assert response.status_code == 403
    assert dump(db, ("people",)) == before


@pytest.mark.parametrize(("method", "path", "data"), [
    ("GET", "", None),
    ("GET", "/modifier", None),
    ("POST", "/modifier", {"first_name": "X", "last_name": "Y", "email": "", "phone": ""}),
    ("POST", "/statut", {"active": "0"}),
    ("POST", "/roles", {"association_id": "1", "role": "volunteer"}),
    ("POST", "/acces", {}),
])
def test_person_of_another_association_is_not_found(app, client, db, world, method, path, data):
    """Every page and action on a person of association B answers 404 to coordinator A."""
    login(client, COORD_A)
    before = dump(db, ("people", "memberships", "accounts"))
    url = f"/personnes/{world.supported_b.id}{path}"
    response = client.get(url) if method == "GET" else post(client, url, data)
    assert response.status_code == 404
    assert "Sarah" not in text_of(response)
    assert dump(db, ("people", "memberships", "accounts")) == before
    with app.app_context():
        assert core.mail.outbox() == []


def test_admin_deactivates_a_person_who_then_vanishes_and_cannot_log_in(client, db, world):
    """Deactivation: hidden from the list, login refused; reactivation brings all back."""
    login(client, ADMIN_A)
    response = post(client, f"/personnes/{world.volunteer_a.id}/statut", {"active": "0"})
    assert response.status_code == 303
    person = fresh(db).get(Person, world.volunteer_a.id)
    assert person.active is False
    assert person.deactivated_at is not None
    listing = text_of(client.get("/personnes/"))
    assert "Volontaire Victor" not in listing
    assert "Volontaire Valérie" in listing
    assert "Volontaire Victor" in text_of(client.get("/personnes/?inactives=1"))

    other = client.application.test_client()
    refused = post(other, "/login", {"email": VOLUNTEER_A, "password": PASSWORD})
    assert refused.status_code != 303
    assert other.get("/partenaires/").status_code != 200

    assert post(client, f"/personnes/{world.volunteer_a.id}/statut",
                {"active": "1"}).status_code == 303
    assert fresh(db).get(Person, world.volunteer_a.id).deactivated_at is None
    login(other, VOLUNTEER_A)


def test_deactivated_person_is_logged_out_at_once(client, db, world):
    """A session opened before the deactivation stops working."""
    volunteer = client.application.test_client()
    login(volunteer, VOLUNTEER_A)
    assert volunteer.get("/partenaires/").status_code == 200
    login(client, ADMIN_A)
    post(client, f"/personnes/{world.volunteer_a.id}/statut", {"active": "0"})
    assert volunteer.get("/partenaires/").status_code != 200


@pytest.mark.parametrize(("user", "target", "status"), [
    (COORD_A, "supported_a", 403),  # deactivation takes an admin
    (ADMIN_A, "admin_a", 403),  # not oneself
    (ADMIN_A, "collective_admin", 404),  # not in A
])
def test_who_cannot_deactivate(client, db, world, user, target, status):
    login(client, user)
    before = dump(db, ("people",))
    response = post(client, f"/personnes/{getattr(world, target).id}/statut", {"active": "0"})
    assert response.status_code == status
    assert dump(db, ("people",)) == before


def test_invite_creates_an_account_and_sends_an_email(app, client, db, world):
    """Opening access: an account without password, and an email with a link to choose it."""
    login(client, COORD_A)
    response = post(client, f"/personnes/{world.supported_a.id}/acces")
    assert response.status_code == 303
    account = fresh(db).scalar(select(Account).where(Account.person_id == world.supported_a.id))
    assert account is not None
    assert account.password_hash is None
    with app.app_context():
        outbox = core.mail.outbox()
        assert [m["To"] for m in outbox] == ["samir@test.org"]
        assert "/mot-de-passe/nouveau/" in outbox[0].get_content()


def test_invite_needs_an_email(app, client, db, world):
    login(client, COORD_A)
    response = post(client, f"/personnes/{world.volunteer2_a.id}/acces")
    assert response.status_code == 303
    assert fresh(db).scalar(
        select(Account).where(Account.person_id == world.volunteer2_a.id)) is None
    with app.app_context():
        assert core.mail.outbox() == []


def test_coordinator_cannot_invite_an_admin(app, client, db, world):
    login(client, COORD_A)
    assert post(client, f"/personnes/{world.admin_a.id}/acces").status_code == 403
    with app.app_context():
        assert core.mail.outbox() == []


# --- People list ------------------------------------------------------------------------

def names_in(response: TestResponse) -> set[str]:
    """The people listed, as "Last First"."""
    assert response.status_code == 200
    page = text_of(response)
    everyone = ["Collectif Camille", "Admin Alice", "Coord Chloé", "Volontaire Victor",
                "Volontaire Valérie", "Suivi Samir", "Admin Bruno", "Coord Berthe",
                "Suivie Sarah"]
    return {name for name in everyone if f">{name}</a>" in page}


A_PEOPLE = {"Admin Alice", "Coord Chloé", "Volontaire Victor", "Volontaire Valérie",
            "Suivi Samir"}


@pytest.mark.parametrize(("user", "query", "expected"), [
    (COORD_A, "", A_PEOPLE),
    (COORD_A, "q=Chlo%C3%A9", {"Coord Chloé"}),
    (COORD_A, "q=chlo%C3%A9+coord", {"Coord Chloé"}),
    (COORD_A, "q=coord+chlo%C3%A9", {"Coord Chloé"}),
    (COORD_A, "q=benevole.a%40", {"Volontaire Victor"}),
    (COORD_A, "q=VOLONTAIRE", {"Volontaire Victor", "Volontaire Valérie"}),
    (COORD_A, "q=100%25", set()),
    (COORD_A, "role=volunteer", {"Volontaire Victor", "Volontaire Valérie"}),
    (COLLECTIVE, "role=supported", {"Suivi Samir", "Suivie Sarah"}),
    (COLLECTIVE, "association={b}", {"Admin Bruno", "Coord Berthe", "Suivie Sarah"}),
    (COLLECTIVE, "association={b}&role=coordinator", {"Coord Berthe"}),
    (COLLECTIVE, "q=sarah", {"Suivie Sarah"}),
    (COLLECTIVE, "q=Chlo%C3%A9", {"Coord Chloé"}),
])
def test_people_list_search_and_filters(client, world, user, query, expected):
    """Search by name in either order, by email, with accents; filter by association, role."""
    login(client, user)
    response = client.get("/personnes/?" + query.format(b=world.asso_b.id))
    assert names_in(response) == expected


@pytest.mark.parametrize("query", ["q=Sarah", "q=sarah%40test.org", "association={b}",
                                   "association={b}&role=supported", "role=supported",
                                   "inactives=1"])
def test_coordinator_never_lists_another_associations_people(client, world, query):
    """Scope: whatever the search or filter, coordinator A never sees Sarah (of B)."""
    login(client, COORD_A)
    response = client.get("/personnes/?" + query.format(b=world.asso_b.id))
    assert "Suivie Sarah" not in names_in(response)
    rows = text_of(response).split('role="status"')[-1]  # the results, not the filters
    assert "Sarah" not in rows
    assert "sarah@test.org" not in rows


def test_people_list_is_for_managers(client, world):
    login(client, VOLUNTEER_A)
    assert client.get("/personnes/").status_code == 403


def test_association_page_lists_its_people_to_its_coordinators_only(client, world):
    login(client, COORD_A)
    assert "Suivi Samir" in text_of(client.get("/associations/alpha"))
    beta = text_of(client.get("/associations/beta"))
    assert "Suivie Sarah" not in beta


# --- Neighbourhoods ---------------------------------------------------------------------

def test_collective_admin_creates_and_edits_a_neighbourhood(client, db, world):
    """The QPV code is stored in capitals; editing changes every field."""
    response, _before, _after = submit(client, db, world, "neighbourhood_create",
                                       {"qpv_code": " qn09301m "})
    assert response.status_code == 303
    created = db.scalar(select(Neighbourhood).where(Neighbourhood.name == "Cosmonautes"))
    assert (created.city, created.qpv_code) == ("Saint-Denis", "QN09301M")
    response = post(client, f"/quartiers/{created.id}/modifier",
                    {"name": "Cosmonautes-Cristino", "city": "", "qpv_code": ""})
    assert response.status_code == 303
    edited = fresh(db).get(Neighbourhood, created.id)
    assert (edited.name, edited.city, edited.qpv_code) == ("Cosmonautes-Cristino", "", None)
    assert "Cosmonautes-Cristino" in text_of(client.get("/quartiers/"))


def test_two_neighbourhoods_without_qpv_code(client, db, world):
    """No QPV code is stored as NULL, so several neighbourhoods may have none."""
    login(client, COLLECTIVE)
    for name in ("Pleyel", "Gare"):
        assert post(client, "/quartiers/nouveau",
                    {"name": name, "city": "", "qpv_code": ""}).status_code == 303
    assert fresh(db).scalars(select(Neighbourhood.qpv_code).where(
        Neighbourhood.name.in_(["Pleyel", "Gare"]))).all() == [None, None]


@pytest.mark.parametrize("user", [ADMIN_A, COORD_A])
def test_only_collective_admins_manage_neighbourhoods(client, db, world, user):
    login(client, user)
    before = dump(db, ("neighbourhoods",))
    assert post(client, "/quartiers/nouveau", FORMS["neighbourhood_create"].data(world)
                ).status_code == 403
    assert post(client, f"/quartiers/{world.neighbourhood.id}/modifier",
                {"name": "X"}).status_code == 403
    assert dump(db, ("neighbourhoods",)) == before
