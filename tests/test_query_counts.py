"""Pages run a fixed number of SQL queries whatever the amount of data (no N+1)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from flask import Flask

from core.agenda import engine
from core.agenda.clock import paris_to_utc, paris_today
from core.agenda.events import Event, EventKind, Visibility
from core.agenda.scheduling import EventFields, Places, Recurrence, create_events
from core.database import session
from core.members import Association, Membership, Neighbourhood, Person, Role
from core.partners import Barrier, Partner, PartnerContact, PartnerKind, PartnerService
from core.pluginhost.refs import association_ref
from tests.conftest import World
from tests.plugin_fixtures.exemplum.models import ExempleItem
from tests.support import count_queries, login, text_of

PAGES = ["/", "/associations/", "/associations/alpha", "/personnes/", "/partenaires/",
         "/quartiers/", "/partenaires/?frein=childcare", "/personnes/?q=martin"]


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


# --- lists downloaded as files --------------------------------------------------------------

# An export reads its rows and what each row lists (roles, services...) in a fixed number of
# queries, read in one go rather than per row; XLSX and CSV read the same.
# The user's account and roles come first, in one query (core/auth/sessions.py).
EXPORTS = {"/personnes/export.csv": 3, "/personnes/export.xlsx?q=martin": 3,
           "/associations/alpha/personnes/export.csv": 3, "/partenaires/export.xlsx": 5,
           "/partenaires/export.csv?frein=childcare": 5}


def measure_exports(app: Flask, email: str) -> tuple[dict[str, int], dict[str, str]]:
    client = app.test_client()
    login(client, email)
    counts, texts = {}, {}
    for url in EXPORTS:
        with count_queries(app) as statements:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[url] = len(statements)
        texts[url] = response.data.decode("utf-8", "replace")
    return counts, texts


SEEN_ROLES = {"collectif@test.org": "A32 (bénévole), Alpha (personne accompagnée)",
              "coord.a@test.org": "Alpha (personne accompagnée)"}


@pytest.mark.parametrize("email", list(SEEN_ROLES))
def test_export_query_counts_do_not_grow_with_data(app: Flask, db, world, email: str) -> None:
    add_data(db, world, 0, 3)
    few, _ = measure_exports(app, email)
    add_data(db, world, 3, 30)
    many, texts = measure_exports(app, email)
    assert many == few
    assert all(count <= EXPORTS[url] for url, count in few.items()), few
    # The files did hold the data measured, each row with what it lists (as far as the viewer
    # sees the person's memberships).
    roles = SEEN_ROLES[email]
    assert f"Martin 32;Jean;{roles};" in texts["/personnes/export.csv"]
    assert "Partenaire 32;Autre;Service 32;Logement, Garde d'enfants;Quartier 32;Alpha" in texts[
        "/partenaires/export.csv?frein=childcare"]


# --- the agenda ------------------------------------------------------------------------------

AGENDA_VIEWERS = {"volunteer": "benevole.a@test.org", "coordinator": "coord.a@test.org",
                  "collective admin": "collectif@test.org"}
# Statements per agenda page (the most of the three viewers), the same with 3 and with 33
# units of data (20 and 200 events in the month, 9-12 and 99-132 bookings of the viewer,
# 6 and 66 people booked on the event page, 9 and 99 plugin items):
#                      core / exemplum on (SQLite and PostgreSQL alike)
#   /agenda/                     5 / 7
#   /agenda/semaine              5 / 7
#   /agenda/mois                 5 / 7
#   /agenda/mes-inscriptions     4 / 4
#   /agenda/<id>                 6 / 6    (as the coordinator)
# SQLite's explicit BEGIN goes to the driver directly, unseen here. The user's roles come with the account, in
# the query that finds the session (core/auth/sessions.py). The plugins' activations are read once per
# request, for the navigation and the plugin items alike (core/pluginhost/state.py).
AGENDA_CEILINGS = {"upcoming": 7, "week": 7, "month": 7, "mine": 4, "event": 6}


def _agenda_week() -> date:
    """The first Monday of next month: ahead, inside one month's grid, and within the
    upcoming list's horizon for plugin items (UPCOMING_HORIZON, 60 days)."""
    next_month = (paris_today().replace(day=1) + timedelta(days=32)).replace(day=1)
    return next_month + timedelta(days=(7 - next_month.weekday()) % 7)


