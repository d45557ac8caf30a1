"""The plugin's pages, under /p/tzcld/<association>/."""

from typing import Any, TypeVar

from flask import Blueprint, abort, render_template

from core.plugin_api import AssociationRef, Role, association_or_404, require_role, session
from plugins.tzcld import TITLE
from plugins.tzcld.register import STATUS_LABELS

Record = TypeVar("Record")

bp = Blueprint("tzcld", __name__, url_prefix="/p/tzcld", template_folder="../templates")


def team() -> AssociationRef:
    """The association of the URL, for its project team — coordinators and admins — only
    (403 otherwise): the register holds people's files."""
    current = association_or_404()
    require_role(current, Role.COORDINATOR)
    return current


def own_or_404(model: type[Record], record_id: int, current: AssociationRef) -> Record:
    """The record if it belongs to the association of the URL; 404 for anyone else's."""
    record = session.get(model, record_id)
    if record is None or getattr(record, "association_id", None) != current.id:
        abort(404)
    return record


def render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(f"tzcld/{template}", title=TITLE, status_labels=STATUS_LABELS,
                           **context), status


from plugins.tzcld.views import activities, committee, home, register, staff, territory  # noqa: E402

__all__ = ["activities", "bp", "committee", "home", "own_or_404", "register", "render", "staff", "team",
           "territory"]
