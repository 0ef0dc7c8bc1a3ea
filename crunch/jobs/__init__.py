"""Slow work in the background: start a job, watch it, cancel it.

A request that would take more than about a second (a preview that ran out of
time, and the other options and the staffing curve of inputs whose preview was
slow) starts a job instead: a row in the `jobs` table, handed to the configured
backend (crunch.jobs.backends), which solves it in another process and writes
its progress and result to the row. The page polls the row's status
(crunch/jobs/views.py).

Everything here goes through the ORM and so through the tenancy filter, except
what has no user behind it: the runner's own writes (by job id, from its
thread), and recovery and pruning, which cover every school.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, abort, current_app
from sqlalchemy import delete, func, inspect, select, update

from crunch.database import begin_write
from crunch.extensions import db
from crunch.jobs import runner as runners
from crunch.jobs.backends import EXTENSION, Backend, make_backend
from crunch.jobs.fair import Owner
from crunch.jobs.worker import KINDS, OPTIONS, PLACE, SOLVE, STAFFING
from crunch.models import Job, JobState, Scenario, User, utcnow
from crunch.planning import inputs_key

__all__ = [
    "KINDS",
    "OPTIONS",
    "PLACE",
    "SOLVE",
    "STAFFING",
    "TooManyJobs",
    "active_for",
    "backend",
    "cancel",
    "cancel_outdated",
    "finished_solve",
    "init_app",
    "job_or_404",
    "prune",
    "start",
    "start_up",
    "sweep",
]

STOPPED_BY = "Cancelled by {name}. The best allocation found before that is shown."
# A new job cancels the same user's active jobs of these kinds on the scenario: the
# inputs on screen changed since, or (options after solve) the new job's answer
# holds the old one's, since other options are sought after the best allocation.
SWEPT = "crunch.jobs.swept"  # app.extensions: when the last sweep ran (monotonic)
STARTED = "crunch.jobs.started"  # app.extensions: start_up() has run in this process
_STARTING = threading.Lock()
SUPERSEDES = {
    OPTIONS: (OPTIONS, SOLVE),
    SOLVE: (SOLVE,),
    STAFFING: (STAFFING,),
    PLACE: (PLACE,),
}


class TooManyJobs(Exception):
    """A new job would pass JOBS_MAX_ACTIVE_PER_USER or _PER_SCHOOL (answered 429)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _searches(count: int) -> str:
    return f"{count} search{'' if count == 1 else 'es'}"


YOURS = "You have {searches} running; wait for one to finish or cancel it."
SCHOOLS = (
    "{school} has {searches} running or waiting; wait for one to finish, or ask "
    "whoever started them to cancel one."
)


def init_app(app: Flask) -> None:
    """Signal handling now; the database waits for the first request (`start_up`).

    Settings in crunch.config.Defaults (JOBS_*). Creating the app, as every `flask`
    command and test does, writes nothing to the database.
    """
    if app.config["JOBS_STOP_ON_SIGTERM"]:
        runners.stop_on_sigterm()  # so stopping the server stops its solves (issue 17)
    runners.redeliver_lost_stops()  # ...even when its signal lands in a finalizer
    app.before_request(_start_up_once)


def _start_up_once() -> None:
    app = current_app._get_current_object()
    if app.extensions.get(STARTED):
        return
    with _STARTING:  # the first requests of a threaded server arrive together
        if not app.extensions.get(STARTED):
            start_up(app)
            app.extensions[STARTED] = True


def start_up(app: Flask) -> None:
    """What a server does once, at its first request: fail the jobs a crashed server
    left queued or running, and delete those that ended over JOBS_KEEP_DAYS ago.

    A database without the jobs table yet (before `flask db upgrade`) is left alone.
    """
    with app.app_context():
        engine = db.engine
        if inspect(engine).has_table(Job.__tablename__):
            sweep(app, force=True)
            prune(engine, app.config["JOBS_KEEP_DAYS"])


