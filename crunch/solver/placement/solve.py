"""place(): the best class lists under the input's priorities, compared lexicographically.

The problem splits into parts (grades joined by composite classes) that share nothing;
each priority's metric is a sum over the parts, so the lexicographic optimum of the
whole is each part's own. The first priority runs across all parts first, so a valid
placement of the whole school is found (and reported through `on_progress`) before any
time goes on the later priorities; then each part's later stages run with its share
of the time left. The answer is `optimal` only when every stage of
every part was proved.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import mip

from ..solution import Status
from .construct import construct
from .data import PlacementInput
from .diagnose import explain
from .improve import LocalSearch
from .metrics import PlacementMetrics, metrics_by_class, placement_metrics
from .model import (
    MAX_WHOLE_VARIABLES,
    OutOfTime,
    Part,
    PartModel,
    allowed_classes,
    floor_of,
    parts_of,
    rules_of,
    variables_of,
)

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

    `on_progress`, if given, is called with the best complete placement found so far:
    once every part has a valid placement, then after each round of later stages.
    """
    started = time.perf_counter()
    deadline = started + time_limit
    parts = parts_of(placement_input)
    runs = [_PartRun(placement_input, part, deadline, solver_name) for part in parts]
    first = placement_input.priorities[0]
    # the first priority of every part first: a valid placement of the whole school
    for k, run in enumerate(runs):
        share = (deadline - time.perf_counter()) * run.size / sum(r.size for r in runs[k:])
        # finding a valid placement may take the whole share; optimising, half of it
        outcome = run.stage(
            first, share / 2 if len(placement_input.priorities) > 1 else share, find=share
        )
        if outcome in (Status.INFEASIBLE, Status.TIMEOUT):
            return _no_placement(placement_input, run.part, outcome, started, deadline, diagnose)
    # then rounds, part by part, each part with its share of the time left, until every
    # stage is proved or the time is up; a stage left unproved is taken up again in the
    # next round (with the stages after it), from the placement in hand
    while time.perf_counter() < deadline - 0.05:
        pending = [run for run in runs if run.unfinished]
        if not pending:
            break
        if on_progress is not None:
            on_progress(_answer(placement_input, runs, Status.FEASIBLE, started))
        for k, run in enumerate(pending):
            share = (deadline - time.perf_counter()) * run.size / sum(r.size for r in pending[k:])
            run.carry_on(time.perf_counter() + share)
    proved = not any(run.unfinished for run in runs)
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
        self.proved: dict[str, bool] = {}  # each stage run so far: proved?
        self.held: dict[str, int] = {}  # each stage's value, held while later ones run
        self.rng = random.Random(len(part.children))  # seeded: runs differ only by timing
        self.aim = 0.5  # how often a neighbourhood holds a class where the metric is lost
        self.rules = rules_of(part, placement_input)
        self.allowed = allowed_classes(part, self.rules)
        self.floors = {
            p: floor_of(p, placement_input, part, self.allowed) for p in placement_input.priorities
        }
        self.alone = PlacementInput(
            part.classes,
            part.children,
            friends_needed=placement_input.friends_needed,
            priorities=placement_input.priorities,
        )

    @property
    def size(self) -> int:
        return len(self.part.children) + 1

    @property
    def unfinished(self) -> bool:
        return any(not self.proved.get(p, False) for p in self.input.priorities)

    def carry_on(self, until: float) -> None:
        """Run the stages from the first one not proved, each taking most of the time left
        (a stage that needs little leaves the rest to the next)."""
        priorities = self.input.priorities
        start = next(i for i, p in enumerate(priorities) if not self.proved.get(p, False))
        for priority in priorities[start:]:
            if self.model is not None:
                self.model.release(priority)
            self.held.pop(priority, None)
        for i, priority in enumerate(priorities[start:], start=start):
            seconds = (until - time.perf_counter()) * (0.7 if i < len(priorities) - 1 else 1)
            if seconds <= 0.01:
                return
            self.stage(priority, seconds)

    def stage(self, priority: str, seconds: float, find: float = 0.0) -> Status:
        """Optimise one priority and hold it; OPTIMAL/FEASIBLE, or why there is nothing."""
        status = self._stage(priority, seconds, max(find, seconds))
        self.proved[priority] = status is Status.OPTIMAL
        return status

    def _stage(self, priority: str, seconds: float, find: float) -> Status:
        started = time.perf_counter()
        if self.best is None:
            status = self._first_placement(self._left(find, started))
            if status is not None:
                return status
            self._improve(min(self._left(seconds, started) * 0.5, self.search_seconds))
        found = self.value(priority)
        if found > self.floors[priority]:
            found = self._neighbourhoods(priority, self._left(seconds, started) * 0.8)
        if found <= self.floors[priority]:
            # the placement in hand meets the bound that holds for every placement
            self._hold(priority, found)
            return Status.OPTIMAL
        if self.model is None:
            self._hold(priority, found)
            return Status.FEASIBLE  # too big to hand to the MIP whole: the best found
        try:
            self._apply_holds()
            expr = self.model.objective(priority)
        except OutOfTime:
            return Status.FEASIBLE
        status = self.model.optimize(expr, self._left(seconds, started), start=self.best)
        if status not in _FOUND:
            self._hold(priority, found)
            return Status.FEASIBLE  # out of time: the placement in hand stands
        value = round(self.model.objective_value)
        if value < found:
            self.best = self.model.placement()
        self._hold(priority, min(value, found))
        return Status.OPTIMAL if status == mip.OptimizationStatus.OPTIMAL else Status.FEASIBLE

    def _first_placement(self, seconds: float) -> Status | None:
        """A valid placement in `self.best`, or why there is none (INFEASIBLE, TIMEOUT)."""
        if any(not options for options in self.allowed.values()):
            return Status.INFEASIBLE  # a child's own rules leave them no class
        if variables_of(self.part) > MAX_WHOLE_VARIABLES:
            found = construct(self.input, self.part, self.allowed, deadline=self.deadline)
            if found is None:
                return Status.TIMEOUT
            self.best = found
            return None
        try:
            self.model = PartModel(
                self.input, self.part, self.rules, deadline=self.deadline, solver_name=self.solver
            )
        except OutOfTime:
            return Status.TIMEOUT
        status = self.model.optimize(mip.LinExpr(), seconds)
        if status not in _FOUND:
            return Status.INFEASIBLE if status in _INFEASIBLE else Status.TIMEOUT
        self.best = self.model.placement()
        return None

    def _neighbourhoods(self, priority: str, seconds: float) -> int:
        """Large neighbourhood search: take the children of two (or three) classes of one
        grade, let a small MIP of them alone re-place them among those classes (the rest
        of the school held, earlier priorities not allowed to get worse), and keep what
        improves the stage. Each such model solves in milliseconds, and a run of them
        reaches good placements long before one search over the whole part would.
        Returns the stage's value for the placement in hand."""
        assert self.best is not None
        stop = time.perf_counter() + seconds
        found = self.value(priority)
        choices = [
            (grade, [c.label for c in self.part.classes if c.count(grade)])
            for grade in self.part.grades
        ]
        choices = [(g, labels) for g, labels in choices if len(labels) > 1]
        # about as many tries as there are pairs of classes before giving up; past half of
        # them without a gain, three classes at a time in grades of five classes or more
        # (in smaller grades two-class moves reach far enough, and three cost more)
        pairs = sum(len(labels) * (len(labels) - 1) // 2 for _, labels in choices)
        idle = 0  # neighbourhoods in a row that brought nothing
        while choices and found > self.floors[priority] and idle < pairs + 8:
            left = stop - time.perf_counter()
            if left <= 0.02:
                break
            idle += 1
            size = 2 if idle <= pairs // 2 + 2 else 3
            by_class = metrics_by_class(self.alone, self.best)  # one count serves both
            picked = self._neighbourhood(priority, by_class, choices, self.rng, size)
            better = self._replace_within(picked, priority, found, left, by_class)
            if better is not None:
                self.best.update(better)
                found = self.value(priority)
                idle = 0
        return found

    def _replace_within(
        self,
        picked: set[str],
        priority: str,
        found: int,
        seconds: float,
        by_class: dict[str, dict[str, int]],
    ) -> dict[str, str] | None:
        """The best placement of the children of the picked classes among those classes,
        if it improves the stage; None otherwise."""
        assert self.best is not None
        sub = Part(
            self.part.grades,
            tuple(c for c in self.part.classes if c.label in picked),
            tuple(c for c in self.part.children if self.best[c.id] in picked),
        )
        outside = {
            p: sum(v[p] for label, v in by_class.items() if label not in picked)
            for p in self.held | {priority: found}
        }
        try:
            model = PartModel(
                self.input,
                sub,
                rules_of(sub, self.input),
                deadline=min(self.deadline, time.perf_counter() + seconds),
                solver_name=self.solver,
                whole=self.part,
            )
            for held, value in self.held.items():
                if held != priority:
                    model.m += model.objective(held) + outside[held] <= value
            expr = model.objective(priority)
        except OutOfTime:
            return None
        mine = {c.id: self.best[c.id] for c in sub.children}
        status = model.optimize(expr, min(seconds, 0.5), start=mine)
        if status in _FOUND and round(model.objective_value) + outside[priority] < found:
            return model.placement()
        return None

    def _neighbourhood(
        self,
        priority: str,
        by_class: dict[str, dict[str, int]],
        choices: list[tuple[str, list[str]]],
        rng: random.Random,
        size: int,
    ) -> set[str]:
        """Classes of one grade (`size` of them where it has five or more, else two), most
        often including one where the stage's metric is lost."""
        bad = [label for label, by_metric in by_class.items() if by_metric[priority]]
        if bad and rng.random() < self.aim:
            first = rng.choice(bad)
            _, labels = rng.choice([(g, ls) for g, ls in choices if first in ls])
            others = [label for label in labels if label != first]
            more = (size if len(labels) >= 5 else 2) - 1
            return {first, *rng.sample(others, more)}
        _, labels = rng.choice(choices)
        return set(rng.sample(labels, size if len(labels) >= 5 else 2))

    def _hold(self, priority: str, value: int) -> None:
        """Hold a stage at its value; the whole-part model takes it before its next solve."""
        self.held[priority] = value

    def _apply_holds(self) -> None:
        assert self.model is not None
        for priority, value in self.held.items():
            self.model.hold(priority, value)

    def value(self, priority: str) -> int:
        """The metric of the placement in hand, for this part alone."""
        assert self.best is not None
        return getattr(placement_metrics(self.alone, self.best), priority)

    @property
    def search_seconds(self) -> float:
        return 0.1 + 0.001 * len(self.part.children)

    def _left(self, seconds: float, started: float) -> float:
        # the MIP solver overruns its limit by a little while it winds down
        budget = min(started + seconds, self.deadline) - time.perf_counter()
        return max(budget, 0.0) * 0.9

    def _improve(self, seconds: float) -> None:
        assert self.best is not None
        search = LocalSearch(self.input, self.part, self.allowed, self.best)
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
        diagnosis = tuple(explain(placement_input, part, deadline=deadline))
    return Placement(
        status=status,
        diagnosis=diagnosis,
        solve_seconds=time.perf_counter() - started,
        placement_input=placement_input,
    )
