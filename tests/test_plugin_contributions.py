"""What plugins contribute, as the host shows it: sections always escaped, navigation entries
and widgets only for the roles that can use them."""

from __future__ import annotations

import pytest
from flask import Flask

from core.members import Membership, Role
from core.plugin_api import NavEntry, Section
from core.pluginhost.activation import PluginActivation
from tests.conftest import SUITE_PLUGINS, World, make_app
from tests.plugin_fixtures.texte_brut.plugin import TYPED
from tests.support import login, text_of

PH_HOME = 'href="/p/premieres_heures/"'


def enable(db, plugin: str, association) -> None:
    db.add(PluginActivation(plugin=plugin, association_id=association.id))
    db.commit()


# --- sections are escaped whatever their template's name ----------------------------------


@pytest.fixture
def plain_text_app(database_url: str, app: Flask) -> Flask:
    """The suite's app plus a plugin whose section templates are ``.txt`` and nameless."""
    return make_app(database_url,
                    PLUGIN_MODULES={**SUITE_PLUGINS,
                                    "texte_brut": "tests.plugin_fixtures.texte_brut.plugin"})


@pytest.mark.parametrize(("page", "title"), [
    (lambda w: "/associations/alpha", "Note en texte"),  # texte_brut/note.txt
    (lambda w: f"/personnes/{w.supported_a.id}", "Note sans extension"),  # texte_brut/note
])
def test_a_section_template_is_escaped_whatever_its_name(plain_text_app, db, world: World,
                                                          page, title):
    enable(db, "texte_brut", world.asso_a)
    client = plain_text_app.test_client()
    login(client, "coord.a@test.org")
    html = text_of(client.get(page(world)))
    assert title in html
    assert TYPED not in html
    assert "Note : &lt;script&gt;alert(&#39;texte_brut&#39;)&lt;/script&gt;" in html


def test_the_apps_own_text_templates_keep_their_rules(plain_text_app, world: World):
    """Only sections are forced: a plain-text email body rendered by the app stays raw."""
    with plain_text_app.test_request_context():
        template = plain_text_app.jinja_env.get_template("texte_brut/note.txt")
        assert template.render(note="l'atelier") == "Note : l'atelier"


# --- navigation entries for the roles that can use them -------------------------------------


def _menu(html: str) -> str:
    return html[html.index('aria-label="Navigation principale"'):html.index("</nav>")]


def _shortcuts(html: str) -> str:
    return html[html.index('id="raccourcis"'):]


def test_a_volunteer_is_not_offered_premieres_heures_a_coordinator_is(app, db, world: World):
    enable(db, "premieres_heures", world.asso_a)
    enable(db, "exemplum", world.asso_a)  # its entry declares no role: members see it
    # Coordinator elsewhere does not count: Bêta did not enable Premières Heures.
    db.add(Membership(person_id=world.volunteer_a.id, association_id=world.asso_b.id,
                      role=Role.COORDINATOR))
    db.commit()
    seen = {}
    for email in ("benevole.a@test.org", "coord.a@test.org", "collectif@test.org"):
        client = app.test_client()
        login(client, email)
        dashboard = text_of(client.get("/"))
        seen[email] = (PH_HOME in _menu(dashboard), PH_HOME in _shortcuts(dashboard),
                       'href="/p/exemplum/"' in _menu(dashboard))
    assert seen == {
        "benevole.a@test.org": (False, False, True),
        "coord.a@test.org": (True, True, True),
        "collectif@test.org": (True, True, True),
    }


def test_a_widget_kept_for_coordinators_is_not_shown_to_a_volunteer(plain_text_app, db,
                                                                    world: World):
    enable(db, "texte_brut", world.asso_a)
    seen = {}
    for email in ("benevole.a@test.org", "coord.a@test.org", "admin.a@test.org"):
        client = plain_text_app.test_client()
        login(client, email)
        dashboard = text_of(client.get("/"))
        seen[email] = ("Pour la coordination" in dashboard, "Pour tous" in dashboard)
    assert seen == {"benevole.a@test.org": (False, True), "coord.a@test.org": (True, True),
                    "admin.a@test.org": (True, True)}


def test_an_unknown_minimum_role_is_refused_when_the_contribution_is_made():
    with pytest.raises(ValueError, match="NavEntry 'Carnet': unknown minimum_role 'benevole'"):
        NavEntry(label="Carnet", endpoint="carnet.home", minimum_role="benevole")
    with pytest.raises(ValueError, match="Section 'Suivi': unknown minimum_role 'coordination'"):
        Section(title="Suivi", template="carnet/widget.html", minimum_role="coordination")
    assert NavEntry(label="Carnet", endpoint="carnet.home").minimum_role == Role.SUPPORTED
    assert Section(title="Suivi", template="carnet/widget.html").minimum_role is None


def test_partner_contacts_gives_work_details_of_active_partners_only(app, db, world: World):
    from core.plugin_api import partner_contacts

    with app.app_context():
        everyone = partner_contacts()
        assert [(c.full_name, c.partner_name) for c in everyone] == sorted(
            [("Paul Conseiller", world.partner.name), ("Olga Autre", world.other_partner.name)],
            key=lambda pair: pair[1])
        assert [c.full_name for c in partner_contacts([world.other_partner.id])] == ["Olga Autre"]
        assert not hasattr(everyone[0], "email") and not hasattr(everyone[0], "phone")
    db.get(type(world.other_partner), world.other_partner.id).active = False
    db.commit()
    with app.app_context():
        assert [c.full_name for c in partner_contacts()] == ["Paul Conseiller"]


def test_people_of_names_only_the_people_asked_for(app, db, world: World):
    from core.plugin_api import people_of
    from core.pluginhost.refs import association_ref

    with app.app_context():
        alpha = association_ref(world.asso_a)
        wanted = {world.supported_a.id, world.supported_b.id}  # Bêta's is not Alpha's
        assert [p.id for p in people_of(alpha, ids=wanted)] == [world.supported_a.id]
        assert people_of(alpha, ids=[]) == []
        assert len(people_of(alpha)) > 1


def test_own_or_404_hands_back_only_the_associations_record(app, db, world: World):
    from werkzeug.exceptions import NotFound

    from core.plugin_api import own_or_404
    from core.pluginhost.refs import association_ref
    from plugins.tzcld.models import CleMember

    member = CleMember(association_id=world.asso_a.id, name="Mme Roussel")
    db.add(member)
    db.commit()
    with app.app_context():
        assert own_or_404(CleMember, member.id, association_ref(world.asso_a)).name == "Mme Roussel"
        for association, record_id in ((world.asso_b, member.id), (world.asso_a, member.id + 1000)):
            with pytest.raises(NotFound):
                own_or_404(CleMember, record_id, association_ref(association))
