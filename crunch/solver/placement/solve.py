"""place(): the best class lists under the input's priorities, compared lexicographically.

The problem splits into parts (grades joined by composite classes) that share nothing;
each priority's metric is a sum over the parts, so the lexicographic optimum of the
whole is each part's own. Stages run priority by priority across all parts, so a valid
placement of every part is found first (and reported through `on_progress`) before any
time goes on the later priorities. The answer is `optimal` only when every stage of
every part was proved.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import mip

from ..solution import Status
from .data import PlacementInput
from .improve import LocalSearch
from .metrics import PlacementMetrics, placement_metrics
from .model import OutOfTime, Part, PartModel, parts_of, rules_of

DEFAULT_TIME_LIMIT = 10.0
DEFAULT_SOLVER = "HIGHS"

_FOUND = (mip.OptimizationStatus.OPTIMAL, mip.OptimizationStatus.FEASIBLE)
_INFEASIBLE = (mip.OptimizationStatus.INFEASIBLE, mip.OptimizationStatus.INT_INFEASIBLE)


@dataclass(frozen=True)
class Placement:
    status: Status
    assignment: dict[str, str] = field(default_factory=dict)  # child id -> class label
    metrics: PlacementMetrics | None = None
    diagnosis: tuple[str, ...] = ()
    solve_seconds: float = 0.0
    placement_input: PlacementInput | None = field(default=None, repr=False, compare=False)

    @property
    def found(self) -> bool:
        return self.status in (Status.OPTIMAL, Status.FEASIBLE)

    def to_dict(self) -> dict[str, Any]:
        """The spec's placement output."""
        classes: list[dict[str, Any]] = []
        if self.found and self.placement_input is not None:
            for plan_class in self.placement_input.classes:
                classes.append(
                    {
                        "label": plan_class.label,
                        "children": [
                            c.id
                            for c in self.placement_input.children
                            if self.assignment.get(c.id) == plan_class.label
                        ],
                        "grades": dict(plan_class.grades),
                    }
                )
        return {
            "status": str(self.status),
            "classes": classes,
            "placement": dict(self.assignment) if self.found else {},
            "metrics": self.metrics.to_dict() if self.metrics else None,
            "unmet": {"friends": list(self.metrics.unmet_friends) if self.metrics else []},
            "diagnosis": list(self.diagnosis),
            "solve_seconds": round(self.solve_seconds, 3),
        }


def place(
    placement_input: PlacementInput,
    *,
    time_limit: float = DEFAULT_TIME_LIMIT,
    on_progress: Callable[[Placement], None] | None = None,
    diagnose: bool = True,
    solver_name: str = DEFAULT_SOLVER,
) -> Placement:
    """The best placement of the children into the plan's classes.

    `on_progress`, if given, is called with the best complete placement found so far
    each time one improves (after the first stage, then after each later one).
    """
    started = time.perf_counter()
    deadline = started + time_limit
    parts = parts_of(placement_input)
    runs = [_PartRun(placement_input, part, deadline, solver_name) for part in parts]
    proved = True
    for stage, priority in enumerate(placement_input.priorities):
        # time left is shared by size among the part-stages still to run
        for k, run in enumerate(runs):
            if stage and time.perf_counter() >= deadline:
                proved = False
                break
            weight = len(run.part.children) + 1
            left = sum(len(r.part.children) + 1 for r in runs[k:]) + (
                len(placement_input.priorities) - stage - 1
            ) * sum(len(r.part.children) + 1 for r in runs)
            seconds = (deadline - time.perf_counter()) * weight / left
            if stage == 0:
                seconds = deadline - time.perf_counter()  # a valid placement comes first
            outcome = run.stage(priority, seconds)
            if outcome in (Status.INFEASIBLE, Status.TIMEOUT):
                return _no_placement(
                    placement_input, run.part, outcome, started, deadline, diagnose
                )
            proved = proved and outcome is Status.OPTIMAL
        else:
            if on_progress is not None:
                on_progress(_answer(placement_input, runs, Status.FEASIBLE, started))
            continue
        break
    return _answer(placement_input, runs, Status.OPTIMAL if proved else Status.FEASIBLE, started)


