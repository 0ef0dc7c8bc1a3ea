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

from flask import Flask

from crunch.jobs.fair import Owner

BACKLOG = "{queue}-backlog"


TASK = "crunch.jobs.rq_task.run"  # by name: the web app never loads the worker's side


def queue_names(config) -> tuple[str, str]:
    """The queues a worker listens on, in the order it must take from them."""
    queue = config["JOBS_RQ_QUEUE"]
    return queue, BACKLOG.format(queue=queue)


class RQBackend:
    name = "rq"

    def __init__(self, app: Flask) -> None:
        from redis import Redis
        from rq import Queue

        self.redis = Redis.from_url(app.config["JOBS_REDIS_URL"])
        first, backlog = queue_names(app.config)
        self.queue = Queue(first, connection=self.redis)
        self.backlog = Queue(backlog, connection=self.redis)
        self.time_limit = float(app.config["JOBS_TIME_LIMIT"])

    def submit(
        self, job_id: int, kind: str, inputs: dict, params: dict, owner: Owner | None = None
    ) -> None:
        queue = self.backlog if owner is not None and owner.school_active else self.queue
        queue.enqueue(
            TASK,
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
