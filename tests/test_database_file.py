"""The SQLite database holds password hashes: its file and the files SQLite keeps
beside it are readable by their owner only."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest
from sqlalchemy import text

from crunch import create_app
from crunch.database import create_private_file
from crunch.extensions import db


@pytest.fixture
def usual_umask():
    """The usual umask, under which a new file is readable by everyone (0644)."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_database_file_and_its_wal_and_shm_are_owner_only(tmp_path, usual_umask):
    path = tmp_path / "instance" / "crunch.sqlite"
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        db.create_all()
        with db.engine.connect() as connection:  # WAL: -wal and -shm exist while connected
            connection.execute(text("SELECT count(*) FROM users"))
            files = [
                path,
                path.with_name("crunch.sqlite-wal"),
                path.with_name("crunch.sqlite-shm"),
            ]
            assert all(f.exists() for f in files)
            assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
        db.engine.dispose()


def test_a_rollback_journal_is_owner_only_too(tmp_path, usual_umask):
    """Outside WAL mode (a database copied in, a tool that switches it), SQLite writes
    a -journal file with the database file's permissions."""
    path = tmp_path / "crunch.sqlite"
    create_private_file(path)
    assert mode(path) == 0o600
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=PERSIST")  # keeps the journal file after commit
    connection.execute("CREATE TABLE t (x)")
    connection.close()
    journal = path.with_name("crunch.sqlite-journal")
    assert journal.exists() and mode(journal) == 0o600


def test_an_existing_database_file_is_left_as_it_is(tmp_path, usual_umask):
    path = tmp_path / "crunch.sqlite"
    path.touch(mode=0o640)
    path.chmod(0o640)
    app = create_app({"SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        db.engine.dispose()
    assert mode(path) == 0o640
