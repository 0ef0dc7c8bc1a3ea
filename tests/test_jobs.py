"""The embedded job runner: spawned solves, progress, cancel, time limits, recovery."""

from __future__ import annotations

import os
import signal
from datetime import timedelta

import pytest
from sqlalchemy import Engine, event

from crunch import create_app, jobs, tenancy
from crunch.extensions import db
from crunch.jobs import runner as runners
from crunch.models import Job, JobState, Scenario, utcnow
from tests.conftest import HILLSIDE, grade, save_scenario
from tests.jobs_support import (
    BACKENDS,
    K12_FEWEST,
    add_job,
    fresh,
    job_app_factory,
    process_gone,
    rq_config,
    set_up,
    start_rq_workers,
    state,
    stop_rq_workers,
    tear_down,
    wait_for,
)


@pytest.fixture(params=BACKENDS)
def make(request, tmp_path):
    """make(**config) -> an app in context; its jobs are stopped afterwards.

    Every test runs with the embedded runner, and again with the RQ backend and
    real `rq worker` processes (as many as JOBS_MAX_CONCURRENT) when
    CRUNCH_TEST_REDIS_URL is set.
    """
    made = []

    def build(**overrides):
        if request.param == "rq":
            overrides = {**rq_config(), **overrides}
        app = job_app_factory(tmp_path, **overrides)
        context = app.app_context()
        context.push()
        set_up(app)
        workers = []
        if request.param == "rq":
            workers = start_rq_workers(app, app.config["JOBS_MAX_CONCURRENT"])
        made.append((app, context, workers))
        return app

    yield build
    for app, context, workers in made:
        if workers:
            stop_rq_workers(app, workers)
        tear_down(app)
        context.pop()


def scenario_of(inputs=HILLSIDE, name="Plan B") -> Scenario:
    existing = db.session.scalar(db.select(Scenario))
    if inputs is HILLSIDE:
        return existing
    return save_scenario(existing.school, name, inputs)


def start(scenario, kind=jobs.OPTIONS, inputs=None, **params) -> int:
    inputs = inputs or scenario.current_revision.inputs
    if kind in (jobs.OPTIONS, jobs.SOLVE):
        alternatives = 2 if kind == jobs.OPTIONS else 0
        params = {"alternatives": alternatives, "time_limit": 30.0, **params}
    else:
        teachers = inputs["teachers"]
        params = {"first": teachers - 1, "last": teachers + 1, "time_limit": 5.0, **params}
    return jobs.start(scenario, None, kind, inputs, params).id


def running_with_process(job_id):
    """Running, with its solving process started and alive (wherever the backend runs it)."""
    job = fresh(job_id)
    return job.state == JobState.RUNNING and job.pid and not process_gone(job.pid)


def test_a_small_job_reaches_done_with_its_result_and_revision(make):
    make()
    scenario = scenario_of()
    job_id = start(scenario)
    wait_for(lambda: state(job_id) not in JobState.ACTIVE)
    job = fresh(job_id)
    assert job.state == JobState.DONE, job.message
    assert job.result["status"] == "optimal"
    assert job.result["classes"] and len(job.result["alternatives"]) >= 1
    assert job.progress is not None  # the best allocation reported along the way
    assert job.revision_id == scenario.current_revision_id
    assert job.school_id == scenario.school_id
    assert job.started_at and job.finished_at and job.heartbeat_at
    wait_for(lambda: process_gone(job.pid))


def run_to_end(kind: str) -> Job:
    job_id = start(scenario_of(), kind)
    wait_for(lambda: state(job_id) not in JobState.ACTIVE)
    return fresh(job_id)


def test_a_staffing_job_reaches_done_with_one_row_per_number_of_teachers(make):
    make()
    job = run_to_end(jobs.STAFFING)
    assert job.state == JobState.DONE, job.message
    assert [row["teachers"] for row in job.result["rows"]] == [5, 6, 7]


def test_cancel_stops_the_process_and_keeps_the_best_allocation_so_far(make):
    make()
    scenario = scenario_of(K12_FEWEST)
    job_id = start(scenario)
    wait_for(lambda: fresh(job_id).progress is not None and running_with_process(job_id))
    pid = fresh(job_id).pid
    user = db.session.scalar(db.select(tenancy.User).limit(1))
    assert jobs.cancel(fresh(job_id), user) is True
    wait_for(lambda: process_gone(pid))
    job = fresh(job_id)
    assert job.state == JobState.CANCELLED
    assert job.progress["classes"]  # the last good answer stays
    assert job.result is None
    assert "Cancelled by" in job.message
    # Cancelling again changes nothing.
    assert jobs.cancel(job, user) is False


