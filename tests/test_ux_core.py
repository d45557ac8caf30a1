"""What a new user stumbled on in the core's pages (issue 9, B): each point on the page."""

from __future__ import annotations

import html
import re

from flask import Flask
from sqlalchemy import select

from core.members import Membership, Person, Role
from core.plugin_api import ngettext
from tests.support import login, post, text_of

# matrix_world: the permission matrix's records, one per route argument.
from tests.test_permissions_matrix import MATRIX, ROLES, MatrixWorld, matrix_world  # noqa: F401


def _post_only_endpoints(app: Flask) -> set[str]:
    """Endpoints whose address answers POST alone (booking someone in posts to the address
    of its form's page, which is a page of its own)."""
    pages = {rule.rule for rule in app.url_map.iter_rules() if rule.methods and "GET" in rule.methods}
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if rule.methods and "POST" in rule.methods and "GET" not in rule.methods
            and rule.rule not in pages}


def test_reopening_a_form_address_leads_to_a_page(app: Flask, matrix_world: MatrixWorld) -> None:  # noqa: F811
    """Every POST-only address, opened by a coordinator, leads to a page that answers."""
    post_only = _post_only_endpoints(app)
    coordinator = ROLES.index("coordinator_a")
    cases = [case for case in MATRIX if case.method == "POST" and case.endpoint in post_only
             and case.expected[coordinator] not in (403, 404)]
    assert len({case.endpoint for case in cases}) > 15  # core and Premières Heures
    client = app.test_client()
    login(client, "coord.a@test.org")
    for case in cases:
        url = case.url(matrix_world)
        first = client.get(url)
        assert first.status_code == 303, (url, first.status_code)
        assert client.get(url, follow_redirects=True).status_code == 200, url


def test_reopened_addresses_lead_to_the_parent_page(app: Flask, matrix_world: MatrixWorld) -> None:  # noqa: F811
    w = matrix_world
    client = app.test_client()
    login(client, "collectif@test.org")
    expected = {
        f"/personnes/{w.supported_a.id}/roles": f"/personnes/{w.supported_a.id}",
        f"/personnes/{w.supported_a.id}/roles/1/retirer": f"/personnes/{w.supported_a.id}",
        f"/partenaires/{w.partner.id}/statut": f"/partenaires/{w.partner.id}",
        "/associations/alpha/statut": "/associations/alpha",
        "/compte/mot-de-passe": "/compte",
        "/logout": "/",
    }
    for url, parent in expected.items():
        response = client.get(url)
        assert response.status_code == 303, url
        assert response.headers["Location"] == parent, url
        assert client.head(url).status_code == 303
    assert "Se déconnecter" in text_of(client.get("/logout", follow_redirects=True))
    for case in MATRIX:
        if case.method == "POST" and case.endpoint in _post_only_endpoints(app):
            assert client.get(case.url(w)).status_code == 303, case.name


def test_a_page_the_role_forbids_is_passed_over(app: Flask, world) -> None:
    client = app.test_client()
    login(client, "coord.a@test.org")
    # The modules' policy page is the collective admin's: the coordinator lands on the dashboard.
    response = client.get("/administration/modules/premieres_heures/interdiction")
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_reopening_logout_when_logged_out_offers_the_login(client) -> None:
    response = client.get("/logout", follow_redirects=True)
    assert response.status_code == 200
    assert 'name="password"' in text_of(response)


def test_other_methods_still_answer_405_in_french(app: Flask, world) -> None:
    client = app.test_client()
    response = client.delete("/personnes/1/roles")
    assert response.status_code == 405
    assert "Méthode non autorisée" in text_of(response)


def _flashes_and_notices(response) -> list[str]:
    return re.findall(r'<p class="(?:flash[^"]*|notice)">([^<]*)</p>', text_of(response))


def test_a_status_change_is_said_once(app: Flask, world) -> None:
    client = app.test_client()
    login(client, "collectif@test.org")
    person = f"/personnes/{world.supported_a.id}/statut"
    said = _flashes_and_notices(post(client, person, {"active": "0"}, follow_redirects=True))
    assert len(said) == 1 and "désactivée" in said[0], said
    said = _flashes_and_notices(post(client, person, {"active": "1"}, follow_redirects=True))
    assert said == ["Personne réactivée."]
    said = _flashes_and_notices(post(client, "/associations/alpha/statut", {"active": "0"},
                                     follow_redirects=True))
    assert len(said) == 1 and "désactivée" in said[0], said
    said = _flashes_and_notices(post(client, "/associations/alpha/statut", {"active": "1"},
                                     follow_redirects=True))
    assert said == ["Association réactivée."]
    # A flash is shown on the next page only, not again on the one after.
    created = post(client, "/personnes/nouvelle", {
        "first_name": "Nadia", "last_name": "Nouvelle", "association_id": world.asso_a.id,
        "role": "supported", "confirm_duplicate": "y"}, follow_redirects=True)
    assert _flashes_and_notices(created) == ["Nadia Nouvelle a été ajouté·e."]
    assert _flashes_and_notices(client.get("/personnes/")) == []


