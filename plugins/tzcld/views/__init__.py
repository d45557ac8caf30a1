"""The plugin's pages, under /p/tzcld/<association>/."""

from typing import Any, TypeVar

from flask import Blueprint, abort, render_template
from sqlalchemy import select

from core.plugin_api import (
    AssociationRef,
    Role,
    association_or_404,
    current_person,
    has_role,
    people_names,
    require_role,
    session,
)
from plugins.tzcld import TITLE
from plugins.tzcld.committee import reads_decisions
from plugins.tzcld.register import STATUS_LABELS

Record = TypeVar("Record")

bp = Blueprint("tzcld", __name__, url_prefix="/p/tzcld", template_folder="../templates")


def team() -> AssociationRef:
    """The association of the URL, for its project team — coordinators and admins — only
    (403 otherwise): the register holds people's files."""
    current = association_or_404()
    require_role(current, Role.COORDINATOR)
    return current


def team_or_reader() -> tuple[AssociationRef, bool]:
    """The association of the URL, and whether the user is of its project team.

    Besides the team, the committee's members given read access (``reads_decisions``, and
    an account in the association) read the committee, its decisions, the activities and
    the figures counted over everyone — never a person's file nor a list of names. Anyone
    else: 403."""
    current = association_or_404()
    if has_role(current.id, Role.COORDINATOR):
        return current, True
    me = current_person()
    if me is None or not reads_decisions(current.id, me.id):
        abort(403)
    return current, False


def own_or_404(model: type[Record], record_id: int, current: AssociationRef) -> Record:
    """The record if it belongs to the association of the URL; 404 for anyone else's."""
    record = session.get(model, record_id)
    if record is None or getattr(record, "association_id", None) != current.id:
        abort(404)
    return record


def names_by_id(person_ids: set[int | None]) -> dict[int, str]:
    """« First Last » of these people, whichever association they belong to (members of the
    committee, who recorded a step or changed a decision), in one query."""
    wanted = [i for i in person_ids if i is not None]
    if not wanted:
        return {}
    return {i: f"{first} {last}" for i, first, last in session.execute(
        select(people_names.c.id, people_names.c.first_name, people_names.c.last_name)
        .where(people_names.c.id.in_(wanted)))}


def render(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    return render_template(f"tzcld/{template}", title=TITLE, status_labels=STATUS_LABELS,
                           **context), status


from plugins.tzcld.views import activities, committee, exports, home, register, staff, territory  # noqa: E402

__all__ = ["activities", "bp", "committee", "exports", "home", "names_by_id", "own_or_404", "register",
           "render", "staff", "team", "team_or_reader", "territory"]
