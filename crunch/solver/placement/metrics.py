"""The metrics of a placement, as `docs/placement.md` defines them, and the hard rules
it breaks, for any placement: the solver's, or one edited by hand on the board.

Nothing here solves anything: the web app calls `placement_metrics` and `broken_rules`
after every move, so they must stay cheap (one pass over the children and classes).
A child missing from the placement is unplaced: counted in no class (and so never
with a friend).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .data import Child, PlacementInput

METRICS = ("friends", "needs", "mix", "scores", "composite_fit")


@dataclass(frozen=True)
class PlacementMetrics:
    friends: int
    needs: int
    mix: int
    scores: int
    composite_fit: int
    unmet_friends: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in METRICS}

    def key(self, priorities: Iterable[str]) -> tuple[int, ...]:
        """Sort key: smaller is better under the given priority order."""
        return tuple(getattr(self, p) for p in priorities)


def band(total: int, part: int, whole: int) -> tuple[int, int]:
    """[floor, ceil] of the fair share `total * part / whole`, in whole numbers."""
    if whole == 0:
        return 0, 0
    low = (total * part) // whole
    return low, -((-total * part) // whole)


def excess(value: int, low: int, high: int) -> int:
    """How far a value falls outside [low, high]."""
    return max(0, low - value, value - high)


def class_counts(
    placement_input: PlacementInput, placement: Mapping[str, str]
) -> dict[tuple[str, str], list[Child]]:
    """The children of each (class label, grade), as placed."""
    members: dict[tuple[str, str], list[Child]] = {}
    for child in placement_input.children:
        label = placement.get(child.id)
        if label is not None and placement_input.has_class(label):
            members.setdefault((label, child.grade), []).append(child)
    return members


def placement_metrics(
    placement_input: PlacementInput, placement: Mapping[str, str]
) -> PlacementMetrics:
    """Every metric of the spec for a placement (child id -> class label)."""
    totals = dict.fromkeys(METRICS, 0)
    for by_metric in metrics_by_class(placement_input, placement).values():
        for name, value in by_metric.items():
            totals[name] += value
    unmet = tuple(c.id for c in unmet_friends(placement_input, placement))
    return PlacementMetrics(
        len(unmet),
        totals["needs"],
        totals["mix"],
        totals["scores"],
        totals["composite_fit"],
        unmet,
    )


def metrics_by_class(
    placement_input: PlacementInput, placement: Mapping[str, str]
) -> dict[str, dict[str, int]]:
    """Each class's share of every metric: its children without the friends they asked
    for, and the excesses measured in it (the metrics are these summed over classes)."""
    members = class_counts(placement_input, placement)
    out = {c.label: dict.fromkeys(METRICS, 0) for c in placement_input.classes}
    by_grade: dict[str, list[Child]] = {}
    for child in placement_input.children:
        by_grade.setdefault(child.grade, []).append(child)

    for grade, children in by_grade.items():
        total = len(children)
        groups = _groups(children)
        score_names = sorted({name for c in children for name, _ in c.scores})
        score_totals = {name: sum(c.score(name) for c in children) for name in score_names}
        score_widest = {name: max(c.score(name) for c in children) for name in score_names}
        for plan_class in placement_input.classes:
            inside = members.get((plan_class.label, grade), [])
            if not inside and not plan_class.count(grade):
                continue
            mine = out[plan_class.label]
            n = len(inside)
            for (kind, _), group in groups.items():
                count = sum(1 for c in inside if c.id in group)
                over = excess(count, *band(len(group), n, total))
                mine["needs" if kind == "tag" else "mix"] += over
            for name in score_names:
                widest = score_widest[name]
                low, high = band(score_totals[name], n, total)
                value = sum(c.score(name) for c in inside)
                mine["scores"] += excess(value, low - widest, high + widest)
            if plan_class.composite:
                mine["composite_fit"] += sum(1 for c in inside if c.composite is not True)
    for child in unmet_friends(placement_input, placement):
        label = placement.get(child.id)
        if label in out:
            out[label]["friends"] += 1
    return out


def _groups(children: list[Child]) -> dict[tuple[str, str], set[str]]:
    """The groups whose spread is measured: ("tag", tag) and ("category", name=value)."""
    groups: dict[tuple[str, str], set[str]] = {}
    for child in children:
        for tag in child.tags:
            groups.setdefault(("tag", tag), set()).add(child.id)
        for name, value in child.categories:
            groups.setdefault(("category", f"{name}={value}"), set()).add(child.id)
    return groups


def unmet_friends(placement_input: PlacementInput, placement: Mapping[str, str]) -> list[Child]:
    """Children who asked for friends and have fewer than they need in their class."""
    out = []
    for child in placement_input.requesting():
        label = placement.get(child.id)
        with_them = sum(1 for f in child.friends if label is not None and placement.get(f) == label)
        if with_them < placement_input.friends_needed_by(child):
            out.append(child)
    return out


# ---------------------------------------------------------------- hard rules


@dataclass(frozen=True)
class BrokenRule:
    """One hard rule a placement breaks: which, who, and a sentence a principal reads."""

    rule: str  # "count", "apart", "together", "not_classes", "class", "composite", "unplaced"
    children: tuple[str, ...]
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "children": list(self.children), "text": self.text}


def broken_rules(placement_input: PlacementInput, placement: Mapping[str, str]) -> list[BrokenRule]:
    """Every hard rule the placement breaks, in a stable order (empty when valid)."""
    out: list[BrokenRule] = []
    who = describe(placement_input)
    for child in placement_input.children:
        label = placement.get(child.id)
        if label is None or not placement_input.has_class(label):
            out.append(BrokenRule("unplaced", (child.id,), f"{who(child.id)} is not in a class."))
            continue
        plan_class = placement_input.plan_class(label)
        if not plan_class.count(child.grade):
            out.append(
                BrokenRule(
                    "count",
                    (child.id,),
                    f"{who(child.id)} is in '{label}', which holds no grade {child.grade}.",
                )
            )
        if child.fixed is not None and child.fixed != label:
            out.append(
                BrokenRule("class", (child.id,), f"{who(child.id)} is fixed in '{child.fixed}'.")
            )
        if label in child.not_classes:
            out.append(
                BrokenRule("not_classes", (child.id,), f"{who(child.id)} must not be in '{label}'.")
            )
        if child.composite is False and plan_class.composite:
            out.append(
                BrokenRule(
                    "composite",
                    (child.id,),
                    f"{who(child.id)} must not be in a composite class ('{label}').",
                )
            )
    for a, b in placement_input.apart_pairs():
        if placement.get(a) is not None and placement.get(a) == placement.get(b):
            out.append(BrokenRule("apart", (a, b), f"{who(a)} and {who(b)} must be apart."))
    for a, b in placement_input.together_pairs():
        if placement.get(a) != placement.get(b):
            out.append(BrokenRule("together", (a, b), f"{who(a)} and {who(b)} must be together."))
    members = class_counts(placement_input, placement)
    for plan_class in placement_input.classes:
        for grade in placement_input.grades:
            want = plan_class.count(grade)
            have = len(members.get((plan_class.label, grade), []))
            if have != want:
                out.append(
                    BrokenRule(
                        "count",
                        tuple(c.id for c in members.get((plan_class.label, grade), [])),
                        f"'{plan_class.label}' has {have} children of grade {grade}; "
                        f"the plan has {want}.",
                    )
                )
    return out


def describe(placement_input: PlacementInput):
    """A child as people call them: the name when given, else the id."""

    def name(child_id: str) -> str:
        if not placement_input.has_child(child_id):
            return child_id
        return placement_input.child(child_id).name or child_id

    return name
