"""A page without @access: the plugin is refused, the site keeps running."""

from flask import Blueprint

from core.plugin_api import hookimpl

bp = Blueprint("sans_droits", __name__, url_prefix="/p/sans_droits")


@bp.get("/")
def open_page() -> str:
    return "ouvert à tous"


@hookimpl
def blueprint() -> Blueprint:
    return bp
