"""Migrations build exactly the models' schema, and go down and up again.

They run on the test database (SQLite, or PostgreSQL when CRUNCH_TEST_DATABASE_URL
is set); the pragma and `BEGIN IMMEDIATE` tests are SQLite's own, and
tests/test_postgres.py holds PostgreSQL's counterparts.
"""

from __future__ import annotations

import sqlite3

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from crunch.database import begin_write
from crunch.extensions import db
from tests import databases
from tests.conftest import make_app

sqlite_only = pytest.mark.skipif(
    databases.on_postgres(), reason="SQLite's own settings; PostgreSQL has no pragmas"
)


@pytest.fixture
def empty_app(tmp_path):
    app = make_app(tmp_path / "migrated.sqlite")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


def schema_differences():
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, db.metadata)


def test_upgrade_on_an_empty_database_yields_the_models_schema(empty_app):
    upgrade()
    assert schema_differences() == []
    with db.engine.connect() as connection:
        version = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert version is not None


def test_upgrade_downgrade_upgrade(empty_app):
    upgrade()
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) == {"alembic_version"}
    upgrade()
    assert schema_differences() == []
    tables = set(inspect(db.engine).get_table_names())
    assert {"districts", "schools", "scenarios", "revisions"} <= tables


@sqlite_only
def test_migration_leaves_foreign_keys_on(empty_app):
    upgrade()
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


@sqlite_only
def test_sqlite_connections_use_wal_foreign_keys_and_a_busy_timeout(app):
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_foreign_keys_are_enforced(app):
    from crunch.models import School

    db.session.add(School(district_id=999_999, name="Nowhere"))
    with pytest.raises(Exception, match=r"(?i)foreign key"):
        db.session.commit()
    db.session.rollback()


@sqlite_only
def test_writes_begin_immediate_and_reads_begin_deferred(app):
    db.session.commit()
    statements = databases.sent_by_a_read_then_a_write()
    assert statements.count("BEGIN DEFERRED") == 1
    assert statements.count("BEGIN IMMEDIATE") == 1
    assert statements.index("BEGIN IMMEDIATE") > statements.index("BEGIN DEFERRED")


@sqlite_only
def test_a_second_writer_waits_instead_of_failing(app, tmp_path):
    """While one request holds the write lock, another's BEGIN IMMEDIATE waits for it."""
    path = db.engine.url.database
    other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
    try:
        begin_write()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        db.session.commit()
        other.execute("BEGIN IMMEDIATE")
        other.execute("COMMIT")
    finally:
        other.close()
