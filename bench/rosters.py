"""Generated rosters for tests and benchmarks: realistic children for a plan's classes.

    roster(classes, seed=...) -> a placement input (docs/placement.md) as a dict

What a school's export looks like, in proportions seen in practice:
- names from common first names and surnames; genders close to even;
- friend requests that cluster: each child belongs to a circle of 3-6 grade-mates
  and asks mostly for children of that circle, who ask back;
- a few percent of children kept apart from one grade-mate, outside their circle;
- twins (same surname, same grade), half of them together and half apart;
- scores 1-5 on each named score, most children near the middle;
- tags EAL 15 %, IEP 5 %, gifted 5 %; the class each child comes `from`;
- a few children marked suited to a composite class.

`primary(seed)` and `college(seed)` plan a school with the class solver first (adjacent
composites allowed) and give the roster for its classes: the two sizes of the bench.
"""

from __future__ import annotations

import random
import string
from typing import Any

FIRST = [
    "Ava",
    "Mia",
    "Zoe",
    "Isla",
    "Ruby",
    "Lily",
    "Ella",
    "Chloe",
    "Grace",
    "Sofia",
    "Amelia",
    "Olivia",
    "Harper",
    "Willow",
    "Ivy",
    "Aria",
    "Evie",
    "Maya",
    "Hazel",
    "Layla",
    "Noah",
    "Leo",
    "Oliver",
    "Jack",
    "Henry",
    "Lucas",
    "Theo",
    "Liam",
    "Hudson",
    "Max",
    "Archie",
    "Levi",
    "Ethan",
    "Mason",
    "Finn",
    "Kai",
    "Arlo",
    "Hugo",
    "Oscar",
    "Eli",
    "Sam",
    "Lee",
    "Ari",
    "Jordan",
    "Alex",
]
LAST = [
    "Chen",
    "Smith",
    "Nguyen",
    "Jones",
    "Williams",
    "Brown",
    "Wilson",
    "Taylor",
    "Singh",
    "Patel",
    "Kelly",
    "Ryan",
    "Walker",
    "Harris",
    "Martin",
    "Thompson",
    "White",
    "Lee",
    "Wong",
    "Ngata",
    "Park",
    "Kim",
    "Murphy",
    "OBrien",
    "Rossi",
    "Costa",
    "Papadopoulos",
    "Ali",
    "Khan",
    "Silva",
    "Tran",
    "Le",
    "Pham",
    "Anderson",
    "Clarke",
    "Hughes",
    "Scott",
    "Young",
    "King",
]
TAGS = (("EAL", 0.15), ("IEP", 0.05), ("gifted", 0.05))
GRADE_NAMES = ("K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12")


def roster(
    classes: list[dict[str, Any]],
    *,
    seed: int = 2027,
    friends: int = 3,
    apart_rate: float = 0.02,
    twin_rate: float = 0.01,
    scores: tuple[str, ...] = ("reading", "maths"),
    composite_rate: float = 0.05,
    priorities: list[str] | None = None,
    name: str = "",
) -> dict[str, Any]:
    """A placement input with realistic children for these classes (label, grades)."""
    rng = random.Random(seed)
    totals: dict[str, int] = {}
    for c in classes:
        for grade, n in c["grades"].items():
            totals[grade] = totals.get(grade, 0) + n
    children: list[dict[str, Any]] = []
    next_id = 1000
    for grade, total in totals.items():
        ids = [f"S{next_id + i}" for i in range(total)]
        next_id += total + 1000 - total % 1000
        children += _grade(grade, ids, rng, friends, apart_rate, twin_rate, scores, composite_rate)
    out: dict[str, Any] = {"name": name, "classes": classes, "children": children}
    if priorities is not None:
        out["priorities"] = priorities
    return out


