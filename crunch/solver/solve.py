"""solve(): the best allocation under the scenario's priorities, compared lexicographically.

Each priority is one stage: optimise it, then hold it at its optimum while the next is
optimised (engine.optimise). The answer is `optimal` only when every stage was proved
optimal; a proved infeasible one is explained by diagnose.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .data import Scenario
from .diagnose import diagnose as explain
from .engine import DEFAULT_SOLVER, DEFAULT_TIME_LIMIT, optimise
from .solution import Allocation, Solution, Status


def solve(
    scenario: Scenario,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    alternatives: int = 0,
    diagnose: bool = True,
    solver_name: str = DEFAULT_SOLVER,
    on_progress: Callable[[Allocation], None] | None = None,
    max_size_step: int | None = None,
) -> Solution:
    """The best allocation, up to `alternatives` others of different structure, and when
    there is none, why not and what small change would fix it (a size limit moved by at
    most `max_size_step` children; None: the diagnosis's default).

    `on_progress`, if given, is called with the best allocation found so far each time
    one is found (after each priority's stage), so a long solve can show it.
    """
    started = time.perf_counter()
    deadline = started + time_limit
    best = optimise(scenario, deadline=deadline, solver_name=solver_name, on_progress=on_progress)

    others: list[Allocation] = []
    excluded = [best.structure] if best.structure is not None else []
    while best.allocation and len(others) < alternatives and time.perf_counter() < deadline:
        other = optimise(scenario, deadline=deadline, excluded=excluded, solver_name=solver_name)
        if other.allocation is None or other.structure is None:
            break
        others.append(other.allocation)
        excluded.append(other.structure)

    # each was the best left when found; a time limit can break that, so sort to be sure
    others.sort(key=lambda a: a.metrics.key(scenario.priorities))

    diagnosis: tuple[str, ...] = ()
    suggestions: tuple = ()
    if best.status is Status.INFEASIBLE and diagnose:
        step = {} if max_size_step is None else {"max_size_step": max_size_step}
        diagnosis, suggestions = explain(
            scenario, deadline=deadline, solver_name=solver_name, **step
        )
    return Solution(
        status=best.status,
        allocation=best.allocation,
        alternatives=tuple(others),
        diagnosis=tuple(diagnosis),
        suggestions=tuple(suggestions),
        solve_seconds=time.perf_counter() - started,
    )
