"""Hypothesis strategies: random scenarios in the spec's JSON format, and solutions.

`tiny_scenarios` stay small enough for the exhaustive search of oracle.py;
`medium_scenarios` look like a small school.
"""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import strategies as st

from crunch.solver import (
    PRIORITIES,
    Allocation,
    Class,
    Solution,
    Status,
    Suggestion,
    metrics_of,
)

NAMES = ("K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12")

priorities = st.permutations(list(PRIORITIES)).map(list)


@st.composite
def tiny_scenarios(draw, *, with_locked: bool = True, max_teachers: int = 4) -> dict[str, Any]:
    """Up to 3 grades of up to 10 children, up to `max_teachers` teachers.

    The three-grade composite gets smaller classes, which keeps the exhaustive
    search to a fraction of a second.
    """
    n = draw(st.integers(1, 3))
    grades = []
    for name in NAMES[:n]:
        high = draw(st.integers(2, 10))
        low = draw(st.integers(1, high))
        grades.append(
            {"name": name, "students": draw(st.integers(0, 10)), "min_size": low, "max_size": high}
        )
    names = [g["name"] for g in grades]
    combos = [c for r in (2, 3) for c in itertools.combinations(names, r)]
    composites = []
    for combo in combos:
        if not draw(st.booleans()):
            continue
        comp: dict[str, Any] = {"grades": list(combo)}
        if len(combo) == 3:
            comp["max_size"] = draw(st.integers(3, 8))
        elif draw(st.integers(0, 3)) == 0:
            comp["max_size"] = draw(st.integers(2, 12))
        if draw(st.integers(0, 3)) == 0:
            comp["min_size"] = draw(st.integers(1, comp.get("max_size", 12)))
        if draw(st.integers(0, 3)) == 0:
            comp["min_subclass_size"] = draw(st.integers(1, 4))
        composites.append(comp)
    scenario: dict[str, Any] = {
        "name": "tiny",
        "teachers": draw(st.integers(1, max_teachers)),
        "min_subclass_size": draw(st.integers(1, 4)),
        "grades": grades,
        "composites": composites,
        "priorities": draw(priorities),
    }
    if with_locked and draw(st.integers(0, 3)) == 0:
        locked = draw(_a_class(scenario))
        if locked is not None:
            scenario["locked"] = [{"grades": locked}]
    return scenario


@st.composite
def _a_class(draw, scenario: dict[str, Any]) -> dict[str, int] | None:
    """A class that keeps the limits of one of the scenario's kinds, or None if none fits."""
    grades = {g["name"]: g for g in scenario["grades"]}
    kinds: list[tuple[list[str], int, int, int]] = [
        ([g["name"]], g["min_size"], g["max_size"], 1) for g in scenario["grades"]
    ]
    for comp in scenario["composites"]:
        members = [grades[n] for n in comp["grades"]]
        kinds.append(
            (
                comp["grades"],
                comp.get("min_size", max(g["min_size"] for g in members)),
                comp.get("max_size", min(g["max_size"] for g in members)),
                comp.get("min_subclass_size", scenario["min_subclass_size"]),
            )
        )
    options = []
    for names, low, high, sub in kinds:
        least = sub if len(names) > 1 else 1
        ranges = [range(least, grades[n]["students"] + 1) for n in names]
        for counts in itertools.product(*ranges):
            if low <= sum(counts) <= high:
                options.append(dict(zip(names, counts, strict=True)))
    if not options:
        return None
    return draw(st.sampled_from(options))


@st.composite
def medium_scenarios(draw) -> dict[str, Any]:
    """3 to 7 grades of 0-90 children, adjacent composites, teachers around the need."""
    n = draw(st.integers(3, 7))
    grades = []
    for name in NAMES[:n]:
        low = draw(st.integers(10, 16))
        high = draw(st.integers(low + 6, 32))
        # mostly a class's worth or more; now and then an empty or a very small grade
        students = draw(st.one_of(*[st.integers(20, 90)] * 4, st.integers(0, 19)))
        grades.append({"name": name, "students": students, "min_size": low, "max_size": high})
    if not any(g["students"] for g in grades):
        grades[0]["students"] = draw(st.integers(20, 90))
    composites = []
    for a, b in itertools.pairwise(NAMES[:n]):
        if draw(st.integers(0, 3)):
            comp: dict[str, Any] = {"grades": [a, b]}
            if draw(st.integers(0, 3)) == 0:
                comp["max_size"] = draw(st.integers(18, 26))
            composites.append(comp)
    if n >= 3 and draw(st.integers(0, 3)) == 0:
        composites.append({"grades": list(NAMES[:3]), "min_subclass_size": 4})
    total = sum(g["students"] for g in grades)
    need = max(1, round(total / 22))
    return {
        "name": "medium",
        "teachers": max(1, need + draw(st.integers(-1, 3))),
        "min_subclass_size": draw(st.integers(1, 6)),
        "grades": grades,
        "composites": composites,
        "priorities": draw(priorities),
    }


# Solutions as the solver returns them (not necessarily valid for any scenario): for
# the round trip through Solution.to_dict / from_dict.
_texts = st.text(max_size=30)


@st.composite
def classes(draw) -> Class:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=1, max_size=3, unique=True))
    counts = draw(st.lists(st.integers(1, 40), min_size=len(names), max_size=len(names)))
    return Class(tuple(zip(names, counts, strict=True)), locked=draw(st.booleans()))


@st.composite
def allocations(draw) -> Allocation:
    found = draw(st.lists(classes(), max_size=8))
    return Allocation(tuple(found), metrics_of(found))


_patches = st.dictionaries(
    st.sampled_from(["teachers", "grades", "composites", "min_subclass"]),
    st.one_of(st.none(), st.integers(0, 50), st.lists(st.dictionaries(_texts, st.integers()))),
    min_size=1,
)
suggestions = st.builds(Suggestion, _texts, _patches, st.lists(_texts, max_size=2).map(tuple))


@st.composite
def solutions(draw) -> Solution:
    status = draw(st.sampled_from(Status))
    found = status in (Status.OPTIMAL, Status.FEASIBLE)
    return Solution(
        status=status,
        allocation=draw(allocations()) if found else None,
        alternatives=tuple(draw(st.lists(allocations(), max_size=3))) if found else (),
        diagnosis=tuple(draw(st.lists(_texts, max_size=3))),
        suggestions=tuple(draw(st.lists(suggestions, max_size=3))),
        # to_dict keeps milliseconds
        solve_seconds=draw(st.integers(0, 10**6)) / 1000,
        notes=tuple(draw(st.lists(_texts, max_size=2))),
    )