def sweep(app: Flask | None = None, *, force: bool = False) -> int:
    """Fail the jobs whose runner stopped beating and kill their processes; how many.

    At start-up (`start_up`), and then at most once every JOBS_SWEEP_SECONDS as jobs are started
    and looked up: a job left `running` by a crashed server ends as `failed` soon
    after its heartbeat goes stale, even if nobody polls that very job. Call it
    outside a write transaction (it writes on a connection of its own).
    """
    app = app or current_app._get_current_object()
    now = time.monotonic()
    last = app.extensions.get(SWEPT)
    if not force and last is not None and now - last < app.config["JOBS_SWEEP_SECONDS"]:
        return 0
    app.extensions[SWEPT] = now
    with app.app_context():
        engine = db.engine
    return runners.recover(engine, app.config["JOBS_STALE_SECONDS"], states=stale_states(app))


def _sweep_and_look_again() -> None:
    """sweep(), then end the session's read snapshot if it failed any job: the
    sweep writes on a connection of its own, which a snapshot begun before it
    (SQLite's WAL, PostgreSQL's repeatable reads) would not see."""
    if sweep():
        db.session.commit()


def stale_states(app: Flask) -> tuple[str, ...]:
    """Jobs that beat while queued (embedded) go stale queued too; RQ's wait in Redis."""
    if app.config["JOBS_BACKEND"] == "rq":
        return (JobState.RUNNING,)
    return JobState.ACTIVE


def backend(app: Flask | None = None) -> Backend:
    """The app's backend, created on first use (no thread runs before a job does)."""
    app = app or current_app._get_current_object()
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = app.extensions[EXTENSION] = make_backend(app, db.engine)
    return found


def start(
    scenario: Scenario, user: User | None, kind: str, inputs: dict[str, Any], params: dict
) -> Job:
    """A new queued job for this scenario; the same user's earlier jobs that it
    supersedes (SUPERSEDES) are cancelled first.

    Raises TooManyJobs, changing nothing, if the user or the school has as many
    active jobs as allowed besides those. The count and the insert share one write
    transaction (`begin_write`: SQLite's write lock, PostgreSQL's advisory lock), so
    two starts at once cannot both pass the last free place.
    """
    assert kind in KINDS
    sweep()
    begin_write()
    superseded = list(
        db.session.scalars(
            select(Job.id).where(
                Job.scenario_id == scenario.id,
                Job.kind.in_(SUPERSEDES[kind]),
                Job.created_by_id == (user.id if user else None),
                Job.state.in_(JobState.ACTIVE),
            )
        )
    )
    if superseded:
        _set_cancelled(superseded, "Replaced by a newer request.")
    school_active = _refuse_past_caps(scenario, user)
    now = utcnow()
    job = Job(
        school_id=scenario.school_id,
        scenario_id=scenario.id,
        revision_id=scenario.current_revision_id,
        kind=kind,
        state=JobState.QUEUED,
        inputs=inputs,
        params=params,
        created_by_id=user.id if user else None,
        created_at=now,
        heartbeat_at=now,
    )
    db.session.add(job)
    db.session.commit()
    prune(db.engine, current_app.config["JOBS_KEEP_DAYS"])
    work = backend()
    for job_id in superseded:
        work.cancel(job_id)
    owner = Owner(scenario.school_id, user.id if user else None, school_active)
    work.submit(job.id, kind, inputs, params, owner)
    return job


def _refuse_past_caps(scenario: Scenario, user: User | None) -> int:
    """Raise TooManyJobs (rolled back) if no new job fits; else the school's active jobs."""
    config = current_app.config
    active = select(func.count(Job.id)).where(Job.state.in_(JobState.ACTIVE))
    if user is not None:
        mine = db.session.scalar(active.where(Job.created_by_id == user.id))
        if mine >= config["JOBS_MAX_ACTIVE_PER_USER"]:
            db.session.rollback()  # the superseded jobs carry on
            raise TooManyJobs(YOURS.format(searches=_searches(mine)))
    school = db.session.scalar(active.where(Job.school_id == scenario.school_id))
    if school >= config["JOBS_MAX_ACTIVE_PER_SCHOOL"]:
        name = scenario.school.name
        db.session.rollback()
        raise TooManyJobs(SCHOOLS.format(school=name, searches=_searches(school)))
    return school


