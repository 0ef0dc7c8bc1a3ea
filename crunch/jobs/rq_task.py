"""The RQ task (crunch.jobs.rq_backend puts it on the queue by name): what an `rq
worker` process runs for one job, with the web app's settings (instance/ and
CRUNCH_*), supervised exactly as the embedded runner does."""

from __future__ import annotations

import signal
import threading
from typing import Any

from flask import Flask

from crunch import create_app
from crunch.extensions import db
from crunch.jobs.runner import EmbeddedRunner

_app: list[Flask] = []


def use_app(app: Flask) -> None:
    """The app whose database the tasks of this worker process write to."""
    _app[:] = [app]


def _worker_app() -> Flask:
    if not _app:
        use_app(create_app())  # the settings of the web app: instance/ and CRUNCH_*
    return _app[0]


def run(job_id: int, kind: str, inputs: dict[str, Any], params: dict[str, Any]) -> None:
    """The RQ task: supervise one job in this worker process until it ends.

    A worker asked to stop (SIGTERM or SIGINT: `rq worker` stopped, or restarted by
    its service manager) stops the job's solve too, at once: the job is marked
    failed with the reason and its process terminated, and RQ's own handler then
    runs, so its warm shutdown has no job left to wait for. A cold shutdown
    (SystemExit raised by RQ's handler) does the same on its way out.
    """
    app = _worker_app()
    with app.app_context():
        runner = EmbeddedRunner(
            db.engine, max_concurrent=1, time_limit=app.config["JOBS_TIME_LIMIT"]
        )
        restore = _stop_with_worker(runner)
        try:
            runner._supervise(job_id, kind, inputs, params, threading.Event())
        except BaseException:
            runner._closing = True
            runner._give_up(job_id)
            raise
        finally:
            restore()


def _stop_with_worker(runner: EmbeddedRunner):
    """Chain a handler before RQ's for SIGTERM and SIGINT; returns the undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None  # signals reach the main thread only: nothing to chain
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def stop(signum, frame):
        runner._closing = True  # the supervising loop gives the job up within 0.2 s
        handler = previous[signum]
        if callable(handler):
            handler(signum, frame)
        elif handler == signal.SIG_DFL:
            raise SystemExit(128 + signum)  # what the default does, but in order

    for sig in previous:
        signal.signal(sig, stop)

    def restore() -> None:
        for sig, handler in previous.items():
            if handler is not None:
                signal.signal(sig, handler)

    return restore
