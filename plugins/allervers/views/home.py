"""The plugin's front pages: the user's associations that run it, and one association's:
its upcoming actions, this month's counts, and the links of the team."""

from __future__ import annotations

from flask import render_template

from core.plugin_api import (
    Level,
    access,
    day_bounds,
    month_bounds,
    month_label,
    paris_today,
    plugin_associations,
    utcnow,
)
from plugins.allervers import TITLE
from plugins.allervers.outreach import month_counts, upcoming_actions
from plugins.allervers.views import bp, team
from plugins.allervers.views.actions import is_coordinator

HOME_ACTIONS = 5


@bp.get("/")
@access(Level.MEMBER)
def index() -> str:
    """The associations of the user that run the plugin."""
    return render_template("allervers/index.html", title=TITLE, associations=plugin_associations())


@bp.get("/<association>/")
@access(Level.MEMBER)
def home(association: str) -> str:
    current = team()
    first, last = month_bounds(paris_today())
    start, end = day_bounds(first)[0], day_bounds(last)[1]
    return render_template("allervers/home.html", title=TITLE, association=current,
                           upcoming=upcoming_actions(current.id, utcnow(), HOME_ACTIONS),
                           counts=month_counts(current.id, start, end), month=month_label(first),
                           can_edit=is_coordinator(current))
