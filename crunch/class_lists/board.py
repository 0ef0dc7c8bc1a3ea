"""The class-list board: a roster revision placed in a plan revision's classes.

Pure functions of the inputs (no database): the placement input built from the plan
and the roster, the board's draft (who is where, who is fixed, the undo and redo
stacks) carried in the page's form, each move's consequences in words, each class's
figures, and the codes of blind review. The views keep no draft on the server: the
draft is checked against the roster and the plan on every post, so a tampered one is
refused like any bad input.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from markupsafe import Markup

from crunch.rosters import children as roster_children
from crunch.solver.data import InvalidScenario
from crunch.solver.placement import (
    BrokenRule,
    PlacementInput,
    broken_rules,
    parse_placement,
    placement_metrics,
)
from crunch.solver.placement.metrics import metrics_by_class, unmet_friends

MAX_UNDO = 200
GIRLS = {"f", "female", "girl", "g"}
BOYS = {"m", "male", "boy", "b"}


class BadDraft(ValueError):
    """The posted draft does not fit this roster and plan."""


@dataclass(frozen=True)
class BoardClass:
    label: str  # "Class 1": the placement's label
    teacher: str  # the label the principal gave the plan's class, if any
    grades: dict[str, int]

    @property
    def title(self) -> str:
        return f"{self.label} ({self.teacher})" if self.teacher else self.label


def board_classes(allocation: Mapping[str, Any] | None) -> list[BoardClass]:
    """The plan's classes in its order, labelled "Class 1", "Class 2", ..."""
    out = []
    for number, item in enumerate((allocation or {}).get("classes") or [], start=1):
        grades = {str(g): int(n) for g, n in (item.get("grades") or {}).items() if int(n) > 0}
        out.append(BoardClass(f"Class {number}", str(item.get("label") or ""), grades))
    return out


def codes(children: list[dict[str, Any]]) -> dict[str, str]:
    """Blind review: a code per child, by its place in the roster (no name, no id)."""
    return {kid["id"]: f"Child {n:03d}" for n, kid in enumerate(children, start=1)}


def placement_input(
    classes: list[BoardClass],
    children: list[dict[str, Any]],
    fixed: Mapping[str, str] | None = None,
    *,
    blind: bool = False,
) -> PlacementInput:
    """The placement problem of the board (raises InvalidScenario when the roster does
    not fit the plan)."""
    return parse_placement(placement_obj(classes, children, fixed, blind=blind))


def placement_obj(
    classes: list[BoardClass],
    children: list[dict[str, Any]],
    fixed: Mapping[str, str] | None = None,
    *,
    blind: bool = False,
) -> dict[str, Any]:
    """The board's problem in the JSON format of docs/placement.md. A child's fixed
    class and classes to keep out of are taken when they name a class of this plan (by
    "Class n" or by its teacher), else left out;
    `fixed` (child id -> label) fixes children where they stand on the board."""
    by_name = {c.label: c.label for c in classes}
    by_name.update({c.teacher: c.label for c in classes if c.teacher})
    hidden = codes(children) if blind else {}
    out = []
    for kid in roster_children.placement_children(children):
        kid = {k: v for k, v in kid.items() if v is not None}
        if blind:
            kid["name"] = hidden[kid["id"]]
        own = by_name.get(str(kid.pop("class", "") or ""))
        kid["not_classes"] = [by_name[n] for n in kid.get("not_classes") or [] if n in by_name]
        label = (fixed or {}).get(kid["id"]) or own
        if label:
            kid["class"] = label
        out.append(kid)
    return {"classes": [{"label": c.label, "grades": c.grades} for c in classes], "children": out}


@dataclass(frozen=True)
class Board:
    """A roster drawn in a plan's classes: the placement problem, or (`problem` None)
    why the roster does not fit the plan. In blind review the children are codes."""

    classes: list[BoardClass]
    children: list[dict[str, Any]]
    blind: bool
    problem: PlacementInput | None
    invalid: list[str] = field(default_factory=list)

    @property
    def names(self) -> dict[str, str]:
        return codes(self.children) if self.blind else roster_children.names(self.children)


