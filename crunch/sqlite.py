"""SQLite settings that make a file database safe for several web workers.

WAL lets readers proceed while one writer commits; `busy_timeout` makes a writer
wait for the lock instead of failing at once; and a transaction that reads and
then writes starts with `BEGIN IMMEDIATE`, because two deferred transactions
that both upgrade from a read lock to a write lock deadlock, and one of them
fails with "database is locked". None of this applies to other databases.
"""

from __future__ import annotations

from sqlalchemy import Engine, event

from .extensions import db

BEGIN_OPTION = "sqlite_begin"
BUSY_TIMEOUT_MS = 5000


def configure(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)


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
    """Start the session's next transaction as a writer (BEGIN IMMEDIATE on SQLite).

    Call before the reads that a write depends on. A read transaction already
    open in this request is ended first; the session reloads what it needs.
    """
    session = db.session()  # the request's Session behind the scoped proxy
    if session.in_transaction():
        session.commit()
    session.connection(execution_options={BEGIN_OPTION: "IMMEDIATE"})