def _at(day: date, hour: int) -> datetime:
    return paris_to_utc(datetime.combine(day, time(hour)))


def _events(association: Association | None, title: str, start: datetime, visibility: Visibility,
            *, places: int | None = 3, partner: Partner | None = None,
            series: bool = False) -> list[Event]:
    return create_events(
        EventFields(title=title, kind=EventKind.WORKSHOP, visibility=visibility, starts_at=start,
                    ends_at=start + timedelta(hours=2),
                    association_id=association.id if association else None, place="Salle 2",
                    partner_id=partner.id if partner else None),
        Places(capacity=places) if places else None,
        recurrence=Recurrence(count=2) if series else None)


def _bookable(event: Event) -> int:
    assert event.bookable_id is not None
    return event.bookable_id


@dataclass
class AgendaData:
    world: World
    monday: date
    main_event_id: int = 0  # Alpha's, association only, in a series: the page measured


def add_agenda_data(app: Flask, data: AgendaData, start: int, count: int) -> None:
    """Per unit, in the week of ``data.monday`` (series go on the week after): five events
    of Alpha, Bêta and the collective, of every visibility, most with places, three booked
    by the three viewers and a newcomer (a waitlist forms), some at a new partner's premises,
    one cancelled in five; two new people booked on the main event; three plugin items."""
    w = data.world
    viewers = (w.volunteer_a, w.coordinator_a, w.collective_admin)
    with app.app_context():
        if not data.main_event_id:
            data.main_event_id = _events(w.asso_a, "Atelier principal", _at(data.monday, 9),
                                         Visibility.ASSOCIATION, places=1000, partner=w.partner,
                                         series=True)[0].id
        main = session.get(Event, data.main_event_id)
        assert main is not None
        for index in range(start, start + count):
            day = data.monday + timedelta(days=index % 7)
            partner = Partner(name=f"Lieu {index}", kind=PartnerKind.OTHER, address=f"{index} rue")
            newcomer = Person(first_name="Inès", last_name=f"Alpha {index}")
            newcomer.memberships = [Membership(association_id=w.asso_a.id, role=Role.SUPPORTED)]
            beta_person = Person(first_name="Boris", last_name=f"Bêta {index}")
            beta_person.memberships = [Membership(association_id=w.asso_b.id, role=Role.SUPPORTED)]
            session.add_all([partner, newcomer, beta_person])
            session.flush()
            [alpha_only] = _events(w.asso_a, f"Alpha {index}", _at(day, 10), Visibility.ASSOCIATION,
                                   places=2, partner=partner)
            [alpha_public] = _events(w.asso_a, f"Public {index}", _at(day, 18), Visibility.PUBLIC,
                                     places=None, partner=partner)
            [beta_only] = _events(w.asso_b, f"Réservé Bêta {index}", _at(day, 11),
                                  Visibility.ASSOCIATION)
            beta_series = _events(w.asso_b, f"Série Bêta {index}", _at(day, 14), Visibility.COLLECTIVE,
                                  partner=partner, series=True)
            [collective] = _events(None, f"Collectif {index}", _at(day, 16), Visibility.COLLECTIVE,
                                   places=5)
            for event in (alpha_only, beta_series[0], collective):
                for person in (*viewers, newcomer):
                    engine.book(_bookable(event), person.id)
            engine.book(_bookable(beta_only), beta_person.id)
            engine.book(_bookable(beta_series[1]), w.collective_admin.id)
            for person in (newcomer, beta_person):
                engine.book(_bookable(main), person.id, booked_by_id=w.coordinator_a.id)
            alpha_public.cancelled = index % 5 == 4
            at_noon = _at(day, 12)
            session.add_all([
                ExempleItem(association_id=w.asso_a.id, label=f"Exemple {index}", starts_at=at_noon),
                ExempleItem(association_id=w.asso_a.id, label=f"Pour Victor {index}",
                            starts_at=at_noon, visibility="people", person_id=w.volunteer_a.id),
                ExempleItem(association_id=w.asso_b.id, label=f"Public Bêta {index}",
                            starts_at=at_noon, visibility="public"),
            ])
        session.commit()


def agenda_pages(data: AgendaData) -> dict[str, str]:
    return {"upcoming": "/agenda/", "week": f"/agenda/semaine?jour={data.monday.isoformat()}",
            "month": f"/agenda/mois?mois={data.monday:%Y-%m}", "mine": "/agenda/mes-inscriptions",
            "event": f"/agenda/{data.main_event_id}"}


