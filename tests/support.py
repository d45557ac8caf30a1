"""Helpers for tests: CSRF-aware posting, logging in, reading pages."""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from core.agenda.engine import BookingRefused
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
