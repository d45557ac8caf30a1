"""Calendar feeds (RFC 5545): the public feed of an association, the private feed behind a
revocable token, and the page that makes the token. Every feed is parsed back with
icalendar; no supported person's name may ever appear in one."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from flask import Flask, url_for
from icalendar import Calendar
from sqlalchemy import select
from werkzeug.test import TestResponse

from core.agenda.clock import PARIS, paris_to_utc, paris_today
from core.agenda.engine import book, cancel
from core.agenda.events import Event, EventKind, Visibility
from core.agenda.feed_tokens import FeedToken, new_feed_token
from core.agenda.scheduling import EventFields, Places, cancel_event, create_events
from core.database import session
from tests.conftest import World
from tests.plugin_fixtures.exemplum.models import ExempleItem
from tests.support import committed, count_queries, give_account, login, post, text_of

# Names no feed may contain: given to the person supported before each scenario.
SECRET_FIRST, SECRET_LAST = "Zéphyrine", "Quincampoix"


# --- helpers -------------------------------------------------------------------------------


def paris(day: date, hour: int = 14) -> datetime:
    return paris_to_utc(datetime.combine(day, time(hour)))


def in_days(days: int, hour: int = 14) -> datetime:
    return paris(paris_today() + timedelta(days=days), hour)


def next_date(month: int, day: int) -> date:
    """The next such day after today: within a year, so inside the feeds' window."""
    today = paris_today()
    candidate = date(today.year, month, day)
    return candidate if candidate > today else date(today.year + 1, month, day)


def make_event(app: Flask, title: str, *, association_id: int | None,
               visibility: Visibility = Visibility.PUBLIC, starts_at: datetime | None = None,
               capacity: int | None = None, description: str = "",
               partner_id: int | None = None) -> tuple[int, int | None]:
    start = starts_at or in_days(7)

    def create() -> tuple[int, int | None]:
        [event] = create_events(
            EventFields(title=title, kind=EventKind.WORKSHOP, visibility=visibility,
                        starts_at=start, ends_at=start + timedelta(hours=2),
                        association_id=association_id, description=description,
                        place="Salle polyvalente", partner_id=partner_id),
            Places(capacity=capacity) if capacity is not None else None,
        )
        return event.id, event.bookable_id

    return committed(app, create)


def book_place(app: Flask, bookable_id: int | None, person_id: int) -> int:
    assert bookable_id is not None
    return committed(app, lambda: book(bookable_id, person_id).id)


def cancel_whole_event(app: Flask, event_id: int) -> None:
    committed(app, lambda: cancel_event(session.get(Event, event_id)))


def feed_token(app: Flask, person_id: int) -> str:
    return committed(app, new_feed_token, person_id)


def fetch(client, url: str) -> TestResponse:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return response


def parse(response: TestResponse) -> Calendar:
    calendar = Calendar.from_ical(response.data)
    assert_valid(calendar)
    return calendar


def unfolded(response: TestResponse) -> str:
    """The feed's text with RFC 5545 line folding undone, so a name cut across two lines
    is still found."""
    return response.data.replace(b"\r\n ", b"").replace(b"\r\n\t", b"").decode()


def assert_valid(calendar: Calendar) -> None:
    assert calendar["PRODID"] == "-//Maillage//Agenda//FR"
    assert calendar["VERSION"] == "2.0"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-TIMEZONE"] == "Europe/Paris"
    assert calendar["X-WR-CALNAME"]
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Paris"
    assert zone.walk("STANDARD") and zone.walk("DAYLIGHT")
    for vevent in calendar.walk("VEVENT"):
        assert vevent["UID"]
        assert vevent["DTSTAMP"].dt.utcoffset() == timedelta(0)
        for name in ("DTSTART", "DTEND"):
            assert vevent[name].params["TZID"] == "Europe/Paris"
            assert str(vevent[name].dt.tzinfo) == "Europe/Paris"
        assert vevent["STATUS"] in ("CONFIRMED", "CANCELLED")
        assert "ATTENDEE" not in vevent and "ORGANIZER" not in vevent