def _grade(
    grade: str,
    ids: list[str],
    rng: random.Random,
    friends: int,
    apart_rate: float,
    twin_rate: float,
    score_names: tuple[str, ...],
    composite_rate: float,
) -> list[dict[str, Any]]:
    n = len(ids)
    circles: list[list[str]] = []
    shuffled = ids[:]
    rng.shuffle(shuffled)
    while shuffled:
        size = rng.randint(3, 6)
        circles.append(shuffled[:size])
        shuffled = shuffled[size:]
    circle_of = {c: circle for circle in circles for c in circle}
    # last year's class within the grade (the metric compares children of one grade only)
    sources = [f"room {letter}" for letter in string.ascii_uppercase[: max(1, round(n / 24))]]

    kids: dict[str, dict[str, Any]] = {}
    for child_id in ids:
        kids[child_id] = {
            "id": child_id,
            "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            "grade": grade,
            "categories": {"gender": rng.choice("FM"), "from": rng.choice(sources)},
            "scores": {s: min(5, max(1, round(rng.gauss(3, 1)))) for s in score_names},
            "tags": [tag for tag, rate in TAGS if rng.random() < rate],
            "friends": [],
            "apart": [],
            "together": [],
            "composite": True if rng.random() < composite_rate else None,
        }
    for child_id in ids:
        mates = [c for c in circle_of[child_id] if c != child_id]
        others = [c for c in ids if c != child_id and c not in circle_of[child_id]]
        wanted = rng.randint(max(1, friends - 1), friends) if friends else 0
        asks: list[str] = []
        while len(asks) < min(wanted, n - 1):
            pool = mates if mates and rng.random() < 0.8 else others or mates
            pick = rng.choice(pool)
            if pick not in asks:
                asks.append(pick)
            elif set(pool) <= set(asks):
                break
        kids[child_id]["friends"] = asks
    for child_id in ids:
        if n > 2 and rng.random() < apart_rate:
            others = [
                c
                for c in ids
                if c not in circle_of[child_id] and c not in kids[child_id]["friends"]
            ]
            if others:
                kids[child_id]["apart"].append(rng.choice(others))
    pairs = ids[:]
    rng.shuffle(pairs)
    for k in range(int(n * twin_rate)):
        a, b = pairs[2 * k], pairs[2 * k + 1]
        kids[b]["name"] = kids[b]["name"].split()[0] + " " + kids[a]["name"].split()[1]
        rule = "together" if k % 2 == 0 else "apart"
        if b not in kids[a]["apart"] and a not in kids[b]["apart"]:
            kids[a][rule].append(b)
            kids[a]["friends"] = [f for f in kids[a]["friends"] if f != b]
    return [kids[c] for c in ids]


# ---------------------------------------------------------------- planned schools


def plan(counts: dict[str, int], teachers: int, seed: int) -> list[dict[str, Any]]:
    """Classes for these grade counts from the class solver, labelled like a school's."""
    from crunch.solver import parse_scenario, solve

    scenario = parse_scenario(
        {
            "name": "generated",
            "teachers": teachers,
            "min_subclass_size": 5,
            "grades": [
                {"name": g, "students": n, "min_size": 15, "max_size": 26 if i < 3 else 28}
                for i, (g, n) in enumerate(counts.items())
            ],
            "composites": [
                {"grades": [a, b]} for a, b in zip(counts, list(counts)[1:], strict=False)
            ],
        }
    )
    solution = solve(scenario, time_limit=30)
    if solution.allocation is None:
        raise RuntimeError(f"no plan for {counts} with {teachers} teachers")
    rng = random.Random(seed)
    classes = []
    for i, c in enumerate(solution.allocation.classes):
        label = "/".join(c.grade_names) + " " + rng.choice(LAST) + f" {i + 1}"
        classes.append({"label": label, "grades": dict(c.grades)})
    return classes


def primary(seed: int = 2027, **options: Any) -> dict[str, Any]:
    """About 700 children in 7 grades (K-6) and 28 classes."""
    rng = random.Random(seed)
    counts = {g: rng.randint(92, 108) for g in GRADE_NAMES[:7]}
    classes = plan(counts, 28, seed)
    return roster(classes, seed=seed, name=f"generated primary {seed}", **options)


def college(seed: int = 2027, **options: Any) -> dict[str, Any]:
    """About 2,000 children in 13 grades (K-12)."""
    rng = random.Random(seed)
    counts = {g: rng.randint(140, 168) for g in GRADE_NAMES}
    teachers = -(-sum(counts.values()) // 25)
    classes = plan(counts, teachers, seed)
    return roster(classes, seed=seed, name=f"generated P-12 college {seed}", **options)


if __name__ == "__main__":
    import json
    import sys

    which = sys.argv[1] if len(sys.argv) > 1 else "primary"
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 2027
    print(json.dumps({"primary": primary, "college": college}[which](seed), indent=1))
