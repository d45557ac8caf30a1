"""The plugin's pages, under /p/premieres_heures/<association>/."""

from flask import Blueprint

bp = Blueprint("premieres_heures", __name__, url_prefix="/p/premieres_heures",
               template_folder="../templates")

from plugins.premieres_heures.views import pathways, schedule  # noqa: E402

__all__ = ["bp", "pathways", "schedule"]
