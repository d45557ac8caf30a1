"""The database layer: SQLite settings, write transactions, migrations = models."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import inspect, text

from core.database import Base, get_database, get_session, write_intent
from core.database.migrate import alembic_config, current_heads, downgrade, upgrade
from core.database.models import load_core_models
from tests.conftest import SUITE_PLUGINS, make_app, sqlite_only


def _schema_differences(app: Flask) -> list:
    load_core_models()
    with get_database(app).engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)


def test_migrations_produce_exactly_the_schema_of_the_models(migrated_app: Flask) -> None:
    """Runs on SQLite, and on PostgreSQL when MAILLAGE_TEST_DATABASE_URL is set (CI)."""
    assert _schema_differences(migrated_app) == []


def test_migrations_go_down_to_nothing_and_back(tmp_path) -> None:
    app = make_app(f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}", PLUGIN_MODULES=SUITE_PLUGINS)
    upgrade(app)
    with app.app_context():
        script = ScriptDirectory.from_config(alembic_config(app))
        heads = set(script.get_heads())
        # A head another branch depends on (allervers on core_0007: its actions refer to the
        # core's referrals) is recorded through that branch's head, as Alembic keeps it.
        below = {revision.revision for head in heads
                 for revision in script.iterate_revisions(head, "base") if revision.revision != head}
        expected = heads - below
    assert current_heads(app) == expected
    downgrade(app, "base")
    tables = set(inspect(get_database(app).engine).get_table_names())
    assert tables <= {"alembic_version"}
    upgrade(app)
    assert _schema_differences(app) == []


@pytest.mark.parametrize("table", ["people", "associations", "memberships", "partners"])
def test_core_tables_exist_after_upgrade(migrated_app: Flask, table: str) -> None:
    assert table in inspect(get_database(migrated_app).engine).get_table_names()


@sqlite_only
def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(migrated_app: Flask) -> None:
    with get_database(migrated_app).engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


@sqlite_only
def test_sqlite_write_transactions_take_the_write_lock_at_begin(migrated_app: Flask) -> None:
    """Under write intent the first statement takes the write lock (BEGIN IMMEDIATE):
    another writer cannot slip in between our read and our write."""
    path = get_database(migrated_app).engine.url.database
    with migrated_app.app_context(), write_intent():
        db_session = get_session()
        db_session.execute(text("SELECT 1"))  # only a read so far
        other = sqlite3.connect(path, timeout=0.1, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
        db_session.rollback()


@sqlite_only
def test_sqlite_reads_do_not_block_writers(migrated_app: Flask) -> None:
    path = get_database(migrated_app).engine.url.database
    with migrated_app.app_context():
        db_session = get_session()
        db_session.execute(text("SELECT 1"))  # a GET-like read transaction
        other = sqlite3.connect(path, timeout=0.1, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        other.close()
        db_session.rollback()


def test_post_requests_write_under_a_write_transaction(app: Flask, client, world) -> None:
    """A state-changing request opens its transaction for writing; concurrent form posts
    that each read then write do not fail with 'database is locked'."""
    from tests.support import csrf_token, login

    clients = []
    for _ in range(4):
        c = app.test_client()
        login(c, "collectif@test.org")
        clients.append((c, csrf_token(c)))
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def create(index: int) -> None:
        c, token = clients[index]
        barrier.wait()
        response = c.post("/quartiers/nouveau", data={"name": f"Quartier {index}",
                                                      "city": "Stains", "csrf_token": token})
        statuses.append(response.status_code)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [303] * len(clients)


def test_one_plugin_tables_are_removed_and_restored_alone(database_url: str, app: Flask) -> None:
    """`maillage db downgrade exemplum@base` drops the plugin's tables, nothing else;
    `maillage db upgrade` brings them back. On SQLite and PostgreSQL (CI runs both)."""
    plugin_app = make_app(database_url, PLUGIN_MODULES=SUITE_PLUGINS)
    inspector = lambda: set(inspect(get_database(plugin_app).engine).get_table_names())  # noqa: E731
    assert "exemplum_items" in inspector()
    try:
        downgrade(plugin_app, "exemplum@base")
        tables = inspector()
        assert "exemplum_items" not in tables
        assert {"people", "associations", "plugin_activations"} <= tables
    finally:
        upgrade(plugin_app)
    assert "exemplum_items" in inspector()
    assert _schema_differences(plugin_app) == []
