"""Shared by the jobs tests: a slow model, an app whose jobs are stopped after each test,
and bounded waits (a wait that runs out fails the test; no latency is asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from rq import SimpleWorker

from bench.schools import school
from crunch import jobs
from crunch.extensions import db
from crunch.models import Job
from tests.conftest import HILLSIDE, add_school, add_users, make_app

# A generated K-12 school (bench/schools.py, "k12" number 0) at the fewest teachers
# that work: its balance stage runs for many seconds (bench/solver_speed.py). The K/12
# composite (never worth opening) keeps it off the chain of neighbouring grades that
# the solver's dynamic programme proves in a fraction of a second (solver/chain.py),
# so the MIP solves it, slowly: what the tests of slow inputs need.
K12_FEWEST = school("k12", 0) | {"teachers": 93}
K12_FEWEST["composites"] = [*K12_FEWEST["composites"], {"grades": ["K", "12"]}]

# Generous bounds for a loaded 2-core machine: only there so nothing waits forever.
WAIT = 60.0


def wait_for(predicate, timeout: float = WAIT, step: float = 0.05):
    """Poll until `predicate()` is truthy; fail the test if it never is."""
    ends = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > ends:
            pytest.fail(f"gave up waiting after {timeout} s")
        time.sleep(step)


def fresh(job_id: int) -> Job:
    db.session.commit()  # end the read transaction: see the runner's writes
    return db.session.scalar(
        db.select(Job).where(Job.id == job_id).execution_options(populate_existing=True)
    )


def add_job(scenario, state, kind=jobs.OPTIONS, inputs=None, **fields) -> int:
    """A job row written directly, as another process or an earlier run left it."""
    fields.setdefault("params", {})
    job = Job(
        school_id=scenario.school_id,
        scenario_id=scenario.id,
        kind=kind,
        state=state,
        inputs=HILLSIDE if inputs is None else inputs,
        **fields,
    )
    db.session.add(job)
    db.session.commit()
    return job.id


def state(job_id: int) -> str:
    return fresh(job_id).state


def process_gone(pid: int) -> bool:
    """True once the process has exited and been reaped."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def job_app_factory(tmp_path, **overrides):
    # A short preview limit: saving the slow test school solves it in the request.
    config = {
        "JOBS_SOLVE_TIME_LIMIT": 30.0,
        "JOBS_TIME_LIMIT": 60.0,
        "PREVIEW_TIME_LIMIT": 0.5,
        **overrides,
    }
    app = make_app(tmp_path / "jobs.sqlite", **config)
    return app


def set_up(app):
    db.create_all()
    add_users(add_school())


def tear_down(app):
    found = app.extensions.get(jobs.backends.EXTENSION)
    if found is not None:
        found.shutdown()
    db.session.remove()
    db.engine.dispose()


@contextmanager
def job_app(tmp_path, **overrides):
    """A jobs test app (job_app_factory) in context, set up; its jobs stopped afterwards."""
    app = job_app_factory(tmp_path, **overrides)
    with app.app_context():
        set_up(app)
        yield app
        tear_down(app)


# The RQ backend: the same tests against a real Redis when CRUNCH_TEST_REDIS_URL is set.
REDIS_URL = os.environ.get("CRUNCH_TEST_REDIS_URL", "")
BACKENDS = [
    "embedded",
    pytest.param(
        "rq",
        marks=pytest.mark.skipif(
            not REDIS_URL, reason="needs CRUNCH_TEST_REDIS_URL (make test-services)"
        ),
    ),
]
ROOT = Path(__file__).resolve().parents[1]
CONFIG_ENV = "CRUNCH_TEST_WORKER_CONFIG"
SHARED = ("SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_ENGINE_OPTIONS", "SECRET_KEY", "TESTING")


class AppWorker(SimpleWorker):
    """`rq worker -w tests.jobs_support.AppWorker`: writes to the test's database."""

    def __init__(self, *args, **kwargs):
        from crunch import create_app
        from crunch.jobs import rq_task

        rq_task.use_app(create_app(json.loads(os.environ[CONFIG_ENV])))
        super().__init__(*args, **kwargs)


def rq_config() -> dict:
    """The settings of a test app that uses the RQ backend on a queue of its own."""
    from redis import Redis

    Redis.from_url(REDIS_URL).ping()  # unreachable: the test fails, it does not skip
    return {
        "JOBS_BACKEND": "rq",
        "JOBS_REDIS_URL": REDIS_URL,
        "JOBS_RQ_QUEUE": f"crunch-test-{uuid.uuid4().hex[:12]}",
    }


def start_rq_workers(app, count: int) -> list[subprocess.Popen]:
    from crunch.jobs import rq_backend

    config = {k: app.config[k] for k in SHARED if k in app.config}
    config.update({k: v for k, v in app.config.items() if k.startswith("JOBS_")})
    env = {**os.environ, CONFIG_ENV: json.dumps(config)}
    command = [
        str(Path(sys.executable).with_name("rq")),
        "worker",
        "--worker-class",
        "tests.jobs_support.AppWorker",
        "--path",
        str(ROOT),
        "--url",
        REDIS_URL,
        "--quiet",
        *rq_backend.queue_names(app.config),
    ]
    return [subprocess.Popen(command, env=env, cwd=ROOT) for _ in range(count)]


def stop_rq_workers(app, workers: list[subprocess.Popen]) -> None:
    """Cancel what is left (the workers stop those solves), then stop the workers."""
    from crunch.jobs import runner as runners
    from crunch.models import JobState

    with app.app_context():
        for job_id in db.session.scalars(db.select(Job.id)):
            runners._update(db.engine, job_id, when=JobState.ACTIVE, state=JobState.CANCELLED)
        pids = [p for p in db.session.scalars(db.select(Job.pid)) if p]
        db.session.commit()
    ends = time.monotonic() + 10
    while time.monotonic() < ends and not all(process_gone(pid) for pid in pids):
        time.sleep(0.05)
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(5)
