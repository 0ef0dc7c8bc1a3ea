"""The dynamic programmes for special shapes of school (chain, runs) checked against
the MIP on the same scenario: the same answer, feasible or not, and the same metrics."""

from __future__ import annotations

import time

from crunch.solver import Status, engine

from .checks import assert_valid_allocation


def mip_outcome(scenario, seconds: float):
    # priorities given explicitly take the MIP path, stage by stage
    deadline = time.perf_counter() + seconds
    return engine.optimise(scenario, deadline=deadline, priorities=scenario.priorities)


def assert_agrees_with_mip(scenario, answer, mip) -> None:
    """`answer` (a programme's) against `mip` (its proved outcome on `scenario`)."""
    assert answer is not None
    assert mip.status in (Status.OPTIMAL, Status.INFEASIBLE)
    assert answer.feasible == (mip.status is Status.OPTIMAL)
    if answer.feasible:
        ours = engine.build_allocation(scenario, answer.structure, answer.totals)
        assert_valid_allocation(scenario, ours)
        assert ours.metrics == mip.allocation.metrics
