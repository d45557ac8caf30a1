"""Aller-vers: the funnel on a small known world — exact counts and French rates, per place
kind, neighbourhood and action, the filters (bad values ignored with a message, never a
500), and a query count that does not grow with the data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.agenda.clock import paris_today
from core.database import session
from plugins.allervers.funnel import FunnelFilters, funnel, rate
from plugins.allervers.models_outreach import PlaceKind
from plugins.allervers.models_pathways import ExitOutcome, Pathway
from tests.conftest import World
from tests.matrix_allervers_outreach import make_action, make_contact, make_tally
from tests.support import committed, count_queries, login, text_of

BASE = "/p/allervers/alpha"


def _pathway(contact, person_id: int, *, ended: bool) -> None:
    today = paris_today()
    session.add(Pathway(association_id=contact.association_id, person_id=person_id, contact_id=contact.id,
                        first_contact_on=today, started_on=today, ended_on=today if ended else None,
                        exit_outcome=ExitOutcome.JOB if ended else None, exit_note=""))


def build(world: World) -> dict[str, int]:
    market = make_action(world.asso_a.id, days=-10, kind=PlaceKind.MARKET, place="Marché",
                         neighbourhood_id=world.neighbourhood.id)
    first = make_tally(market)
    make_tally(market)
    make_tally(market)
    engaged = make_contact(market, "Lina", tally=first, person_id=world.supported_a.id)
    _pathway(engaged, world.supported_a.id, ended=True)
    still = make_contact(market, "Omar", person_id=world.volunteer2_a.id)
    _pathway(still, world.volunteer2_a.id, ended=False)
    street = make_action(world.asso_a.id, days=-3, kind=PlaceKind.STREET, place="Gare")
    make_tally(street)
    make_tally(street)
    make_contact(street, "Zoé")
    beta = make_action(world.asso_b.id, days=-3)
    for _ in range(5):
        make_tally(beta)
    make_contact(beta, "Bêta")
    return {"market": market.id, "street": street.id}


@pytest.fixture
def known(app, world: World, maillage_enable_plugin) -> dict[str, int]:
    maillage_enable_plugin("allervers", world.asso_a)
    return committed(app, build, world)


def test_the_funnel_counts_each_person_once_with_rates(app, db, world, known):
    with app.app_context():
        figures = funnel(world.asso_a.id)
    total = figures.total
    assert (total.tallies, total.contacts_without_tally) == (5, 2)
    assert total.counts == [7, 3, 2, 1]  # reached, identified, engaged, exits
    assert total.rates == ["42,9\u00a0%", "66,7\u00a0%", "50\u00a0%"]
    assert total.exits == {ExitOutcome.JOB: 1}
    assert [(s.label, s.counts) for s in figures.by_place] == [
        ("Rue", [3, 1, 0, 0]), ("Marché", [4, 2, 2, 1])]
    assert [(s.label, s.counts) for s in figures.by_neighbourhood] == [
        ("Franc-Moisin", [4, 2, 2, 1]), ("Sans quartier", [3, 1, 0, 0])]
    assert [s.counts for s in figures.by_action] == [[3, 1, 0, 0], [4, 2, 2, 1]]  # latest first


def test_the_filters_keep_their_actions(app, db, world, known):
    today = paris_today()
    alpha = world.asso_a.id
    with app.app_context():
        assert funnel(alpha, FunnelFilters(place_kind=PlaceKind.STREET)).total.counts == [3, 1, 0, 0]
        assert funnel(alpha, FunnelFilters(neighbourhood_id=world.neighbourhood.id)).total.counts == [
            4, 2, 2, 1]
        assert funnel(alpha, FunnelFilters(action_id=known["street"])).total.counts == [3, 1, 0, 0]
        recent = FunnelFilters(start=today - timedelta(days=5), end=today)
        assert funnel(alpha, recent).total.counts == [3, 1, 0, 0]
        assert funnel(alpha, FunnelFilters(start=today)).total.counts == [0, 0, 0, 0]


def test_a_period_typed_in_french_is_read_as_the_picker_sends_it(app, client, world, known):
    login(client, "coord.a@test.org")
    today = paris_today()
    typed = client.get(f"{BASE}/entonnoir", query_string={"du": today.strftime("%d/%m/%Y")})
    picked = client.get(f"{BASE}/entonnoir", query_string={"du": today.isoformat()})
    assert typed.status_code == picked.status_code == 200
    assert "ignor" not in text_of(typed)
    assert f'value="{today.isoformat()}"' in text_of(typed)


def test_rates_in_french():
    assert rate(1, 3) == "33,3\u00a0%" and rate(1, 2) == "50\u00a0%" and rate(3, 0) == "—"


def test_the_page_shows_chart_and_table_for_coordinators_only(app, client, world, known):
    login(client, "coord.a@test.org")
    page = client.get(f"{BASE}/entonnoir", query_string={"lieu": "market"})
    text = text_of(page)
    assert page.status_code == 200
    assert "<svg" in text and "Voir les données du graphique" in text
    assert "100\u00a0%" in text  # engaged / identified at the market: 2 of 2
    volunteer = app.test_client()
    login(volunteer, "benevole.a@test.org")
    assert volunteer.get(f"{BASE}/entonnoir").status_code == 403


@pytest.mark.parametrize("query", [
    {"du": "hier"}, {"au": "2026-13-45"}, {"du": "31/02/2026"}, {"du": "0001-01-01"}, {"quartier": "abc"},
    {"quartier": "999999"}, {"lieu": "lune"}, {"action": "-1"}, {"action": "999999"},
    {"du": "2026-05-01", "au": "2026-04-01"},
])
def test_bad_filters_are_ignored_with_a_french_message(app, client, world, known, query):
    login(client, "coord.a@test.org")
    page = client.get(f"{BASE}/entonnoir", query_string=query)
    assert page.status_code == 200
    assert "ignor" in text_of(page)


def test_another_associations_action_is_not_a_filter(app, client, world, known):
    login(client, "coord.a@test.org")
    beta_action = committed(app, lambda: make_action(world.asso_b.id).id)
    assert "Action inconnue" in text_of(client.get(f"{BASE}/entonnoir", query_string={"action": beta_action}))


def test_the_funnel_page_runs_a_fixed_number_of_queries(app, client, world, known):
    login(client, "coord.a@test.org")
    with count_queries(app) as few:
        client.get(f"{BASE}/entonnoir")

    def more() -> None:
        for n in range(8):
            action = make_action(world.asso_a.id, days=-n - 1, kind=list(PlaceKind)[n % 5],
                                 neighbourhood_id=world.neighbourhood.id if n % 2 else None)
            for _ in range(3):
                make_contact(action, tally=make_tally(action))
    committed(app, more)
    with count_queries(app) as many:
        client.get(f"{BASE}/entonnoir")
    assert len(many) == len(few)


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=20)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(du=TEXT, au=TEXT, quartier=TEXT, lieu=TEXT, action=TEXT)
def test_any_filter_never_breaks_the_page(app, client, world, known, du, au, quartier, lieu, action):
    if client.get("/compte").status_code != 200:
        login(client, "coord.a@test.org")
    page = client.get(f"{BASE}/entonnoir", query_string={"du": du, "au": au, "quartier": quartier,
                                                         "lieu": lieu, "action": action})
    nul = "\x00" in du + au + quartier + lieu + action
    assert page.status_code == 200 or (nul and page.status_code == 400)
