"""A job's stored JSON back as the objects the editor's templates draw."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crunch.models import Job
from crunch.planning import Solved, inputs_key
from crunch.solver import Allocation, Class, Metrics, Solution, StaffingRow, Status, Suggestion


def allocation(raw: dict[str, Any] | None) -> Allocation | None:
    if not raw or not raw.get("metrics"):
        return None
    classes = tuple(
        Class(tuple(c["grades"].items()), locked=bool(c.get("locked"))) for c in raw["classes"]
    )
    return Allocation(classes, Metrics(**raw["metrics"]))


@dataclass(frozen=True)
class Options:
    """What the editor's `options` block needs of a plan."""

    options: tuple[Allocation, ...]
    choice: int = 0
    job_id: int | None = None

    @property
    def shown(self) -> Allocation | None:
        return self.options[self.choice] if self.options else None


def options(result: dict[str, Any], choice: int, job_id: int | None = None) -> Options:
    found = [allocation(result)] + [allocation(a) for a in result.get("alternatives", [])]
    found = tuple(a for a in found if a is not None)
    return Options(found, choice if choice < len(found) else 0, job_id)


def solution(raw: dict[str, Any]) -> Solution:
    """A stored `Solution.to_dict()` back as the solver's answer."""
    alternatives = (allocation(a) for a in raw.get("alternatives", []))
    return Solution(
        Status(raw["status"]),
        allocation(raw),
        tuple(a for a in alternatives if a is not None),
        tuple(raw.get("diagnosis", [])),
        tuple(
            Suggestion(s["text"], s["patch"], tuple(s.get("parts", ())))
            for s in raw.get("suggestions", [])
        ),
        float(raw.get("solve_seconds", 0.0)),
        tuple(raw.get("notes", [])),
    )


def solved(job: Job) -> Solved:
    """A finished solve or options job as the editor's plans reuse it."""
    return Solved(job.id, inputs_key(job.inputs), solution(job.result or {}))


def staffing_rows(result: dict[str, Any], first: int = 0, last: int = -1) -> list[StaffingRow]:
    """The stored rows; with `first`..`last`, every number of teachers in that range,
    those not worked out (a job stopped early) as not found in time."""
    rows = {}
    for row in result.get("rows", []):
        metrics = Metrics(**row["metrics"]) if row.get("metrics") else None
        rows[row["teachers"]] = StaffingRow(
            row["teachers"], Status(row["status"]), metrics, row.get("average_size")
        )
    for teachers in range(first, last + 1):
        rows.setdefault(teachers, StaffingRow(teachers, Status.TIMEOUT))
    return [rows[t] for t in sorted(rows)]


def staffing_progress(job: Job) -> tuple[int, int]:
    """(rows worked out, rows asked for) of a staffing job; (0, 0) for other kinds."""
    if job.kind != "staffing":
        return 0, 0
    params = job.params or {}
    total = int(params.get("last", 0)) - int(params.get("first", 0)) + 1
    return len((job.progress or {}).get("rows", [])), max(0, total)
