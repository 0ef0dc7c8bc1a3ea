"""A warm solving process of crunch.pool: imports the solver once, then solves on request.

It reads `(task, args, time_limit)` from its end of a pipe, runs the task and
answers `("ok", result)` or `("error", name of the exception)`. It never opens the
database. Its parent (crunch.pool) kills it when an answer is late; if the parent
dies first, this process notices and exits (crunch.jobs.worker.exit_with_parent).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

READY = "ready"


def solve_task(scenario, alternatives: int, max_size_step: int | None = None, *, time_limit: float):
    from crunch.solver import solve

    return solve(
        scenario, time_limit=time_limit, alternatives=alternatives, max_size_step=max_size_step
    )


def staffing_task(scenario, first: int, last: int, row_limit: float, *, time_limit: float):
    """Staffing rows from `first` to `last`, the nearest to today's number first, all of
    them within `time_limit` together (rows not reached by then are left out)."""
    from crunch.solver import staffing

    return staffing(
        scenario,
        first,
        last,
        time_limit=row_limit,
        total_time_limit=time_limit,
        around=scenario.teachers,
    )


def place_task(placement_input, diagnose: bool, *, time_limit: float):
    """A class list (crunch.solver.placement.place) for the board's "Place the children"."""
    from crunch.solver.placement import place

    return place(placement_input, time_limit=time_limit, diagnose=diagnose)


# What a request may ask a warm process to do (tests may swap one in the process,
# through the pool's initializer).
TASKS: dict[str, Callable[..., Any]] = {
    "solve": solve_task,
    "staffing": staffing_task,
    "place": place_task,
}


def serve(connection, parent: int, initializer: Callable[[], None] | None = None) -> None:
    """The process's entry point: get ready, say so, then answer tasks until told to stop."""
    from crunch.jobs.worker import exit_with_parent
    from crunch.solver import binding
    from crunch.solver.engine import DEFAULT_SOLVER

    exit_with_parent(parent)
    binding.prepare(DEFAULT_SOLVER)
    if initializer is not None:
        initializer()
    connection.send((READY, None))
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return  # the pool closed its end: nothing more to do
        if message is None:
            return
        task, args, time_limit = message
        try:
            result = TASKS[task](*args, time_limit=time_limit)
        except Exception as error:  # reported to the request as a plain sentence
            connection.send(("error", type(error).__name__))
        else:
            connection.send(("ok", result))
