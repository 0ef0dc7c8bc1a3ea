"""A brute-force oracle for tiny placements: every assignment with the plan's counts.

A deliberate oracle written from docs/placement.md alone: it shares nothing with
crunch.solver.placement, so a mistake there cannot hide itself.
"""

from __future__ import annotations

from typing import Any

from .placement_checks import hard_rule_problems, recount


def every_valid_placement(data: dict[str, Any]):
    """Each placement that keeps the counts and every hard rule."""
    children = data["children"]
    classes = data["classes"]
    left = {(c["label"], g): n for c in classes for g, n in c["grades"].items() if n}

    def walk(i: int, placement: dict[str, str]):
        if i == len(children):
            if not hard_rule_problems(data, placement):
                yield dict(placement)
            return
        child = children[i]
        for c in classes:
            key = (c["label"], child["grade"])
            if left.get(key, 0) > 0:
                left[key] -= 1
                placement[child["id"]] = c["label"]
                yield from walk(i + 1, placement)
                del placement[child["id"]]
                left[key] += 1

    yield from walk(0, {})


def best_key(data: dict[str, Any]) -> tuple[int, ...] | None:
    """The lexicographic optimum of the metrics in priority order, None if infeasible."""
    priorities = data.get("priorities") or ["friends", "needs", "mix", "scores"]
    best = None
    for placement in every_valid_placement(data):
        metrics = recount(data, placement)
        key = tuple(metrics[p] for p in priorities)
        if best is None or key < best:
            best = key
    return best