def measure_agenda(app: Flask, data: AgendaData) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for viewer, email in AGENDA_VIEWERS.items():
        client = app.test_client()
        login(client, email)
        counts[viewer] = {}
        for page, url in agenda_pages(data).items():
            with count_queries(app) as statements:
                assert client.get(url).status_code == 200, (viewer, url)
            counts[viewer][page] = len(statements)
    return counts


def shows(app: Flask, email: str, url: str, *texts: str) -> list[bool]:
    client = app.test_client()
    login(client, email)
    page = html.unescape(text_of(client.get(url)))
    return [text in page for text in texts]


@pytest.mark.parametrize("with_plugin", [False, True], ids=["core", "exemplum enabled"])
def test_agenda_query_counts_do_not_grow_with_data(app: Flask, world: World, maillage_enable_plugin,
                                                   with_plugin: bool) -> None:
    if with_plugin:
        for association in (world.asso_a, world.asso_b):
            maillage_enable_plugin("exemplum", association_ref(association))
    data = AgendaData(world=world, monday=_agenda_week())
    add_agenda_data(app, data, 0, 3)
    few = measure_agenda(app, data)
    add_agenda_data(app, data, 3, 30)
    many = measure_agenda(app, data)
    assert many == few
    for viewer, counts in few.items():
        for page, count in counts.items():
            assert count <= AGENDA_CEILINGS[page], (viewer, page, few)
    # The pages did show the data measured, each to whom it is for.
    pages = agenda_pages(data)
    assert shows(app, "benevole.a@test.org", pages["week"], "Alpha 32", "Série Bêta 32",
                 "Réservé Bêta 32", "Exemple 32", "Pour Victor 32") == [
        True, True, False, with_plugin, with_plugin]
    assert shows(app, "benevole.a@test.org", pages["mine"], "Collectif 32", "Lieu 32 — 32 rue") == [
        True, True]
    assert shows(app, "coord.a@test.org", pages["event"], "Inès Alpha 32", "Boris Bêta 32") == [
        True, True]


@pytest.mark.parametrize(("email", "item"), [("benevole.a@test.org", "Exemple 0"),
                                             ("collectif@test.org", "Public Bêta 0")])
def test_agenda_lists_read_the_plugin_activations_once(app: Flask, world: World,
                                                        maillage_enable_plugin, email: str,
                                                        item: str) -> None:
    """The navigation and the plugin items of the associations shown share one read."""
    for association in (world.asso_a, world.asso_b):
        maillage_enable_plugin("exemplum", association_ref(association))
    data = AgendaData(world=world, monday=_agenda_week())
    add_agenda_data(app, data, 0, 1)
    client = app.test_client()
    login(client, email)
    for page in ("upcoming", "week", "month"):
        with count_queries(app) as statements:
            response = client.get(agenda_pages(data)[page])
        if page != "month":  # the month's grid gives numbers, not titles
            assert item in html.unescape(text_of(response)), page
        assert sum("from plugin_activations" in s.lower() for s in statements) == 1, page


def test_the_bookings_export_query_count_does_not_grow_with_data(app: Flask, world: World) -> None:
    """The event's team downloads its list of bookings: the user, the event, the bookings."""
    data = AgendaData(world=world, monday=_agenda_week())

    def measure() -> dict[str, tuple[int, str]]:
        found = {}
        for email in ("coord.a@test.org", "collectif@test.org"):
            client = app.test_client()
            login(client, email)
            for format in ("csv", "xlsx"):
                with count_queries(app) as statements:
                    response = client.get(f"/agenda/{data.main_event_id}/inscriptions/export.{format}")
                assert response.status_code == 200, (email, format)
                found[f"{email} {format}"] = (len(statements), response.data.decode("utf-8", "replace"))
        return found

    add_agenda_data(app, data, 0, 3)
    few = measure()
    add_agenda_data(app, data, 3, 30)
    many = measure()
    assert {key: count for key, (count, _) in many.items()} == {
        key: count for key, (count, _) in few.items()}
    assert max(count for count, _ in few.values()) <= 3, few
    assert "Alpha 32;Inès;Inscrit·e;non;;" in many["coord.a@test.org csv"][1]
    assert "Bêta 32;Boris;Inscrit·e;non;;" in many["coord.a@test.org csv"][1]
