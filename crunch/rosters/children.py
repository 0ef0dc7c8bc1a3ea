"""A roster's children as data: the one shape they are stored in, the checks they
must pass, what changed between two lists in words, exports and the roll forward.

A child is a dict in the `children` format of docs/placement.md, with every key
present, plus `notes` (kept only in the roster and its own CSV):

    {"id": "S1001", "name": "Ava Chen", "grade": "K",
     "categories": {"gender": "F"}, "scores": {"reading": 3}, "tags": ["EAL"],
     "friends": ["S1002"], "apart": [], "together": [], "not_classes": [],
     "class": None, "composite": None, "notes": ""}

Nothing here touches the database or Flask.
"""

from __future__ import annotations

import copy
import csv
import io
import re
from collections.abc import Iterable
from typing import Any, TypeVar

from crunch.files.cells import safe_cell
from crunch.solver.data import InvalidScenario
from crunch.solver.placement.data import MAX_CHILDREN, parse_placement

T = TypeVar("T")

LISTS = ("tags", "friends", "apart", "together", "not_classes")
FIELD_WORDS = {
    "name": "name",
    "categories": "categories",
    "scores": "scores",
    "tags": "tags",
    "friends": "friends",
    "apart": "children to keep apart from",
    "together": "children to keep together with",
    "not_classes": "classes to keep out of",
    "class": "fixed class",
    "composite": "composite suitability",
    "notes": "notes",
}
# The placement format's keys, in its order; `notes` stays in the roster.
PLACEMENT_KEYS = (
    "id",
    "name",
    "grade",
    "categories",
    "scores",
    "tags",
    "friends",
    "apart",
    "together",
    "not_classes",
    "class",
    "composite",
)


def child(**values: Any) -> dict[str, Any]:
    """A child with every key present (the defaults for those not given)."""
    out: dict[str, Any] = {
        "id": "",
        "name": "",
        "grade": "",
        "categories": {},
        "scores": {},
        "tags": [],
        "friends": [],
        "apart": [],
        "together": [],
        "not_classes": [],
        "class": None,
        "composite": None,
        "notes": "",
    }
    out.update(values)
    return out


def label(kid: dict[str, Any]) -> str:
    return kid.get("name") or kid.get("id") or "?"


def names(children: list[dict[str, Any]]) -> dict[str, str]:
    """Each child's name by id, to show requests by name."""
    return {c["id"]: label(c) for c in children}


def gender(kid: dict[str, Any]) -> str:
    return (kid.get("categories") or {}).get("gender", "")


def last_changed(history: Iterable[tuple[list[dict[str, Any]], T]]) -> dict[str, T]:
    """For each child of the newest list, the revision that last changed it: `history`
    gives (children, revision) newest first. A child as it is now was last changed
    by the newest revision whose list differs from the one before it for that
    child (added or edited); the oldest list changed all its children. Reads only
    as far back as needed."""
    found: dict[str, T] = {}
    pending: set[str] | None = None
    newer: tuple[dict[str, dict[str, Any]], T] | None = None
    for children, revision in history:
        by_id = {c["id"]: c for c in children}
        if newer is None:
            pending = set(by_id)
        else:
            kids, made_by = newer
            for kid_id in [i for i in pending if by_id.get(i) != kids.get(i)]:
                found[kid_id] = made_by
                pending.discard(kid_id)
            if not pending:
                return found
        newer = (by_id, revision)
    if newer is not None:
        for kid_id in pending:
            found[kid_id] = newer[1]
    return found


# ---------------------------------------------------------------- checks


def problems(children: list[dict[str, Any]]) -> list[tuple[int | None, str]]:
    """What the placement parser finds wrong with these children, as (index of the
    child or None, message): the roster's children must always make valid input
    for `crunch place`. Classes do not exist yet, so each grade stands in as one
    class of its own and the class labels a child names are left out here."""
    if len(children) > MAX_CHILDREN:
        return [(None, f"A roster holds at most {MAX_CHILDREN:,} children.")]
    counts: dict[str, int] = {}
    for kid in children:
        counts[kid["grade"]] = counts.get(kid["grade"], 0) + 1
    classes = [{"label": f"grade {g}", "grades": {g: n}} for g, n in counts.items()]
    stripped = [
        {k: v for k, v in kid.items() if k in PLACEMENT_KEYS and k not in ("class", "not_classes")}
        for kid in children
    ]
    try:
        parse_placement({"classes": classes, "children": stripped})
    except InvalidScenario as invalid:
        out = []
        for error in invalid.errors:
            match = re.match(r"children\[(\d+)\]", error.field)
            out.append((int(match.group(1)) if match else None, error.message))
        return out
    return []


