"""Every solve made in a request, held to the request's time budget.

Every solve made in a request goes through `solve_in_request`, `place_in_request` or
`staffing_rows`: to a warm process of crunch.pool, which answers within
PREVIEW_TIME_LIMIT plus SOLVER_POOL_MARGIN whatever the solver does (or in this
thread when the pool is off, SOLVER_POOL_SIZE 0), one at a time per user
(crunch.solve_slots). Nothing in a request may ask for more time than
PREVIEW_TIME_LIMIT in total.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from flask import current_app, has_request_context, request

from crunch import pool as solver_pool
from crunch.solve_slots import one_at_a_time
from crunch.solver import Scenario, Solution, StaffingRow, Status, solve, staffing
from crunch.solver.placement import place

# The least a solve is given once a request's time is used up: enough to answer
# `timeout` (or a trivial scenario) rather than to skip the solver.
MIN_SOLVE = 0.05
DEADLINE = "crunch.solve_deadline"  # in the request's environ: when its solving time ends


def staffing_range(scenario: Scenario) -> tuple[int, int]:
    """The numbers of teachers the staffing curve shows: a few either side of now."""
    span = current_app.config["STAFFING_SPAN"]
    return max(1, len(scenario.locked), scenario.teachers - span), scenario.teachers + span


def request_limit(time_limit: float | None = None) -> float:
    """The seconds a solve in a request may take: `time_limit` if shorter, and never
    more than what is left of PREVIEW_TIME_LIMIT for the whole request (a request
    that solves more than once shares it)."""
    left = float(current_app.config["PREVIEW_TIME_LIMIT"])
    if has_request_context():
        deadline = request.environ.setdefault(DEADLINE, time.monotonic() + left)
        left = max(MIN_SOLVE, deadline - time.monotonic())
    return left if not time_limit else min(float(time_limit), left)


def solve_in_request(
    scenario: Scenario, *, time_limit: float | None = None, alternatives: int = 0
) -> Solution:
    """solve(), held to the request's limit; a solver that does not answer in time
    gives a `timeout` answer whose note says so (the editor then carries on as a job)."""
    limit = request_limit(time_limit)
    step = current_app.config["SUGGESTION_MAX_SIZE_STEP"]
    pool = solver_pool.current()
    with one_at_a_time():
        if pool is None:
            return solve(scenario, time_limit=limit, alternatives=alternatives, max_size_step=step)
        try:
            return pool.run("solve", (scenario, alternatives, step), time_limit=limit)
        except solver_pool.SolverUnavailable as late:
            return Solution(Status.TIMEOUT, notes=(late.message,), solve_seconds=limit)


def place_in_request(placement_input, *, diagnose: bool = True):
    """place(), held to the request's limit like solve_in_request; a solver that does
    not answer in time raises SolverUnavailable, whose message says so."""
    limit = request_limit()
    pool = solver_pool.current()
    with one_at_a_time():
        if pool is None:
            return place(placement_input, time_limit=limit, diagnose=diagnose)
        return pool.run("place", (placement_input, diagnose), time_limit=limit)


@dataclass(frozen=True)
class Curve:
    """The staffing rows worked out in a request; `complete` when every number of
    teachers in the range was reached in time (a solver that did not answer gives none)."""

    rows: list[StaffingRow]
    complete: bool


def staffing_rows(scenario: Scenario) -> Curve:
    """The staffing curve around the current number of teachers, nearest first, every
    row together within the request's limit."""
    first, last = staffing_range(scenario)
    row_limit = current_app.config["STAFFING_TIME_LIMIT"]
    limit = request_limit()
    pool = solver_pool.current()
    with one_at_a_time():
        if pool is None:
            rows = staffing(
                scenario,
                first,
                last,
                time_limit=row_limit,
                total_time_limit=limit,
                around=scenario.teachers,
            )
        else:
            try:
                rows = pool.run("staffing", (scenario, first, last, row_limit), time_limit=limit)
            except solver_pool.SolverUnavailable:
                return Curve([], False)
    return Curve(rows, len(rows) == last - first + 1)


UNPROVED = (Status.FEASIBLE, Status.TIMEOUT)


def is_unproved(status: str | Status) -> bool:
    """A status (or a revision's stored one) whose solve ran out of time."""
    return str(status) in {str(s) for s in UNPROVED}
