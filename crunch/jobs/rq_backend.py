"""The RQ (Redis) backend: jobs solved by `rq worker` processes on any machine.

For a district whose app servers outgrow one machine (or that keeps web workers
free of solving altogether): the web app puts each job on a Redis queue, and RQ
workers, started beside the app with the same settings (`CRUNCH_DATABASE_URL`
pointing at the shared PostgreSQL database), take them:

    CRUNCH_JOBS_BACKEND=rq CRUNCH_JOBS_REDIS_URL=redis://redis.example:6379/0 \\
        rq worker --worker-class rq.worker.SimpleWorker \\
                  --url redis://redis.example:6379/0 crunch-jobs crunch-jobs-backlog

A worker supervises each job exactly as the embedded runner does (the same
code: a spawned solving process, progress and the result written to the jobs
table, heartbeats, the time limit), so cancel works the same way: the state in
the table says `cancelled`, and the worker terminates the solve within 0.2 s.
The number of workers is the bound on concurrent solves. `SimpleWorker` runs
each job in the worker process instead of a forked copy: the solve gets its
own spawned process anyway, and forking a process that holds database
connections is unsafe.

A fair share, as far as RQ allows: RQ serves each queue first come, first
served, and a worker takes from the queues it listens on in the order they are
named. So a job goes on the main queue (`JOBS_RQ_QUEUE`) when its school has no
other job queued or running, and on `<JOBS_RQ_QUEUE>-backlog` otherwise: every
school's first job goes before any school's second, and one school's batch of
twenty waits behind another school's single job instead of ahead of it. Workers
must listen on both queues, the main one first (`queue_names()`). Within the
backlog it is first come, first served (the embedded runner's finer share across
schools and users, crunch.jobs.fair, needs one process that sees every waiting
job). The caps (JOBS_MAX_ACTIVE_PER_USER, _PER_SCHOOL) bound any backlog.

`rq` and `redis` are imported only when this backend is chosen.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from flask import Flask

from crunch.jobs.fair import Owner
from crunch.jobs.runner import EmbeddedRunner

QUEUE = "crunch-jobs"
BACKLOG = "{queue}-backlog"


def queue_names(config) -> tuple[str, str]:
    """The queues a worker listens on, in the order it must take from them."""
    queue = config.get("JOBS_RQ_QUEUE") or QUEUE
    return queue, BACKLOG.format(queue=queue)


_app: list[Flask] = []


def use_app(app: Flask) -> None:
    """The app whose database the tasks of this worker process write to."""
    _app[:] = [app]


def _worker_app() -> Flask:
    if not _app:
        from crunch import create_app

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
    from crunch.extensions import db

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


class RQBackend:
    name = "rq"

    def __init__(self, app: Flask) -> None:
        from redis import Redis
        from rq import Queue

        url = app.config.get("JOBS_REDIS_URL") or "redis://127.0.0.1:6379/0"
        self.redis = Redis.from_url(url)
        first, backlog = queue_names(app.config)
        self.queue = Queue(first, connection=self.redis)
        self.backlog = Queue(backlog, connection=self.redis)
        self.time_limit = float(app.config["JOBS_TIME_LIMIT"])

    def submit(
        self, job_id: int, kind: str, inputs: dict, params: dict, owner: Owner | None = None
    ) -> None:
        queue = self.backlog if owner is not None and owner.school_active else self.queue
        queue.enqueue(
            run,
            job_id,
            kind,
            inputs,
            params,
            job_id=f"crunch-job-{job_id}",
            # RQ's own limit only catches a stuck worker: the job's limit comes first.
            job_timeout=int(self.time_limit) + 60,
            result_ttl=0,
            failure_ttl=24 * 3600,
        )

    def cancel(self, job_id: int) -> None:
        """A job still waiting in Redis is dropped; a running one stops by its state."""
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        try:
            job = Job.fetch(f"crunch-job-{job_id}", connection=self.redis)
        except NoSuchJobError:
            return
        if job.get_status() == "queued":
            job.cancel()

    def shutdown(self) -> None:
        self.redis.close()
