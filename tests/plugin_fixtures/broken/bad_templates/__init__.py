"""Its templates are not in templates/<name>/, so they could shadow the core's."""

from flask import Blueprint

from core.plugin_api import hookimpl


@hookimpl
def blueprint() -> Blueprint:
    return Blueprint("gabarits_hors", __name__, url_prefix="/p/gabarits_hors",
                     template_folder="templates")