def by_title(calendar: Calendar) -> dict[str, Any]:
    return {str(vevent["SUMMARY"]): vevent for vevent in calendar.walk("VEVENT")}


def uids(calendar: Calendar) -> dict[str, str]:
    return {str(vevent["SUMMARY"]): str(vevent["UID"]) for vevent in calendar.walk("VEVENT")}


@pytest.fixture
def secret_names(db, world: World) -> World:
    world.supported_a.first_name, world.supported_a.last_name = SECRET_FIRST, SECRET_LAST
    db.commit()
    return world


def assert_no_supported_name(response: TestResponse) -> None:
    text = unfolded(response)
    for name in (SECRET_FIRST, SECRET_LAST, "Samir", "Suivi", "samir@test.org"):
        assert name not in text


# --- the public feed -----------------------------------------------------------------------


def test_public_feed_has_the_associations_public_events_only(app, client, world):
    january, july = next_date(1, 15), next_date(7, 15)
    make_event(app, "Atelier CV de janvier", association_id=world.asso_a.id, starts_at=paris(january))
    make_event(app, "Atelier CV de juillet", association_id=world.asso_a.id, starts_at=paris(july))
    make_event(app, "Réunion interne Alpha", association_id=world.asso_a.id,
               visibility=Visibility.ASSOCIATION)
    make_event(app, "Formation du collectif", association_id=world.asso_a.id,
               visibility=Visibility.COLLECTIVE)
    make_event(app, "Portes ouvertes Bêta", association_id=world.asso_b.id)
    make_event(app, "Forum de tout le collectif", association_id=None)

    response = fetch(client, "/agenda/alpha.ics")
    assert response.headers["Content-Disposition"] == 'inline; filename="alpha.ics"'
    calendar = parse(response)
    assert calendar["X-WR-CALNAME"] == "Agenda — Association Alpha"
    events = by_title(calendar)
    assert set(events) == {"Atelier CV de janvier", "Atelier CV de juillet"}
    # Winter (UTC+1) and summer (UTC+2): both at 14:00 on the Paris wall clock.
    assert events["Atelier CV de janvier"]["DTSTART"].dt.replace(tzinfo=None) \
        == datetime.combine(january, time(14))
    assert events["Atelier CV de juillet"]["DTSTART"].dt.replace(tzinfo=None) \
        == datetime.combine(july, time(14))
    assert events["Atelier CV de juillet"]["DTEND"].dt.hour == 16
    assert b"DTSTART;TZID=Europe/Paris:" + july.strftime("%Y%m%d").encode() + b"T140000" \
        in response.data
    event = events["Atelier CV de janvier"]
    assert str(event["LOCATION"]) == "Salle polyvalente"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["LAST-MODIFIED"].dt.utcoffset() == timedelta(0)


def test_uids_are_stable_across_fetches(app, client, world):
    event_id, _ = make_event(app, "Atelier CV", association_id=world.asso_a.id)
    first = uids(parse(fetch(client, "/agenda/alpha.ics")))
    second = uids(parse(fetch(app.test_client(), "/agenda/alpha.ics")))
    assert first == second == {"Atelier CV": f"event-{event_id}@localhost"}


def test_unknown_or_inactive_association_has_no_feed(client, db, world):
    assert client.get("/agenda/inconnue.ics").status_code == 404
    world.asso_b.active = False
    db.commit()
    assert client.get("/agenda/beta.ics").status_code == 404


def test_a_cancelled_public_event_stays_as_cancelled(app, client, world):
    event_id, _ = make_event(app, "Sortie au musée", association_id=world.asso_a.id, capacity=5)
    cancel_whole_event(app, event_id)
    [vevent] = parse(fetch(client, "/agenda/alpha.ics")).walk("VEVENT")
    assert str(vevent["STATUS"]) == "CANCELLED"
    assert str(vevent["UID"]) == f"event-{event_id}@localhost"


def test_feeds_keep_to_their_window(app, client, world):
    make_event(app, "Il y a dix jours", association_id=world.asso_a.id, starts_at=in_days(-10))
    make_event(app, "Il y a quarante jours", association_id=world.asso_a.id, starts_at=in_days(-40))
    make_event(app, "Dans cinq cents jours", association_id=world.asso_a.id, starts_at=in_days(500))
    assert set(by_title(parse(fetch(client, "/agenda/alpha.ics")))) == {"Il y a dix jours"}


