"""Sites en transition at scale: a call's ranking per lot and its list of applications read
the same, exact number of queries for 5 applications on 2 lots as for 50 on 6 (the ranking
is benchmarked with 2,000), each wishing up to three lots, scored by two reviewers."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from plugins.sites.models_calls import Decision
from tests.conftest import World
from tests.sites_review_world import CallWorld, add_application, add_scores, decide, make_call
from tests.support import count_queries, login

# The account and its roles, the plugin state, the call, its site's name, the collective's name
# for the layout, then the page's own reads.
EXPECTED = {
    "classement": 9,  # + the call's lots, the wishes, the criteria, the scores summed
    "candidatures": 8,  # + the applications with their lots, the criteria, the scores summed
}


def build(db: Session, world: World, applications: int, lots: int) -> CallWorld:
    codes = [f"L{index}" for index in range(lots)]
    made = make_call(db, world.asso_a.id, lots=codes, title=f"Appel de {applications}")
    for index in range(applications):
        organisation = f"Structure {index:03d}"
        wishes = [codes[(index + step) % lots] for step in range(min(3, lots))][: 1 + index % 3]
        add_application(db, made, organisation, wishes)
        mine = [index % 6, (index * 7) % 6][: 1 + index % 4]  # some left half scored
        add_scores(db, made, organisation, world.coordinator_a.id, mine)
        add_scores(db, made, organisation, world.admin_a.id, [(index * 3) % 6, 5])
        if index % 5 == 0:
            decide(db, made, organisation, wishes[0], Decision.WAITING)
    db.commit()
    return made


@pytest.mark.parametrize("page", sorted(EXPECTED))
def test_the_review_pages_read_as_many_queries_for_50_applications_as_for_5(
        app: Flask, client, db, world, maillage_enable_plugin, page):
    maillage_enable_plugin("sites", world.asso_a)
    login(client, "coord.a@test.org")
    counts, rows = {}, {}
    for applications, lots in ((5, 2), (50, 6)):
        made = build(db, world, applications, lots)
        with count_queries(app) as statements:
            response = client.get(f"/p/sites/alpha/appels/{made.call}/{page}")
        assert response.status_code == 200
        counts[applications] = len(statements)
        rows[applications] = len(re.findall(r'<td data-label="Structure">', response.text))
    assert counts == {5: EXPECTED[page], 50: EXPECTED[page]}, counts
    assert 0 < rows[5] < rows[50]