def test_a_killed_solving_process_fails_its_job_plainly(make):
    make()
    job_id = start(scenario_of(K12_FEWEST))
    wait_for(lambda: running_with_process(job_id))
    os.kill(fresh(job_id).pid, signal.SIGKILL)
    wait_for(lambda: state(job_id) == JobState.FAILED)
    assert "stopped unexpectedly" in fresh(job_id).message


def test_a_job_past_its_time_limit_is_timed_out_and_its_process_stopped(make):
    make(JOBS_TIME_LIMIT=1.5)
    job_id = start(scenario_of(K12_FEWEST))
    wait_for(lambda: state(job_id) not in JobState.ACTIVE)
    job = fresh(job_id)
    assert job.state == JobState.TIMED_OUT
    assert "time limit" in job.message
    wait_for(lambda: process_gone(job.pid))


def test_a_job_whose_solver_hangs_is_stopped_at_its_limit_with_a_message(
    make, request, monkeypatch
):
    if request.node.callspec.params["make"] != "embedded":
        pytest.skip("the parameter that hangs is handed to the embedded runner")
    from tests.pool_hooks import Forever

    make(JOBS_TIME_LIMIT=1.0)
    real = runners.EmbeddedRunner.submit

    def hanging(self, job_id, kind, inputs, params, *rest):
        real(self, job_id, kind, inputs, {**params, "time_limit": Forever()}, *rest)

    monkeypatch.setattr(runners.EmbeddedRunner, "submit", hanging)
    job_id = start(scenario_of())  # a quick school, but its solving process hangs
    wait_for(lambda: state(job_id) not in JobState.ACTIVE)
    job = fresh(job_id)
    assert job.state == JobState.TIMED_OUT
    assert job.message == runners.TIMED_OUT_MESSAGE.format(seconds=1.0)
    wait_for(lambda: process_gone(job.pid))


def test_two_jobs_run_at_once(make):
    make(JOBS_MAX_CONCURRENT=2)
    first = start(scenario_of(K12_FEWEST))
    second = start(scenario_of(K12_FEWEST | {"teachers": 94}, name="Plan C"))
    wait_for(lambda: running_with_process(first) and running_with_process(second))
    assert fresh(first).pid != fresh(second).pid
    user = db.session.scalar(db.select(tenancy.User).limit(1))
    for job_id in (first, second):
        jobs.cancel(fresh(job_id), user)
    wait_for(lambda: {state(first), state(second)} == {JobState.CANCELLED})


def test_the_bound_on_concurrent_solves_keeps_the_next_job_queued(make):
    make(JOBS_MAX_CONCURRENT=1)
    scenario = scenario_of(K12_FEWEST)
    other = scenario_of(K12_FEWEST | {"teachers": 94}, name="Plan C")
    first = start(scenario)
    second = start(other)
    wait_for(lambda: running_with_process(first))
    assert state(second) == JobState.QUEUED
    user = db.session.scalar(db.select(tenancy.User).limit(1))
    jobs.cancel(fresh(first), user)
    wait_for(lambda: running_with_process(second))
    jobs.cancel(fresh(second), user)
    wait_for(lambda: state(second) == JobState.CANCELLED)


def test_a_new_request_replaces_the_same_users_running_job(make):
    make()
    scenario = scenario_of(K12_FEWEST)
    first = start(scenario)
    wait_for(lambda: running_with_process(first))
    pid = fresh(first).pid
    second = start(scenario)
    assert state(first) == JobState.CANCELLED
    assert fresh(first).message == "Replaced by a newer request."
    wait_for(lambda: process_gone(pid))
    assert state(second) in JobState.ACTIVE


def test_a_solve_job_carries_on_with_the_best_allocation_alone(make):
    make()
    job = run_to_end(jobs.SOLVE)
    assert job.state == JobState.DONE, job.message
    assert job.result["status"] == "optimal" and job.result["classes"]
    assert job.result["alternatives"] == []


def days_ago(days: float):
    return utcnow() - timedelta(days=days)