def test_vtimezone_onsets_are_the_real_transitions(client, world):
    """RFC 5545 reads an onset in the offset in force before it: 02:00 for summer time."""
    [zone] = parse(fetch(client, "/agenda/alpha.ics")).walk("VTIMEZONE")
    checked = 0
    for observance in zone.subcomponents:
        before, after = observance["TZOFFSETFROM"].td, observance["TZOFFSETTO"].td
        if before == after:
            continue
        onsets = [observance["DTSTART"].dt]
        rdates = observance.get("RDATE", [])
        for rdate in rdates if isinstance(rdates, list) else [rdates]:
            onsets += [moment.dt for moment in rdate.dts]
        for onset in onsets:
            instant = (onset - before).replace(tzinfo=UTC)
            assert instant.astimezone(PARIS).utcoffset() == after, onset
            assert (instant - timedelta(seconds=1)).astimezone(PARIS).utcoffset() == before, onset
            checked += 1
    assert checked >= 4  # spring and autumn of at least two years


def test_event_url_points_to_the_event_page_when_there_is_one(app, client, world):
    event_id, _ = make_event(app, "Atelier CV", association_id=world.asso_a.id)
    [vevent] = parse(fetch(client, "/agenda/alpha.ics")).walk("VEVENT")
    if "agenda.event_detail" in app.view_functions:
        with app.test_request_context():
            expected = url_for("agenda.event_detail", event_id=event_id, _external=True)
        assert str(vevent["URL"]) == expected
        assert expected in str(vevent["DESCRIPTION"])
    else:  # the event pages are not there yet: no dead link
        assert "URL" not in vevent


def test_base_url_sets_links_and_uid_host(app, client, world):
    app.config["BASE_URL"] = "https://intranet.exemple.org/"
    event_id, _ = make_event(app, "Atelier CV", association_id=world.asso_a.id)
    [vevent] = parse(fetch(client, "/agenda/alpha.ics")).walk("VEVENT")
    assert str(vevent["UID"]) == f"event-{event_id}@intranet.exemple.org"
    login(client, "benevole.a@test.org")
    page = text_of(post(client, "/agenda/calendrier/lien"))
    assert re.search(r'value="https://intranet\.exemple\.org/agenda/flux/[\w-]+\.ics"', page)
    assert "https://intranet.exemple.org/agenda/alpha.ics" in page


# --- the private feed ----------------------------------------------------------------------


def test_private_feed_needs_a_valid_token(app, client, world):
    assert client.get("/agenda/flux/inconnu.ics").status_code == 404
    assert client.get(f"/agenda/flux/{'x' * 200}.ics").status_code == 404
    token = feed_token(app, world.volunteer_a.id)
    response = fetch(client, f"/agenda/flux/{token}.ics")
    parse(response)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"].startswith("noindex")
    assert response.headers["Content-Disposition"] == 'inline; filename="mon-agenda.ics"'


