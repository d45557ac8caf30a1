"""Under load, through a real HTTP server: capacity is never exceeded and the waitlist keeps
arrival order when many people book the last places at once.

The suite's app is served by werkzeug's threaded server on 127.0.0.1 (an ephemeral port), on
the test database (SQLite, or PostgreSQL when MAILLAGE_TEST_DATABASE_URL is set). Each
simulated person is a plain HTTP client with its own cookie jar: they log in through the
login form, fetch the event page for its CSRF token, then wait on a barrier and post at the
same instant. Nothing is mocked.

Logging in costs an argon2 verification (about half a second, on purpose), so the crowd logs
in once for the whole module, one after the other (the login limit is per address, and
127.0.0.1 is everyone's); each scenario then uses its own event.
"""

from __future__ import annotations

import html
import http.cookiejar
import re
import threading
import traceback
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import pytest
from flask import Flask
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from core.agenda.bookables import Bookable
from core.agenda.bookings import Booking, BookingStatus
from core.auth.accounts import Account
from core.mail import OUTBOX_KEY
from core.members import Association, Membership, Person, Role
from core.testing import TEST_PASSWORD, empty_tables
from tests.support import ErrorLog, live_server, upcoming_event

CROWD = 30
HTTP_TIMEOUT = 60  # seconds, per request
JOIN_TIMEOUT = 90  # seconds, for a whole volley
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
# The flash left by the booking request: the position the server gave when it accepted it.
_TOLD = re.compile(r"en liste d'attente \(position (\d+)\)")
# The event page itself: the position now.
_SHOWN = re.compile(r"Vous êtes en liste d'attente, position (\d+)\.")
CONFIRMED_TEXT = "Vous êtes inscrit·e."

T = TypeVar("T")


# --- a real server, real clients ------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Keep the 303 itself: it is what the test checks."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Reply:
    status: int
    text: str  # HTML entities decoded
    location: str = ""


class Browser:
    """One person's browser: a cookie jar, plain HTTP, no redirects followed."""

    def __init__(self, base: str, email: str, person_id: int) -> None:
        self.base, self.email, self.person_id = base, email, person_id
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def _open(self, path: str, data: dict[str, str] | None = None) -> Reply:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=HTTP_TIMEOUT) as response:
                return Reply(response.status, html.unescape(response.read().decode()))
        except urllib.error.HTTPError as answer:  # every non-2xx status, 303 included
            with answer:
                return Reply(answer.code, html.unescape(answer.read().decode()),
                             answer.headers.get("Location", ""))

    def get(self, path: str) -> Reply:
        return self._open(path)

    def post(self, path: str, data: dict[str, str]) -> Reply:
        return self._open(path, data)

    def token(self, path: str) -> str:
        """The CSRF token of a form on the page, as a browser would submit it."""
        page = self.get(path)
        assert page.status == 200, f"GET {path} for {self.email}: {page.status}"
        found = _CSRF.search(page.text)
        assert found, f"no CSRF token on {path}"
        return found.group(1)

    def login(self) -> None:
        token = self.token("/login")
        reply = self.post("/login", {"email": self.email, "password": TEST_PASSWORD,
                                     "csrf_token": token})
        assert reply.status == 303, f"login of {self.email}: {reply.status}\n{reply.text[:2000]}"


