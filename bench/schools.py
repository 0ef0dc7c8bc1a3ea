"""Generated schools for benchmarks: three sizes, a fixed seed, the spec's JSON format.

    typical  7 grades (K..6), 40-120 children each
    large    7 grades (K..6), 150-250 children each
    k12      13 grades (K..12), 100-300 children each

Every size allows composites of adjacent grades. Class sizes are realistic: K-2
classes of 15 to 22-25, grades 3 and up 18 to 28-30 (30-32 from grade 9), at least
5 children of a grade in a composite. The teachers are those needed at an average
class of about 22: enough to be feasible, not so many that every class is easy.
`short_of_teachers` gives the same school with too few teachers for its children.
"""

from __future__ import annotations

import itertools
import math
import random
from typing import Any

SIZES = {
    # name: (grades, fewest children per grade, most)
    "typical": (7, 40, 120),
    "large": (7, 150, 250),
    "k12": (13, 100, 300),
}
NAMES = ("K", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12")
AVERAGE_CLASS = 22
SEED = 2027


def limits(index: int, rng: random.Random) -> tuple[int, int]:
    """(min_size, max_size) for the grade at this position (0 = K)."""
    if index <= 2:
        return 15, rng.randint(22, 25)
    if index <= 8:
        return 18, rng.randint(28, 30)
    return 18, rng.randint(30, 32)


def school(size: str, number: int, *, seed: int = SEED) -> dict[str, Any]:
    """The `number`-th generated school of a size; the same arguments give the same school."""
    grades_count, low, high = SIZES[size]
    rng = random.Random(f"{seed}-{size}-{number}")
    grades = []
    for i, name in enumerate(NAMES[:grades_count]):
        min_size, max_size = limits(i, rng)
        grades.append(
            {
                "name": name,
                "students": rng.randint(low, high),
                "min_size": min_size,
                "max_size": max_size,
            }
        )
    children = sum(g["students"] for g in grades)
    return {
        "name": f"{size} school {number + 1}",
        "teachers": math.ceil(children / AVERAGE_CLASS),
        "min_subclass_size": 5,
        "grades": grades,
        "composites": [{"grades": [a["name"], b["name"]]} for a, b in itertools.pairwise(grades)],
    }


def schools(size: str, count: int = 5, *, seed: int = SEED) -> list[dict[str, Any]]:
    return [school(size, n, seed=seed) for n in range(count)]


def short_of_teachers(scenario: dict[str, Any]) -> dict[str, Any]:
    """The same school with one teacher fewer than its children need even in full classes.

    Even if every class were as large as the largest class allowed anywhere, the
    children would not fit: infeasible, and the solver has to prove it.
    """
    children = sum(g["students"] for g in scenario["grades"])
    largest = max(g["max_size"] for g in scenario["grades"])
    return scenario | {
        "name": scenario["name"] + ", short of teachers",
        "teachers": max(1, math.ceil(children / largest) - 1),
    }
