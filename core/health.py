"""Liveness probe for load balancers and monitoring."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from core.auth.permissions import Level, access
from core.database import get_database

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@access(Level.PUBLIC)
def healthz():
    try:
        get_database().ping()
    except SQLAlchemyError as error:
        current_app.logger.warning("health check: database unreachable: %s", error)
        reason = type(getattr(error, "orig", None) or error).__name__
        return jsonify(status="error", database="unreachable", reason=reason), 503
    return jsonify(status="ok", database="ok")