def _back_link(response) -> tuple[str, str] | None:
    found = re.search(r'<p class="back-link"><a href="([^"]+)">← Retour ([^<]+)</a></p>',
                      text_of(response))
    return (found.group(1), html.unescape(found.group(2))) if found else None


def test_pages_with_a_parent_link_back_to_it(app: Flask, world) -> None:
    w = world
    client = app.test_client()
    login(client, "admin.a@test.org")
    person, partner = f"/personnes/{w.supported_a.id}", f"/partenaires/{w.partner.id}"
    expected = {
        person: ("/personnes/", "à la liste des personnes"),
        f"{person}/modifier": (person, "à la fiche de Samir Suivi"),
        "/personnes/nouvelle": ("/personnes/", "à la liste des personnes"),
        "/associations/alpha": ("/associations/", "aux associations"),
        "/associations/alpha/modifier": ("/associations/alpha", "à Association Alpha"),
        partner: ("/partenaires/", "aux partenaires"),
        f"{partner}/modifier": (partner, "à Mission Locale Test"),
        f"{partner}/contacts/nouveau": (partner, "à Mission Locale Test"),
        f"{partner}/services/nouveau": (partner, "à Mission Locale Test"),
        "/partenaires/nouveau": ("/partenaires/", "aux partenaires"),
        "/associations/alpha/modules": ("/associations/alpha", "à Association Alpha"),
        "/associations/alpha/modules/premieres_heures/reglages": ("/associations/alpha/modules",
                                                                  "aux modules de Alpha"),
        "/agenda/nouveau": ("/agenda/", "à l'agenda"),
        "/agenda/calendrier": ("/agenda/", "à l'agenda"),
    }
    for url, link in expected.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert _back_link(response) == link, url
    for top in ("/personnes/", "/associations/", "/partenaires/", "/quartiers/"):
        assert _back_link(client.get(top)) is None, top
    # A volunteer sees their own record but not the list of people: no link to it.
    client = app.test_client()
    login(client, "benevole.a@test.org")
    assert _back_link(client.get(f"/personnes/{w.volunteer_a.id}")) is None


def test_phones_and_emails_are_links(app: Flask, db, world) -> None:
    w = world
    w.supported_a.phone = "06 12 34 56 78"
    w.partner.phone, w.partner.email = "+33 1 23 45 67 89", "contact@ml.test"
    w.partner.contacts[0].phone, w.partner.contacts[0].email = "01.02.03.04.05", "paul@ml.test"
    db.commit()
    client = app.test_client()
    login(client, "coord.a@test.org")
    tel = '<a href="tel:0612345678">06 12 34 56 78</a>'
    for url in (f"/personnes/{w.supported_a.id}", "/personnes/?q=samir"):
        page = text_of(client.get(url))
        assert tel in page, url
        assert '<a href="mailto:samir@test.org">samir@test.org</a>' in page, url
    page = text_of(client.get(f"/partenaires/{w.partner.id}"))
    for link in ('<a href="tel:+33123456789">+33 1 23 45 67 89</a>',
                 '<a href="mailto:contact@ml.test">contact@ml.test</a>',
                 '<a href="tel:0102030405">01.02.03.04.05</a>',
                 '<a href="mailto:paul@ml.test">paul@ml.test</a>'):
        assert link in page
    # No number, no link: the page says so.
    page = text_of(client.get(f"/personnes/{w.volunteer2_a.id}"))
    assert 'href="tel:' not in page and "Non renseigné" in page


def test_contact_links_escape_what_they_show(app: Flask) -> None:
    with app.app_context():
        rendered = app.jinja_env.from_string("{{ v | mailto }}{{ v | tel }}").render(v='<b>"x')
    assert "<b>" not in rendered and "&lt;b&gt;" in rendered


