"""A job's stored JSON back as the objects the editor's templates draw."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crunch.models import Job
from crunch.planning import Solved, inputs_key
from crunch.solver import Allocation, Metrics, Solution, StaffingRow, Status


def allocation(raw: dict[str, Any] | None) -> Allocation | None:
    """The allocation of a job's progress (`Allocation.to_dict`) or of an options job's
    result (`Solution.to_dict`); None when it has none (a staffing job's, say)."""
    if not raw or not raw.get("metrics"):
        return None
    return Allocation.from_dict({"classes": raw["classes"], "metrics": raw["metrics"]})


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
    if not result:  # not finished (or failed): nothing to choose from
        return Options((), 0, job_id)
    answer = Solution.from_dict(result)
    found = (answer.allocation, *answer.alternatives) if answer.allocation else ()
    return Options(found, choice if choice < len(found) else 0, job_id)


def solved(job: Job) -> Solved:
    """A finished solve or options job as the editor's plans reuse it."""
    return Solved(job.id, inputs_key(job.inputs), Solution.from_dict(job.result or {}))


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
