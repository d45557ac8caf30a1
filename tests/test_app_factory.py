"""create_app: settings sources, the instance secret key, no debug by default."""

from __future__ import annotations

import os
import stat

from core import create_app


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MAILLAGE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("MAILLAGE_SECRET_KEY", raising=False)
    first = create_app({"DATABASE_URL": "sqlite://"})
    key_file = tmp_path / "secret_key"
    assert key_file.exists()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 64
    second = create_app({"DATABASE_URL": "sqlite://"})
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_two_instances_get_different_keys(tmp_path, monkeypatch):
    keys = set()
    for name in ("one", "two"):
        monkeypatch.setenv("MAILLAGE_INSTANCE_PATH", str(tmp_path / name))
        keys.add(create_app({"DATABASE_URL": "sqlite://"}).config["SECRET_KEY"])
    assert len(keys) == 2


def test_settings_come_from_instance_config_then_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MAILLAGE_INSTANCE_PATH", str(tmp_path))
    (tmp_path / "config.py").write_text(
        'MAIL_FROM = "Collectif <collectif@exemple.org>"\nLOGIN_WINDOW_MINUTES = 30\n'
    )
    monkeypatch.setenv("MAILLAGE_LOGIN_WINDOW_MINUTES", "45")
    monkeypatch.setenv("MAILLAGE_SECURE_COOKIES", "false")
    app = create_app({"DATABASE_URL": "sqlite://"})
    assert app.config["MAIL_FROM"] == "Collectif <collectif@exemple.org>"
    assert app.config["LOGIN_WINDOW_MINUTES"] == 45  # the environment wins
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_defaults_are_safe(tmp_path, monkeypatch):
    monkeypatch.setenv("MAILLAGE_INSTANCE_PATH", str(tmp_path))
    for name in ("MAILLAGE_SECURE_COOKIES", "MAILLAGE_DATABASE_URL", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    app = create_app()
    assert app.debug is False
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'maillage.sqlite3'}"


def test_database_url_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MAILLAGE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("MAILLAGE_DATABASE_URL", "postgresql://someone@127.0.0.1/base")
    app = create_app()
    from core.database import get_database

    assert get_database(app).engine.url.drivername == "postgresql+psycopg"


def test_sending_real_mail_needs_the_public_address(tmp_path, monkeypatch):
    """Links in e-mails (a password reset, an application's private link) must not be built
    on the request's Host header, which whoever asks chooses."""
    import pytest

    monkeypatch.setenv("MAILLAGE_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("MAILLAGE_MAIL_BACKEND", "smtp")
    monkeypatch.delenv("MAILLAGE_BASE_URL", raising=False)
    with pytest.raises(RuntimeError, match="MAILLAGE_BASE_URL est requis"):
        create_app()
    monkeypatch.setenv("MAILLAGE_BASE_URL", "https://intranet.exemple.org")
    assert create_app().config["BASE_URL"] == "https://intranet.exemple.org"
