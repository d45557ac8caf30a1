"""The "known device" cookie: this browser logged in to these accounts before.

Set at each successful login (and when a password link was used), signed with the
secret key, it lists the throttle's keyed hashes of the accounts (never an email or an
id). The login throttle counts a known device's failures apart from everyone else's,
so that guesses fired from elsewhere never lock an account's owner out of their own
phone. It opens nothing by itself: the password is still needed.
"""

from __future__ import annotations

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

COOKIE_NAME = "maillage_appareil"
LIFETIME_SECONDS = 365 * 24 * 3600
MAX_ACCOUNTS = 5  # a computer shared at the association's office
_TAG_LENGTH = 24  # hex characters of the keyed hash: 96 bits


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="maillage.known-device")


def _tag(subject: str) -> str:
    return subject[:_TAG_LENGTH]


def _known_tags() -> list[str]:
    value = request.cookies.get(COOKIE_NAME)
    if not value:
        return []
    try:
        tags = _serializer().loads(value, max_age=LIFETIME_SECONDS)
    except BadSignature:
        return []
    return [tag for tag in tags if isinstance(tag, str)] if isinstance(tags, list) else []


def is_known(subject: str) -> bool:
    """Whether this browser logged in to the account of this throttle subject before."""
    return _tag(subject) in _known_tags()


def remember(response: Response, subject: str) -> None:
    """Mark this browser as a known device of the account (most recent first)."""
    tag = _tag(subject)
    tags = [tag, *(known for known in _known_tags() if known != tag)][:MAX_ACCOUNTS]
    response.set_cookie(
        COOKIE_NAME,
        _serializer().dumps(tags),
        max_age=LIFETIME_SECONDS,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
