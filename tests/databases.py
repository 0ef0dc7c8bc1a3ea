"""Where a test app keeps its data: a SQLite file, or a schema of its own on PostgreSQL.

Without `CRUNCH_TEST_DATABASE_URL` every test app gets a temporary SQLite file.
With it (e.g. `postgresql+psycopg://crunch:crunch@127.0.0.1:5432/crunch_test`,
as `.ci/with-services` sets it) the test session creates a database of its own
beside the one named, named after the process, and every database path a test
gives `make_app` gets a fresh schema in it (its connections' `search_path`), so
tests stay as independent as with SQLite files, and an app made again with the
same path finds the same data. The session's database is dropped at the end, with any
connection still open, and databases left by sessions that died are dropped
at the start of the next one. The role needs CREATEDB.
"""

from __future__ import annotations

import itertools
import os
import re
import weakref

from sqlalchemy import create_engine, event, make_url, text
from sqlalchemy.engine import URL

from crunch.jobs.processes import alive

TEST_DATABASE_URL = os.environ.get("CRUNCH_TEST_DATABASE_URL") or None
PREFIX = "crunch_test_run_"

_schemas = itertools.count(1)
_schema_of_path: dict[str, str] = {}
_session_url: URL | None = None
_apps: weakref.WeakSet = weakref.WeakSet()


def on_postgres() -> bool:
    return TEST_DATABASE_URL is not None


def config_for(database_path) -> dict:
    """The app settings of the test database `database_path`: the SQLite file, or on
    PostgreSQL the schema that stands for it. A new path gets an empty database; an
    app made again with the same path opens the same one (as after a restart)."""
    if not on_postgres():
        return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database_path}"}
    url = _session_database()
    key = os.path.abspath(database_path)
    schema = _schema_of_path.get(key)
    if schema is None:
        schema = _schema_of_path[key] = f"app_{next(_schemas)}"
        engine = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with engine.connect() as connection:
                connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
        finally:
            engine.dispose()
    return {
        "SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False),
        "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"options": f"-c search_path={schema}"}},
    }


def track(app) -> None:
    """Remember `app`, so its idle connections are closed after each test."""
    _apps.add(app)


def close_idle_connections() -> None:
    """Close the pooled connections of every test app (they reopen when needed)."""
    if not on_postgres():
        return
    from crunch.extensions import db

    for app in list(_apps):
        with app.app_context():
            db.engine.dispose()


def _admin_engine():
    return create_engine(make_url(TEST_DATABASE_URL), isolation_level="AUTOCOMMIT")


def _session_database() -> URL:
    global _session_url
    if _session_url is None:
        name = f"{PREFIX}{os.getpid()}"
        engine = _admin_engine()
        try:
            with engine.connect() as connection:
                _drop_abandoned(connection)
                connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                connection.exec_driver_sql(f"CREATE DATABASE {name}")
        finally:
            engine.dispose()
        _session_url = make_url(TEST_DATABASE_URL).set(database=name)
    return _session_url


def _drop_abandoned(connection) -> None:
    """Drop the databases of earlier test sessions whose process has gone."""
    names = connection.execute(
        text("SELECT datname FROM pg_database WHERE datname LIKE :pattern"),
        {"pattern": PREFIX + "%"},
    ).scalars()
    for name in names:
        match = re.fullmatch(PREFIX + r"(\d+)", name)
        if match and not alive(int(match.group(1))):
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def drop_session_database() -> None:
    """Drop this session's database and everything in it (called when pytest ends)."""
    global _session_url
    if _session_url is None:
        return
    close_idle_connections()
    engine = _admin_engine()
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(
                f"DROP DATABASE IF EXISTS {_session_url.database} WITH (FORCE)"
            )
    finally:
        engine.dispose()
    _session_url = None


def sent_by_a_read_then_a_write() -> list[str]:
    """The SQL the app's engine sends for a read, then a write (`begin_write()`) committed."""
    from crunch.database import begin_write
    from crunch.extensions import db

    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        db.session.execute(text("SELECT 1"))
        begin_write()
        db.session.execute(text("SELECT 1"))
        db.session.commit()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return statements
