"""Alembic environment: runs with the engine of the Maillage app that called it."""

from __future__ import annotations

from typing import Any

from alembic import context

from core.database import Base
from core.database.base import UTCDateTime
from core.database.models import load_core_models

load_core_models()
config = context.config
target_metadata = Base.metadata


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Write our UTC datetime type as the plain SQLAlchemy type it stores as, so that
    migrations (a plugin's especially) import nothing from the core."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_online() -> None:
    engine = config.attributes["engine"]
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            # SQLite cannot ALTER most things: Alembic copies the table instead.
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=render_item,
            # Set by `maillage db revision <plugin>`: compare only that plugin's tables.
            include_object=config.attributes.get("include_object"),
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported: run `maillage db upgrade`.")
run_migrations_online()
