"""staffing(): what each number of teachers would mean for the school."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from .data import Scenario
from .engine import DEFAULT_SOLVER, teacher_range
from .solution import Metrics, Status
from .solve import solve

ROW_TIME_LIMIT = 5.0


@dataclass(frozen=True)
class StaffingRow:
    teachers: int
    status: Status
    metrics: Metrics | None = None
    average_size: float | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"teachers": self.teachers, "status": str(self.status)}
        if self.metrics is not None:
            out["metrics"] = self.metrics.to_dict()
            out["average_size"] = self.average_size
        return out


def staffing(
    scenario: Scenario,
    first: int | None = None,
    last: int | None = None,
    *,
    time_limit: float = ROW_TIME_LIMIT,
    solver_name: str = DEFAULT_SOLVER,
    on_row: Callable[[list[StaffingRow]], None] | None = None,
    around: int | None = None,
    total_time_limit: float | None = None,
) -> list[StaffingRow]:
    """One row per number of teachers from `first` to `last`.

    By default the range runs from the fewest teachers that can work to the number at
    which every class could be at its grade's minimum size. `time_limit` is per row.
    `on_row` is called with the rows so far (in order of teachers) after each one, so
    a caller that may be stopped before the end still has what was found; with
    `around`, the numbers nearest it are worked out first, so those are the ones found.
    With `total_time_limit`, the rows together take at most that long: the numbers
    not reached by then are left out (so fewer rows than numbers means time ran out).
    """
    ends = None if total_time_limit is None else time.perf_counter() + total_time_limit
    if first is None or last is None:
        fewest, most = teacher_range(scenario, time_limit=time_limit, solver_name=solver_name)
        if fewest is None:
            fewest = most = scenario.teachers  # no number of teachers helps: show this one
        first = fewest if first is None else first
        last = max(most, first) if last is None else last
    first = max(first, len(scenario.locked), 1)
    rows = []
    numbers = list(range(first, last + 1))
    if around is not None:
        numbers.sort(key=lambda n: (abs(n - around), n))
    for teachers in numbers:
        limit = time_limit
        if ends is not None:
            limit = min(time_limit, ends - time.perf_counter())
            if limit <= 0.01:
                break
        answer = solve(
            replace(scenario, teachers=teachers),
            time_limit=limit,
            diagnose=False,
            solver_name=solver_name,
        )
        rows.append(_row(teachers, answer))
        rows.sort(key=lambda row: row.teachers)
        if on_row is not None:
            on_row(list(rows))
    return rows


def _row(teachers: int, answer) -> StaffingRow:
    if answer.allocation is None:
        return StaffingRow(teachers, answer.status)
    metrics = answer.allocation.metrics
    children = sum(c.size for c in answer.allocation.classes)
    # A school with no children yet has no classes, and so no average class.
    average = round(children / metrics.classes, 1) if metrics.classes else None
    return StaffingRow(teachers, answer.status, metrics, average)
