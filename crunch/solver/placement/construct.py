"""A valid placement built child by child, for parts too big to hand to the MIP whole.

HiGHS cannot start on a model of a million variables (one grade of 5,000 children in
200 classes, within the format's limits) inside a 10 s limit, and it does not stop
while it sets such a model up. For such parts the first placement is built here, and
the neighbourhood search (small models of two classes) improves it. The hard rules are
kept as children are placed: `together` groups placed as one, the most constrained
first, each into a class with room that no `apart` partner already sits in.
A dead end answers None (the caller reports that no placement was found in time).
"""

from __future__ import annotations

import random
import time

from .data import PlacementInput
from .model import Part


def construct(
    placement_input: PlacementInput,
    part: Part,
    allowed: dict[str, list[str]],
    *,
    deadline: float,
    attempts: int = 20,
) -> dict[str, str] | None:
    """A placement that keeps every hard rule, or None."""
    ids = {c.id for c in part.children}
    grade = {c.id: c.grade for c in part.children}
    groups = _together_groups(placement_input, part)
    apart: dict[str, set[str]] = {c: set() for c in ids}
    for a, b in placement_input.apart_pairs():
        if a in ids and b in ids:
            apart[a].add(b)
            apart[b].add(a)
    rng = random.Random(len(ids))
    for attempt in range(attempts):
        if time.perf_counter() > deadline:
            return None
        room = {(c.label, g): n for c in part.classes for g, n in c.grades}
        placed: dict[str, str] = {}
        order = sorted(groups, key=lambda g: (-len(g), min(len(allowed[c]) for c in g)))
        if attempt:
            rng.shuffle(order)
            order.sort(key=lambda g: min(len(allowed[c]) for c in g))
        for group in order:
            options = set.intersection(*(set(allowed[c]) for c in group))
            need: dict[str, int] = {}
            for c in group:
                need[grade[c]] = need.get(grade[c], 0) + 1
            fits = [
                label
                for label in options
                if all(room[label, g] >= n for g, n in need.items())
                and not any(placed.get(o) == label for c in group for o in apart[c])
            ]
            if not fits:
                break
            # the class with the most room left keeps later choices open
            label = max(fits, key=lambda lb: (sum(room[lb, g] for g in need), rng.random()))
            for c in group:
                placed[c] = label
                room[label, grade[c]] -= 1
        else:
            return placed
    return None


def _together_groups(placement_input: PlacementInput, part: Part) -> list[list[str]]:
    parent = {c.id: c.id for c in part.children}

    def root(c: str) -> str:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for a, b in placement_input.together_pairs():
        if a in parent and b in parent:
            parent[root(a)] = root(b)
    groups: dict[str, list[str]] = {}
    for c in part.children:
        groups.setdefault(root(c.id), []).append(c.id)
    return list(groups.values())
