"""Its blueprint is not named after the plugin."""

from flask import Blueprint

from core.plugin_api import hookimpl


@hookimpl
def blueprint() -> Blueprint:
    return Blueprint("autre_nom", __name__, url_prefix="/p/mauvais_bp")
