"""At most one solve in a request at a time per user, so that no one can keep the
server's solving processes busy with many requests at once.

A second solve by the same user while one runs raises `AlreadySolving`, which the
app answers 429 with `MESSAGE` (crunch.web.errors): at once for what the page
asks on its own (typing, the staffing curve: the page asks again) and for the
API; a person's own click (Save, Fix, a suggestion, a page) first waits for the
other solve to end, which takes at most PREVIEW_TIME_LIMIT + SOLVER_POOL_MARGIN.
The count is kept per server process: a user whose requests land on different
workers of one server may have one solve in each.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, has_request_context, request
from flask_login import current_user

from crunch.web.htmx import is_htmx, trigger

MESSAGE = (
    "Another solve of yours is still running (in another tab, or a request sent just "
    "before). Nothing was lost: wait a moment, then change an input or try again."
)

# Said instead where the page asks again by itself (typing, the staffing curve).
RETRYING = "Still working on your previous change: this part updates by itself in a moment."

# The elements that ask by themselves, again and again (HX-Trigger): the editor's inputs
# as typed in, the staffing curve, and a request asking again: never kept waiting.
AUTOMATIC = ("inputs", "staffing", "retry")

_active: set[str] = set()
_lock = threading.Condition()


class AlreadySolving(Exception):
    """This user has a solve running in another request."""


def _user_key() -> str | None:
    if not has_request_context() or not current_user.is_authenticated:
        return None  # a command, or a test with no one logged in: nothing to share
    return str(current_user.id)


@contextmanager
def one_at_a_time() -> Iterator[None]:
    """Hold this user's one solve in a request for the duration of the block."""
    key = _user_key()
    if key is None:
        yield
        return
    with _lock:
        if not _lock.wait_for(lambda: key not in _active, timeout=_patience()):
            raise AlreadySolving
        _active.add(key)
    try:
        yield
    finally:
        with _lock:
            _active.discard(key)
            _lock.notify_all()


def _patience() -> float:
    """Seconds this request may wait for the user's other solve to end."""
    if request.path.startswith("/api/") or (is_htmx() and trigger() in AUTOMATIC):
        return 0.0
    config = current_app.config
    return float(config["PREVIEW_TIME_LIMIT"]) + float(config["SOLVER_POOL_MARGIN"])
