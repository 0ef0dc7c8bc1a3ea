"""A scenario's history: the differences between revisions in words, restoring an
old revision, and saving only on top of the revision the editor was opened from.

`describe_changes` is pure (scenario JSON in, sentences out) so that its wording
can be tested without a database.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from flask import abort

from crunch.models import Revision, Scenario
from crunch.schools import store
from crunch.words import priorities_label

PRIORITY_WORDS = {"classes": "classes", "composites": "composites", "balance": "balance"}
COMPOSITE_LIMIT_WORDS = {
    "min_size": "smallest",
    "max_size": "largest",
    "min_subclass_size": "fewest of one grade",
}
NO_AUTHOR = "—"


# ---------------------------------------------------------------- words


def describe_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """The differences between two scenarios' inputs, one short phrase each.

    For example ["Grade 3: 52 -> 57 children", "teachers 18 -> 19",
    "allowed 4/5 composite"]. An empty list means the inputs are the same.
    """
    changes: list[str] = []
    changes += _grade_changes(_grades(old), _grades(new))
    changes += _number_change("teachers", old.get("teachers"), new.get("teachers"))
    changes += _number_change(
        "fewest of one grade in a composite",
        old.get("min_subclass_size", 1),
        new.get("min_subclass_size", 1),
    )
    changes += _composite_changes(old, new)
    changes += _locked_changes(old.get("locked"), new.get("locked"))
    old_p, new_p = _priorities(old), _priorities(new)
    if old_p != new_p:
        changes.append(f"priorities: {priorities_label(old_p)} -> {priorities_label(new_p)}")
    return changes


def summary_line(changes: list[str]) -> str:
    """The phrases as one sentence-like line, as in the history list."""
    return "; ".join(changes) if changes else "No change to the inputs."


def _grades(inputs: dict[str, Any]) -> list[dict[str, Any]]:
    grades = inputs.get("grades")
    return [g for g in grades if isinstance(g, dict)] if isinstance(grades, list) else []


def _grade_changes(old: list[dict], new: list[dict]) -> list[str]:
    before = {str(g.get("name")): g for g in old}
    after = {str(g.get("name")): g for g in new}
    changes = []
    for name, grade in after.items():
        if name not in before:
            changes.append(f"added grade {name} ({_count(grade.get('students'))} children)")
            continue
        was = before[name]
        parts = []
        if was.get("students") != grade.get("students"):
            parts.append(f"{was.get('students')} -> {grade.get('students')} children")
        if was.get("min_size") != grade.get("min_size"):
            parts.append(f"smallest class {was.get('min_size')} -> {grade.get('min_size')}")
        if was.get("max_size") != grade.get("max_size"):
            parts.append(f"largest class {was.get('max_size')} -> {grade.get('max_size')}")
        if parts:
            changes.append(f"{grade_label(name)}: {', '.join(parts)}")
    changes += [f"removed grade {name}" for name in before if name not in after]
    kept_before = [n for n in before if n in after]
    kept_after = [n for n in after if n in before]
    if kept_before != kept_after:
        changes.append(f"grade order {', '.join(kept_before)} -> {', '.join(kept_after)}")
    return changes


def grade_label(name: str) -> str:
    """ "Grade 3", and "Grade K" too: the way the class list names a grade."""
    return f"Grade {name}"


def _count(value: Any) -> str:
    return str(value) if isinstance(value, int) else "?"


def _number_change(label: str, old: Any, new: Any) -> list[str]:
    return [] if old == new else [f"{label} {old} -> {new}"]


def _composite_key(item: dict, order: dict[str, int]) -> tuple[str, ...]:
    names = [str(n) for n in item.get("grades", []) if isinstance(n, str | int)]
    return tuple(sorted(set(names), key=lambda n: (order.get(n, len(order)), n)))


def _composites(inputs: dict[str, Any], order: dict[str, int]) -> dict[tuple[str, ...], dict]:
    items = inputs.get("composites")
    if not isinstance(items, list):
        return {}
    out = {}
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("grades"), list):
            out[_composite_key(item, order)] = item
    return out


def _composite_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    order: dict[str, int] = {}
    for g in _grades(old) + _grades(new):
        order.setdefault(str(g.get("name")), len(order))
    before, after = _composites(old, order), _composites(new, order)
    changes = []
    for key, item in after.items():
        label = "/".join(key)
        if key not in before:
            changes.append(f"allowed {label} composite")
            continue
        parts = []
        for field, words in COMPOSITE_LIMIT_WORDS.items():
            a, b = before[key].get(field), item.get(field)
            if a != b:
                parts.append(f"{words} {_limit(a)} -> {_limit(b)}")
        if parts:
            changes.append(f"{label} composite: {', '.join(parts)}")
    changes += [f"no {'/'.join(key)} composite" for key in before if key not in after]
    return changes


def _limit(value: Any) -> str:
    return "auto" if value is None else str(value)


def _locked(value: Any) -> Counter:
    out: Counter = Counter()
    if isinstance(value, list):
        for item in value:
            counts = item.get("grades") if isinstance(item, dict) else None
            if isinstance(counts, dict):
                out[tuple(sorted((str(k), str(v)) for k, v in counts.items()))] += 1
    return out


def _locked_changes(old: Any, new: Any) -> list[str]:
    before, after = _locked(old), _locked(new)
    changes = []
    for key, n in (after - before).items():
        changes += [f"fixed a class of {_class_words(key)}"] * n
    for key, n in (before - after).items():
        changes += [f"unfixed the class of {_class_words(key)}"] * n
    return changes


def _class_words(key: tuple[tuple[str, str], ...]) -> str:
    return " + ".join(f"{count} of grade {name}" for name, count in key) or "no children"


def _priorities(inputs: dict[str, Any]) -> list[str]:
    value = inputs.get("priorities")
    if not isinstance(value, list) or not value:
        return ["classes", "composites", "balance"]
    return [PRIORITY_WORDS.get(str(p), str(p)) for p in value]


# ---------------------------------------------------------------- the list


def author_of(revision: Revision) -> str:
    """Who saved the revision, once revisions record it; a dash for older ones."""
    author = getattr(revision, "author", None)
    if author is None:
        return NO_AUTHOR
    for attribute in ("name", "display_name", "email"):
        value = getattr(author, attribute, None)
        if value:
            return str(value)
    return NO_AUTHOR


@dataclass(frozen=True)
class Entry:
    """One row of the history list: a revision and what changed since the one before."""

    revision: Revision
    author: str
    changes: list[str]
    current: bool


def entries(scenario: Scenario) -> list[Entry]:
    """Every revision, newest first, each with its changes from the revision before it."""
    revisions = sorted(scenario.revisions, key=lambda r: r.number)
    out = []
    previous = None
    for revision in revisions:
        changes = describe_changes(previous.inputs, revision.inputs) if previous else []
        out.append(
            Entry(
                revision,
                author_of(revision),
                changes,
                revision.id == scenario.current_revision_id,
            )
        )
        previous = revision
    return list(reversed(out))


# ---------------------------------------------------------------- writes


def parse_number(raw: object) -> int | None:
    """A revision number posted by a form; None when absent or not a number."""
    text = str(raw or "").strip()
    if text.isascii() and text.isdigit() and len(text) < 10:
        return int(text)
    return None


def revision_asked(scenario: Scenario, raw: str) -> Revision:
    """The revision a link's `?revision=N` names, the current one when it names none;
    404 for any other text or a number the scenario has no revision of."""
    if not raw:
        return scenario.current_revision
    number = parse_number(raw)
    if number is None:
        abort(404)
    return store.revision_or_404(scenario, number)


def restore(scenario: Scenario, old: Revision, base: int | None = None) -> Revision:
    """Make an old revision current again by saving a copy of it as the newest one."""
    inputs = {k: v for k, v in old.inputs.items() if k != "name"}
    return store.save_revision(
        scenario,
        base=base,
        inputs=inputs,
        allocation=old.allocation,
        status=old.status,
        note=f"Restored revision {old.number}.",
    )
