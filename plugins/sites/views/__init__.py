"""The plugin's pages, under /p/sites/<association>/."""

from typing import Any

from flask import Blueprint, render_template

from core.plugin_api import AssociationRef, Role, association_or_404, neighbourhoods, own_or_404, require_role
from plugins.sites import TITLE
from plugins.sites.numbers import format_decimal

# static: the printable agreement's stylesheet and print button, served under /p/sites/static/.
bp = Blueprint("sites", __name__, url_prefix="/p/sites", template_folder="../templates",
               static_folder="../static")


def team() -> AssociationRef:
    """The association of the URL, for its coordinators and admins only (403 otherwise): the
    pages hold occupants' contacts and the site's money."""
    current = association_or_404()
    require_role(current, Role.COORDINATOR)
    return current


def neighbourhood_choices(none_label: str = "Aucun") -> list[tuple[int, str]]:
    return [(0, none_label),
            *((n.id, f"{n.name} ({n.city})" if n.city else n.name) for n in neighbourhoods())]


def render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(f"sites/{template}", title=TITLE, decimal=format_decimal, **context), status


from plugins.sites.views import (  # noqa: E402
    agreements,
    allocations,
    call_exports,
    calls,
    commitments,
    documents,
    exports,
    home,
    lots,
    owners,
    public,
    review,
    rooms,
    sites,
    timeline,
)

__all__ = ["agreements", "allocations", "bp", "call_exports", "calls", "commitments", "documents",
           "exports", "home", "lots", "neighbourhood_choices", "own_or_404", "owners", "public", "render",
           "review", "rooms", "sites", "team", "timeline"]
