"""What the plugin API tells a plugin about the collective outside a page: the e-mail
addresses of an association's people (to write to them) and of one person (export and
erasure), and, for commands, the associations that enabled a plugin."""

from __future__ import annotations

from sqlalchemy import select

from core.database import session
from core.members import Association, Person
from core.plugin_api import AssociationRef, associations_enabling, emails_of, person_email
from core.pluginhost.activation import PluginActivation
from core.pluginhost.contributions import PersonRef
from tests.conftest import World


def test_emails_of_gives_the_addresses_of_the_roles_asked_and_person_email_one_address(app, world: World):
    with app.test_request_context():
        alpha = AssociationRef(id=world.asso_a.id, slug="alpha", name="Alpha", short_name="A")
        team = emails_of(alpha, ("coordinator", "admin"))
        assert "coord.a@test.org" in team.values()
        assert all(address for address in team.values())
        assert "benevole.a@test.org" not in team.values()
        coordinator = session.scalar(select(Person).where(Person.email == "coord.a@test.org"))
        assert emails_of(alpha, ids=[coordinator.id]) == {coordinator.id: "coord.a@test.org"}
        assert emails_of(alpha, ids=[]) == {}
        ref = PersonRef(id=coordinator.id, first_name="", last_name="")
        assert person_email(ref) == "coord.a@test.org"
        assert person_email(PersonRef(id=999999, first_name="", last_name="")) is None


def test_associations_enabling_lists_the_active_associations_that_enabled_the_plugin(app, db, world: World):
    db.add(PluginActivation(plugin="sites", association_id=world.asso_a.id))
    db.add(PluginActivation(plugin="sites", association_id=world.asso_b.id, enabled=False))
    db.commit()
    with app.app_context():  # as in a command: no request
        assert [a.slug for a in associations_enabling("sites")] == ["alpha"]
        assert associations_enabling("tzcld") == []
        session.get(Association, world.asso_a.id).active = False
        session.commit()
        assert associations_enabling("sites") == []
