"""Limits on work in the background: caps per user and per school, a fair queue, stale jobs."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from crunch import jobs, tenancy
from crunch.extensions import db
from crunch.jobs import runner as runners
from crunch.jobs.fair import FairSlots, Owner
from crunch.models import Job, JobState, Scenario, School, User, utcnow
from tests.conftest import HILLSIDE, HX, PLANNER, VIEWER, add_school, logged_in, save_scenario
from tests.jobs_support import K12_FEWEST, add_job, fresh, job_app, state, wait_for
from tests.test_jobs import make, running_with_process, scenario_of, start  # noqa: F401

# -- the fair share, on its own ------------------------------------------------


def test_a_free_slot_goes_to_the_school_not_served_before_the_school_with_a_batch():
    slots = FairSlots(1)
    for job_id in (1, 2, 3, 4):
        slots.join(job_id, Owner(school_id=10))
    assert slots.acquire(1, timeout=0)
    slots.join(5, Owner(school_id=20))  # another school's one job, after the batch
    assert not slots.acquire(2, timeout=0)  # the one slot is taken
    slots.release(1)
    assert slots.next_up() == 5
    assert not slots.acquire(2, timeout=0)
    assert slots.acquire(5, timeout=0)
    slots.release(5)
    assert [slots.next_up(), slots.acquire(2, timeout=0)] == [2, True]


def test_turns_alternate_between_schools_and_then_between_users():
    slots = FairSlots(1)
    order = [(1, 10, 1), (2, 10, 1), (3, 10, 1), (4, 10, 2), (5, 20, 3), (6, 20, 3)]
    for job_id, school, user in order:
        slots.join(job_id, Owner(school, user))
    served = []
    while slots.waiting():
        job_id = slots.next_up()
        assert slots.acquire(job_id, timeout=0)
        served.append(job_id)
        slots.release(job_id)
    # school 10, school 20, school 10's other user, school 20, then school 10's rest
    assert served == [1, 5, 4, 6, 2, 3]


def test_a_job_that_leaves_the_line_lets_the_next_one_through():
    slots = FairSlots(1)
    slots.join(1, Owner(10))
    slots.join(2, Owner(10))
    assert slots.acquire(1, timeout=0)
    got = []
    waiter = threading.Thread(target=lambda: got.append(slots.acquire(2, timeout=30)))
    waiter.start()
    slots.release(1)
    waiter.join(30)
    assert got == [True]
    slots.join(3, Owner(20))
    slots.leave(3)
    assert slots.next_up() is None
    slots.release(2)


# -- the fair queue, with real jobs --------------------------------------------


def test_another_schools_job_runs_before_a_schools_queued_batch(make):  # noqa: F811
    make(JOBS_MAX_CONCURRENT=1)
    slow = start(scenario_of(K12_FEWEST, name="Plan K12"))  # holds the one slot
    wait_for(lambda: running_with_process(slow))
    batch = [start(scenario_of(dict(HILLSIDE), name=f"Plan {n}")) for n in "CDE"]
    other = add_school("Other Primary")
    theirs = start(db.session.scalar(db.select(Scenario).where(Scenario.school_id == other.id)))
    assert {state(job_id) for job_id in [*batch, theirs]} == {JobState.QUEUED}
    user = db.session.scalar(db.select(User).limit(1))
    jobs.cancel(fresh(slow), user)  # the slot frees: who gets it?
    wait_for(lambda: all(state(job_id) not in JobState.ACTIVE for job_id in [*batch, theirs]))
    finished = [fresh(job_id) for job_id in [*batch, theirs]]
    assert {job.state for job in finished} == {JobState.DONE}, [j.message for j in finished]
    by_start = sorted(finished, key=lambda job: job.started_at)
    assert [job.id for job in by_start] == [theirs, *batch]


# -- caps ----------------------------------------------------------------------


class Recorder:
    """A backend that only records: the caps' jobs stay queued, and no solve runs."""

    name = "recorder"

    def __init__(self) -> None:
        self.submitted: list[tuple[int, Owner | None]] = []

    def submit(self, job_id, kind, inputs, params, owner=None) -> None:
        self.submitted.append((job_id, owner))

    def cancel(self, job_id) -> None:
        pass

    def shutdown(self) -> None:
        pass


