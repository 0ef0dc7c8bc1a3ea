"""rebalance(): keep the kinds of classes a user chose and even out their sizes.

The structure (how many classes of each kind) is held fixed and only `balance` is
optimised, exactly, with the same model `solve` uses. Classes that are locked in the
scenario stay as they are.
"""

from __future__ import annotations

import time
from collections import Counter

from .data import ClassSpec, FieldError, InvalidScenario, Scenario
from .engine import DEFAULT_SOLVER, DEFAULT_TIME_LIMIT, optimise
from .solution import Solution, Status


def rebalance(
    scenario: Scenario,
    classes: list[ClassSpec],
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    solver_name: str = DEFAULT_SOLVER,
) -> Solution:
    """The best balance for the same multiset of class kinds as `classes`."""
    started = time.perf_counter()
    free = list(classes)
    for spec in scenario.locked:
        if spec not in free:
            raise InvalidScenario(
                [FieldError("classes", f"The fixed class {_describe(spec)} is missing.")]
            )
        free.remove(spec)
    structure = dict(Counter(spec.grade_names for spec in free))
    outcome = optimise(
        scenario,
        deadline=started + time_limit,
        priorities=("balance",),
        structure=structure,
        solver_name=solver_name,
    )
    # The input itself is a valid allocation of this structure, so only time can stop us.
    status = outcome.status if outcome.status is not Status.INFEASIBLE else Status.TIMEOUT
    return Solution(
        status=status,
        allocation=outcome.allocation,
        solve_seconds=time.perf_counter() - started,
    )


def _describe(spec: ClassSpec) -> str:
    return " + ".join(f"{n} of grade {g}" for g, n in spec.grades)
