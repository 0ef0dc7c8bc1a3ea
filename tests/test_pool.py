"""The warm pool of solving processes (crunch/pool.py): a solver that hangs on purpose
is stopped at its limit plus the margin, its process replaced, and the next solve works.

Limits are short and no test asserts a duration: only what the pool answers and
which processes are left.
"""

from __future__ import annotations

import os

import pytest

from crunch import pool as solver_pool
from crunch.pool import BUSY, SolverPool, SolverUnavailable
from crunch.solver import Status, parse_scenario
from tests.conftest import HILLSIDE
from tests.jobs_support import process_gone, wait_for
from tests.pool_hooks import HANG, hang_on_request

START = 120.0  # generous: two cores shared with other work


@pytest.fixture(scope="module")
def pool():
    pool = SolverPool(1, margin=0.3, wait=0.5, initializer=hang_on_request)
    assert pool.ready(START)
    yield pool
    pool.shutdown()


def scenario(name: str = "quick"):
    return parse_scenario({**HILLSIDE, "name": name})


def test_a_warm_process_solves(pool):
    first = pool.pids()
    answer = pool.run("solve", (scenario(), 0), time_limit=5.0)
    assert answer.status is Status.OPTIMAL and answer.allocation is not None
    assert pool.pids() == first  # the same process: none is started per solve


def test_the_staffing_curve_is_worked_out_in_one_task(pool):
    rows = pool.run("staffing", (scenario(), 4, 7, 1.0), time_limit=5.0)
    assert [row.teachers for row in rows] == [4, 5, 6, 7]


def test_a_hung_solve_is_stopped_and_its_process_replaced(pool):
    before = pool.pids()
    replaced = pool.replaced
    with pytest.raises(SolverUnavailable) as late:
        pool.run("solve", (scenario(HANG), 0), time_limit=0.3)
    assert late.value.message.startswith("The solver did not answer in time")
    assert pool.replaced == replaced + 1
    wait_for(lambda: process_gone(before[0]))  # the hung process was killed
    assert pool.ready(START)
    assert pool.pids() != before
    # the next solve works, in the new process
    assert pool.run("solve", (scenario(), 0), time_limit=5.0).status is Status.OPTIMAL


def test_a_hung_staffing_curve_is_stopped_too(pool):
    with pytest.raises(SolverUnavailable):
        pool.run("staffing", (scenario(HANG), 4, 7, 1.0), time_limit=0.3)
    assert pool.ready(START)
    assert pool.run("solve", (scenario(), 0), time_limit=5.0).status is Status.OPTIMAL


def test_a_busy_pool_answers_at_once_instead_of_queueing(pool):
    # take the only process, as a concurrent request would
    worker = pool._idle.get(timeout=START)
    try:
        with pytest.raises(SolverUnavailable) as busy:
            pool.run("solve", (scenario(), 0), time_limit=5.0)
        assert busy.value.message == BUSY
    finally:
        pool._idle.put(worker)
    assert pool.run("solve", (scenario(), 0), time_limit=5.0).status is Status.OPTIMAL


def test_shutdown_ends_every_process():
    pool = SolverPool(2, margin=0.3, wait=0.5)
    assert pool.ready(START)
    pids = pool.pids()
    pool.shutdown()
    for pid in pids:
        wait_for(lambda pid=pid: process_gone(pid))
    assert pool.pids() == []


def test_a_pool_inherited_through_a_fork_is_not_used():
    config = {
        "SOLVER_POOL_SIZE": 1,
        "SOLVER_POOL_MARGIN": 0.3,
        "SOLVER_POOL_WAIT": 0.5,
        "SOLVER_POOL_INITIALIZER": None,
    }
    parents = solver_pool._pool_for(config)
    assert solver_pool._pool_for(config) is parents  # one pool per process
    parents.pid = os.getpid() + 1  # as if made before a fork (gunicorn --preload)
    mine = solver_pool._pool_for(config)
    try:
        assert mine is not parents and mine.pid == os.getpid()
    finally:
        parents.pid = os.getpid()
        parents.shutdown()
        mine.shutdown()
    assert solver_pool._pool_for({**config, "SOLVER_POOL_SIZE": 0}) is None
    fresh = solver_pool._pool_for(config)  # a pool shut down is not handed out again
    assert fresh is not mine and not fresh.closed
    fresh.shutdown()


def test_the_first_solves_wait_for_a_pool_still_starting():
    # started now: its process takes longer to import the solver than this solve's limit
    pool = SolverPool(1, margin=0.3, wait=0.01)
    try:
        answer = pool.run("solve", (scenario(), 0), time_limit=0.5)
        assert answer.status is Status.OPTIMAL
    finally:
        pool.shutdown()
