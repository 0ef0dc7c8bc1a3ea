"""Edits of the editor's structure: the buttons that add, remove and move rows.

Each takes a Draft and returns it changed. They run on the server so that the
page needs no script of its own beyond htmx; a button names its action in the
`action` field, e.g. "grade-up:2". A suggestion's button carries its merge patch,
"apply:{...}" (see `suggestion_patch`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from crunch.editor.drafts import CompositeRow, Draft
from crunch.solver.data import MAX_CLASS_SIZE, MAX_TEACHERS

MAX_ROWS = 40
APPLY = "apply:"
# A suggestion's patch writes out the grades and the composites it touches: with 40
# grades and 200 composites it stays well below this.
MAX_PATCH_CHARS = 40_000
# A suggestion makes one change, or a pair of them.
MOST_CHANGES = 2
NOT_SUGGESTED = (
    "That change is not one of the suggestions for these inputs, so nothing was changed. "
    "Choose one of the suggestions shown."
)


def parse(raw: str) -> tuple[str, int | None]:
    """ "grade-up:2" -> ("grade-up", 2); anything malformed -> ("", None)."""
    match = re.fullmatch(r"([a-z-]{1,20})(?::([0-9]{1,4}))?", raw or "")
    if not match:
        return "", None
    return match.group(1), int(match.group(2)) if match.group(2) else None


def apply_value(patch: dict[str, Any]) -> str:
    """The value of a suggestion's button: "apply:" and the suggestion's merge patch."""
    return APPLY + json.dumps(patch, separators=(",", ":"), ensure_ascii=False)


def is_apply(raw: str) -> bool:
    return (raw or "").startswith(APPLY)


class Refused(ValueError):
    """A posted patch that no suggestion for the posted inputs could have made."""


def suggestion_patch(raw: str, base: dict[str, Any]) -> dict[str, Any]:
    """The merge patch of an "apply:" button, if a suggestion for `base` could make it.

    `base` is the posted inputs in the solver's JSON (`scenario_to_dict`), which is
    what suggestions patch. The patch comes from the browser, so it is accepted only
    in the shape suggestions have (crunch/solver/diagnose.py): one or two of a grade's
    maximum raised (never past the largest of any grade), a grade's minimum or the
    minimum subclass size lowered (never below 1), a composite of adjacent grades with
    children allowed, more teachers; the rest as posted. Anything else: `Refused`.
    """
    text = (raw or "")[len(APPLY) :]
    if len(text) > MAX_PATCH_CHARS:
        raise Refused(NOT_SUGGESTED)
    try:
        patch = json.loads(text)
    except (ValueError, RecursionError):
        raise Refused(NOT_SUGGESTED) from None
    if not isinstance(patch, dict) or not patch or not set(patch) <= set(_PATCH_CHECKS):
        raise Refused(NOT_SUGGESTED)
    changes = sum(_PATCH_CHECKS[key](value, base) for key, value in patch.items())
    if not 1 <= changes <= MOST_CHANGES:
        raise Refused(NOT_SUGGESTED)
    return patch


def _whole(value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Refused(NOT_SUGGESTED)
    return value


def _teachers(value: Any, base: dict[str, Any]) -> int:
    _whole(value, base["teachers"] + 1, MAX_TEACHERS)
    return 1


def _min_subclass(value: Any, base: dict[str, Any]) -> int:
    _whole(value, 1, base["min_subclass_size"] - 1)
    return 1


GRADE_KEYS = frozenset({"name", "students", "min_size", "max_size"})


def _grades(value: Any, base: dict[str, Any]) -> int:
    """Only size limits move: a maximum up, a minimum down; names and children as posted."""
    before = base["grades"]
    if not isinstance(value, list) or len(value) != len(before):
        raise Refused(NOT_SUGGESTED)
    largest = max((g["max_size"] for g in before), default=0)
    changes = 0
    for grade, was in zip(value, before, strict=True):
        if not isinstance(grade, dict) or set(grade) != GRADE_KEYS:
            raise Refused(NOT_SUGGESTED)
        if grade["name"] != was["name"] or grade["students"] != was["students"]:
            raise Refused(NOT_SUGGESTED)
        high = _whole(grade["max_size"], was["max_size"], max(largest, was["max_size"]))
        low = _whole(grade["min_size"], 1, min(was["min_size"], MAX_CLASS_SIZE))
        changes += (high != was["max_size"]) + (low != was["min_size"])
    return changes


def _composites(value: Any, base: dict[str, Any]) -> int:
    """The composites as posted, and one or two more, each of adjacent grades with
    children (grades without children between them do not count)."""
    before = base["composites"]
    if not isinstance(value, list) or value[: len(before)] != before:
        raise Refused(NOT_SUGGESTED)
    added = value[len(before) :]
    if not 1 <= len(added) <= MOST_CHANGES:
        raise Refused(NOT_SUGGESTED)
    present = [g["name"] for g in base["grades"] if g["students"]]
    allowed = {tuple(c["grades"]) for c in before}
    for item in added:
        if not isinstance(item, dict) or set(item) != {"grades"}:
            raise Refused(NOT_SUGGESTED)
        run = item["grades"]
        if not isinstance(run, list) or not all(isinstance(n, str) for n in run):
            raise Refused(NOT_SUGGESTED)
        if len(run) < 2 or tuple(run) in allowed or run[0] not in present:
            raise Refused(NOT_SUGGESTED)
        start = present.index(run[0])
        if present[start : start + len(run)] != run:
            raise Refused(NOT_SUGGESTED)
        allowed.add(tuple(run))
    return len(added)


_PATCH_CHECKS: dict[str, Callable[[Any, dict[str, Any]], int]] = {
    "teachers": _teachers,
    "min_subclass_size": _min_subclass,
    "grades": _grades,
    "composites": _composites,
}


def add_grade(draft: Draft, _index: int | None, **_: object) -> Draft:
    if len(draft.grades) >= MAX_ROWS:
        return draft
    last = draft.grades[-1] if draft.grades else {}
    low, high = last.get("min_size") or "15", last.get("max_size") or "25"
    draft.grades.append(
        {
            "name": next_grade_name(draft.grade_names),
            "students": "0",
            "min_size": low,
            "max_size": high,
        }
    )
    return _renumber(draft, list(range(len(draft.grades))))


def remove_grade(draft: Draft, index: int | None, **_: object) -> Draft:
    if index is None or not 0 <= index < len(draft.grades):
        return draft
    order = [i for i in range(len(draft.grades)) if i != index]
    return _renumber(draft, order)


def move_grade_up(draft: Draft, index: int | None, **_: object) -> Draft:
    if index is None or not 0 < index < len(draft.grades):
        return draft
    order = list(range(len(draft.grades)))
    order[index - 1], order[index] = order[index], order[index - 1]
    return _renumber(draft, order)


def move_grade_down(draft: Draft, index: int | None, **_: object) -> Draft:
    if index is None or not 0 <= index < len(draft.grades) - 1:
        return draft
    return move_grade_up(draft, index + 1)


def add_composite(draft: Draft, _index: int | None, *, combine: list[str], **_: object) -> Draft:
    members = sorted({int(m) for m in combine if m.isascii() and m.isdigit() and len(m) < 4})
    if len(members) < 2 or members[-1] >= len(draft.grades):
        return draft
    key = tuple(members)
    for row in draft.composites:
        if row.members == key:
            row.enabled = True
            return draft
    draft.composites.append(CompositeRow(key, True))
    return draft


def remove_composite(draft: Draft, index: int | None, **_: object) -> Draft:
    if index is not None and 0 <= index < len(draft.composites):
        draft.composites[index].enabled = False
    return draft._normalised()


def move_priority_up(draft: Draft, index: int | None, **_: object) -> Draft:
    p = draft.priorities
    if index is not None and 0 < index < len(p):
        p[index - 1], p[index] = p[index], p[index - 1]
    return draft


def add_locked(draft: Draft, _index: int | None, **_: object) -> Draft:
    if len(draft.locked) < MAX_ROWS * 5:
        draft.locked.append([""] * len(draft.grades))
    return draft


def remove_locked(draft: Draft, index: int | None, **_: object) -> Draft:
    if index is not None and 0 <= index < len(draft.locked):
        del draft.locked[index]
    return draft


ACTIONS: dict[str, Callable[..., Draft]] = {
    "grade-add": add_grade,
    "grade-remove": remove_grade,
    "grade-up": move_grade_up,
    "grade-down": move_grade_down,
    "composite-add": add_composite,
    "composite-remove": remove_composite,
    "priority-up": move_priority_up,
    "locked-add": add_locked,
    "locked-remove": remove_locked,
}


def next_grade_name(names: list[str]) -> str:
    """A guess for a new last grade: after "K" comes "1", after "6" comes "7"."""
    if not names:
        return "K"
    last = names[-1].strip()
    if last.upper() in ("K", "P", "R"):
        return "1"
    match = re.fullmatch(r"(.*?)([0-9]{1,3})", last)
    if match:
        candidate = f"{match.group(1)}{int(match.group(2)) + 1}"
        if candidate not in names:
            return candidate
    return ""


def _renumber(draft: Draft, order: list[int]) -> Draft:
    """Rearrange grade rows (`order[new] = old`) and carry composites and fixed classes along."""
    new_of = {old: new for new, old in enumerate(order)}
    old_grades = draft.grades
    draft.grades = [old_grades[old] for old in order if old < len(old_grades)]
    kept = []
    for row in draft.composites:
        if all(m in new_of for m in row.members):
            row.members = tuple(sorted(new_of[m] for m in row.members))
            kept.append(row)
    draft.composites = kept
    draft.locked = [[row[old] if old < len(row) else "" for old in order] for row in draft.locked]
    return draft._normalised()
