"""Settings: defaults, then instance/config.py, then MAILLAGE_* environment variables.

``SETTINGS`` is the documented list: README's configuration table is checked
against it by the test suite.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str

    @property
    def env(self) -> str:
        return f"MAILLAGE_{self.name}"


SETTINGS: list[Setting] = [
    Setting("DATABASE_URL", None, "Database URL. Default: SQLite file `instance/maillage.sqlite3`. "
            "PostgreSQL: `postgresql+psycopg://user:password@host/dbname`."),
    Setting("SECRET_KEY", None, "Key signing sessions and forms. Default: generated once into "
            "`instance/secret_key`."),
    Setting("SECURE_COOKIES", True, "Send session cookies over HTTPS only. `make run` sets it to "
            "`false` for the plain-HTTP development server."),
    Setting("BASE_URL", "", "Public address used in emailed links, e.g. `https://intranet.exemple.org`. "
            "Required with the `smtp` mail backend (links must never follow the request's `Host` header, "
            "which the sender of a public form or a password request chooses); otherwise, for development, "
            "the address of the request."),
    Setting("PROXY_COUNT", 0, "Number of reverse proxies in front of the app (trusted for the "
            "client address used by login rate limiting)."),
    Setting("MAIL_BACKEND", "console", "`console` (prints), `file` (writes `.eml` files), `smtp`, "
            "or `memory` (tests)."),
    Setting("MAIL_FROM", "Maillage <ne-pas-repondre@maillage.invalid>", "Sender of emails."),
    Setting("MAIL_FILE_DIR", None, "Folder of the `file` backend. Default: `instance/mail`."),
    Setting("UPLOAD_DIR", None, "Folder of uploaded files, one subfolder per plugin (outside "
            "any static folder; back it up with the database). Default: `instance/uploads`."),
    Setting("SMTP_HOST", "localhost", "SMTP server of the `smtp` backend."),
    Setting("SMTP_PORT", 587, "SMTP port."),
    Setting("SMTP_USERNAME", "", "SMTP user (empty: no authentication)."),
    Setting("SMTP_PASSWORD", "", "SMTP password."),
    Setting("SMTP_STARTTLS", True, "Use STARTTLS with the SMTP server."),
    Setting("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5, "Failed logins on one account allowed in the "
            "window from one client address (then that address waits for the window to pass), "
            "and from the account's known devices. Past that many from all addresses, each new "
            "try on the account waits a delay that doubles with each failure."),
    Setting("LOGIN_MAX_FAILURES_PER_ADDRESS", 30, "Failed logins allowed per client address in "
            "the window, all accounts together."),
    Setting("LOGIN_DELAY_MAX_SECONDS", 300, "Longest delay imposed on an account guessed at from "
            "many addresses: its owner never waits longer, even on a new device."),
    Setting("LOGIN_WINDOW_MINUTES", 15, "Length of the rate-limiting window, in minutes."),
    Setting("SESSION_IDLE_DAYS", 7, "A login session unused for this many days ends."),
    Setting("SESSION_MAX_DAYS", 30, "A login session ends this many days after the login, "
            "used or not."),
    Setting("RESET_TOKEN_MINUTES", 60, "Validity of an emailed password link, in minutes."),
    Setting("REFERRAL_EXPIRY_DAYS", 30, "A referral to a partner that has had no answer this many "
            "days after its link was sent expires (`maillage referrals remind`), and its link "
            "with it. Collective-wide: the collective agrees its delays with its partners."),
    Setting("REFERRAL_REMINDER_DAYS", 7, "The referent of a referral still unanswered this many "
            "days after it was sent is reminded, once (dashboard and e-mail)."),
    Setting("LOG_LEVEL", "INFO", "Logging level."),
    Setting("PLUGINS_STRICT", None, "Raise instead of logging when a plugin fails to load or a hook "
            "fails. Default: on in tests (`TESTING`), off otherwise."),
    Setting("TRACE_HOOKS", False, "Log every hook call with its plugin and duration."),
    Setting("PLUGIN_MODULES", "", "Extra plugins not installed through entry points, as "
            "`name=package.module,other=pkg.mod` (development and tests)."),
]

# Read before the app exists, so not part of app.config.
INSTANCE_PATH_ENV = "MAILLAGE_INSTANCE_PATH"
SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret


def load_settings(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.update({setting.name: setting.default for setting in SETTINGS})
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="maillage_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # tied to the session instead: no expiry mid-form
        # Every request; a route taking files raises its own (core/web/uploads.py).
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        BABEL_DEFAULT_LOCALE="fr",
        BABEL_DEFAULT_TIMEZONE="Europe/Paris",
        # Checked at start-up: a route without an access rule stops the app.
        STRICT=False,
    )
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("MAILLAGE", loads=_loads)
    if test_config:
        app.config.update(test_config)

    if app.config["PLUGINS_STRICT"] is None:
        app.config["PLUGINS_STRICT"] = bool(app.config.get("TESTING"))
    app.config["PLUGIN_MODULES"] = _plugin_modules(app.config["PLUGIN_MODULES"])
    secure = bool(app.config["SECURE_COOKIES"])
    app.config["SESSION_COOKIE_SECURE"] = secure
    app.config["REMEMBER_COOKIE_SECURE"] = secure
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'maillage.sqlite3'}"
    if not app.config.get("MAIL_FILE_DIR"):
        app.config["MAIL_FILE_DIR"] = str(Path(app.instance_path) / "mail")
    if app.config.get("MAIL_BACKEND") == "smtp" and not app.config.get("BASE_URL"):
        # Without it, a reset link or an application's private link would be built on the Host
        # header of the request that asked for it: the attacker's own site.
        raise RuntimeError("MAILLAGE_BASE_URL est requis pour envoyer des e-mails "
                           "(MAILLAGE_MAIL_BACKEND=smtp) : l'adresse publique de l'intranet, "
                           "par exemple https://intranet.exemple.org.")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret_key(Path(app.instance_path))


def _plugin_modules(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return dict(value)
    pairs = (item.split("=", 1) for item in str(value or "").split(",") if "=" in item)
    return {name.strip(): module.strip() for name, module in pairs}


def _loads(value: str) -> Any:
    lowered = value.strip().lower()
    if lowered in {"true", "yes", "on", "oui"}:
        return True
    if lowered in {"false", "no", "off", "non"}:
        return False
    try:
        return int(value)
    except ValueError:
        return value


def _instance_secret_key(instance: Path) -> str:
    """Read the instance's secret key, creating it (owner-only) on first run."""
    path = instance / SECRET_KEY_FILE
    instance.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip()
