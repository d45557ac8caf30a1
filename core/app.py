"""The application factory."""

from __future__ import annotations

import logging
import os
from typing import Any

from flask import Flask
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from core import auth, database, health, pluginhost
from core.agenda.views import bp as agenda_bp
from core.allocator import return_big_blocks
from core.auth.permissions import access_level_of
from core.database.models import load_core_models
from core.members.views import bp as members_bp
from core.partners.views import bp as partners_bp
from core.pluginhost.views import bp as plugin_admin_bp
from core.referrals.views import bp as referrals_bp
from core.settings import INSTANCE_PATH_ENV, load_settings
from core.web import dates, errors, security, templating, uploads
from core.web.params import DatabaseIdConverter, refuse_nul_characters


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    return_big_blocks()  # or each login's argon2 block stays in the worker's memory
    app = Flask(
        "core",
        instance_path=os.environ.get(INSTANCE_PATH_ENV) or None,
        instance_relative_config=True,
        static_folder="web/static",
        template_folder="web/templates",
    )
    load_settings(app, test_config)
    uploads.init_app(app)
    logging.basicConfig(level=app.config["LOG_LEVEL"])

    if app.config["PROXY_COUNT"]:
        count = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]

    load_core_models()
    database.init_app(app)
    CSRFProtect(app)
    Babel(app, locale_selector=lambda: dates.LOCALE_NAME,
          timezone_selector=lambda: dates.TIMEZONE_NAME)
    security.init_app(app)
    errors.init_app(app)
    app.before_request(refuse_nul_characters)
    templating.init_app(app)
    auth.init_app(app)

    # Set before any route is added: rules pick their converters when they are added.
    app.url_map.converters["int"] = DatabaseIdConverter
    app.register_blueprint(health.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(members_bp)
    app.register_blueprint(partners_bp)
    app.register_blueprint(agenda_bp)
    app.register_blueprint(referrals_bp)
    app.register_blueprint(plugin_admin_bp)
    pluginhost.init_app(app)

    _check_every_route_has_a_rule(app)
    return app


def _check_every_route_has_a_rule(app: Flask) -> None:
    missing = [
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint != "static" and not endpoint.endswith(".static") and access_level_of(view) is None
    ]
    if missing:
        raise RuntimeError(f"routes without an access rule (@access): {', '.join(sorted(missing))}")
