"""Database settings per dialect: SQLite by default, PostgreSQL for larger deployments.

SQLite: WAL lets readers proceed while one writer commits; `busy_timeout` makes
a writer wait for the lock instead of failing at once; and a transaction that
reads and then writes starts with `BEGIN IMMEDIATE`, because two deferred
transactions that both upgrade from a read lock to a write lock deadlock, and
one of them fails with "database is locked".

PostgreSQL needs none of the pragmas. The same guarantee for writes that read
first (a save numbers its revision after the last one and refuses a stale base)
comes from a transaction-scoped advisory lock taken before those reads: writers
queue for it as they queue for SQLite's write lock, each then reads what the
previous one committed (READ COMMITTED takes a fresh snapshot per statement),
and the lock is released by the commit or rollback. Readers never wait for it.
"""

from __future__ import annotations

import os
from contextlib import suppress
from pathlib import Path

from sqlalchemy import Engine, event, text

from crunch.extensions import db

BEGIN_OPTION = "sqlite_begin"
BUSY_TIMEOUT_MS = 5000
# The advisory lock that stands for SQLite's single write lock (any fixed number;
# "crunch" in ASCII).
WRITE_LOCK_KEY = 0x6372756E6368


def normalise_url(url: str) -> str:
    """`postgresql://` and `postgres://` mean psycopg 3, the driver installed here
    (SQLAlchemy would otherwise look for psycopg2)."""
    for scheme in ("postgresql://", "postgres://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url.removeprefix(scheme)
    return url


# The database holds password hashes: only its owner may read it. SQLite creates the
# -wal, -shm and -journal files with the database file's own permissions.
FILE_MODE = 0o600


def configure(engine: Engine) -> None:
    """Apply the dialect's connection settings to `engine` (nothing outside SQLite)."""
    if engine.dialect.name != "sqlite":
        return
    create_private_file(sqlite_path(engine))
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)


def sqlite_path(engine: Engine) -> Path | None:
    """The SQLite database's file, or None for an in-memory database."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database)


def create_private_file(path: Path | None) -> None:
    """Create the database file readable by its owner only, before SQLite would create
    it with the process's umask (usually 0644: readable by every local account). An
    existing file is left as it is (the production check reports one others can read)."""
    if path is None or path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with suppress(FileExistsError):  # created meanwhile by another worker
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, FILE_MODE))


def _on_connect(dbapi_connection, _record) -> None:
    # Hand transaction control to SQLAlchemy's "begin" event (pysqlite's own
    # implicit BEGIN cannot say IMMEDIATE).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _on_begin(connection) -> None:
    mode = connection.get_execution_options().get(BEGIN_OPTION, "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def begin_write() -> None:
    """Start the session's next transaction as a writer.

    Call before the reads that a write depends on. A read transaction already
    open in this request is ended first; the session reloads what it needs.
    SQLite: `BEGIN IMMEDIATE`. PostgreSQL: the transaction first takes the
    write advisory lock, held until it commits or rolls back.
    """
    session = db.session()  # the request's Session behind the scoped proxy
    if session.in_transaction():
        session.commit()
    connection = session.connection(execution_options={BEGIN_OPTION: "IMMEDIATE"})
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY})
