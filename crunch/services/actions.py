"""Edits of the editor's structure: the buttons that add, remove and move rows.

Each takes a Draft and returns it changed. They run on the server so that the
page needs no script of its own beyond htmx; a button names its action in the
`action` field, e.g. "grade-up:2".
"""

from __future__ import annotations

import re
from collections.abc import Callable

from .drafts import CompositeRow, Draft

MAX_ROWS = 40


def parse(raw: str) -> tuple[str, int | None]:
    """ "grade-up:2" -> ("grade-up", 2); anything malformed -> ("", None)."""
    match = re.fullmatch(r"([a-z-]{1,20})(?::([0-9]{1,4}))?", raw or "")
    if not match:
        return "", None
    return match.group(1), int(match.group(2)) if match.group(2) else None


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


def add_fixed(draft: Draft, _index: int | None, **_: object) -> Draft:
    if len(draft.fixed) < MAX_ROWS * 5:
        draft.fixed.append([""] * len(draft.grades))
    return draft


def remove_fixed(draft: Draft, index: int | None, **_: object) -> Draft:
    if index is not None and 0 <= index < len(draft.fixed):
        del draft.fixed[index]
    return draft


ACTIONS: dict[str, Callable[..., Draft]] = {
    "grade-add": add_grade,
    "grade-remove": remove_grade,
    "grade-up": move_grade_up,
    "grade-down": move_grade_down,
    "composite-add": add_composite,
    "composite-remove": remove_composite,
    "priority-up": move_priority_up,
    "fixed-add": add_fixed,
    "fixed-remove": remove_fixed,
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
    draft.fixed = [[row[old] if old < len(row) else "" for old in order] for row in draft.fixed]
    return draft._normalised()