class _PartRun:
    """One part's model and its best placement so far, stage by stage."""

    def __init__(self, placement_input: PlacementInput, part: Part, deadline: float, solver: str):
        self.input = placement_input
        self.part = part
        self.deadline = deadline
        self.solver = solver
        self.model: PartModel | None = None
        self.best: dict[str, str] | None = None
        self.alone = PlacementInput(
            part.classes,
            part.children,
            friends_needed=placement_input.friends_needed,
            priorities=placement_input.priorities,
        )

    def stage(self, priority: str, seconds: float) -> Status:
        """Optimise one priority and hold it; OPTIMAL/FEASIBLE, or why there is nothing."""
        started = time.perf_counter()
        try:
            if self.model is None:
                self.model = PartModel(
                    self.input,
                    self.part,
                    rules_of(self.part, self.input),
                    deadline=self.deadline,
                    solver_name=self.solver,
                )
            if self.best is None:
                status = self.model.optimize(mip.LinExpr(), self._left(seconds, started))
                if status not in _FOUND:
                    return Status.INFEASIBLE if status in _INFEASIBLE else Status.TIMEOUT
                self.best = self.model.placement()
                self._improve(min(self._left(seconds, started) * 0.3, self.search_seconds))
            expr = self.model.objective(priority)
        except OutOfTime:
            return Status.TIMEOUT if self.best is None else Status.FEASIBLE
        found = self.value(priority)
        if found <= expr.const:
            # the placement in hand meets the bound that holds for every placement
            self.model.hold(expr, found)
            return Status.OPTIMAL
        status = self.model.optimize(expr, self._left(seconds, started), start=self.best)
        if status not in _FOUND:
            self.model.hold(expr, found)
            return Status.FEASIBLE  # out of time: the placement in hand stands
        value = round(self.model.objective_value)
        if value < found:
            self.best = self.model.placement()
            self._improve(min(self._left(seconds, started) * 0.3, self.search_seconds / 4))
        self.model.hold(expr, min(value, found))
        return Status.OPTIMAL if status == mip.OptimizationStatus.OPTIMAL else Status.FEASIBLE

    def value(self, priority: str) -> int:
        """The metric of the placement in hand, for this part alone."""
        assert self.best is not None
        return getattr(placement_metrics(self.alone, self.best), priority)

    @property
    def search_seconds(self) -> float:
        return 0.2 + 0.002 * len(self.part.children)

    def _left(self, seconds: float, started: float) -> float:
        # the MIP solver overruns its limit by a little while it winds down
        budget = min(started + seconds, self.deadline) - time.perf_counter()
        return max(budget, 0.0) * 0.9

    def _improve(self, seconds: float) -> None:
        assert self.model is not None and self.best is not None
        search = LocalSearch(self.input, self.part, self.model.allowed, self.best)
        self.best = search.run(seconds)


def _answer(
    placement_input: PlacementInput, runs: list[_PartRun], status: Status, started: float
) -> Placement:
    assignment: dict[str, str] = {}
    for run in runs:
        assignment.update(run.best or {})
    return Placement(
        status=status,
        assignment=assignment,
        metrics=placement_metrics(placement_input, assignment),
        solve_seconds=time.perf_counter() - started,
        placement_input=placement_input,
    )


def _no_placement(
    placement_input: PlacementInput,
    part: Part,
    status: Status,
    started: float,
    deadline: float,
    diagnose: bool,
) -> Placement:
    diagnosis: tuple[str, ...] = ()
    if status is Status.INFEASIBLE and diagnose:
        from .diagnose import explain  # only infeasible answers pay for it

        diagnosis = tuple(explain(placement_input, part, deadline=deadline))
    return Placement(
        status=status,
        diagnosis=diagnosis,
        solve_seconds=time.perf_counter() - started,
        placement_input=placement_input,
    )
