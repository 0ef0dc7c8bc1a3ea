"""The engine: one lexicographic optimisation, feasibility, and class-count bounds.

Everything the plan's entry points share sits here, below them: `solve`, `diagnose`,
`staffing` and `rebalance` import from this module and never from each other's
engines, so the solver's imports run one way (tests/solver/test_layers.py). A whole
solve is dispatched to the dynamic programme of chain.py, then that of runs.py, and
otherwise to the MIP model of model.py, one priority after another.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import mip

from .chain import solve_chain
from .data import Scenario
from .model import AllocationModel, split_evenly
from .runs import applies as runs_apply
from .runs import solve_runs
from .solution import Allocation, Class, Status, allocation_of

# HiGHS proved the balance stage 2-15x faster than CBC on schools with composites
# (bench/solver_speed.py); CBC stays available through solver_name="CBC".
DEFAULT_SOLVER = "HIGHS"
DEFAULT_TIME_LIMIT = 10.0
# The longest the programme for small schools with three-grade composites (runs.py) may
# search before the MIP takes over.
RUNS_SECONDS = 1.0

_FOUND = (mip.OptimizationStatus.OPTIMAL, mip.OptimizationStatus.FEASIBLE)
_INFEASIBLE = (mip.OptimizationStatus.INFEASIBLE, mip.OptimizationStatus.INT_INFEASIBLE)

Structure = dict[tuple[str, ...], int]


@dataclass(frozen=True)
class Outcome:
    """One lexicographic optimisation: its allocation (if any) and whether it is proved."""

    status: Status
    allocation: Allocation | None = None
    structure: Structure | None = None


def optimise(
    scenario: Scenario,
    *,
    deadline: float,
    priorities: tuple[str, ...] | None = None,
    structure: Structure | None = None,
    excluded: list[Structure] | None = None,
    solver_name: str = DEFAULT_SOLVER,
    on_progress: Callable[[Allocation], None] | None = None,
) -> Outcome:
    """Optimise the priorities one after another.

    A whole lexicographic solve (no fixed structure, none excluded, the scenario's own
    priorities) of a chain of grades is decided exactly by the dynamic programme of
    chain.py, and of a small school with three-grade composites by that of runs.py;
    anything else, and a case they give up on, by one MIP model, stage by stage.
    """
    if structure is None and not excluded and priorities is None:
        now = time.perf_counter()
        answer = solve_chain(scenario, deadline=now + (deadline - now) / 2)
        if answer is None and runs_apply(scenario):
            # small schools with three-grade composites: a second, slower programme,
            # given a short while before the MIP takes over
            answer = solve_runs(scenario, deadline=now + min((deadline - now) / 4, RUNS_SECONDS))
        if answer is not None:
            if not answer.feasible:
                return Outcome(Status.INFEASIBLE)
            allocation = build_allocation(scenario, answer.structure, answer.totals)
            if on_progress is not None:
                on_progress(allocation)
            return Outcome(Status.OPTIMAL, allocation, answer.structure)
    model = AllocationModel(
        scenario, solver_name=solver_name, structure=structure, excluded=excluded
    )
    proved = True
    found: tuple[Structure, dict] | None = None
    for priority in priorities or scenario.priorities:
        if found is not None and time.perf_counter() >= deadline:
            proved = False
            break
        expr = model.objective(priority)  # may build the balance layer: time it too
        if priority == "balance" and not model.balance_modelled:
            proved = False  # absurd limits: keep the even split, unproved
            continue
        # the MIP solver overruns its limit by a little while it winds down
        status = model.optimize(expr, (deadline - time.perf_counter()) * 0.9)
        if status in _FOUND:
            proved = proved and status == mip.OptimizationStatus.OPTIMAL
            found = (model.structure(), model.totals())
            model.fix(priority, expr, model.objective_value)
            if on_progress is not None:
                on_progress(build_allocation(scenario, *found))
            continue
        if found is None:
            return Outcome(Status.INFEASIBLE if status in _INFEASIBLE else Status.TIMEOUT)
        proved = False  # out of time in a later stage: the earlier answer stands
        break
    assert found is not None
    chosen, totals = found
    allocation = build_allocation(scenario, chosen, totals)
    return Outcome(Status.OPTIMAL if proved else Status.FEASIBLE, allocation, chosen)


def build_allocation(
    scenario: Scenario, structure: Structure, totals: dict[tuple[str, ...], dict[str, int]]
) -> Allocation:
    """Locked classes as given, and each kind's children split evenly over its classes."""
    classes = [Class.of(spec, locked=True) for spec in scenario.locked]
    for kind, count in structure.items():
        classes += [Class(grades) for grades in split_evenly(kind, totals[kind], count)]
    return allocation_of(scenario, classes)


def is_feasible(
    scenario: Scenario, *, deadline: float, solver_name: str = DEFAULT_SOLVER
) -> bool | None:
    """True or False when proved either way, None when time ran out first.

    Asked as "do the fewest classes that could hold the children fit the teachers?":
    the teacher limit is only an upper bound, so that is the same question, and near
    the boundary the solver proves the minimum several times faster than it settles
    plain feasibility (0.06-0.1 s against up to 3.7 s on K-12 schools).
    """
    model = AllocationModel(scenario, solver_name=solver_name, teacher_cap=False)
    if model.fewest_classes_bound() > model.remaining.teachers:
        return False  # even the linear relaxation needs more classes than teachers
    status = model.optimize(model.classes_expr(), deadline - time.perf_counter())
    if status in _INFEASIBLE:
        return False
    if status == mip.OptimizationStatus.OPTIMAL:
        return round(model.objective_value) <= model.remaining.teachers
    if status == mip.OptimizationStatus.FEASIBLE and (
        round(model.objective_value) <= model.remaining.teachers
    ):
        return True
    return None


def teacher_range(
    scenario: Scenario, *, time_limit: float, solver_name: str = DEFAULT_SOLVER
) -> tuple[int | None, int]:
    """(fewest teachers that can work, most classes the limits allow), with locked classes.

    The fewest is None when no number of teachers can make the scenario work.
    """
    fewest = fewest_teachers(scenario, time_limit=time_limit, solver_name=solver_name)
    if fewest is None:
        return None, scenario.teachers
    most = _classes_bound(scenario, -1, time_limit, solver_name)
    return fewest, fewest if most is None else most


def fewest_teachers(
    scenario: Scenario, *, time_limit: float, solver_name: str = DEFAULT_SOLVER
) -> int | None:
    """The fewest teachers that could work whatever the number available; None if none."""
    return _classes_bound(scenario, 1, time_limit, solver_name)


def _classes_bound(scenario: Scenario, sense: int, time_limit: float, solver_name: str):
    """Fewest (sense 1) or most (sense -1) classes, locked ones included; None if none fit."""
    model = AllocationModel(scenario, solver_name=solver_name, teacher_cap=False)
    status = model.optimize(sense * model.classes_expr(), time_limit)
    if status not in _FOUND:
        return None
    return len(scenario.locked) + round(sense * model.objective_value)
