"""Where jobs run, chosen by configuration: `JOBS_BACKEND` (env `CRUNCH_JOBS_BACKEND`).

- `embedded` (the default): `EmbeddedRunner`, inside the app's own processes.
- `rq`: `RQBackend`, a Redis queue (`JOBS_REDIS_URL`) served by `rq worker`
  processes (crunch.jobs.rq_backend); `rq` and `redis` are imported only then.

Every backend has the same three methods: `submit(job_id, kind, inputs, params,
owner)` after the job's row is committed as `queued` (`owner`: whose job it is,
for a fair share of the solvers across schools and users, crunch.jobs.fair);
`cancel(job_id)` after its state was set to `cancelled` (a backend only stops
the work: the state is the truth); `shutdown()`.
"""

from __future__ import annotations

from typing import Any, Protocol

from flask import Flask

from crunch.jobs.fair import Owner
from crunch.jobs.runner import EmbeddedRunner

EXTENSION = "crunch.jobs"


class Backend(Protocol):
    name: str

    def submit(
        self,
        job_id: int,
        kind: str,
        inputs: dict[str, Any],
        params: dict,
        owner: Owner | None = None,
    ) -> None: ...

    def cancel(self, job_id: int) -> None: ...

    def shutdown(self) -> None: ...


def make_backend(app: Flask, engine) -> Backend:
    """JOBS_BACKEND, one of crunch.config.BACKENDS (checked when the app started)."""
    if app.config["JOBS_BACKEND"] == "rq":
        from crunch.jobs.rq_backend import RQBackend

        return RQBackend(app)
    return EmbeddedRunner(
        engine,
        max_concurrent=app.config["JOBS_MAX_CONCURRENT"],
        time_limit=app.config["JOBS_TIME_LIMIT"],
    )