def test_private_feed_content(app, client, db, world):
    member = world.volunteer_a.id
    make_event(app, "Réunion interne Alpha", association_id=world.asso_a.id,
               visibility=Visibility.ASSOCIATION)
    make_event(app, "Atelier public Alpha", association_id=world.asso_a.id)
    make_event(app, "Forum de tout le collectif", association_id=None,
               visibility=Visibility.COLLECTIVE)
    _, outing = make_event(app, "Sortie Bêta", association_id=world.asso_b.id, capacity=5)
    book_place(app, outing, member)
    _, full = make_event(app, "Visite Bêta", association_id=world.asso_b.id,
                         visibility=Visibility.COLLECTIVE, capacity=1)
    book_place(app, full, world.supported_b.id)
    book_place(app, full, member)  # the only place is taken: waiting list
    _, dropped = make_event(app, "Atelier Bêta annulé par moi", association_id=world.asso_b.id,
                            capacity=5)
    committed(app, cancel, book_place(app, dropped, member))
    make_event(app, "Réunion interne Bêta", association_id=world.asso_b.id,
               visibility=Visibility.ASSOCIATION)
    make_event(app, "Portes ouvertes Bêta", association_id=world.asso_b.id)
    cancelled, _ = make_event(app, "Pique-nique Alpha", association_id=world.asso_a.id)
    cancel_whole_event(app, cancelled)

    token = feed_token(app, member)
    calendar = parse(fetch(client, f"/agenda/flux/{token}.ics"))
    assert calendar["X-WR-CALNAME"] == "Mon agenda Maillage"
    events = by_title(calendar)
    assert set(events) == {"Réunion interne Alpha", "Atelier public Alpha",
                           "Forum de tout le collectif", "Sortie Bêta", "Visite Bêta",
                           "Pique-nique Alpha"}
    assert "Vous êtes inscrit·e." in str(events["Sortie Bêta"]["DESCRIPTION"])
    assert "Organisé par Association Bêta." in str(events["Sortie Bêta"]["DESCRIPTION"])
    assert "Vous êtes en liste d'attente." in str(events["Visite Bêta"]["DESCRIPTION"])
    assert "Vous êtes" not in str(events.get("Atelier public Alpha").get("DESCRIPTION", ""))
    assert str(events["Pique-nique Alpha"]["STATUS"]) == "CANCELLED"
    assert str(events["Sortie Bêta"]["STATUS"]) == "CONFIRMED"

    db.expire_all()
    assert db.scalar(select(FeedToken.last_used_at).where(FeedToken.person_id == member))


def test_a_deactivated_persons_feed_stops(app, client, db, world):
    token = feed_token(app, world.volunteer_a.id)
    assert client.get(f"/agenda/flux/{token}.ics").status_code == 200
    world.volunteer_a.active = False
    db.commit()
    assert client.get(f"/agenda/flux/{token}.ics").status_code == 404


def test_no_supported_persons_name_in_any_feed(app, client, secret_names):
    world = secret_names
    _, public = make_event(app, "Atelier public Alpha", association_id=world.asso_a.id, capacity=5)
    _, internal = make_event(app, "Atelier interne Alpha", association_id=world.asso_a.id,
                             visibility=Visibility.ASSOCIATION, capacity=5)
    for bookable in (public, internal):
        book_place(app, bookable, world.supported_a.id)
    book_place(app, public, world.volunteer_a.id)
    feeds = [f"/agenda/flux/{feed_token(app, person.id)}.ics"
             for person in (world.coordinator_a, world.volunteer_a, world.admin_a,
                            world.collective_admin)]
    for url in [*feeds, "/agenda/alpha.ics", "/agenda/beta.ics"]:
        response = fetch(client, url)
        parse(response)
        assert_no_supported_name(response)
    coordinator = by_title(parse(fetch(client, feeds[0])))
    assert {"Atelier public Alpha", "Atelier interne Alpha"} <= set(coordinator)


# --- plugin items --------------------------------------------------------------------------


def test_plugin_items_follow_their_visibility(app, client, db, world, password_hash,
                                              maillage_enable_plugin):
    maillage_enable_plugin("exemplum", world.asso_a)
    give_account(db, world.volunteer2_a.id, password_hash)
    start = in_days(3, hour=10)
    db.add_all([
        ExempleItem(association_id=world.asso_a.id, label="Permanence ouverte", starts_at=start,
                    visibility="public"),
        ExempleItem(association_id=world.asso_a.id, label="Entretien individuel",
                    person_id=world.volunteer_a.id, starts_at=start, visibility="people"),
        ExempleItem(association_id=world.asso_a.id, label="Point d'équipe", starts_at=start,
                    visibility="association"),
    ])
    db.commit()

    def titles(url: str) -> set[str]:
        return set(by_title(parse(fetch(client, url))))

    def private(person) -> set[str]:
        return titles(f"/agenda/flux/{feed_token(app, person.id)}.ics")

    everything = {"Permanence ouverte", "Entretien individuel", "Point d'équipe"}
    assert titles("/agenda/alpha.ics") == {"Permanence ouverte"}
    assert titles("/agenda/beta.ics") == set()
    assert private(world.volunteer_a) == everything
    assert private(world.coordinator_a) == everything
    assert private(world.volunteer2_a) == {"Permanence ouverte", "Point d'équipe"}
    assert private(world.coordinator_b) == set()

    calendar = parse(fetch(client, "/agenda/alpha.ics"))
    [vevent] = calendar.walk("VEVENT")
    item_id = db.scalar(select(ExempleItem.id).where(ExempleItem.visibility == "public"))
    assert str(vevent["UID"]) == f"exemplum-{world.asso_a.id}-item-{item_id}@localhost"
    assert vevent["DTSTART"].dt.hour == 10
    again = parse(fetch(client, "/agenda/alpha.ics"))
    assert uids(again) == uids(calendar)


