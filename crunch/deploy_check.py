"""Refuse to serve with an unsafe production configuration.

`make serve` (gunicorn, gunicorn.conf.py) runs `flask --app crunch check-deploy`
before any worker starts, as Django's `manage.py check --deploy` does, and stops
with one line per problem and a non-zero exit status. For a quick try on one's own
machine, `CRUNCH_ALLOW_UNSAFE=1` turns the refusal into warnings.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from limits.storage import storage_from_string

from crunch.extensions import db

SECRET_MIN = 32
# Keys seen in examples and tests: never good enough to sign real sessions.
WEAK_SECRETS = frozenset({"test secret", "secret", "dev", "development", "change-me", "changeme"})
SHARED_STORES = ("redis://", "rediss://", "redis+sentinel://", "redis+cluster://")
# Seconds a worker's answer may take beyond the longest in-request solve (the preview).
TIMEOUT_MARGIN = 10
ALLOW_UNSAFE = "CRUNCH_ALLOW_UNSAFE"


def problems(app: Flask, workers: int = 1, timeout: float | None = None) -> list[str]:
    """Every reason this configuration is unsafe to serve in production, in words."""
    config = app.config
    found = []
    secret = str(config["SECRET_KEY"] or "")
    if len(secret) < SECRET_MIN or secret.lower() in WEAK_SECRETS:
        found.append(
            f"SECRET_KEY is missing, a known example or shorter than {SECRET_MIN} characters:"
            " set CRUNCH_SECRET_KEY to a long random value"
            ' (python3 -c "import secrets; print(secrets.token_hex(32))").'
        )
    if not config["SESSION_COOKIE_SECURE"]:
        found.append(
            "SESSION_COOKIE_SECURE is off: the session cookie would travel over plain HTTP."
            " Serve over HTTPS and leave it on (CRUNCH_SESSION_COOKIE_SECURE=true)."
        )
    for key in ("SESSION_COOKIE_SAMESITE", "REMEMBER_COOKIE_SAMESITE"):
        if str(config[key]).lower() != "strict":
            found.append(
                f"{key} is {config[key]!r}: pages are compressed, which is safe only while"
                " no request from another site carries a login (BREACH). Leave it 'Strict'"
                " (docs/deployment.md#compression)."
            )
    if app.debug or config["DEBUG"]:
        found.append("Debug mode is on: unset FLASK_DEBUG and CRUNCH_DEBUG.")
    if config["TESTING"]:
        found.append("TESTING is on: unset CRUNCH_TESTING.")
    if not config["WTF_CSRF_ENABLED"]:
        found.append("CSRF protection is off: unset CRUNCH_WTF_CSRF_ENABLED.")
    if not config["RATELIMIT_ENABLED"]:
        found.append("Login throttling is off: unset CRUNCH_RATELIMIT_ENABLED.")
    found += _limiter_store_problems(str(config["RATELIMIT_STORAGE_URI"]), workers)
    found += _database_file_problems()
    preview = float(config["PREVIEW_TIME_LIMIT"])
    if timeout is not None and timeout < preview + TIMEOUT_MARGIN:
        found.append(
            f"The worker timeout ({timeout:g} s) must exceed the preview's time limit"
            f" ({preview:g} s) by at least {TIMEOUT_MARGIN} s: raise CRUNCH_WORKER_TIMEOUT."
        )
    return found


def _limiter_store_problems(uri: str, workers: int) -> list[str]:
    if not uri.startswith(SHARED_STORES):
        several = f" With {workers} workers each would count on its own." if workers > 1 else ""
        return [
            f"RATELIMIT_STORAGE_URI is {uri or 'unset'!r}: login attempts must be counted in"
            f" one shared Redis store (CRUNCH_RATELIMIT_STORAGE_URI=redis://HOST:6379/0).{several}"
        ]
    try:
        reachable = storage_from_string(uri).check()
    except Exception:
        reachable = False
    if not reachable:
        return [f"The limiter's Redis store cannot be reached at {_without_password(uri)}."]
    return []


def _database_file_problems() -> list[str]:
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return []
    path = Path(url.database)
    if path.exists() and stat.S_IMODE(path.stat().st_mode) & 0o077:
        return [
            f"The database file {path} (it holds password hashes) can be read by other"
            f" accounts: chmod 600 {path}"
        ]
    return []


def _without_password(uri: str) -> str:
    scheme, sep, rest = uri.partition("://")
    if "@" in rest:
        rest = "***@" + rest.split("@", 1)[1]
    return scheme + sep + rest


@click.command("check-deploy")
@click.option("--workers", type=int, default=1, show_default=True, help="Worker processes.")
@click.option("--timeout", type=float, default=None, help="The WSGI server's worker timeout.")
@with_appcontext
def check_deploy(workers: int, timeout: float | None) -> None:
    """Refuse (exit status 1) an unsafe production configuration, one line per problem."""
    found = problems(current_app, workers=workers, timeout=timeout)
    allowed = os.environ.get(ALLOW_UNSAFE, "").lower() in ("1", "true", "yes")
    for problem in found:
        click.echo(f"{'warning' if allowed else 'refused'}: {problem}", err=True)
    if found and not allowed:
        click.echo(
            f"Not starting: {len(found)} problem{'s' if len(found) > 1 else ''} above"
            f" (for a quick try on your own machine only: {ALLOW_UNSAFE}=1).",
            err=True,
        )
        raise SystemExit(1)
    if not found:
        click.echo("Production configuration checked: no problems found.")
