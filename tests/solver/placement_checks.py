"""Independent checks of a placement, written from docs/placement.md alone.

Nothing here is shared with crunch.solver.placement: the hard rules and the metrics are
recounted the plain way (fractions for fair shares), so a mistake in the solver's own
`placement_metrics` cannot hide itself.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any


def hard_rule_problems(data: dict[str, Any], placement: dict[str, str]) -> list[str]:
    """Every hard rule the placement breaks (an empty list when it is valid)."""
    problems = []
    classes = {c["label"]: c["grades"] for c in data["classes"]}
    children = {c["id"]: c for c in data["children"]}
    if set(placement) != set(children):
        problems.append("not every child is placed exactly once")
    for label, grades in classes.items():
        for grade, count in grades.items():
            have = sum(
                1 for i, c in children.items() if placement.get(i) == label and c["grade"] == grade
            )
            if have != count:
                problems.append(f"{label} has {have} of grade {grade}, wants {count}")
    for i, child in children.items():
        label = placement.get(i)
        if label is None:
            continue
        if not classes[label].get(child["grade"]):
            problems.append(f"{i} in {label} which has no grade {child['grade']}")
        if child.get("class") and child["class"] != label:
            problems.append(f"{i} is fixed in {child['class']} but sits in {label}")
        if label in (child.get("not_classes") or []):
            problems.append(f"{i} must not be in {label}")
        composite = sum(1 for n in classes[label].values() if n) > 1
        if child.get("composite") is False and composite:
            problems.append(f"{i} must not be in a composite")
        for other in child.get("apart") or []:
            if placement.get(other) == label:
                problems.append(f"{i} and {other} must be apart")
        for other in child.get("together") or []:
            if placement.get(other) != label:
                problems.append(f"{i} and {other} must be together")
    return problems


def recount(data: dict[str, Any], placement: dict[str, str]) -> dict[str, int]:
    """The five metrics of the spec, counted from the definitions."""
    children = data["children"]
    classes = {c["label"]: c["grades"] for c in data["classes"]}
    needed = data.get("friends_needed", 1)
    friends = 0
    for child in children:
        asked = child.get("friends") or []
        if not asked:
            continue
        need = min(needed, len(asked))
        mine = placement.get(child["id"])
        have = sum(1 for f in asked if mine is not None and placement.get(f) == mine)
        friends += have < need

    def spread(members: list[dict], in_grade: list[dict], label: str) -> int:
        n = sum(1 for c in in_grade if placement.get(c["id"]) == label)
        share = Fraction(len(members) * n, len(in_grade))
        count = sum(1 for c in members if placement.get(c["id"]) == label)
        return max(0, math.floor(share) - count, count - math.ceil(share))

    needs = mix = scores = 0
    grades = sorted({c["grade"] for c in children})
    for grade in grades:
        in_grade = [c for c in children if c["grade"] == grade]
        # the classes the plan gives this grade, and any a hand edit put its children in
        labels = [
            label
            for label, g in classes.items()
            if g.get(grade) or any(placement.get(c["id"]) == label for c in in_grade)
        ]
        tags = sorted({t for c in in_grade for t in c.get("tags") or []})
        values = sorted(
            {
                (k, v)
                for c in in_grade
                for k, v in (c.get("categories") or {}).items()
                if v is not None
            }
        )
        names = sorted(
            {k for c in in_grade for k, v in (c.get("scores") or {}).items() if v is not None}
        )
        for label in labels:
            for tag in tags:
                needs += spread(
                    [c for c in in_grade if tag in (c.get("tags") or [])], in_grade, label
                )
            for key, value in values:
                members = [c for c in in_grade if (c.get("categories") or {}).get(key) == value]
                mix += spread(members, in_grade, label)
            n = sum(1 for c in in_grade if placement.get(c["id"]) == label)
            for name in names:
                score = [(c.get("scores") or {}).get(name) or 0 for c in in_grade]
                share = Fraction(sum(score) * n, len(in_grade))
                widest = max(score)
                total = sum(
                    (c.get("scores") or {}).get(name) or 0
                    for c in in_grade
                    if placement.get(c["id"]) == label
                )
                low, high = math.floor(share) - widest, math.ceil(share) + widest
                scores += max(0, low - total, total - high)
    composite_fit = 0
    for child in children:
        label = placement.get(child["id"])
        if label is not None and sum(1 for n in classes[label].values() if n) > 1:
            composite_fit += child.get("composite") is not True
    return {
        "friends": friends,
        "needs": needs,
        "mix": mix,
        "scores": scores,
        "composite_fit": composite_fit,
    }
