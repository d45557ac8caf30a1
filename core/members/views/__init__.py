"""Pages about the collective's members."""

from flask import Blueprint

bp = Blueprint("members", __name__, template_folder="../templates")

from core.members.views import (  # noqa: E402
    associations,
    dashboard,
    neighbourhoods,
    people,
    people_list,
)

__all__ = ["associations", "bp", "dashboard", "neighbourhoods", "people", "people_list"]
