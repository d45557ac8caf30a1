"""Pages run a fixed number of SQL queries whatever the amount of data (no N+1)."""

from __future__ import annotations

from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event

from core.database import get_database
from core.members import Association, Membership, Neighbourhood, Person, Role
from core.partners import Barrier, Partner, PartnerContact, PartnerKind, PartnerService
from tests.support import login

PAGES = ["/", "/associations/", "/associations/alpha", "/personnes/", "/partenaires/",
         "/quartiers/", "/partenaires/?frein=childcare", "/personnes/?q=martin"]


@contextmanager
def count_queries(app: Flask):
    statements: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    engine = get_database(app).engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def add_data(db, world, start: int, count: int) -> None:
    for index in range(start, start + count):
        neighbourhood = Neighbourhood(name=f"Quartier {index}", city="Bobigny")
        association = Association(name=f"Asso {index}", short_name=f"A{index}", slug=f"a{index}",
                                  neighbourhoods=[neighbourhood])
        person = Person(first_name="Jean", last_name=f"Martin {index}")
        person.memberships = [Membership(association=world.asso_a, role=Role.SUPPORTED),
                              Membership(association=association, role=Role.VOLUNTEER)]
        partner = Partner(name=f"Partenaire {index}", kind=PartnerKind.OTHER,
                          neighbourhoods=[neighbourhood], associations=[world.asso_a])
        partner.contacts = [PartnerContact(first_name="C", last_name=str(index))]
        service = PartnerService(name=f"Service {index}")
        service.barriers = [Barrier.CHILDCARE, Barrier.HOUSING]
        partner.services = [service]
        db.add_all([neighbourhood, association, person, partner])
    db.commit()


def measure(app: Flask) -> dict[str, int]:
    client = app.test_client()
    login(client, "collectif@test.org")
    counts = {}
    for url in PAGES:
        with count_queries(app) as statements:
            assert client.get(url).status_code == 200, url
        counts[url] = len(statements)
    return counts


def test_page_query_counts_do_not_grow_with_data(app: Flask, db, world) -> None:
    add_data(db, world, 0, 3)
    few = measure(app)
    add_data(db, world, 3, 30)
    many = measure(app)
    assert many == few
    assert max(few.values()) <= 12, few
