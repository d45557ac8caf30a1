"""Plugin pages anyone may open, without an account: a call for applications, a public
form. Every other plugin page needs a login (the host's gate); a view opts out with
``@public_page``, and the gate then only checks that the association of the URL enabled the
plugin. Nothing else changes for it: CSRF, security headers and error pages are the app's."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from core.auth.permissions import Level, access

View = TypeVar("View", bound=Callable[..., object])

PUBLIC_MARK = "maillage_public_page"


def public_page(view: View) -> View:
    """Mark a plugin view as open to visitors without an account. Its URL must name the
    ``<association>``: a public page always speaks for one association that enabled the
    plugin (404 otherwise), found by ``association_or_404()`` as on every page. It is the page's
    access rule (``Level.PUBLIC``): no ``@access`` is needed, and one below it still applies."""
    opened = access(Level.PUBLIC)(view)
    setattr(opened, PUBLIC_MARK, True)
    return cast(View, opened)


def is_public(view: Callable[..., object] | None) -> bool:
    return bool(getattr(view, PUBLIC_MARK, False))