def test_people_search_finds_a_phone_however_typed(app: Flask, db, world) -> None:
    w = world
    w.supported_a.phone = "06 12 34 56 78"
    w.volunteer2_a.phone = "+33 6 98 76 54 32"
    w.partner.phone = "01.23.45.67.89"
    db.commit()
    client = app.test_client()
    login(client, "coord.a@test.org")

    def found(term: str, url: str = "/personnes/") -> str:
        response = client.get(url, query_string={"q": term})
        assert response.status_code == 200, term
        return text_of(response)

    for term in ("06 12 34 56 78", "0612345678", "+33 6 12 34 56 78", "06.12.34", "0033612345678"):
        page = found(term)
        assert "Suivi Samir" in page and "Volontaire Valérie" not in page, term
    for term in ("0698765432", "06 98 76", "+33698765432"):
        assert "Volontaire Valérie" in found(term), term
    assert "Mission Locale Test" in found("01 23 45 67 89", "/partenaires/")
    # Names still found; digits that are no phone, or odd input, find nothing and break nothing.
    assert "Suivi Samir" in found("samir")
    for term in ("12", "%", "06%12", "+", "0" * 100, "'; drop table people; --"):
        assert "Suivi Samir" not in found(term), term


def _role_options(response) -> list[str]:
    select = re.search(r'<select[^>]*id="role"[^>]*>(.*?)</select>', text_of(response), re.S)
    assert select, "no role select on the page"
    return re.findall(r'<option[^>]*value="([^"]*)"', select.group(1))


def test_role_choices_are_the_roles_the_user_may_give(app: Flask, db, world) -> None:
    w = world
    managing, everything = ["supported", "volunteer"], ["supported", "volunteer", "coordinator", "admin"]
    for email, expected in (("coord.a@test.org", managing), ("admin.a@test.org", everything),
                            ("collectif@test.org", everything)):
        client = app.test_client()
        login(client, email)
        assert _role_options(client.get("/personnes/nouvelle")) == expected, email
        assert _role_options(client.get(f"/personnes/{w.supported_a.id}")) == expected, email
        refused = post(client, f"/personnes/{w.supported_a.id}/roles",
                       {"association_id": w.asso_a.id, "role": "nobody"})
        assert refused.status_code == 422 and _role_options(refused) == expected, email
    # Admin of Alpha, coordinator of Bêta: every role is offered, Bêta still refuses an admin.
    db.add(Membership(person_id=w.admin_a.id, association_id=w.asso_b.id, role=Role.COORDINATOR))
    db.commit()
    client = app.test_client()
    login(client, "admin.a@test.org")
    assert _role_options(client.get("/personnes/nouvelle")) == everything
    refused = post(client, f"/personnes/{w.supported_b.id}/roles",
                   {"association_id": w.asso_b.id, "role": "admin"})
    assert refused.status_code == 422
    assert "Vous ne pouvez pas donner ce rôle" in text_of(refused)


def test_counts_take_the_french_plural(app: Flask, db, world) -> None:
    w = world
    client = app.test_client()
    login(client, "admin.a@test.org")
    page = text_of(client.get("/associations/alpha"))
    assert "1 personne accompagnée" in page and "2 bénévoles" in page
    assert "1 coordinateur·rice" in page and "1 administrateur·rice" in page
    for first in ("Nadia", "Nina"):
        db.add(Person(first_name=first, last_name="Nouvelle",
                      memberships=[Membership(association_id=w.asso_a.id, role=Role.SUPPORTED)]))
    db.commit()
    assert "3 personnes accompagnées" in text_of(client.get("/associations/alpha"))
    assert re.search(r">\s*1 personne\s*<", text_of(client.get("/personnes/?q=samir")))
    assert re.search(r">\s*2 personnes\s*<", text_of(client.get("/personnes/?q=nouvelle")))
    assert re.search(r">\s*0 personne\s*<", text_of(client.get("/personnes/?q=zzz")))
    assert re.search(r">\s*1 partenaire\s*<", text_of(client.get("/partenaires/?q=ccas")))
    one = post(client, "/personnes/nouvelle", {"first_name": "", "last_name": "X",
                                               "association_id": w.asso_a.id, "role": "supported"})
    assert "Le formulaire contient 1 erreur<" in text_of(one)
    two = post(client, "/personnes/nouvelle", {"association_id": w.asso_a.id, "role": "supported"})
    assert "Le formulaire contient 2 erreurs<" in text_of(two)


def test_ngettext_follows_the_french_rule_in_python_and_templates(app: Flask) -> None:
    with app.test_request_context():
        assert [ngettext("%(num)d séance", "%(num)d séances", n) for n in (0, 1, 2)] == [
            "0 séance", "1 séance", "2 séances"]
        template = app.jinja_env.from_string('{{ ngettext("%(num)d lot", "%(num)d lots", n) }}')
        assert [template.render(n=n) for n in (0, 1, 5)] == ["0 lot", "1 lot", "5 lots"]


