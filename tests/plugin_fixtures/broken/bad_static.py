"""Its static files would be served outside /p/<name>/."""

from flask import Blueprint

from core.plugin_api import hookimpl


@hookimpl
def blueprint() -> Blueprint:
    return Blueprint("statique_hors", __name__, url_prefix="/p/statique_hors",
                     static_folder="static", static_url_path="/../../static-partage")
