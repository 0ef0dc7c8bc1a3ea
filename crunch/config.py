"""Configuration defaults.

Order of precedence (later wins): these defaults, `instance/config.py`, then
environment variables named `CRUNCH_<KEY>` (for example `CRUNCH_DATABASE_URL`).
"""

from __future__ import annotations

import math
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

from crunch.database import normalise_url


class Defaults:
    PRODUCTION = False  # see Production below
    # A generated key is written to instance/config.py on first run; this one only
    # exists so that a misconfigured deployment fails loudly instead of silently.
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = None  # filled in from the instance folder when unset
    # A principal may keep the editor open through a working day.
    WTF_CSRF_TIME_LIMIT = 8 * 3600
    # The largest form (40 grades, 200 composites, fixed classes) is far below this.
    MAX_CONTENT_LENGTH = 256 * 1024
    MAX_FORM_PARTS = 5000
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # True behind HTTPS (CRUNCH_SESSION_COOKIE_SECURE=true): the cookie is then never
    # sent over plain HTTP.
    SESSION_COOKIE_SECURE = False
    # Logins: failed attempts allowed per client address (Flask-Limiter)...
    LOGIN_LIMIT_PER_ADDRESS = "20 per 10 minutes"
    # ...and, per account, a growing wait instead of a lockout (crunch/accounts/login_delay.py):
    # after 5 failures each further one makes the next attempt wait 1, 2, 4 ... s, at
    # most 60 s; the count is forgotten an hour after its first failure.
    LOGIN_FREE_FAILURES = 5
    LOGIN_DELAY_BASE = 1
    LOGIN_DELAY_MAX = 60
    LOGIN_FAILURE_MEMORY = 3600
    # Off: Flask-Limiter's headers would give every login answer the address window's
    # Retry-After (minutes), hiding the account's own few seconds of wait.
    RATELIMIT_HEADERS_ENABLED = False
    # Where login counts live. memory:// is per process: fine for `make run`, wrong
    # for several workers, which must share one store (redis://host:6379/0). The
    # production check (crunch/deploy_check.py) refuses memory:// there.
    RATELIMIT_STORAGE_URI = "memory://"
    # Reverse proxies in front of the app that set X-Forwarded-For and -Proto (an HTTPS
    # proxy before `make serve`: 1). With 0 those headers are ignored, as anyone can
    # send them; with the proxy's count the per-address login limit counts clients
    # rather than the proxy (werkzeug's ProxyFix).
    TRUSTED_PROXIES = 0
    # Solver budgets for work done inside a request. PREVIEW_TIME_LIMIT bounds every
    # solve in a request (preview, options, the whole staffing curve, the JSON API).
    PREVIEW_TIME_LIMIT = 3.0
    PREVIEW_ALTERNATIVES = 3
    # The class-list board: a roster of more children than this is placed by a job in
    # the background (progress, Cancel), with BOARD_JOB_TIME_LIMIT seconds; a smaller
    # one in the request, within PREVIEW_TIME_LIMIT.
    BOARD_JOB_CHILDREN = 300
    BOARD_JOB_TIME_LIMIT = 30.0
    STAFFING_TIME_LIMIT = 1.0
    STAFFING_SPAN = 3  # teachers either side of the current number on the staffing chart
    # Warm solving processes per server process (crunch/pool.py); 0 solves in the
    # request's own thread, without the hard limit.
    SOLVER_POOL_SIZE = 2
    # Seconds past a solve's limit before its process is killed and replaced.
    SOLVER_POOL_MARGIN = 1.0
    # Seconds a request waits for an idle solving process (within its limit).
    SOLVER_POOL_WAIT = 0.5
    # Tests only: a picklable function each solving process runs once it is ready.
    SOLVER_POOL_INITIALIZER = None
    # How far one suggestion for an infeasible plan may move a class size limit, in
    # children (a maximum never past the largest maximum of any grade).
    SUGGESTION_MAX_SIZE_STEP = 4
    # Importing grade counts (a CSV or .xlsx upload): every file is read within these
    # limits, and one past any of them is refused with a message beside the file field
    # (413); nothing is saved. A school's student list is far below all of them.
    IMPORT_MAX_BYTES = 2 * 1024 * 1024  # the file as uploaded
    IMPORT_MAX_UNPACKED_BYTES = 10 * 1024 * 1024  # an .xlsx's parts unpacked, all together
    IMPORT_MAX_PARTS = 500  # parts (files) in an .xlsx archive
    IMPORT_MAX_PACKING_RATIO = 200  # unpacked / packed size of any part over 256 KB
    IMPORT_MAX_ROWS = 20_000
    IMPORT_MAX_COLUMNS = 200
    IMPORT_MAX_CELLS = 200_000  # rows times columns, gaps included
    IMPORT_MAX_CELL_LENGTH = 2_000  # characters in one cell
    IMPORT_MAX_SECONDS = 2.0  # CPU time reading the file, checked as it is parsed
    # A roster file waits in the database between its upload and its column mapping;
    # after this long (or on save or cancel) it is deleted.
    ROSTER_IMPORT_MAX_AGE_SECONDS = 3600
    # The district's time zone (an IANA name such as "Australia/Melbourne"): times are
    # stored in UTC and shown in this zone.
    DISPLAY_TIMEZONE = "UTC"