@pytest.fixture
def capped(tmp_path):
    with job_app(tmp_path, JOBS_MAX_ACTIVE_PER_USER=3, JOBS_MAX_ACTIVE_PER_SCHOOL=5) as app:
        app.extensions[jobs.backends.EXTENSION] = Recorder()
        yield app


def user_of(email: str = PLANNER) -> User:
    return db.session.scalar(db.select(User).where(User.email == email))


def plans(count: int) -> list[Scenario]:
    school = db.session.scalar(db.select(School))
    return [save_scenario(school, f"Plan {n}", HILLSIDE) for n in range(count)]


def add_active(scenario, user, kind=jobs.OPTIONS, state_=JobState.RUNNING) -> int:
    """An active job's row, beating now (as another web process's job would be)."""
    now = utcnow()
    user_id = user.id if user else None
    return add_job(scenario, state_, kind, created_by_id=user_id, created_at=now, heartbeat_at=now)


def new_job(scenario, user, kind=jobs.SOLVE) -> Job:
    params = {"alternatives": 0, "time_limit": 30.0}
    return jobs.start(scenario, user, kind, scenario.current_revision.inputs, params)


def job_ids() -> set[int]:
    db.session.commit()
    return set(db.session.scalars(db.select(Job.id)))


def test_a_user_at_the_cap_is_refused_plainly_and_nothing_changes(capped):
    planner = user_of()
    first, second, third, fourth = plans(4)
    states = (JobState.RUNNING, JobState.QUEUED, JobState.RUNNING)
    for scenario, state_ in zip((first, second, third), states, strict=True):
        add_active(scenario, planner, state_=state_)
    before = job_ids()
    with pytest.raises(jobs.TooManyJobs) as refused:
        new_job(fourth, planner)
    assert refused.value.message == (
        "You have 3 searches running; wait for one to finish or cancel it."
    )
    assert job_ids() == before
    # Still as many besides the job a new one would replace (the cap was lowered
    # since they started, say): refused, and the one it would replace carries on.
    replaceable = add_active(fourth, planner, jobs.SOLVE)
    before = job_ids()
    with pytest.raises(jobs.TooManyJobs, match="You have 3 searches"):
        new_job(fourth, planner, jobs.SOLVE)
    assert job_ids() == before
    assert state(replaceable) == JobState.RUNNING
    assert capped.extensions[jobs.backends.EXTENSION].submitted == []
    # someone else at the school is not held back by this user's jobs
    assert new_job(fourth, user_of(VIEWER)).state == JobState.QUEUED


def test_jobs_that_ended_do_not_count(capped):
    planner = user_of()
    scenarios = plans(4)
    for scenario, ended in zip(scenarios, JobState.FINAL, strict=True):
        add_active(scenario, planner, state_=ended)
    for scenario in scenarios[:3]:
        new_job(scenario, planner)
    with pytest.raises(jobs.TooManyJobs):
        new_job(scenarios[3], planner)


def test_the_backend_hears_whose_job_it_is_and_what_else_the_school_runs(capped):
    planner = user_of()
    first, second = plans(2)
    one = new_job(first, planner)
    two = new_job(second, None)
    school = first.school_id
    assert capped.extensions[jobs.backends.EXTENSION].submitted == [
        (one.id, Owner(school, planner.id, 0)),
        (two.id, Owner(school, None, 1)),
    ]


def test_a_job_the_new_one_replaces_does_not_count(capped):
    planner = user_of()
    first, second, third = plans(3)
    replaced = add_active(first, planner, jobs.SOLVE)
    add_active(second, planner)
    add_active(third, planner)
    job = new_job(first, planner, jobs.SOLVE)  # the user's 3rd active job, not the 4th
    assert job.state == JobState.QUEUED
    assert state(replaced) == JobState.CANCELLED


