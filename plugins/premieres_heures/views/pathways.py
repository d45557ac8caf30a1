"""Pathways, hours plan, reviews, waivers, support actions and exit (to be written)."""

from flask import render_template

from core.plugin_api import Level, access, plugin_associations
from plugins.premieres_heures.views import bp


@bp.get("/")
@access(Level.MANAGER)
def home() -> str:
    """The associations of the user that run Premières Heures (placeholder list)."""
    return render_template("premieres_heures/home.html", associations=plugin_associations())