@dataclass
class Live:
    app: Flask
    engine: Engine
    association_id: int
    crowd: list[Browser]
    log: ErrorLog

    def db(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def server_errors(self) -> str:
        return self.log.text()

    def outbox(self) -> list[Any]:
        return self.app.extensions.setdefault(OUTBOX_KEY, [])


@pytest.fixture(scope="module")
def live(maillage_migrated_app: Flask, maillage_autocommit_engine: Engine,
         maillage_password_hash: str) -> Iterator[Live]:
    """The suite's app on a real port, and a crowd of volunteers logged in to it."""
    app = maillage_migrated_app
    empty_tables(app)
    with Session(maillage_autocommit_engine, expire_on_commit=False) as db:
        association = Association(name="Association Foule", short_name="Foule", slug="foule")
        people = []
        for index in range(CROWD):
            person = Person(first_name=f"Bénévole{index:02d}", last_name="Foule",
                            email=f"foule{index:02d}@test.org")
            person.memberships = [Membership(association=association, role=Role.VOLUNTEER)]
            person.account = Account(password_hash=maillage_password_hash)
            people.append(person)
        db.add_all([association, *people])
        db.commit()
        association_id = association.id
        identities = [(person.email or "", person.id) for person in people]

    try:
        with live_server(app) as served:
            crowd = [Browser(served.base, email, person_id) for email, person_id in identities]
            for browser in crowd:  # one after the other: the login limit counts per address
                browser.login()
            assert not served.log.messages, served.log.text()
            yield Live(app=app, engine=maillage_autocommit_engine, association_id=association_id,
                       crowd=crowd, log=served.log)
    finally:
        app.extensions.pop(OUTBOX_KEY, None)
        empty_tables(app)


@pytest.fixture
def server(live: Live) -> Iterator[Live]:
    """The live server, with a clean outbox and error log for this test."""
    live.outbox().clear()
    live.log.messages.clear()
    yield live
    live.outbox().clear()


def at_once(calls: list[Callable[[], T]]) -> list[T]:
    """Run the calls in parallel threads released together by a barrier; their results in
    the calls' order. Any exception in a thread fails the test with its traceback."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)
    failures: list[str] = []
    guard = threading.Lock()

    def worker(index: int) -> None:
        try:
            barrier.wait(timeout=JOIN_TIMEOUT)
            results[index] = calls[index]()
        except BaseException:
            barrier.abort()
            with guard:
                failures.append(f"thread {index}:\n{traceback.format_exc()}")

    threads = [threading.Thread(target=worker, args=(index,), daemon=True)
               for index in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=JOIN_TIMEOUT)
    stuck = [index for index, thread in enumerate(threads) if thread.is_alive()]
    assert not stuck, f"threads {stuck} still running after {JOIN_TIMEOUT} s"
    assert not failures, "\n".join(failures)
    return results


# --- arranging and reading ------------------------------------------------------------------


def make_event(live: Live, *, capacity: int, waitlist: bool = True) -> tuple[int, int]:
    """An event of the crowd's association, in three days: (event id, bookable id)."""
    return upcoming_event(live.app, live.association_id, capacity=capacity, waitlist=waitlist)


def book_url(event_id: int) -> str:
    return f"/agenda/{event_id}/inscription"


def book_all(browsers: list[Browser], event_id: int) -> list[Reply]:
    """Every browser posts the booking form at the same instant."""
    tokens = [browser.token(f"/agenda/{event_id}") for browser in browsers]
    return at_once([
        lambda browser=browser, token=token: browser.post(book_url(event_id), {"csrf_token": token})
        for browser, token in zip(browsers, tokens, strict=True)
    ])


def bookings(live: Live, bookable_id: int) -> list[Booking]:
    """Every row of the activity, in queue order."""
    with live.db() as db:
        return list(db.scalars(select(Booking).where(Booking.bookable_id == bookable_id)
                               .order_by(Booking.queued_at, Booking.id)))


def by_status(rows: list[Booking], status: BookingStatus) -> list[int]:
    """Person ids with this status, in queue order (queued_at, id)."""
    return [row.person_id for row in rows if row.status is status]


def counters(live: Live, bookable_id: int) -> tuple[int, int]:
    with live.db() as db:
        bookable = db.get(Bookable, bookable_id)
        assert bookable is not None
        return bookable.taken_open, bookable.taken_held


def assert_all(replies: list[Reply], status: int, live: Live, event_id: int | None = None) -> None:
    statuses = [reply.status for reply in replies]
    assert statuses == [status] * len(replies), (
        f"statuses {statuses}\nserver errors:\n{live.server_errors()}"
    )
    if event_id is not None and status == 303:
        assert {urllib.parse.urlsplit(reply.location).path for reply in replies} == {
            f"/agenda/{event_id}"
        }


def positions(browsers: list[Browser], event_id: int) -> tuple[dict[int, int], dict[int, int]]:
    """Each waitlisted person's position: as told by the flash of the booking request (if the
    page shows it), and as shown on the event page now. Keyed by person id."""
    told: dict[int, int] = {}
    shown: dict[int, int] = {}
    for browser in browsers:
        page = browser.get(f"/agenda/{event_id}")
        assert page.status == 200, f"{browser.email}: {page.status}"
        if found := _TOLD.search(page.text):
            told[browser.person_id] = int(found.group(1))
        if found := _SHOWN.search(page.text):
            shown[browser.person_id] = int(found.group(1))
    return told, shown


def assert_no_server_errors(live: Live) -> None:
    assert not live.log.messages, f"the server logged errors:\n{live.server_errors()}"


# --- the scenarios --------------------------------------------------------------------------


def test_thirty_people_book_five_places_at_once(server: Live):
    """Exactly 5 places given, 25 queued in the order the server accepted them."""
    event_id, bookable_id = make_event(server, capacity=5)
    replies = book_all(server.crowd, event_id)
    assert_all(replies, 303, server, event_id)

    rows = bookings(server, bookable_id)
    confirmed, queue = by_status(rows, BookingStatus.CONFIRMED), by_status(rows, BookingStatus.WAITLISTED)
    assert (len(confirmed), len(queue), len(rows)) == (5, 25, 30)
    assert len({row.person_id for row in rows}) == 30, "someone holds two bookings"
    assert {row.person_id for row in rows} == {browser.person_id for browser in server.crowd}
    assert counters(server, bookable_id) == (5, 0)
    # First come, first served: nobody queued ahead of someone who got a place.
    assert [row.status for row in rows] == [BookingStatus.CONFIRMED] * 5 + [BookingStatus.WAITLISTED] * 25

    told, shown = positions(server.crowd, event_id)
    expected = {person_id: rank for rank, person_id in enumerate(queue, start=1)}
    assert sorted(shown.values()) == list(range(1, 26)), f"positions shown: {sorted(shown.values())}"
    assert shown == expected, "the pages do not follow the queue's (queued_at, id) order"
    # The position each person was told when the server took their request is still theirs:
    # nobody who arrived later was put ahead of them.
    assert told == expected, f"told at booking {told}\nnow {shown}"
    for browser in server.crowd:
        if browser.person_id in confirmed:
            assert CONFIRMED_TEXT in browser.get(f"/agenda/{event_id}").text
    assert_no_server_errors(server)


def test_the_last_place_then_simultaneous_cancellations_promote_the_queue_in_order(server: Live):
    """Capacity 3, 2 taken, 20 people at once: one more place given, 19 queued. Then the
    three booked cancel at once: the first three in line get the places and an email."""
    event_id, bookable_id = make_event(server, capacity=3)
    early, rush = server.crowd[:2], server.crowd[2:22]
    for browser in early:
        reply = browser.post(book_url(event_id), {"csrf_token": browser.token(f"/agenda/{event_id}")})
        assert reply.status == 303, server.server_errors()
    assert counters(server, bookable_id) == (2, 0)

    assert_all(book_all(rush, event_id), 303, server, event_id)
    rows = bookings(server, bookable_id)
    confirmed, queue = by_status(rows, BookingStatus.CONFIRMED), by_status(rows, BookingStatus.WAITLISTED)
    assert (len(confirmed), len(queue), len(rows)) == (3, 19, 22)
    assert set(confirmed) >= {browser.person_id for browser in early}
    assert counters(server, bookable_id) == (3, 0)
    told, shown = positions(rush, event_id)
    expected = {person_id: rank for rank, person_id in enumerate(queue, start=1)}
    assert shown == expected and told == expected, f"told {told}\nshown {shown}\nqueue {expected}"

    # The three people booked cancel their own booking, at the same instant.
    booking_of = {row.person_id: row.id for row in rows}
    leaving = [browser for browser in server.crowd[:22] if browser.person_id in confirmed]
    tokens = [browser.token(f"/agenda/{event_id}") for browser in leaving]
    server.outbox().clear()
    replies = at_once([
        lambda browser=browser, token=token: browser.post(
            f"/agenda/inscriptions/{booking_of[browser.person_id]}/annuler", {"csrf_token": token})
        for browser, token in zip(leaving, tokens, strict=True)
    ])
    assert_all(replies, 303, server, event_id)

    after = bookings(server, bookable_id)
    assert set(by_status(after, BookingStatus.CONFIRMED)) == set(queue[:3]), "not the first three"
    assert by_status(after, BookingStatus.WAITLISTED) == queue[3:]
    assert set(by_status(after, BookingStatus.CANCELLED)) == set(confirmed)
    assert counters(server, bookable_id) == (3, 0)

    emails = {browser.person_id: browser.email for browser in server.crowd}
    recipients = sorted(message["To"] for message in server.outbox())
    assert recipients == sorted(emails[person_id] for person_id in queue[:3])
    assert all("Une place s'est libérée" in message["Subject"] for message in server.outbox())

    _told, shown = positions(rush, event_id)
    assert shown == {person_id: rank for rank, person_id in enumerate(queue[3:], start=1)}
    for browser in rush:
        if browser.person_id in queue[:3]:
            assert CONFIRMED_TEXT in browser.get(f"/agenda/{event_id}").text
    assert_no_server_errors(server)


def test_one_person_submitting_ten_times_at_once_books_once(server: Live):
    """A double (or tenfold) click from one browser: one booking, the rest refused."""
    event_id, bookable_id = make_event(server, capacity=5)
    browser = server.crowd[0]
    token = browser.token(f"/agenda/{event_id}")
    replies = at_once([lambda: browser.post(book_url(event_id), {"csrf_token": token})] * 10)

    statuses = sorted(reply.status for reply in replies)
    assert statuses == [303] + [409] * 9, f"statuses {statuses}\n{server.server_errors()}"
    for reply in replies:
        if reply.status == 409:
            assert "Cette personne est déjà inscrite ou en liste d'attente." in reply.text
    rows = bookings(server, bookable_id)
    assert [(row.person_id, row.status) for row in rows] == [(browser.person_id, BookingStatus.CONFIRMED)]
    assert counters(server, bookable_id) == (1, 0)
    assert_no_server_errors(server)


def test_without_a_waitlist_the_crowd_beyond_capacity_is_refused(server: Live):
    """Capacity 4, no waitlist, 15 people at once: 4 places, 11 clear refusals, no rows."""
    event_id, bookable_id = make_event(server, capacity=4, waitlist=False)
    crowd = server.crowd[:15]
    replies = book_all(crowd, event_id)

    statuses = sorted(reply.status for reply in replies)
    assert statuses == [303] * 4 + [409] * 11, f"statuses {statuses}\n{server.server_errors()}"
    booked = {browser.person_id for browser, reply in zip(crowd, replies, strict=True)
              if reply.status == 303}
    for reply in replies:
        if reply.status == 409:
            assert "Il n'y a plus de place." in reply.text
    rows = bookings(server, bookable_id)
    assert sorted((row.person_id, row.status) for row in rows) == sorted(
        (person_id, BookingStatus.CONFIRMED) for person_id in booked
    ), "a refused person left a booking row"
    assert counters(server, bookable_id) == (4, 0)
    with server.db() as db:
        assert db.scalar(select(func.count(Booking.id)).where(Booking.bookable_id == bookable_id)) == 4
    assert_no_server_errors(server)
