"""Pages about the collective's members."""

from flask import Blueprint

bp = Blueprint("members", __name__, template_folder="../templates")

from core.members.views import associations, dashboard, neighbourhoods, people  # noqa: E402

__all__ = ["associations", "bp", "dashboard", "neighbourhoods", "people"]