# --- the page that makes the link ----------------------------------------------------------

FEED_URL = re.compile(r'value="(http://localhost(/agenda/flux/[\w-]+\.ics))"')


def new_link(client) -> str:
    response = post(client, "/agenda/calendrier/lien")
    assert response.status_code == 200
    page = text_of(response)
    found = FEED_URL.search(page)
    assert found, "no feed address on the page"
    assert f'href="webcal://localhost{found.group(2)}"' in page
    assert "n'est affichée qu'une fois" in page
    return found.group(2)


def test_calendar_page_needs_login(client, world):
    response = client.get("/agenda/calendrier")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_link_forms_refuse_a_missing_csrf_token(client, world):
    login(client, "benevole.a@test.org")
    assert post(client, "/agenda/calendrier/lien", csrf=False).status_code == 400
    assert post(client, "/agenda/calendrier/supprimer", csrf=False).status_code == 400


def test_make_replace_and_revoke_the_link(client, world):
    login(client, "benevole.a@test.org")
    page = text_of(client.get("/agenda/calendrier"))
    assert "Créer mon lien" in page and "Supprimer mon lien" not in page
    assert "Google Agenda" in page and "Thunderbird" in page

    first = new_link(client)
    assert fetch(client, first)
    page = text_of(client.get("/agenda/calendrier"))
    assert "Remplacer mon lien" in page and "Supprimer mon lien" in page
    assert first not in page  # shown once only

    second = new_link(client)
    assert second != first
    assert client.get(first).status_code == 404
    assert fetch(client, second)

    revoked = post(client, "/agenda/calendrier/supprimer")
    assert revoked.status_code == 303
    assert revoked.headers["Location"].endswith("/agenda/calendrier")
    page = html.unescape(text_of(client.get("/agenda/calendrier")))
    assert "Votre lien d'agenda est supprimé" in page
    assert "Créer mon lien" in page
    assert client.get(second).status_code == 404


def test_the_page_lists_the_public_feeds_of_my_associations(client, world):
    login(client, "coord.a@test.org")
    page = text_of(client.get("/agenda/calendrier"))
    assert "http://localhost/agenda/alpha.ics" in page
    assert "/agenda/beta.ics" not in page


# --- queries -------------------------------------------------------------------------------


def test_feeds_run_a_fixed_number_of_queries(app, client, db, world, maillage_enable_plugin):
    maillage_enable_plugin("exemplum", world.asso_a)
    token = feed_token(app, world.volunteer_a.id)
    urls = ["/agenda/alpha.ics", f"/agenda/flux/{token}.ics"]

    def add(count: int) -> None:
        for index in range(count):
            for association, visibility in ((world.asso_a, Visibility.PUBLIC),
                                            (world.asso_a, Visibility.ASSOCIATION),
                                            (world.asso_b, Visibility.PUBLIC)):
                _, bookable = make_event(app, f"Activité {index}", association_id=association.id,
                                         visibility=visibility, capacity=3,
                                         starts_at=in_days(index + 1),
                                         partner_id=world.partner.id)
                book_place(app, bookable, world.volunteer_a.id)

    def measure() -> list[int]:
        counts = []
        for url in urls:
            with count_queries(app) as statements:
                fetch(client, url)
            counts.append(len(statements))
        return counts

    add(2)
    fetch(client, urls[1])  # notes the feed's use: later fetches within the hour only read
    few = measure()
    add(10)
    assert measure() == few
    assert max(few) <= 8, few