def prune(engine, keep_days: float) -> int:
    """Delete the jobs that ended more than `keep_days` days ago, in every school; how many.

    Runs at start-up (`start_up`) and whenever a job starts: an indexed delete, quick when
    there is nothing to do.
    """
    cutoff = utcnow() - timedelta(days=float(keep_days))
    jobs = Job.__table__
    with engine.begin() as connection:
        result = connection.execute(
            delete(jobs).where(jobs.c.state.in_(JobState.FINAL), jobs.c.finished_at < cutoff)
        )
        return result.rowcount


def finished_solve(scenario: Scenario, raw_id: str | None) -> Job | None:
    """The finished solve or options job `raw_id` (from a form) of this scenario, if any."""
    raw = (raw_id or "").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) < 12):
        return None
    return db.session.scalar(
        select(Job).where(
            Job.id == int(raw),
            Job.scenario_id == scenario.id,
            Job.kind.in_((SOLVE, OPTIONS)),
            Job.state == JobState.DONE,
        )
    )


def active_for(scenario: Scenario, user: User | None, kind: str, key: str) -> Job | None:
    """This user's queued or running job of this kind for these very inputs, if any."""
    _sweep_and_look_again()
    active = db.session.scalars(
        select(Job).where(
            Job.scenario_id == scenario.id,
            Job.kind == kind,
            Job.created_by_id == (user.id if user else None),
            Job.state.in_(JobState.ACTIVE),
        )
    )
    return next((job for job in active if inputs_key(job.inputs) == key), None)


def cancel_outdated(scenario: Scenario, user: User | None, key: str) -> int:
    """Cancel this user's jobs on the scenario whose inputs are no longer on screen.

    Typing new inputs makes a running job's answer useless to the editor; stopping
    it frees its solver at once. How many were cancelled.
    """
    _sweep_and_look_again()
    active = db.session.scalars(
        select(Job).where(
            Job.scenario_id == scenario.id,
            Job.created_by_id == (user.id if user else None),
            Job.state.in_(JobState.ACTIVE),
            Job.kind != PLACE,  # class lists depend on the saved plan, not the editor's
        )
    ).all()
    outdated = [job.id for job in active if inputs_key(job.inputs) != key]
    if not outdated:
        return 0
    begin_write()
    done = _set_cancelled(outdated, "Replaced: the inputs changed.")
    db.session.commit()
    work = backend()
    for job_id in outdated:
        work.cancel(job_id)
    return done


def job_or_404(school_id: int, job_id: int) -> Job:
    """The job, if the current user may see its school; a dead runner's job is failed.

    Polling is what a page does while it waits, so it sweeps too (spaced out):
    the other jobs a crashed server left behind end as well.
    """
    _sweep_and_look_again()
    query = select(Job).where(Job.id == job_id, Job.school_id == school_id)
    job = db.session.scalar(query)
    if job is None:
        abort(404)
    if job.active:
        stale = current_app.config["JOBS_STALE_SECONDS"]
        states = stale_states(current_app)
        if runners.recover(db.engine, stale, job_id=job.id, states=states):
            db.session.commit()
            job = db.session.scalar(query.execution_options(populate_existing=True))
    return job


def may_cancel(job: Job, user: User | None) -> bool:
    """Planners and admins of the school, and whoever started it (a viewer's own preview)."""
    return user is not None and (user.can_edit or job.created_by_id == user.id)


def cancel(job: Job, user: User) -> bool:
    """Cancel the job if it is still queued or running; True if this call cancelled it."""
    begin_write()
    done = _set_cancelled([job.id], STOPPED_BY.format(name=user.name or user.email))
    db.session.commit()
    if done:
        backend().cancel(job.id)
    db.session.refresh(job)
    return bool(done)


def _set_cancelled(ids: list[int], message: str) -> int:
    result = db.session.execute(
        update(Job)
        .where(Job.id.in_(ids), Job.state.in_(JobState.ACTIVE))
        .values(state=JobState.CANCELLED, message=message, finished_at=utcnow()),
        execution_options={"synchronize_session": False},
    )
    return result.rowcount


def elapsed(job: Job, now: datetime | None = None) -> float:
    """Seconds since the job started (or was queued), up to its end."""
    begin = job.started_at or job.created_at
    end = job.finished_at or now or utcnow()
    return max(0.0, (end - begin).total_seconds())
