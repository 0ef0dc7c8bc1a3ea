"""A growing wait for an account after repeated failed logins, instead of a lockout.

A hard lockout (every attempt refused for ten minutes after five failures) lets
anyone who knows a colleague's email lock them out. Here the first
`LOGIN_FREE_FAILURES` failures for an account cost nothing; after each further
failure the account's next attempt must wait `LOGIN_DELAY_BASE` seconds, doubling
with every failure up to `LOGIN_DELAY_MAX` (1, 2, 4, ... 60 s by default). An
attempt made during the wait is refused without checking the password, so a
guesser gets at most one try per wait, while the owner waits a minute at worst.
A successful login clears the account's count; otherwise it is forgotten
`LOGIN_FAILURE_MEMORY` seconds after the first failure counted.

Attempts are still limited per client address by Flask-Limiter (crunch/accounts/views.py).
Both live in the limiter's store (`RATELIMIT_STORAGE_URI`), so every worker of a
deployment sees the same counts when that store is shared (Redis).
"""

from __future__ import annotations

import math
import time

from flask import current_app

from crunch.accounts.auth import normal_email
from crunch.extensions import limiter


def _on() -> bool:
    return bool(current_app.config["RATELIMIT_ENABLED"])


def _setting(name: str) -> int:
    return int(current_app.config[name])


def _keys(email: str) -> tuple[str, str]:
    account = normal_email(email)[:254]
    return f"crunch/login-failures/{account}", f"crunch/login-wait/{account}"


def seconds_to_wait(email: str) -> int:
    """Whole seconds before the account may try again; 0 when it may try now."""
    if not _on():
        return 0
    _, wait_key = _keys(email)
    storage = limiter.storage
    if storage.get(wait_key) <= 0:
        return 0
    return max(1, math.ceil(storage.get_expiry(wait_key) - time.time()))


def delay_after(failures: int) -> int:
    """The wait that follows the account's `failures`-th failure in a row (0: none)."""
    extra = failures - _setting("LOGIN_FREE_FAILURES")
    if extra <= 0:
        return 0
    cap = _setting("LOGIN_DELAY_MAX")
    base = _setting("LOGIN_DELAY_BASE")
    return min(cap, base * 2 ** min(extra - 1, 30))


def record_failure(email: str) -> int:
    """Count a failed attempt; answer the wait it starts (0: none yet)."""
    if not _on():
        return 0
    failures_key, wait_key = _keys(email)
    storage = limiter.storage
    failures = storage.incr(failures_key, _setting("LOGIN_FAILURE_MEMORY"))
    wait = delay_after(failures)
    if wait:
        storage.clear(wait_key)
        storage.incr(wait_key, wait)
    return wait


def record_success(email: str) -> None:
    if not _on():
        return
    for key in _keys(email):
        limiter.storage.clear(key)