def test_the_neighbourhoods_table_folds_on_a_phone(app: Flask, world) -> None:
    """On a narrow screen a .responsive table shows each row as a block, each cell with its
    column's name (maillage.css): nothing wider than a 360 px screen."""
    client = app.test_client()
    login(client, "collectif@test.org")
    page = text_of(client.get("/quartiers/"))
    table = re.search(r"<table([^>]*)>(.*?)</table>", page, re.S)
    assert table and 'class="responsive"' in table.group(1)
    cells = re.findall(r"<td([^>]*)>", table.group(2))
    assert len(cells) == 4 and all("data-label=" in cell for cell in cells), cells


def _people_count(db) -> int:
    db.rollback()
    return len(db.scalars(select(Person.id)).all())


def _new_person(world, **changes: str) -> dict[str, object]:
    return {"first_name": "Samir", "last_name": "Suivi", "email": "", "phone": "",
            "association_id": world.asso_a.id, "role": "supported", **changes}


def test_a_likely_duplicate_is_shown_before_anything_is_saved(app: Flask, db, world) -> None:
    w = world
    w.supported_a.phone = "06 12 34 56 78"
    db.commit()
    client = app.test_client()
    login(client, "coord.a@test.org")
    assert "confirm_duplicate" not in text_of(client.get("/personnes/nouvelle"))
    before = _people_count(db)
    # Accents, case, spaces and swapped names are the same name.
    for first, last in (("Samir", "Suivi"), ("SAMÍR", "  suivi "), ("Suivi", "Samir")):
        response = post(client, "/personnes/nouvelle",
                        _new_person(w, first_name=first, last_name=last, phone="+33612345678"))
        assert response.status_code == 422, (first, last)
        page = text_of(response)
        assert "Cette personne existe peut-être déjà" in page
        assert f'href="/personnes/{w.supported_a.id}">Samir Suivi</a>' in page
        assert "même téléphone" in page and 'name="confirm_duplicate"' in page
        assert _people_count(db) == before
    confirmed = post(client, "/personnes/nouvelle", _new_person(w, confirm_duplicate="y"))
    assert confirmed.status_code == 303
    assert _people_count(db) == before + 1
    # Now both are offered.
    page = text_of(post(client, "/personnes/nouvelle", _new_person(w)))
    assert page.count('href="/personnes/') - page.count('href="/personnes/"') >= 2


def test_no_warning_for_another_name_or_someone_out_of_sight(app: Flask, db, world) -> None:
    w = world
    client = app.test_client()
    login(client, "coord.a@test.org")
    # Sarah Suivie is Bêta's: a coordinator of Alpha is told nothing about her.
    response = post(client, "/personnes/nouvelle", _new_person(w, first_name="Sarah",
                                                                last_name="Suivie"))
    assert response.status_code == 303
    assert "existe peut-être" not in text_of(client.get(response.headers["Location"]))
    assert post(client, "/personnes/nouvelle",
                _new_person(w, first_name="Samira", last_name="Suivi")).status_code == 303
    # The collective admin sees everyone, and is warned about Bêta's Sarah too.
    admin = app.test_client()
    login(admin, "collectif@test.org")
    page = text_of(post(admin, "/personnes/nouvelle", _new_person(
        w, first_name="Sarah", last_name="Suivie", association_id=w.asso_b.id)))
    assert f'href="/personnes/{w.supported_b.id}">Sarah Suivie</a>' in page


def test_the_duplicate_check_survives_odd_input(app: Flask, db, world) -> None:
    client = app.test_client()
    login(client, "coord.a@test.org")
    for first, last in (("%", "_"), ("\\", "%%"), ("a' OR 1=1 --", "x"), ("Zoë", "Ø"),
                        ("ß", "ǅ"), ("😀", "😀")):
        first_try = post(client, "/personnes/nouvelle", _new_person(world, first_name=first,
                                                                    last_name=last))
        assert first_try.status_code == 303, (first, last)
        again = post(client, "/personnes/nouvelle", _new_person(world, first_name=first,
                                                                last_name=last))
        assert again.status_code == 422, (first, last)
        assert "existe peut-être" in text_of(again)
    # A wildcard in a name matches itself only.
    assert "Samir Suivi" not in text_of(post(client, "/personnes/nouvelle",
                                             _new_person(world, first_name="%", last_name="_")))
    blank = post(client, "/personnes/nouvelle", _new_person(world, first_name=" ", last_name=""))
    assert blank.status_code == 422 and "existe peut-être" not in text_of(blank)
