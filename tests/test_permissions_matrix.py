"""Route x role matrix: every route of the app, every role, the expected status.

A route that is added without an entry here makes ``test_matrix_covers_every_route``
fail, so a new page cannot ship without deciding who may see it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from flask import Flask

from core.auth.permissions import Level, access
from tests.conftest import World, make_app
from tests.support import csrf_token, login, text_of

ROLES = ["anonymous", "volunteer_a", "coordinator_a", "admin_a", "collective_admin"]
EMAILS = {
    "volunteer_a": "benevole.a@test.org",
    "coordinator_a": "coord.a@test.org",
    "admin_a": "admin.a@test.org",
    "collective_admin": "collectif@test.org",
}
LOGIN = 302  # anonymous visitors are sent to the login page


@dataclass
class Case:
    endpoint: str
    url: Callable[[World], str]
    expected: tuple[int, int, int, int, int]  # in the order of ROLES
    method: str = "GET"
    data: dict[str, str] = field(default_factory=dict)
    label: str = ""

    @property
    def name(self) -> str:
        return f"{self.method} {self.endpoint}{' ' + self.label if self.label else ''}"


def every(code: int) -> tuple[int, int, int, int, int]:
    return (code, code, code, code, code)


def logged(code: int) -> tuple[int, int, int, int, int]:
    return (LOGIN, code, code, code, code)


MEMBER = logged(200)
MANAGER_PAGE = (LOGIN, 403, 200, 200, 200)
COLLECTIVE_PAGE = (LOGIN, 403, 403, 403, 200)
PA = lambda w: w.supported_a.id  # noqa: E731
PB = lambda w: w.supported_b.id  # noqa: E731

GETS = [
    Case("auth.login", lambda w: "/login", (200, 302, 302, 302, 302)),
    Case("auth.forgotten_password", lambda w: "/mot-de-passe/oublie", every(200)),
    Case("auth.reset_password", lambda w: "/mot-de-passe/nouveau/inconnu", every(404)),
    Case("auth.my_account", lambda w: "/compte", MEMBER),
    Case("health.healthz", lambda w: "/healthz", every(200)),
    Case("members.dashboard", lambda w: "/", MEMBER),
    Case("members.association_list", lambda w: "/associations/", MEMBER),
    Case("members.association_create", lambda w: "/associations/nouvelle", COLLECTIVE_PAGE),
    Case("members.association_detail", lambda w: "/associations/alpha", MEMBER, label="own"),
    Case("members.association_detail", lambda w: "/associations/beta", MEMBER, label="other"),
    Case("members.association_detail", lambda w: "/associations/nulle-part", logged(404),
         label="unknown"),
    Case("members.association_edit", lambda w: "/associations/alpha/modifier",
         (LOGIN, 403, 403, 200, 200), label="own"),
    Case("members.association_edit", lambda w: "/associations/beta/modifier",
         (LOGIN, 403, 404, 404, 200), label="other"),
    Case("members.neighbourhood_list", lambda w: "/quartiers/", MEMBER),
    Case("members.neighbourhood_create", lambda w: "/quartiers/nouveau", COLLECTIVE_PAGE),
    Case("members.neighbourhood_edit", lambda w: f"/quartiers/{w.neighbourhood.id}/modifier",
         COLLECTIVE_PAGE),
    Case("members.person_list", lambda w: "/personnes/", MANAGER_PAGE),
    Case("members.person_create", lambda w: "/personnes/nouvelle", MANAGER_PAGE),
    Case("members.person_detail", lambda w: f"/personnes/{PA(w)}", (LOGIN, 404, 200, 200, 200),
         label="in A"),
    Case("members.person_detail", lambda w: f"/personnes/{PB(w)}", (LOGIN, 404, 404, 404, 200),
         label="in B"),
    Case("members.person_detail", lambda w: f"/personnes/{w.volunteer_a.id}", MEMBER,
         label="volunteer's own page"),
    Case("members.person_edit", lambda w: f"/personnes/{PA(w)}/modifier", MANAGER_PAGE,
         label="in A"),
    Case("members.person_edit", lambda w: f"/personnes/{PB(w)}/modifier",
         (LOGIN, 403, 404, 404, 200), label="in B"),
    Case("members.person_edit", lambda w: f"/personnes/{w.admin_a.id}/modifier",
         (LOGIN, 403, 403, 200, 200), label="someone who outranks a coordinator"),
    Case("members.collective_admin_list", lambda w: "/administration-collectif", COLLECTIVE_PAGE),
    Case("members.person_export", lambda w: f"/personnes/{PA(w)}/donnees.json", MANAGER_PAGE),
    Case("members.person_export", lambda w: f"/personnes/{PB(w)}/donnees.json",
         (LOGIN, 403, 404, 404, 200), label="in B"),
    Case("partners.partner_list", lambda w: "/partenaires/", MEMBER),
    Case("partners.partner_create", lambda w: "/partenaires/nouveau", MANAGER_PAGE),
    Case("partners.partner_detail", lambda w: f"/partenaires/{w.partner.id}", MEMBER),
    Case("partners.partner_edit", lambda w: f"/partenaires/{w.partner.id}/modifier",
         MANAGER_PAGE),
    Case("partners.contact_create", lambda w: f"/partenaires/{w.partner.id}/contacts/nouveau",
         MANAGER_PAGE),
    Case("partners.contact_edit",
         lambda w: f"/partenaires/{w.partner.id}/contacts/{w.partner.contacts[0].id}/modifier",
         MANAGER_PAGE),
    Case("partners.contact_edit",
         lambda w: f"/partenaires/{w.partner.id}/contacts/{w.other_partner.contacts[0].id}/modifier",
         (LOGIN, 403, 404, 404, 404), label="contact of another partner"),
    Case("partners.service_create", lambda w: f"/partenaires/{w.partner.id}/services/nouveau",
         MANAGER_PAGE),
    Case("partners.service_edit",
         lambda w: f"/partenaires/{w.partner.id}/services/{w.partner.services[0].id}/modifier",
         MANAGER_PAGE),
    Case("plugin_admin.association_plugins", lambda w: "/associations/alpha/modules",
         (LOGIN, 403, 403, 200, 200), label="own"),
    Case("plugin_admin.association_plugins", lambda w: "/associations/beta/modules",
         (LOGIN, 403, 404, 404, 200), label="other"),
    Case("plugin_admin.association_plugin_settings",
         lambda w: "/associations/alpha/modules/exemplum/reglages", (LOGIN, 403, 403, 200, 200)),
    Case("plugin_admin.association_plugin_settings",
         lambda w: "/associations/alpha/modules/inconnu/reglages", (LOGIN, 403, 403, 404, 404),
         label="unknown plugin"),
    Case("plugin_admin.collective_plugins", lambda w: "/administration/modules", COLLECTIVE_PAGE),
    # A plugin nobody enabled: its pages do not exist for anyone.
    Case("exemplum.home", lambda w: "/p/exemplum/", logged(404)),
    Case("exemplum.index", lambda w: "/p/exemplum/alpha/", logged(404)),
]

# POSTs carry a valid CSRF token. Empty forms answer 422 to those allowed in, which
# shows the permission check passed without changing anything.
POSTS = [
    Case("auth.login", lambda w: "/login", (422, 302, 302, 302, 302), "POST"),
    Case("auth.forgotten_password", lambda w: "/mot-de-passe/oublie", every(422), "POST"),
    Case("auth.reset_password", lambda w: "/mot-de-passe/nouveau/inconnu", every(404), "POST"),
    Case("auth.change_password", lambda w: "/compte/mot-de-passe", logged(422), "POST"),
    Case("members.association_create", lambda w: "/associations/nouvelle",
         (LOGIN, 403, 403, 403, 422), "POST"),
    Case("members.association_edit", lambda w: "/associations/alpha/modifier",
         (LOGIN, 403, 403, 422, 422), "POST", {"name": ""}),
    Case("members.association_edit", lambda w: "/associations/beta/modifier",
         (LOGIN, 403, 404, 404, 422), "POST", {"name": ""}, label="other"),
    Case("members.association_status", lambda w: "/associations/alpha/statut",
         (LOGIN, 403, 403, 403, 303), "POST", {"active": "1"}),
    Case("members.neighbourhood_create", lambda w: "/quartiers/nouveau",
         (LOGIN, 403, 403, 403, 422), "POST"),
    Case("members.neighbourhood_edit", lambda w: f"/quartiers/{w.neighbourhood.id}/modifier",
         (LOGIN, 403, 403, 403, 422), "POST", {"name": ""}),
    Case("members.person_create", lambda w: "/personnes/nouvelle", (LOGIN, 403, 422, 422, 422),
         "POST"),
    Case("members.person_edit", lambda w: f"/personnes/{PA(w)}/modifier",
         (LOGIN, 403, 422, 422, 422), "POST", {"first_name": ""}),
    Case("members.person_edit", lambda w: f"/personnes/{PB(w)}/modifier",
         (LOGIN, 403, 404, 404, 422), "POST", {"first_name": ""}, label="in B"),
    Case("members.person_status", lambda w: f"/personnes/{PA(w)}/statut",
         (LOGIN, 403, 403, 303, 303), "POST", {"active": "1"}),
    Case("members.person_status", lambda w: f"/personnes/{PB(w)}/statut",
         (LOGIN, 403, 404, 404, 303), "POST", {"active": "1"}, label="in B"),
    Case("members.membership_save", lambda w: f"/personnes/{PA(w)}/roles",
         (LOGIN, 403, 422, 422, 422), "POST"),
    Case("members.membership_save", lambda w: f"/personnes/{PB(w)}/roles",
         (LOGIN, 403, 404, 404, 422), "POST", label="in B"),
    Case("members.account_invite", lambda w: f"/personnes/{PA(w)}/acces",
         (LOGIN, 403, 303, 303, 303), "POST"),
    Case("members.account_invite", lambda w: f"/personnes/{PB(w)}/acces",
         (LOGIN, 403, 404, 404, 303), "POST", label="in B"),
    Case("members.collective_admin_toggle", lambda w: f"/personnes/{w.admin_a.id}/administration-collectif",
         (LOGIN, 403, 403, 403, 303), "POST", {"grant": "0"}),
    Case("partners.partner_create", lambda w: "/partenaires/nouveau",
         (LOGIN, 403, 422, 422, 422), "POST"),
    Case("partners.partner_edit", lambda w: f"/partenaires/{w.partner.id}/modifier",
         (LOGIN, 403, 422, 422, 422), "POST", {"name": ""}),
    Case("partners.partner_status", lambda w: f"/partenaires/{w.partner.id}/statut",
         (LOGIN, 403, 403, 403, 303), "POST", {"active": "1"}),
    Case("partners.contact_create", lambda w: f"/partenaires/{w.partner.id}/contacts/nouveau",
         (LOGIN, 403, 422, 422, 422), "POST"),
    Case("partners.contact_edit",
         lambda w: f"/partenaires/{w.partner.id}/contacts/{w.partner.contacts[0].id}/modifier",
         (LOGIN, 403, 422, 422, 422), "POST", {"first_name": ""}),
    Case("partners.service_create", lambda w: f"/partenaires/{w.partner.id}/services/nouveau",
         (LOGIN, 403, 422, 422, 422), "POST"),
    Case("partners.service_edit",
         lambda w: f"/partenaires/{w.partner.id}/services/{w.partner.services[0].id}/modifier",
         (LOGIN, 403, 422, 422, 422), "POST", {"name": ""}),
    Case("plugin_admin.association_plugin_settings",
         lambda w: "/associations/alpha/modules/exemplum/reglages", (LOGIN, 403, 403, 422, 422),
         "POST", {"greeting": ""}),
    Case("plugin_admin.association_plugin_toggle", lambda w: "/associations/alpha/modules/exemplum/etat",
         (LOGIN, 403, 403, 303, 303), "POST", {"enabled": "0"}),
    Case("plugin_admin.association_plugin_toggle", lambda w: "/associations/beta/modules/exemplum/etat",
         (LOGIN, 403, 404, 404, 303), "POST", {"enabled": "0"}, label="other"),
    Case("plugin_admin.collective_plugin_policy", lambda w: "/administration/modules/exemplum/interdiction",
         (LOGIN, 403, 403, 403, 303), "POST", {"forbidden": "0"}),
]

# Destructive actions come last so that earlier cases still find their records.
DESTRUCTIVE = [
    Case("members.membership_remove",
         lambda w: (f"/personnes/{w.volunteer2_a.id}/roles/"
                    f"{w.membership_id(w.volunteer2_a, w.asso_a)}/retirer"),
         (LOGIN, 403, 303, 303, 303), "POST"),
    Case("members.membership_remove",
         lambda w: f"/personnes/{PB(w)}/roles/{w.membership_id(w.supported_b, w.asso_b)}/retirer",
         (LOGIN, 403, 404, 404, 303), "POST", label="in B"),
    Case("partners.contact_delete",
         lambda w: f"/partenaires/{w.partner.id}/contacts/{w.partner.contacts[0].id}/supprimer",
         (LOGIN, 403, 303, 303, 303), "POST"),
    Case("partners.service_delete",
         lambda w: f"/partenaires/{w.partner.id}/services/{w.partner.services[0].id}/supprimer",
         (LOGIN, 403, 303, 303, 303), "POST"),
    Case("members.person_erase", lambda w: f"/personnes/{PB(w)}/effacer",
         (LOGIN, 403, 403, 403, 303), "POST"),
    Case("auth.logout", lambda w: "/logout", (LOGIN, 303, 303, 303, 303), "POST"),
]

MATRIX = GETS + POSTS + DESTRUCTIVE


def test_matrix_covers_every_route(app: Flask) -> None:
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    covered = {(case.endpoint, case.method) for case in MATRIX}
    assert routes - covered == set(), "routes without an expected status per role"
    assert covered - routes == set(), "matrix entries for routes that no longer exist"


@pytest.mark.parametrize("role", ROLES)
def test_route_role_matrix(app: Flask, world: World, role: str) -> None:
    client = app.test_client()
    if role != "anonymous":
        login(client, EMAILS[role])
    column = ROLES.index(role)
    failures = []
    for case in MATRIX:
        url = case.url(world)
        if case.method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={**case.data, "csrf_token": csrf_token(client)})
        if response.status_code != case.expected[column]:
            failures.append(f"{case.name} {url}: {response.status_code}, "
                            f"expected {case.expected[column]}")
        if response.status_code == LOGIN and case.expected[column] == LOGIN and role == "anonymous":
            assert "/login" in response.headers["Location"]
    assert failures == [], "\n".join(failures)


def test_every_post_route_refuses_a_missing_csrf_token(app: Flask, world: World) -> None:
    client = app.test_client()
    login(client, EMAILS["collective_admin"])
    for case in POSTS + DESTRUCTIVE:
        response = client.post(case.url(world), data=case.data)
        assert response.status_code == 400, case.name
        assert "Le formulaire a expiré" in text_of(response), case.name


def test_app_refuses_to_start_with_a_route_without_access_rule(database_url: str) -> None:
    def extra_routes(app: Flask) -> None:
        @app.get("/oubli")
        def forgotten_rule() -> str:
            return "sans règle"

    def with_rule(app: Flask) -> None:
        @app.get("/avec-regle")
        @access(Level.MEMBER)
        def ruled() -> str:
            return "ok"

    from core.app import _check_every_route_has_a_rule

    app = make_app(database_url)
    with_rule(app)
    _check_every_route_has_a_rule(app)  # a guarded route passes
    extra_routes(app)
    with pytest.raises(RuntimeError, match="forgotten_rule"):
        _check_every_route_has_a_rule(app)
