"""Secrets handed out in links (password links, calendar feeds): only their digest is
stored, so a database leak does not hand out working links."""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """What the database keeps of a token, and looks it up by."""
    return hashlib.sha256(token.encode()).hexdigest()
