"""Its pages are not under /p/<name>."""

from flask import Blueprint

from core.plugin_api import hookimpl


@hookimpl
def blueprint() -> Blueprint:
    return Blueprint("mauvais_prefixe", __name__, url_prefix="/admin")
