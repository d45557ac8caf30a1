"""Helpers for tests: CSRF-aware posting, logging in, reading pages."""

from __future__ import annotations

import html
import logging
import re
import threading
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.test import TestResponse

from core.agenda.clock import paris_to_utc, paris_today
from core.agenda.engine import BookingRefused
from core.agenda.events import EventKind, Visibility
from core.agenda.scheduling import EventFields, Places, create_events
from core.auth.accounts import Account
from core.database import get_database, session, write_intent
from core.testing import TEST_PASSWORD as PASSWORD

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient) -> str:
    """The session's CSRF token, read from a page that always carries a form."""
    page = client.get("/mot-de-passe/oublie")
    found = _CSRF.search(page.get_data(as_text=True))
    assert found, "no CSRF token on the page"
    return found.group(1)


def post(client: FlaskClient, url: str, data: dict[str, Any] | None = None, *,
         csrf: bool = True, **kwargs: Any) -> TestResponse:
    payload = dict(data or {})
    if csrf:
        payload["csrf_token"] = csrf_token(client)
    return client.post(url, data=payload, **kwargs)


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> TestResponse:
    response = post(client, "/login", {"email": email, "password": password})
    assert response.status_code == 303, f"login of {email} failed: {response.status_code}"
    return response


def text_of(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def field_error(response: TestResponse, field_id: str) -> str | None:
    """The error message shown next to a field (``<p id="<field>-erreur">``), if any."""
    found = re.search(
        rf'<p class="field-error" id="{re.escape(field_id)}-erreur">([^<]*)</p>', text_of(response)
    )
    return html.unescape(found.group(1)) if found else None


def committed(app: Flask, action: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run ``action`` in one committed transaction, as a request would (rolled back if it
    raises)."""
    with app.app_context(), write_intent():
        try:
            result = action(*args, **kwargs)
        except BaseException:
            session.rollback()
            raise
        session.commit()
        return result


@contextmanager
def count_queries(app: Flask) -> Iterator[list[str]]:
    """The SQL statements the app sends while the block runs."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    engine = get_database(app).engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def upcoming_event(app: Flask, association_id: int, *, capacity: int, waitlist: bool = True,
                   title: str = "Atelier CV", days: int = 3) -> tuple[int, int]:
    """A workshop of the association with places, ``days`` from today at 14:00 (Paris),
    seen by the whole collective: (event id, bookable id)."""
    day = paris_today() + timedelta(days=days)
    start = paris_to_utc(datetime.combine(day, time(14)))

    def create() -> tuple[int, int]:
        [made] = create_events(
            EventFields(title=title, kind=EventKind.WORKSHOP, visibility=Visibility.COLLECTIVE,
                        starts_at=start, ends_at=start + timedelta(hours=2),
                        association_id=association_id),
            Places(capacity=capacity, waitlist=waitlist),
        )
        session.flush()
        assert made.bookable_id is not None
        return made.id, made.bookable_id

    return committed(app, create)


def give_account(db: Session, person_id: int, password_hash: str) -> None:
    db.add(Account(person_id=person_id, password_hash=password_hash))
    db.commit()


def hammer(app: Flask, calls: list[Callable[[], Any]]) -> tuple[list[Any], list[str]]:
    """Run the calls at the same instant, one thread each; collect results and refusals."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []
    refusals: list[str] = []
    lock = threading.Lock()

    def worker(call: Callable[[], Any]) -> None:
        barrier.wait()
        try:
            result = call()
        except BookingRefused as refusal:
            with lock:
                refusals.append(str(refusal))
        else:
            with lock:
                results.append(result)

    threads = [threading.Thread(target=worker, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a booking thread is stuck"
    return results, refusals


# --- a real HTTP server ---------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    """No line per request; errors (tracebacks) are still logged, and collected below."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class ErrorLog(logging.Handler):
    """The errors the server logged (tracebacks included), for a test to show or assert on."""

    def __init__(self) -> None:
        super().__init__(level=logging.ERROR)
        self.messages: list[str] = []
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + "".join(traceback.format_exception(*record.exc_info))
        with self._guard:
            self.messages.append(text)

    def text(self) -> str:
        return "\n\n".join(self.messages)


@dataclass
class LiveServer:
    base: str  # http://127.0.0.1:<port>
    log: ErrorLog


@contextmanager
def live_server(app: Flask) -> Iterator[LiveServer]:
    """The app served by werkzeug's threaded server on 127.0.0.1 (an ephemeral port), on the
    test database, with the errors it logs collected."""
    log = ErrorLog()
    watched = [logging.getLogger("werkzeug"), app.logger]
    for logger in watched:
        logger.addHandler(log)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    serving = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    serving.start()
    try:
        yield LiveServer(base=f"http://127.0.0.1:{server.server_port}", log=log)
    finally:
        server.shutdown()
        serving.join(timeout=30)
        server.server_close()
        for logger in watched:
            logger.removeHandler(log)
