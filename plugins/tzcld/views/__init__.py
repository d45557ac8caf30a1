"""The plugin's pages, under /p/tzcld/<association>/."""

from flask import Blueprint

from core.plugin_api import AssociationRef, Role, association_or_404, require_role

bp = Blueprint("tzcld", __name__, url_prefix="/p/tzcld", template_folder="../templates")


def team() -> AssociationRef:
    """The association of the URL, for its project team — coordinators and admins — only
    (403 otherwise): the register holds people's files."""
    current = association_or_404()
    require_role(current, Role.COORDINATOR)
    return current


from plugins.tzcld.views import activities, committee, home, register, staff, territory  # noqa: E402

__all__ = ["activities", "bp", "committee", "home", "register", "staff", "team", "territory"]
