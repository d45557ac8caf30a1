from __future__ import annotations

from flask import Blueprint

from core.plugin_api import Level, access, hookimpl

bp = Blueprint("tiers", __name__, url_prefix="/p/tiers")


@bp.get("/")
@access(Level.MEMBER)
def home() -> str:
    return "Module tiers"


@hookimpl
def blueprint() -> Blueprint:
    return bp
