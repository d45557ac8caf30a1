"""The shared agenda's pages and calendar feeds."""

from flask import Blueprint

bp = Blueprint("agenda", __name__, template_folder="../templates", url_prefix="/agenda")

from core.agenda.views import bookings, events, feeds, listing  # noqa: E402

__all__ = ["bookings", "bp", "events", "feeds", "listing"]