def with_child(
    children: list[dict[str, Any]], kid: dict[str, Any], replacing: str | None
) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    """The children with `kid` added (or in place of the child `replacing`), and what
    is wrong with it, by field: an id taken, a request naming no child of the roster
    or the child itself, or anything else the placement format refuses."""
    children = copy.deepcopy(children)
    errors: dict[str, list[str]] = {}
    ids = {c["id"] for c in children if c["id"] != replacing}
    if kid["id"] in ids:
        errors.setdefault("child_id", []).append(f"Another child has the id {kid['id']}.")
    for key in ("friends", "apart", "together"):
        for other in kid[key]:
            if other == kid["id"] or other == replacing:
                errors.setdefault(key, []).append("A child cannot be listed against themself.")
            elif other not in ids:
                errors.setdefault(key, []).append(f"No child of this roster has the id {other}.")
    if replacing is None:
        out = [*children, kid]
    else:
        out = [kid if c["id"] == replacing else c for c in children]
        if kid["id"] != replacing:  # requests naming the child follow the new id
            for other in out:
                for key in ("friends", "apart", "together"):
                    other[key] = [kid["id"] if i == replacing else i for i in other[key]]
    if not errors:
        index = next(i for i, c in enumerate(out) if c is kid)
        for where, message in problems(out):
            if where in (index, None):
                errors.setdefault("", []).append(message)
    return out, errors


def without(children: list[dict[str, Any]], removed: str) -> list[dict[str, Any]]:
    """The children without the child `removed`, and without any request naming it."""
    requests = ("friends", "apart", "together")
    return [
        {**kid, **{k: [i for i in kid[k] if i != removed] for k in requests}}
        for kid in children
        if kid["id"] != removed
    ]


# ---------------------------------------------------------------- changes in words


def describe_changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> list[str]:
    """What changed, child by child: "added Mia", "moved Sam's grade 1 -> 2"."""
    old = {c["id"]: c for c in before}
    new = {c["id"]: c for c in after}
    lines = [f"added {label(c)}" for c in after if c["id"] not in old]
    lines += [f"removed {label(c)}" for c in before if c["id"] not in new]
    for kid in after:
        was = old.get(kid["id"])
        if was is None:
            continue
        if was.get("grade") != kid.get("grade"):
            lines.append(f"moved {label(kid)}'s grade {was.get('grade')} -> {kid.get('grade')}")
        changed = [words for key, words in FIELD_WORDS.items() if was.get(key) != kid.get(key)]
        if changed:
            lines.append(f"changed {label(was)}'s {_and(changed)}")
    return lines


def summary(lines: list[str], most: int = 5) -> str:
    if not lines:
        return "no changes"
    shown = lines[:most]
    more = len(lines) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more else "")


def sentence(lines: list[str]) -> str:
    """The summary as a revision's note, e.g. "Added Mia Rua." """
    text = summary(lines)
    return text[:1].upper() + text[1:] + "."


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# ---------------------------------------------------------------- exports


def placement_children(children: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The children as placement.md's `children` list (notes left out)."""
    return [{k: kid.get(k) for k in PLACEMENT_KEYS} for kid in children]


def to_csv(children: list[dict[str, Any]]) -> str:
    """One row per child; friends as "Friend 1".."Friend N" by id, other lists
    separated by ";". Reads back through the import with its guessed mapping."""
    categories = _keys(children, "categories", first=("gender",))
    scores = _keys(children, "scores")
    friends = max((len(c["friends"]) for c in children), default=0)
    header = ["Id", "Name", "Grade"] + [c.title() if c == "gender" else c for c in categories]
    header += scores + ["Tags"] + [f"Friend {i + 1}" for i in range(friends)]
    header += ["Apart", "Together", "Not classes", "Class", "Composite", "Notes"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for kid in children:
        row = [kid["id"], kid["name"], kid["grade"]]
        row += [kid["categories"].get(c, "") for c in categories]
        row += [kid["scores"].get(s, "") for s in scores]
        row.append("; ".join(kid["tags"]))
        row += kid["friends"] + [""] * (friends - len(kid["friends"]))
        row += ["; ".join(kid[k]) for k in ("apart", "together", "not_classes")]
        composite = {True: "yes", False: "no", None: ""}[kid["composite"]]
        row += [kid["class"] or "", composite, kid["notes"]]
        writer.writerow([safe_cell(str(v)) for v in row])
    return out.getvalue()


def _keys(children: list[dict[str, Any]], key: str, first: tuple[str, ...] = ()) -> list[str]:
    seen: dict[str, None] = {k: None for k in first if any(k in c[key] for c in children)}
    for kid in children:
        for name in kid[key]:
            seen.setdefault(name, None)
    return list(seen)


# ---------------------------------------------------------------- roll forward


def roll_forward(
    children: list[dict[str, Any]],
    grades: list[str],
    placement: dict[str, str] | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """Next year's children: each moves up one grade of `grades` (this year's plan's
    order); those in the last grade (or a grade the plan lacks) leave. `from` is set
    to this year's class where `placement` (child id -> class label) places the
    child, and left out otherwise. A fixed class and classes to keep out of named
    this year's classes, so they go; requests naming a child who left go too.

    Returns the children and how many left."""
    up = {g: grades[i + 1] for i, g in enumerate(grades[:-1])}
    staying = [c for c in children if c["grade"] in up]
    ids = {c["id"] for c in staying}
    out = []
    for kid in staying:
        categories = {k: v for k, v in kid["categories"].items() if k != "from"}
        if placement and placement.get(kid["id"]):
            categories["from"] = placement[kid["id"]]
        moved = dict(kid, grade=up[kid["grade"]], categories=categories)
        moved.update({k: [i for i in kid[k] if i in ids] for k in ("friends", "apart", "together")})
        moved.update({"class": None, "not_classes": []})
        out.append(moved)
    return out, len(children) - len(staying)
