"""The solver's output: an allocation of classes, its metrics, and the answer's status."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .data import ClassSpec, Scenario


class Status(StrEnum):
    OPTIMAL = "optimal"  # proved best under the priorities
    FEASIBLE = "feasible"  # valid, not proved best (time limit)
    INFEASIBLE = "infeasible"  # proved that no valid allocation exists
    TIMEOUT = "timeout"  # time ran out before any valid allocation was found


class MalformedSolution(ValueError):
    """A dict that is not what `to_dict` writes; the message says where and what."""


def _object(raw: Any, where: str) -> dict:
    if not isinstance(raw, dict):
        raise MalformedSolution(f"{where}: expected an object, got {type(raw).__name__}.")
    return raw


def _fields(raw: Any, where: str, required: set[str], optional: Collection[str] = ()) -> dict:
    """`raw` as an object with every required key and none but the optional ones."""
    _object(raw, where)
    missing = sorted(required - raw.keys())
    if missing:
        raise MalformedSolution(f"{where}: missing {', '.join(missing)}.")
    unknown = sorted(map(str, raw.keys() - required - set(optional)))
    if unknown:
        raise MalformedSolution(f"{where}: unknown {', '.join(unknown)}.")
    return raw


def _count(raw: Any, where: str) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
        raise MalformedSolution(f"{where}: expected a whole number of at least 0, got {raw!r}.")
    return raw


def _list(raw: Any, where: str) -> list:
    if not isinstance(raw, list):
        raise MalformedSolution(f"{where}: expected a list, got {type(raw).__name__}.")
    return raw


def _texts(raw: Any, where: str) -> tuple[str, ...]:
    items = _list(raw, where)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise MalformedSolution(f"{where}[{i}]: expected text, got {type(item).__name__}.")
    return tuple(items)


@dataclass(frozen=True)
class Metrics:
    classes: int
    composites: int
    balance: int

    def to_dict(self) -> dict[str, int]:
        return {"classes": self.classes, "composites": self.composites, "balance": self.balance}

    @classmethod
    def from_dict(cls, raw: Any, where: str = "metrics") -> Metrics:
        fields = _fields(raw, where, {"classes", "composites", "balance"})
        return cls(**{k: _count(v, f"{where}.{k}") for k, v in fields.items()})

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
    def from_dict(cls, raw: Any, where: str = "class") -> Class:
        """The class `to_dict` wrote; its size and composite flag must agree with it."""
        fields = _fields(raw, where, {"grades", "size", "composite"}, {"locked"})
        counts = _object(fields["grades"], f"{where}.grades")
        grades = tuple((str(g), _count(n, f"{where}.grades.{g}")) for g, n in counts.items())
        if any(n == 0 for _, n in grades):
            raise MalformedSolution(f"{where}.grades: a grade with no children is left out.")
        if fields.get("locked", True) is not True:
            raise MalformedSolution(
                f"{where}.locked: only true is written, got {fields['locked']!r}."
            )
        made = cls(grades, locked="locked" in fields)
        if fields["size"] != made.size or isinstance(fields["size"], bool):
            raise MalformedSolution(
                f"{where}.size: {fields['size']!r}, but its grades hold {made.size}."
            )
        if fields["composite"] is not made.composite:
            raise MalformedSolution(
                f"{where}.composite: {fields['composite']!r}, but it has {len(grades)} grade(s)."
            )
        return made

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

    @classmethod
    def from_dict(cls, raw: Any, where: str = "allocation") -> Allocation:
        fields = _fields(raw, where, {"classes", "metrics"})
        return cls(
            _classes(fields["classes"], f"{where}.classes"),
            Metrics.from_dict(fields["metrics"], f"{where}.metrics"),
        )


def _classes(raw: Any, where: str) -> tuple[Class, ...]:
    return tuple(Class.from_dict(c, f"{where}[{i}]") for i, c in enumerate(_list(raw, where)))


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

    @classmethod
    def from_dict(cls, raw: Any, where: str = "suggestion") -> Suggestion:
        fields = _fields(raw, where, {"text", "patch"}, {"parts"})
        text = fields["text"]
        if not isinstance(text, str):
            raise MalformedSolution(f"{where}.text: expected text, got {type(text).__name__}.")
        patch = _object(fields["patch"], f"{where}.patch")
        return cls(text, patch, _texts(fields.get("parts", []), f"{where}.parts"))


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

    @classmethod
    def from_dict(cls, raw: Any) -> Solution:
        """The solution `to_dict` wrote (docs/scenario.md); MalformedSolution otherwise."""
        fields = _fields(raw, "solution", _SOLUTION_KEYS, {"notes"})
        try:
            status = Status(fields["status"])
        except ValueError:
            known = ", ".join(s.value for s in Status)
            raise MalformedSolution(
                f"status: {fields['status']!r} is not one of {known}."
            ) from None
        classes = _classes(fields["classes"], "classes")
        allocation = None
        if fields["metrics"] is not None:
            allocation = Allocation(classes, Metrics.from_dict(fields["metrics"]))
        elif classes:
            raise MalformedSolution("metrics: missing for the classes given.")
        alternatives = _list(fields["alternatives"], "alternatives")
        suggestions = _list(fields["suggestions"], "suggestions")
        seconds = fields["solve_seconds"]
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or not seconds >= 0:
            raise MalformedSolution(f"solve_seconds: expected seconds, got {seconds!r}.")
        return cls(
            status=status,
            allocation=allocation,
            alternatives=tuple(
                Allocation.from_dict(a, f"alternatives[{i}]") for i, a in enumerate(alternatives)
            ),
            diagnosis=_texts(fields["diagnosis"], "diagnosis"),
            suggestions=tuple(
                Suggestion.from_dict(x, f"suggestions[{i}]") for i, x in enumerate(suggestions)
            ),
            solve_seconds=float(seconds),
            notes=_texts(fields.get("notes", []), "notes"),
        )


_SOLUTION_KEYS = {
    "status",
    "classes",
    "metrics",
    "alternatives",
    "diagnosis",
    "suggestions",
    "solve_seconds",
}
