"""A job's stored JSON back as the objects the editor's templates draw."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..solver import Allocation, Class, Metrics, StaffingRow, Status


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

    @property
    def shown(self) -> Allocation | None:
        return self.options[self.choice] if self.options else None


def options(result: dict[str, Any], choice: int) -> Options:
    found = [allocation(result)] + [allocation(a) for a in result.get("alternatives", [])]
    found = tuple(a for a in found if a is not None)
    return Options(found, choice if choice < len(found) else 0)


def staffing_rows(result: dict[str, Any]) -> list[StaffingRow]:
    rows = []
    for row in result.get("rows", []):
        metrics = Metrics(**row["metrics"]) if row.get("metrics") else None
        rows.append(
            StaffingRow(row["teachers"], Status(row["status"]), metrics, row.get("average_size"))
        )
    return rows