class Production:
    """What production mode (CRUNCH_PRODUCTION=1, set by `make serve`) changes before the
    instance folder and the environment are read; crunch/deploy_check.py then refuses
    what is still unsafe."""

    PRODUCTION = True
    SESSION_COOKIE_SECURE = True


def production_mode() -> bool:
    return os.environ.get("CRUNCH_PRODUCTION", "").lower() in ("1", "true", "yes")


def load(app: Flask, test_config: dict | None) -> None:
    """Fill app.config from defaults, the instance folder and the environment."""
    app.config.from_object(Defaults)
    if test_config is None:
        if production_mode():
            app.config.from_object(Production)
        ensure_instance_config(Path(app.instance_path))
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("CRUNCH")
        url = os.environ.get("CRUNCH_DATABASE_URL")
        if url:
            app.config["SQLALCHEMY_DATABASE_URI"] = url
    else:
        app.config.update(test_config)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        db_path = Path(app.instance_path) / "crunch.database"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set: put it in instance/config.py")


class BadSetting(RuntimeError):
    """Settings that cannot work, one line each: the app refuses to start."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("Cannot start with these settings:\n" + "\n".join(problems))
        self.problems = problems


# Flask's own limits, which are numbers or None (no limit).
NONE_ALLOWED = frozenset({"MAX_CONTENT_LENGTH", "MAX_FORM_PARTS", "WTF_CSRF_TIME_LIMIT"})
# 0 would not mean "none" here but break the app: a solver time limit of 0 is no limit
# at all to the solver, no job would ever run, every job would be stale at once.
POSITIVE = frozenset(
    {
        "PREVIEW_TIME_LIMIT",
        "BOARD_JOB_TIME_LIMIT",
        "STAFFING_TIME_LIMIT",
        "IMPORT_MAX_SECONDS",
        "JOBS_MAX_CONCURRENT",
        "JOBS_TIME_LIMIT",
        "JOBS_SOLVE_TIME_LIMIT",
        "JOBS_STAFFING_TIME_LIMIT",
        "JOBS_STALE_SECONDS",
    }
)


_WHERE = ": see CRUNCH_{0} or instance/config.py."


def numeric_defaults(*more: Mapping[str, Any]) -> dict[str, int | float]:
    """Every setting whose default is a number (Defaults, and `more` such as the
    jobs' defaults), by name."""
    found = {}
    for defaults in (vars(Defaults), *more):
        for key, value in defaults.items():
            if key.isupper() and isinstance(value, int | float) and not isinstance(value, bool):
                found[key] = value
    return found


def check_numbers(config: dict[str, Any], defaults: Mapping[str, int | float]) -> None:
    """Refuse to start when a numeric setting (say CRUNCH_JOBS_MAX_CONCURRENT=two, or
    -1) is not a number of its kind: `BadSetting`, naming each, rather than an error
    at the first request that uses it. A whole number given as 4.0 is taken as 4."""
    problems = []
    for key, default in defaults.items():
        if key not in config:
            continue
        value = config[key]
        if value is None and key in NONE_ALLOWED:
            continue
        whole = isinstance(default, int)
        if isinstance(value, float) and whole and value.is_integer():
            value = config[key] = int(value)
        kind = "a whole number" if whole else "a number"
        low = "more than 0" if key in POSITIVE else "0 or more"
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if not number or not math.isfinite(value) or (whole and not isinstance(value, int)):
            problems.append(f"{key} must be {kind} ({low}), not {value!r}{_WHERE.format(key)}")
        elif value < 0 or (value == 0 and key in POSITIVE):
            problems.append(f"{key} must be {low}, not {value!r}{_WHERE.format(key)}")
    if problems:
        raise BadSetting(problems)


def ensure_instance_config(instance: Path) -> None:
    """Create instance/ with a random SECRET_KEY the first time the app starts."""
    instance.mkdir(parents=True, exist_ok=True)
    config = instance / "config.py"
    if not config.exists():
        config.write_text(
            "# Created on first run. Keep it secret; it signs session cookies.\n"
            f"SECRET_KEY = {secrets.token_hex(32)!r}\n"
        )
        config.chmod(0o600)
