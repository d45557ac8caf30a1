"""The plugin's front pages: the user's associations that run it, and one association's."""

from __future__ import annotations

from flask import render_template

from core.plugin_api import Level, access, plugin_associations
from plugins.allervers import TITLE
from plugins.allervers.views import bp, team


@bp.get("/")
@access(Level.MEMBER)
def index() -> str:
    """The associations of the user that run the plugin."""
    return render_template("allervers/index.html", title=TITLE, associations=plugin_associations())


@bp.get("/<association>/")
@access(Level.MEMBER)
def home(association: str) -> str:
    return render_template("allervers/home.html", title=TITLE, association=team())