def test_a_school_at_its_cap_is_refused_with_its_name(capped):
    scenarios = plans(6)
    for scenario in scenarios[:5]:
        add_active(scenario, None)
    with pytest.raises(jobs.TooManyJobs) as refused:
        new_job(scenarios[5], user_of())
    assert refused.value.message.startswith("Hillside Primary has 5 searches running")
    other = add_school("Other Primary")  # another school's jobs are not held back
    theirs = db.session.scalar(db.select(Scenario).where(Scenario.school_id == other.id))
    assert new_job(theirs, user_of()).state == JobState.QUEUED


def test_a_stale_job_is_failed_before_it_is_counted(capped):
    planner = user_of()
    scenarios = plans(4)
    ids = [add_active(s, planner) for s in scenarios[:3]]
    old = utcnow() - timedelta(seconds=capped.config["JOBS_STALE_SECONDS"] + 60)
    db.session.execute(db.update(Job).where(Job.id == ids[0]).values(heartbeat_at=old))
    db.session.commit()
    capped.config["JOBS_SWEEP_SECONDS"] = 0.0
    assert new_job(scenarios[3], planner).state == JobState.QUEUED
    assert state(ids[0]) == JobState.FAILED


def test_two_starts_at_once_cannot_both_take_the_last_place(capped, monkeypatch):
    app = capped
    app.config["JOBS_MAX_ACTIVE_PER_USER"] = 1
    first, second = (s.id for s in plans(2))
    inside = threading.Event()
    count = jobs._refuse_past_caps

    def slow_count(scenario, user):
        # The first start in waits (up to a second) for the other to count too:
        # without the write lock both would count 0 and both start.
        if not inside.is_set():
            inside.set()
            arrived.wait(1.0)
        else:
            arrived.set()
        return count(scenario, user)

    arrived = threading.Event()
    monkeypatch.setattr(jobs, "_refuse_past_caps", slow_count)
    outcomes: list[str] = []

    def start_one(scenario_id: int) -> None:
        with app.app_context(), tenancy.unrestricted():
            scenario = db.session.scalar(db.select(Scenario).where(Scenario.id == scenario_id))
            try:
                new_job(scenario, user_of())
                outcomes.append("started")
            except jobs.TooManyJobs:
                outcomes.append("refused")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=start_one, args=(i,)) for i in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["refused", "started"]
    db.session.commit()
    active = db.session.scalars(db.select(Job).where(Job.state.in_(JobState.ACTIVE))).all()
    assert len(active) == 1


# -- stale running jobs --------------------------------------------------------


def test_polling_a_job_whose_server_died_shows_it_failed_without_cancel(capped):
    app = capped
    school = db.session.scalar(db.select(School))
    (scenario,) = plans(1)
    job_id = add_active(scenario, user_of())
    old = utcnow() - timedelta(seconds=app.config["JOBS_STALE_SECONDS"] + 600)
    db.session.execute(
        db.update(Job)
        .where(Job.id == job_id)
        .values(heartbeat_at=old, started_at=old, pid=999_999, runner="gone-host:1")
    )
    db.session.commit()
    client = logged_in(app)
    app.config["JOBS_SWEEP_SECONDS"] = 0.0
    elsewhere = add_active(scenario, None, jobs.STAFFING)  # stale too; nobody polls it
    db.session.execute(db.update(Job).where(Job.id == elsewhere).values(heartbeat_at=old))
    db.session.commit()
    html = client.get(f"/schools/{school.id}/jobs/{job_id}", headers=HX).get_data(as_text=True)
    assert "Failed." in html and "server stopped while this job was running" in html
    assert "Cancel" not in html and "every 1s" not in html  # nothing left to poll or stop
    assert state(job_id) == JobState.FAILED
    assert state(elsewhere) == JobState.FAILED  # the poll swept the others too
    assert runners.recover(db.engine, app.config["JOBS_STALE_SECONDS"]) == 0
