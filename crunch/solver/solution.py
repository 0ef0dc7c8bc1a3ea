"""The solver's output: an allocation of classes, its metrics, and the answer's status."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .data import ClassSpec, Scenario


class Status(StrEnum):
    OPTIMAL = "optimal"  # proved best under the priorities
    FEASIBLE = "feasible"  # valid, not proved best (time limit)
    INFEASIBLE = "infeasible"  # proved that no valid allocation exists
    TIMEOUT = "timeout"  # time ran out before any valid allocation was found


@dataclass(frozen=True)
class Metrics:
    classes: int
    composites: int
    balance: int

    def to_dict(self) -> dict[str, int]:
        return {"classes": self.classes, "composites": self.composites, "balance": self.balance}

    def key(self, priorities: tuple[str, ...]) -> tuple[int, ...]:
        """Sort key: smaller is better under the given priority order."""
        signed = {"classes": -self.classes, "composites": self.composites, "balance": self.balance}
        return tuple(signed[p] for p in priorities)


@dataclass(frozen=True)
class Class:
    """One teacher's class."""

    grades: tuple[tuple[str, int], ...]
    locked: bool = False

    @property
    def size(self) -> int:
        return sum(n for _, n in self.grades)

    @property
    def composite(self) -> bool:
        return len(self.grades) > 1

    @property
    def grade_names(self) -> tuple[str, ...]:
        return tuple(g for g, _ in self.grades)

    def count(self, grade: str) -> int:
        return dict(self.grades).get(grade, 0)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "grades": dict(self.grades),
            "size": self.size,
            "composite": self.composite,
        }
        if self.locked:
            out["locked"] = True
        return out

    @classmethod
    def of(cls, spec: ClassSpec, locked: bool = False) -> Class:
        return cls(spec.grades, locked)


@dataclass(frozen=True)
class Allocation:
    classes: tuple[Class, ...]
    metrics: Metrics

    @property
    def structure(self) -> tuple[tuple[tuple[str, ...], int], ...]:
        """How many classes of each kind (grade set): what tells alternatives apart."""
        counts: dict[tuple[str, ...], int] = {}
        for c in self.classes:
            counts[c.grade_names] = counts.get(c.grade_names, 0) + 1
        return tuple(sorted(counts.items()))

    def to_dict(self) -> dict[str, Any]:
        return {
            "classes": [c.to_dict() for c in self.classes],
            "metrics": self.metrics.to_dict(),
        }


def metrics_of(classes: list[Class] | tuple[Class, ...]) -> Metrics:
    sizes: dict[str, list[int]] = {}
    for c in classes:
        for g, _ in c.grades:
            sizes.setdefault(g, []).append(c.size)
    return Metrics(
        classes=len(classes),
        composites=sum(1 for c in classes if c.composite),
        balance=sum(max(s) - min(s) for s in sizes.values()),
    )


def allocation_of(scenario: Scenario, classes: list[Class]) -> Allocation:
    """Order classes as the spec says (pure in grade order, then composites) and measure them."""

    def key(c: Class) -> tuple[int, tuple[int, ...], int]:
        return (len(c.grades) > 1, tuple(scenario.order(g) for g in c.grade_names), -c.size)

    ordered = tuple(sorted(classes, key=key))
    return Allocation(ordered, metrics_of(ordered))


@dataclass(frozen=True)
class Suggestion:
    """A verified change: words for people and a JSON merge patch for programs.

    `parts` holds each change's own words when one suggestion makes several (a pair
    of small changes); its patch makes them all.
    """

    text: str
    patch: dict[str, Any]
    parts: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "patch": self.patch}
        if self.parts:
            out["parts"] = list(self.parts)
        return out


@dataclass(frozen=True)
class Solution:
    status: Status
    allocation: Allocation | None = None
    alternatives: tuple[Allocation, ...] = ()
    diagnosis: tuple[str, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    solve_seconds: float = 0.0
    notes: tuple[str, ...] = field(default=())

    @property
    def classes(self) -> tuple[Class, ...]:
        return self.allocation.classes if self.allocation else ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "status": str(self.status),
            "classes": [c.to_dict() for c in self.classes],
            "metrics": self.allocation.metrics.to_dict() if self.allocation else None,
            "alternatives": [a.to_dict() for a in self.alternatives],
            "diagnosis": list(self.diagnosis),
            "suggestions": [s.to_dict() for s in self.suggestions],
            "solve_seconds": round(self.solve_seconds, 3),
        }
        if self.notes:
            out["notes"] = list(self.notes)
        return out
