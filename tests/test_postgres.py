"""PostgreSQL's counterparts of SQLite's settings (run when CRUNCH_TEST_DATABASE_URL is set).

On PostgreSQL nothing SQLite-only is sent, and `begin_write()` takes the write
advisory lock that makes writers queue as SQLite's `BEGIN IMMEDIATE` does.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from flask import Flask
from sqlalchemy import create_engine, text

from crunch import config
from crunch.database import WRITE_LOCK_KEY, begin_write, normalise_url
from crunch.extensions import db
from tests import databases

postgres_only = pytest.mark.skipif(
    not databases.on_postgres(), reason="needs CRUNCH_TEST_DATABASE_URL (make test-services)"
)


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u:p@db/crunch", "postgresql+psycopg://u:p@db/crunch"),
        ("postgresql://u:p@db/crunch", "postgresql+psycopg://u:p@db/crunch"),
        ("postgresql+psycopg://u:p@db/crunch", "postgresql+psycopg://u:p@db/crunch"),
        ("sqlite:////srv/crunch.sqlite", "sqlite:////srv/crunch.sqlite"),
    ],
)
def test_postgres_urls_use_psycopg(given, used):
    assert normalise_url(given) == used


def test_crunch_database_url_picks_the_database(monkeypatch, tmp_path):
    monkeypatch.setenv("CRUNCH_DATABASE_URL", "postgresql://u:p@db.example/crunch")
    monkeypatch.setenv("CRUNCH_SECRET_KEY", "test secret")
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    config.load(app, None)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db.example/crunch"


@postgres_only
def test_no_sqlite_statements_reach_postgres(app):
    db.session.commit()
    db.engine.dispose()  # new connections, so their set-up is recorded too
    sent = " ".join(databases.sent_by_a_read_then_a_write()).upper()
    assert "PRAGMA" not in sent
    assert "IMMEDIATE" not in sent
    assert "PG_ADVISORY_XACT_LOCK" in sent


@contextmanager
def write_lock_tester():
    """`free()`: whether another connection could take the write lock now (it lets go)."""
    other = create_engine(db.engine.url)
    try:
        with other.connect() as connection:
            try_lock = text("SELECT pg_try_advisory_xact_lock(:key)")

            def free() -> bool:
                taken = connection.execute(try_lock, {"key": WRITE_LOCK_KEY}).scalar()
                connection.rollback()
                return taken

            yield free
    finally:
        other.dispose()


@postgres_only
def test_a_second_writer_waits_for_the_write_lock(app):
    """While one request holds the write lock, nobody else gets it; the commit frees it."""
    with write_lock_tester() as free:
        begin_write()
        assert free() is False
        db.session.commit()
        assert free() is True


@postgres_only
def test_a_rollback_frees_the_write_lock(app):
    with write_lock_tester() as free:
        begin_write()
        db.session.rollback()
        assert free() is True


@postgres_only
def test_each_test_app_has_a_schema_of_its_own(app, tmp_path):
    from tests.conftest import make_app

    other = make_app(tmp_path / "other.sqlite")
    with other.app_context():
        assert (
            db.session.execute(text("SELECT current_schema()")).scalar()
            != (app.config["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]["options"].split("=")[1])
        )
        assert (
            db.session.execute(
                text("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()")
            ).scalar()
            == 0
        )
        db.session.remove()


@postgres_only
def test_the_same_path_opens_the_same_schema(app, tmp_path):
    from tests.conftest import make_app

    first, again = make_app(tmp_path / "same.sqlite"), make_app(tmp_path / "same.sqlite")
    with first.app_context():
        db.session.execute(text("CREATE TABLE marker (id integer)"))
        db.session.commit()
    with again.app_context():
        assert db.session.execute(text("SELECT count(*) FROM marker")).scalar() == 0
        db.session.remove()