def test_jobs_that_ended_long_ago_are_deleted_at_start_up_and_with_new_jobs(make):
    app = make(JOBS_KEEP_DAYS=30)
    scenario = scenario_of()
    old_done = add_job(scenario, JobState.DONE, finished_at=days_ago(31))
    old_failed = add_job(scenario, JobState.FAILED, finished_at=days_ago(45))
    recent = add_job(scenario, JobState.CANCELLED, finished_at=days_ago(29))
    still_queued = add_job(scenario, JobState.QUEUED, created_at=days_ago(60))  # not ended
    first_request(app)
    db.session.commit()  # end the read transaction: see the deletes
    left = set(db.session.scalars(db.select(Job.id)))
    assert old_done not in left and old_failed not in left
    assert {recent, still_queued} <= left
    # Starting a job prunes too: with a shorter keep, the recent one goes as well.
    app.config["JOBS_KEEP_DAYS"] = 7
    new = start(scenario, jobs.SOLVE)
    db.session.commit()
    left = set(db.session.scalars(db.select(Job.id)))
    assert recent not in left and {new, still_queued} <= left


def first_request(app) -> None:
    """A server's first request, of any page: the jobs' start-up runs before it."""
    assert app.test_client().get("/login").status_code == 200


def add_stranded(scenario, state_, heartbeat_age: float) -> int:
    heartbeat = utcnow() - timedelta(seconds=heartbeat_age)
    return add_job(scenario, state_, heartbeat_at=heartbeat, pid=999_999)


def test_start_up_marks_jobs_left_running_by_a_crash_as_failed(make):
    app = make()
    scenario = scenario_of()
    crashed = add_stranded(scenario, JobState.RUNNING, 3600)
    waiting = add_stranded(scenario, JobState.QUEUED, 3600)
    alive = add_stranded(scenario, JobState.RUNNING, 0)  # another web process's job
    finished = add_stranded(scenario, JobState.DONE, 3600)
    db.session.commit()
    # What the server runs at its first request (as after a crash) recovers them.
    first_request(app)
    assert state(crashed) == JobState.FAILED
    assert "server stopped" in fresh(crashed).message
    if app.config["JOBS_BACKEND"] == "rq":
        assert state(waiting) == JobState.QUEUED  # it waits in Redis, which has no heartbeat
    else:
        assert state(waiting) == JobState.FAILED  # its thread died with the process
    assert state(alive) == JobState.RUNNING
    assert state(finished) == JobState.DONE
    stale = app.config["JOBS_STALE_SECONDS"]
    assert runners.recover(db.engine, stale, states=jobs.stale_states(app)) == 0


def test_jobs_are_filtered_by_school_and_fail_closed(make):
    make()
    scenario = scenario_of()
    job_id = add_stranded(scenario, JobState.DONE, 0)
    with tenancy.scoped(tenancy.NOTHING):
        assert db.session.scalars(db.select(Job)).all() == []
    with tenancy.scoped(tenancy.Scope(None, frozenset({scenario.school_id + 1}))):
        assert db.session.scalars(db.select(Job)).all() == []
    with tenancy.scoped(tenancy.Scope(None, frozenset({scenario.school_id}))):
        assert [j.id for j in db.session.scalars(db.select(Job))] == [job_id]


READS = ("SELECT", "PRAGMA", "SHOW", "BEGIN", "COMMIT", "ROLLBACK")


def test_creating_the_app_writes_nothing_and_its_first_request_recovers(make):
    app = make(JOBS_KEEP_DAYS=30)
    scenario = scenario_of()
    crashed = add_stranded(scenario, JobState.RUNNING, 3600)
    old = add_job(scenario, JobState.DONE, finished_at=days_ago(31))
    db.session.commit()
    writes = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().split(None, 1)[0].upper() not in READS:
            writes.append(statement)

    # A second server process on the same database, as after a crash and restart,
    # or any `flask` command: creating the app must leave every row as it was.
    event.listen(Engine, "before_cursor_execute", record)
    try:
        again = create_app(dict(app.config))
        with again.app_context():
            pass
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    assert writes == []
    assert state(crashed) == JobState.RUNNING
    assert fresh(old) is not None
    # Its first request does what start-up did before: recover, then prune.
    first_request(again)
    assert state(crashed) == JobState.FAILED
    db.session.commit()
    assert db.session.scalar(db.select(Job.id).where(Job.id == old)) is None
    with again.app_context():
        db.engine.dispose()


def test_a_solve_job_bounds_its_suggestions_by_its_params():
    from crunch.jobs.worker import compute

    inputs = {
        "teachers": 4,
        "grades": [grade("K", 46, 12, 22), grade("1", 48, 12, 26)],
    }
    bounded = compute(jobs.SOLVE, inputs, {"time_limit": 10, "max_size_step": 0})
    assert [s["patch"] for s in bounded["suggestions"]] == [{"teachers": 5}]
    default = compute(jobs.SOLVE, inputs, {"time_limit": 10})
    assert default["suggestions"][0]["text"] == "Raise grade K's maximum class size from 22 to 23"
