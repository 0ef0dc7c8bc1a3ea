"""A plan's classes as a table: the class list the editor, the history, compare, the
exports and the jobs' pages draw, from a solution, from stored JSON or from the
browser's posted copy, with the class labels typed beside it."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any

from crunch.models import Revision
from crunch.solver import Class

MAX_SHOWN_CLASSES = 1000
MAX_LABEL = 40


@dataclass(frozen=True)
class Table:
    """What the class table, the summary and the chart are drawn from.

    `labels` are the names a principal gave the classes (a teacher, a room), by
    position; see `keys` for how they follow a class from one plan to the next.
    """

    grade_names: tuple[str, ...]
    teachers: int
    classes: tuple[Class, ...]
    labels: tuple[str, ...] = ()

    @property
    def unused(self) -> int:
        return max(self.teachers - len(self.classes), 0)

    @property
    def keys(self) -> tuple[str, ...]:
        """A name for each class that survives re-planning while the structure holds:
        its kind (grades, fixed or not) and its place among the classes of that kind.
        A label is kept under this key, so "Ms Lee" stays on the second 1/2 class
        however the classes are numbered, as long as there still is one."""
        seen: dict[str, int] = {}
        keys = []
        for c in self.classes:
            kind = ("fixed " if c.locked else "") + "/".join(c.grade_names)
            seen[kind] = seen.get(kind, 0) + 1
            keys.append(f"{kind}#{seen[kind]}")
        return tuple(keys)

    def label(self, index: int) -> str:
        return self.labels[index] if index < len(self.labels) else ""

    def label_map(self) -> dict[str, str]:
        return {k: self.label(i) for i, k in enumerate(self.keys) if self.label(i)}

    def with_labels(self, labels: dict[str, str]) -> Table:
        """The same classes, labelled from `labels` (by key); others unlabelled."""
        named = tuple(clean_label(labels.get(k, "")) for k in self.keys)
        return replace(self, labels=named if any(named) else ())

    def to_json(self) -> str:
        return json.dumps(
            {
                "teachers": self.teachers,
                "grades": list(self.grade_names),
                # Only what table_from_json reads back: sizes and badges follow from it.
                "classes": [
                    {
                        "grades": dict(c.grades),
                        **({"locked": True} if c.locked else {}),
                        **({"label": self.label(i)} if self.label(i) else {}),
                    }
                    for i, c in enumerate(self.classes)
                ],
            },
            separators=(",", ":"),
        )


def clean_label(raw: Any) -> str:
    """A label as kept: text, one line, at most MAX_LABEL characters."""
    if not isinstance(raw, str):
        return ""
    return " ".join(raw.split())[:MAX_LABEL]


LABEL_FIELD = "label-"


def posted_labels(formdata) -> dict[str, str]:
    """The labels typed in the class table (fields `label-<key>`), by class key."""
    return {
        key[len(LABEL_FIELD) :]: clean_label(value)
        for key, value in formdata.items()
        if key.startswith(LABEL_FIELD) and len(key) < 200
    }


def table_from_json(raw: Any) -> Table | None:
    """A table from stored or posted JSON; None when it does not look like one.

    Posted JSON comes from the browser, so nothing in it is trusted beyond its shape.
    """
    if isinstance(raw, str):
        if len(raw) > 200_000:
            return None
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):
            return None
    if not isinstance(raw, dict):
        return None
    teachers = raw.get("teachers")
    names = raw.get("grades")
    items = raw.get("classes")
    if not isinstance(names, list) or not isinstance(items, list):
        return None
    if not isinstance(teachers, int) or isinstance(teachers, bool) or not 0 <= teachers <= 1000:
        return None
    names = [n for n in names[:40] if isinstance(n, str)]
    classes = []
    labels = []
    for item in items[:MAX_SHOWN_CLASSES]:
        counts = item.get("grades") if isinstance(item, dict) else None
        if not isinstance(counts, dict):
            return None
        labels.append(clean_label(item.get("label", "")))
        grades = tuple(
            (str(g)[:40], n)
            for g, n in counts.items()
            if isinstance(n, int) and not isinstance(n, bool) and 0 < n <= 10_000
        )
        classes.append(Class(grades, locked=item.get("locked") is True))
    return Table(tuple(names), teachers, tuple(classes), tuple(labels) if any(labels) else ())


def saved_table(revision: Revision) -> Table | None:
    """The table of a saved revision."""
    saved = revision.saved_allocation
    if saved is None:
        return None
    inputs = revision.inputs
    names = [g.get("name") for g in inputs.get("grades", []) if isinstance(g, dict)]
    names = [n for n in names[:40] if isinstance(n, str)]
    return Table(tuple(names), inputs.get("teachers", 0), saved.classes, saved.labels)
