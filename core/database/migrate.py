"""Alembic, driven from the app: the core has its own branch (label ``core``)."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from flask import Flask

from core.database import get_database, write_intent

CORE_MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
CORE_BRANCH = "core"


def alembic_config(app: Flask) -> Config:
    """Core and plugin branches together: ``heads`` means the core and every plugin."""
    config = Config()
    config.set_main_option("script_location", str(CORE_MIGRATIONS))
    from core.pluginhost.host import get_host

    locations = [str(CORE_MIGRATIONS / "versions"), *get_host(app).migration_locations()]
    config.set_main_option("version_locations", os.pathsep.join(locations))
    config.set_main_option("path_separator", "os")
    config.attributes["engine"] = get_database(app).engine
    return config


def upgrade(app: Flask, revision: str = "heads") -> None:
    with app.app_context(), write_intent():
        command.upgrade(alembic_config(app), revision)


def downgrade(app: Flask, revision: str) -> None:
    with app.app_context(), write_intent():
        command.downgrade(alembic_config(app), revision)


def current_heads(app: Flask) -> set[str]:
    from alembic.runtime.migration import MigrationContext

    with get_database(app).engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())
