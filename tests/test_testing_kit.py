"""The testing kit (core/testing.py) as plugin authors use it: through its fixtures only.

The suite's app loads ``exemplum`` from tests/plugin_fixtures, a plugin installed from
elsewhere as far as the core is concerned: what is checked on it here is what any plugin's
own tests get.
"""

from __future__ import annotations

import pytest

from core.plugin_api import AssociationRef, PersonRef, Role, has_role
from plugins.premieres_heures import plugin as premieres_heures

EXEMPLUM = "exemplum"
ANONYMOUS_TO_LOGIN = {"anonymous": 302}
MEMBERS = {**ANONYMOUS_TO_LOGIN, "volunteer": 200, "coordinator": 200, "admin": 200,
           "collective_admin": 200}
NOT_HERE = {**ANONYMOUS_TO_LOGIN, "volunteer": 404, "coordinator": 404, "admin": 404,
            "collective_admin": 404}


# --- people and associations ----------------------------------------------------------------


def test_a_client_already_logged_in_switches_users(maillage_client, maillage_people,
                                                    maillage_login):
    maillage_login(maillage_client, maillage_people["coordinator"])
    assert maillage_client.get("/personnes/").status_code == 200
    maillage_login(maillage_client, maillage_people["volunteer"])
    assert maillage_client.get("/personnes/").status_code == 403


def test_people_come_as_refs_with_a_person_supported_and_another_association(
        maillage_client, maillage_people, maillage_login, maillage_association,
        maillage_other_association, maillage_users):
    assert all(isinstance(person, PersonRef) for person in maillage_people.values())
    assert isinstance(maillage_other_association, AssociationRef)
    assert maillage_other_association.id != maillage_association.id
    # The same people as the older fixture, so tests may mix the two.
    assert maillage_people["coordinator"].id == maillage_users["coordinator"].id
    supported, elsewhere = maillage_people["supported"], maillage_people["other_supported"]

    maillage_login(maillage_client, maillage_people["coordinator"])
    assert maillage_client.get(f"/personnes/{supported.id}").status_code == 200
    assert maillage_client.get(f"/personnes/{elsewhere.id}").status_code == 404
    maillage_login(maillage_client, maillage_people["other_coordinator"])
    assert maillage_client.get(f"/personnes/{elsewhere.id}").status_code == 200
    assert maillage_client.get(f"/personnes/{supported.id}").status_code == 404


def test_a_person_supported_has_no_account_to_log_in_with(maillage_client, maillage_people,
                                                          maillage_login):
    with pytest.raises(AssertionError, match="Supported Test has no account"):
        maillage_login(maillage_client, maillage_people["supported"])


def test_a_hook_called_as_a_user_sees_that_users_roles(maillage_app, maillage_people,
                                                       maillage_association, maillage_as_user):
    """Premières Heures shows its widget to coordinators only: in a bare request context
    nobody is a coordinator, so a test could not see the widget without the kit's help."""
    coordinator, volunteer = maillage_people["coordinator"], maillage_people["volunteer"]

    def widgets(person: PersonRef) -> list:
        return premieres_heures.dashboard_widgets(association=maillage_association, person=person)

    with maillage_app.test_request_context():
        assert widgets(coordinator) == []
    with maillage_as_user(coordinator):
        assert has_role(maillage_association.id, Role.COORDINATOR)
        [widget] = widgets(coordinator)
        assert widget.title == "Premières Heures — Test"
    with maillage_as_user(volunteer):
        assert widgets(volunteer) == []


def test_page_text_reads_a_page_as_its_reader(maillage_client, maillage_people, maillage_login,
                                              maillage_association, maillage_enable_plugin,
                                              maillage_page_text):
    assert maillage_page_text(
        "<p>Aujourd&#39;hui, <strong>3</strong>\n  notes</p><p>Fin</p><script>x = 1</script>"
    ) == "Aujourd'hui, 3 notes Fin"
    maillage_enable_plugin(EXEMPLUM, maillage_association)
    maillage_login(maillage_client, maillage_people["volunteer"])
    dashboard = maillage_client.get("/")
    assert "Éléments d'exemple" not in dashboard.get_data(as_text=True)  # written d&#39;exemple
    assert "Éléments d'exemple 0 élément(s) d'exemple pour Test." in maillage_page_text(dashboard)


# --- the route matrix ------------------------------------------------------------------------


@pytest.fixture
def exemplum_cases(maillage_association, maillage_other_association, maillage_enable_plugin):
    """Exemplum enabled for the association, not the other one; every route covered."""
    maillage_enable_plugin(EXEMPLUM, maillage_association)
    here, elsewhere = maillage_association.slug, maillage_other_association.slug
    return [
        ("GET", "/p/exemplum/", MEMBERS),
        ("GET", f"/p/exemplum/{here}/", MEMBERS),
        ("GET", f"/p/exemplum/{elsewhere}/", NOT_HERE),
        ("POST", f"/p/exemplum/{here}/reserver/999999", NOT_HERE, {"note": "inconnue"}),
    ]


def test_a_complete_table_passes_for_each_role(maillage_route_matrix, exemplum_cases):
    maillage_route_matrix(EXEMPLUM, exemplum_cases)


def test_a_route_without_a_case_fails_the_matrix(maillage_route_matrix, exemplum_cases):
    with pytest.raises(pytest.fail.Exception, match=(
            r"POST exemplum\.reserve \(/p/exemplum/<association>/reserver/<int:bookable_id>\): "
            "no case gives its status per role")):
        maillage_route_matrix(EXEMPLUM, [case for case in exemplum_cases if case[0] == "GET"])


def test_a_wrong_status_fails_the_matrix_for_that_role(maillage_route_matrix, exemplum_cases):
    [home, *others] = exemplum_cases
    everyone_refused = ("GET", home[1], dict.fromkeys(MEMBERS, 403))
    with pytest.raises(pytest.fail.Exception, match=r"GET /p/exemplum/: (302|200), expected 403"):
        maillage_route_matrix(EXEMPLUM, [everyone_refused, *others])


@pytest.mark.parametrize(("case", "problem"), [
    (("GET", "/p/exemplum/", {"volunteer": 200}), "GET /p/exemplum/: no expected status for "
                                                  "anonymous, coordinator, admin, collective_admin"),
    (("GET", "/p/exemplum/", {**MEMBERS, "benevole": 200}), "unknown role benevole"),
    (("GET", "/p/exemplum/nulle/part/", MEMBERS), "GET /p/exemplum/nulle/part/: no route"),
    (("GET", "/p/exemplum/"), "write (method, url, {role: status}[, data])"),
])
def test_a_case_the_matrix_cannot_read_fails_it(maillage_route_matrix, exemplum_cases, case,
                                                problem):
    with pytest.raises(pytest.fail.Exception) as failure:
        maillage_route_matrix(EXEMPLUM, [*exemplum_cases, case])
    assert problem in str(failure.value)
