"""The plugin's pages, under /p/allervers/<association>/."""

from flask import Blueprint

from core.plugin_api import AssociationRef, Role, association_or_404, require_role

# static/: the tally form's large tap targets (allervers.css).
bp = Blueprint("allervers", __name__, url_prefix="/p/allervers", template_folder="../templates",
               static_folder="../static")


def team() -> AssociationRef:
    """The association of the URL, for its volunteers and up (outreach is done by volunteers
    too)."""
    current = association_or_404()
    require_role(current, Role.VOLUNTEER)
    return current


def coordination() -> AssociationRef:
    """The association of the URL, for its coordinators and admins only (403 otherwise)."""
    current = association_or_404()
    require_role(current, Role.COORDINATOR)
    return current


from plugins.allervers.views import (  # noqa: E402
    actions,
    contacts,
    engagement,
    funnel,
    home,
    pathways,
    tallies,
)

__all__ = ["actions", "bp", "contacts", "coordination", "engagement", "funnel", "home", "pathways",
           "tallies", "team"]

