"""Configuration: every default in one place, checked when the app starts.

Order of precedence (later wins): these defaults, `instance/config.py`, then
environment variables named `CRUNCH_<KEY>` (for example `CRUNCH_DATABASE_URL`).
Code reads `app.config[KEY]`, never with a fallback of its own: the default is here.
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
    # Strict: no request another site starts (a link, a form, a script, an image)
    # carries the session, so no answer an attacker can cause holds a user's data or
    # CSRF token. That is what makes compressing pages safe (BREACH needs such
    # answers); docs/deployment.md#compression. The production check refuses any
    # other value.
    # No remember-me cookie is issued; were one, it would be Strict too.
    SESSION_COOKIE_SAMESITE = "Strict"
    REMEMBER_COOKIE_SAMESITE = "Strict"
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
    # Off only in tests; the production check (crunch/deploy_check.py) refuses either
    # off. Flask-WTF's and Flask-Limiter's own defaults, stated here once.
    WTF_CSRF_ENABLED = True
    RATELIMIT_ENABLED = True
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
    # Background jobs (crunch/jobs, docs/jobs.md). "embedded": solved in this server's
    # own processes; "rq": handed to `rq worker` processes through Redis.
    JOBS_BACKEND = "embedded"
    # For JOBS_BACKEND = "rq": the Redis server and the queue the workers listen on.
    JOBS_REDIS_URL = "redis://127.0.0.1:6379/0"
    JOBS_RQ_QUEUE = "crunch-jobs"
    # Solves at once; more wait as `queued`. Each takes one core while it runs.
    JOBS_MAX_CONCURRENT = 2
    # Queued or running jobs at once per user and per school; one more is refused
    # (429) until one ends. The editor keeps at most a solve (or its options) and a
    # staffing curve going per scenario, each replacing the last: 3 lets a planner
    # compare two scenarios. Ten of a school's jobs already wait minutes for the
    # solvers (60 s each at most, JOBS_MAX_CONCURRENT at once), so more only queue.
    JOBS_MAX_ACTIVE_PER_USER = 3
    JOBS_MAX_ACTIVE_PER_SCHOOL = 10
    # Wall-clock seconds from a job's start to `timed_out`.
    JOBS_TIME_LIMIT = 60.0
    # The solver's own limit inside a job (per number of teachers for staffing):
    # below the job's limit, so the solver stops with its best answer first.
    JOBS_SOLVE_TIME_LIMIT = 30.0
    JOBS_STAFFING_TIME_LIMIT = 5.0
    # A queued or running job whose heartbeat is older than this lost its runner.
    JOBS_STALE_SECONDS = 15.0
    # A preview slower than this marks its inputs as slow: their options and
    # staffing curve are then worked out in the background.
    JOBS_SLOW_PREVIEW_SECONDS = 1.0
    # Finished jobs are deleted this many days after they ended (saved revisions
    # keep their own allocation, so nothing a user saved goes with them).
    JOBS_KEEP_DAYS = 30
    # SIGTERM exits in order (the runner then stops its solves) unless something
    # else, such as gunicorn or an RQ worker, handles it already.
    JOBS_STOP_ON_SIGTERM = True
    # Seconds between sweeps for stale jobs (runner gone: failed, process killed),
    # made as jobs are started and looked up, besides the one at the server's first
    # request.
    JOBS_SWEEP_SECONDS = 15.0
    # Compression (Flask-Compress): text answers of 500 bytes or more, pages included,
    # for browsers that accept it; brotli when asked for, else gzip. Safe because of the
    # Strict session cookie above (docs/deployment.md#compression).
    COMPRESS_MIMETYPES = (
        "text/html",
        "text/css",
        "text/csv",
        "text/javascript",
        "application/javascript",
        "application/json",
        "image/svg+xml",
    )
    COMPRESS_ALGORITHM = ("br", "gzip")
    # Static files are sent in chunks (streamed): the same two encodings.
    COMPRESS_ALGORITHM_STREAMING = ("br", "gzip")
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
        # CRUNCH_DATABASE_URL, read with the other CRUNCH_* variables just above
        url = app.config.pop("DATABASE_URL", None)
        if url:
            app.config["SQLALCHEMY_DATABASE_URI"] = url
    else:
        app.config.update(test_config)
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        db_path = Path(app.instance_path) / "crunch.sqlite"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if not app.config["SECRET_KEY"]:
        raise RuntimeError("SECRET_KEY is not set: put it in instance/config.py")
    validate(app.config)


def validate(config: dict[str, Any]) -> None:
    """Refuse settings that cannot work before anything reads them: a bad one stops the
    start (`BadSetting`, naming each), not a request."""
    problems = number_problems(config, numeric_defaults())
    backend = config["JOBS_BACKEND"] = str(config["JOBS_BACKEND"]).strip().lower()
    if backend not in BACKENDS:
        where = _WHERE.format("JOBS_BACKEND")
        problems.append(f"JOBS_BACKEND must be 'embedded' or 'rq', not {backend!r}{where}")
    if problems:
        raise BadSetting(sorted(problems))


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


BACKENDS = ("embedded", "rq")
_WHERE = ": see CRUNCH_{0} or instance/config.py."


def numeric_defaults() -> dict[str, int | float]:
    """Every setting whose default is a number, by name."""
    return {
        key: value
        for key, value in vars(Defaults).items()
        if key.isupper() and isinstance(value, int | float) and not isinstance(value, bool)
    }


def number_problems(config: dict[str, Any], defaults: Mapping[str, int | float]) -> list[str]:
    """A line for each numeric setting (say CRUNCH_JOBS_MAX_CONCURRENT=two, or -1) that is
    not a number of its kind. A whole number given as 4.0 is taken as 4."""
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
    return problems


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