def draw(
    allocation: Mapping[str, Any] | None, children: list[dict[str, Any]], *, blind: bool
) -> Board:
    classes = board_classes(allocation)
    try:
        problem = placement_input(classes, children, blind=blind)
    except InvalidScenario as error:
        return Board(classes, children, blind, None, [e.message for e in error.errors])
    return Board(classes, children, blind, problem)


# ---------------------------------------------------------------- the draft


@dataclass(frozen=True)
class Draft:
    """What the board holds between posts: child id -> label, fixed children, and the
    moves that undo and redo replay ([child, from, to]; "" for unplaced)."""

    assignment: dict[str, str] = field(default_factory=dict)
    fixed: tuple[str, ...] = ()
    undo: tuple[tuple[str, str, str], ...] = ()
    redo: tuple[tuple[str, str, str], ...] = ()

    def to_json(self) -> str:
        return json.dumps(
            {
                "a": self.assignment,
                "f": list(self.fixed),
                "u": [list(m) for m in self.undo],
                "r": [list(m) for m in self.redo],
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, raw: str, placement: PlacementInput) -> Draft:
        """The posted draft, checked against the board's children and classes."""
        try:
            obj = json.loads(raw or "{}")
            assignment = {str(k): str(v) for k, v in dict(obj.get("a") or {}).items()}
            fixed = tuple(str(i) for i in obj.get("f") or [])
            undo = tuple(_move(m) for m in obj.get("u") or [])
            redo = tuple(_move(m) for m in obj.get("r") or [])
        except (ValueError, TypeError, AttributeError) as error:
            raise BadDraft("The board's draft could not be read.") from error
        ids = {c.id for c in placement.children}
        labels = {c.label for c in placement.classes} | {""}
        moves = undo + redo
        if (
            not set(assignment) <= ids
            or not set(assignment.values()) <= labels
            or not set(fixed) <= ids
            or any(m[0] not in ids or m[1] not in labels or m[2] not in labels for m in moves)
            or len(undo) > MAX_UNDO
            or len(redo) > MAX_UNDO
        ):
            raise BadDraft("The board's draft names children or classes this board does not have.")
        assignment = {k: v for k, v in assignment.items() if v}
        return cls(assignment, fixed, undo, redo)

    def moved(self, child: str, to: str) -> Draft:
        before = self.assignment.get(child, "")
        if before == to:
            return self
        return replace(
            self,
            assignment=_set(self.assignment, child, to),
            undo=(*self.undo, (child, before, to))[-MAX_UNDO:],
            redo=(),
        )

    def undone(self) -> Draft:
        if not self.undo:
            return self
        child, before, _ = move = self.undo[-1]
        changed = replace(self, undo=self.undo[:-1], redo=(*self.redo, move))
        return replace(changed, assignment=_set(self.assignment, child, before))

    def redone(self) -> Draft:
        if not self.redo:
            return self
        child, _, after = move = self.redo[-1]
        changed = replace(self, undo=(*self.undo, move), redo=self.redo[:-1])
        return replace(changed, assignment=_set(self.assignment, child, after))

    def toggled(self, child: str) -> Draft:
        if child in self.fixed:
            return replace(self, fixed=tuple(i for i in self.fixed if i != child))
        return replace(self, fixed=(*self.fixed, child))

    def fixed_where(self) -> dict[str, str]:
        return {i: self.assignment[i] for i in self.fixed if self.assignment.get(i)}

    @staticmethod
    def checked(assignment: Mapping[str, str], placement: PlacementInput) -> Mapping[str, str]:
        """A solver's answer from elsewhere (a job), refused unless it fits the board."""
        labels = {c.label for c in placement.classes}
        if not all(placement.has_child(i) and v in labels for i, v in assignment.items()):
            raise BadDraft("That placement does not fit this board's children and classes.")
        return assignment

    def placed(self, assignment: Mapping[str, str]) -> Draft:
        """After a solve: the new placement, with a fresh undo history (the moves kept
        with a saved list are the ones made by hand since the solver placed them)."""
        return Draft(dict(assignment), self.fixed)


def _move(raw: Any) -> tuple[str, str, str]:
    child, before, after = (str(x) for x in raw)
    return child, before, after


def _set(assignment: dict[str, str], child: str, label: str) -> dict[str, str]:
    out = dict(assignment)
    if label:
        out[child] = label
    else:
        out.pop(child, None)
    return out


# ---------------------------------------------------------------- edits by hand

EDITS = ("move", "send", "fix", "undo", "redo")
NO_CHILD = "There is no such child on this board."
NO_CLASS = "There is no such class on this board."


@dataclass(frozen=True)
class Outcome:
    """What one action of the board's form left: the draft, what it did in words, the
    problems, the answer's status, and the number of the class list it saved, if any."""

    draft: Draft | None
    lines: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    status: int = 200
    saved: int | None = None


def edit(placement: PlacementInput, draft: Draft, verb: str, target: str, to: str = "") -> Outcome:
    """One edit of EDITS: "move" `target` (a child) to the class `to` ("" unplaces it),
    "send" (the offered swap; `target` is "<child>@<class>"), "fix" or unfix a child
    where it stands, "undo" or "redo" the last move. A child or class the board does
    not have is refused (422)."""
    before = draft.assignment
    if verb in ("move", "send", "fix") and not placement.has_child(
        target.rsplit("@", 1)[0] if verb == "send" else target
    ):
        return Outcome(draft, errors=[NO_CHILD], status=422)
    if verb == "send":
        target, _, to = target.rpartition("@")
        if not placement.has_class(to):
            return Outcome(draft, errors=[NO_CLASS], status=422)
    if verb == "move" and to and not placement.has_class(to):
        return Outcome(draft, errors=[NO_CLASS], status=422)
    if verb in ("move", "send"):
        draft = draft.moved(target, to)
        return Outcome(draft, consequences(placement, before, draft.assignment, target))
    if verb == "fix":
        return Outcome(draft.toggled(target))
    stack = draft.undo if verb == "undo" else draft.redo
    draft = draft.undone() if verb == "undo" else draft.redone()
    if not stack:
        return Outcome(draft)
    return Outcome(draft, consequences(placement, before, draft.assignment, stack[-1][0]))


# ---------------------------------------------------------------- what a move did


def consequences(
    placement: PlacementInput, before: Mapping[str, str], after: Mapping[str, str], moved: str
) -> list[str]:
    """What a change from `before` to `after` broke or fixed, in words."""
    lines = []
    old = {r.text: r for r in broken_rules(placement, before)}
    new = {r.text: r for r in broken_rules(placement, after)}
    lines += [text for text in new if text not in old and new[text].rule != "unplaced"]
    lines += [f"Fixed: {text}" for text in old if text not in new and old[text].rule != "unplaced"]
    unmet_before = {c.id for c in unmet_friends(placement, before)}
    unmet_after = {c.id for c in unmet_friends(placement, after)}
    for child in placement.requesting():
        name = child.name or child.id
        label = after.get(child.id)
        if child.id in unmet_after and child.id not in unmet_before and label:
            friends = sum(1 for f in child.friends if after.get(f) == label)
            lines.append(
                f"{name} now has none of their friends."
                if friends == 0
                else f"{name} now has {friends} of the friends they need."
            )
        elif child.id in unmet_before and child.id not in unmet_after:
            lines.append(f"{name} is with a friend again.")
    for label in dict.fromkeys((before.get(moved), after.get(moved))):
        if label:
            girls, boys = genders(placement, after, label)
            if girls or boys:
                lines.append(f"{label} now has {girls} girls and {boys} boys.")
    return lines


def genders(
    placement: PlacementInput, assignment: Mapping[str, str], label: str
) -> tuple[int, int]:
    girls = boys = 0
    for child in placement.children:
        if assignment.get(child.id) == label:
            value = dict(child.categories).get("gender", "").strip().casefold()
            girls += value in GIRLS
            boys += value in BOYS
    return girls, boys


def count_problems(placement: PlacementInput, assignment: Mapping[str, str]) -> list[BrokenRule]:
    """The broken grade counts (and unplaced children): a draft with any is not saved."""
    return [r for r in broken_rules(placement, assignment) if r.rule in ("count", "unplaced")]


def best_swap(
    placement: PlacementInput, assignment: Mapping[str, str], child: str, fixed: tuple[str, ...]
) -> tuple[str, str] | None:
    """After `child` was moved into a class that now holds one too many of its grade:
    the child of that grade and class whose move to the class that lacks one is best
    under the priorities, as (child id, label), or None."""
    kid = placement.child(child)
    label = assignment.get(child)
    short = [
        c.label
        for c in placement.classes
        if c.count(kid.grade)
        > sum(
            1
            for o in placement.children
            if o.grade == kid.grade and assignment.get(o.id) == c.label
        )
    ]
    if not label or not short:
        return None
    best = None
    for other in placement.children:
        if other.id == child or other.id in fixed or other.grade != kid.grade:
            continue
        if assignment.get(other.id) != label:
            continue
        trial = {**assignment, other.id: short[0]}
        measured = placement_metrics(placement, trial).key(placement.priorities)
        key = (len(broken_rules(placement, trial)), *measured)
        if best is None or key < best[0]:
            best = (key, other.id)
    return (best[1], short[0]) if best else None


# ---------------------------------------------------------------- figures


@dataclass(frozen=True)
class Figures:
    size: int
    girls: int
    boys: int
    tags: dict[str, int]
    averages: dict[str, float]
    metrics: dict[str, int]


def figures(placement: PlacementInput, assignment: Mapping[str, str]) -> dict[str, Figures]:
    """Each class's size, girls and boys, tags and average scores, and its share of
    each metric."""
    by_class = metrics_by_class(placement, assignment)
    out = {}
    for plan_class in placement.classes:
        inside = [c for c in placement.children if assignment.get(c.id) == plan_class.label]
        tags: dict[str, int] = {}
        totals: dict[str, int] = {}
        for child in inside:
            for tag in child.tags:
                tags[tag] = tags.get(tag, 0) + 1
            for name, value in child.scores:
                totals[name] = totals.get(name, 0) + value
        girls, boys = genders(placement, assignment, plan_class.label)
        out[plan_class.label] = Figures(
            len(inside),
            girls,
            boys,
            dict(sorted(tags.items())),
            {k: round(v / len(inside), 1) for k, v in sorted(totals.items())},
            by_class.get(plan_class.label, {}),
        )
    return out


def shown(drawn: Board, draft: Draft) -> dict[str, Any]:
    """What the board shows of a draft (its template's context): each class's cards, and
    under "" the children not placed yet; each card's "move to" menu; the children
    without the friends they need; each class's figures; the metrics; the rules broken;
    and, after a move that broke a grade's count, the swap that mends it best."""
    placement, classes, assignment = drawn.problem, drawn.classes, draft.assignment
    cards: dict[str, list[dict[str, Any]]] = {c.label: [] for c in classes}
    cards[""] = []
    for kid in drawn.children:
        label = assignment.get(kid["id"], "")
        cards[label if label in cards else ""].append(kid)
    broken = broken_rules(placement, assignment)
    swap = None
    if draft.undo and any(r.rule == "count" for r in broken):
        swap = best_swap(placement, assignment, draft.undo[-1][0], draft.fixed)
    return {
        "cards": cards,
        "menus": menus(classes),
        "unmet": {c.id for c in unmet_friends(placement, assignment)},
        "figures": figures(placement, assignment),
        "metrics": placement_metrics(placement, assignment).to_dict() if assignment else None,
        # nothing placed yet: the column "Not placed yet" says it all
        "broken": [r for r in broken if r.rule != "unplaced"] if assignment else [],
        "count_broken": [r for r in broken if r.rule in ("count", "unplaced")],
        "swap": swap,
        "gender": roster_children.gender,
    }


def menus(classes: list[BoardClass]) -> dict[str, Markup]:
    """Each card's "move to" menu by the class it is in ("" for none), made once per
    class rather than once per card."""
    return {
        current: Markup("").join(
            Markup(
                "<option selected>{}</option>" if c.label == current else "<option>{}</option>"
            ).format(c.label)
            for c in classes
        )
        for current in ["", *(c.label for c in classes)]
    }


def different(a: Mapping[str, str], b: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """Who is in a different class in `b` than in `a`: (child id, in a, in b)."""
    return [
        (i, a.get(i, ""), b.get(i, ""))
        for i in sorted(set(a) | set(b))
        if a.get(i, "") != b.get(i, "")
    ]
