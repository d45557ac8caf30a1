"""What the testing kit does as a browser would: CSRF tokens, logging in and out, reading
a page as its reader sees it."""

from __future__ import annotations

import html
import re
from typing import Any

from flask.testing import FlaskClient

TEST_PASSWORD = "mot-de-passe-de-test"  # noqa: S105 - test accounts only
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient) -> str:
    """The session's CSRF token, read from a page that always carries a form."""
    found = _CSRF.search(client.get("/mot-de-passe/oublie").get_data(as_text=True))
    assert found, "no CSRF token on the page"
    return found.group(1)


def login(client: FlaskClient, email: str, password: str = TEST_PASSWORD) -> None:
    """Log in on this client; whoever was logged in on it is logged out first (the login
    page sends a logged-in visitor on, it does not switch users)."""
    if client.get("/login").status_code != 200:
        logout(client)
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 303, f"login of {email} failed: {response.status_code}"


def logout(client: FlaskClient) -> None:
    response = client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 303, f"logout failed: {response.status_code}"


_HIDDEN = re.compile(r"<(script|style)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE)
# Inline tags vanish ("<strong>3</strong> notes" reads "3 notes"); others separate words.
_INLINE_TAG = re.compile(r"</?(?:a|abbr|b|code|em|i|mark|small|span|strong|sub|sup|time)\b[^>]*>",
                         re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def page_text(page: Any) -> str:
    """What a reader sees of a response (or of HTML): no tags, entities decoded, every run
    of white space one space. Jinja writes ``'`` as ``&#39;``: French sentences are best
    checked here. To check that something is escaped, read the raw HTML instead."""
    markup = page if isinstance(page, str) else page.get_data(as_text=True)
    visible = _TAG.sub(" ", _INLINE_TAG.sub("", _HIDDEN.sub(" ", markup)))
    return " ".join(html.unescape(visible).split())
