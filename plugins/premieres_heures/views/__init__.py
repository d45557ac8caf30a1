"""The plugin's pages, under /p/premieres_heures/<association>/."""

from flask import Blueprint

from core.plugin_api import AssociationRef, Role, association_or_404, require_role

bp = Blueprint("premieres_heures", __name__, url_prefix="/p/premieres_heures",
               template_folder="../templates")


def coordination() -> AssociationRef:
    """The association of the URL, for its coordinators and admins only (403 otherwise)."""
    current = association_or_404()
    require_role(current, Role.COORDINATOR)
    return current


from plugins.premieres_heures.views import pathways, schedule  # noqa: E402

__all__ = ["bp", "coordination", "pathways", "schedule"]
