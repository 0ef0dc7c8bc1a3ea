"""Generated children for a plan, for the demo district and the tests: realistic
names, genders, a reading score, a few tags, friend requests and apart pairs. The
same seed always gives the same children."""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from crunch.rosters.children import child

FIRST = {
    "F": (
        "Ava",
        "Mia",
        "Zoe",
        "Isla",
        "Ruby",
        "Aria",
        "Leah",
        "Maya",
        "Nina",
        "Tara",
        "Lily",
        "Anika",
        "Hana",
        "Eve",
        "Sofia",
        "Grace",
        "Chloe",
        "Amira",
        "Priya",
        "Mele",
    ),
    "M": (
        "Sam",
        "Leo",
        "Noah",
        "Jack",
        "Eli",
        "Omar",
        "Kai",
        "Finn",
        "Luca",
        "Ravi",
        "Tom",
        "Ben",
        "Hugo",
        "Ari",
        "Jai",
        "Max",
        "Theo",
        "Ezra",
        "Tane",
        "Oscar",
    ),
}
LAST = (
    "Lee",
    "Nguyen",
    "Smith",
    "Chen",
    "Patel",
    "Brown",
    "Singh",
    "Wilson",
    "Taylor",
    "Kim",
    "Ngata",
    "Rossi",
    "Murphy",
    "Khan",
    "Park",
    "Jones",
    "Walker",
    "Tran",
    "Ali",
    "Cohen",
)


def grade_totals(allocation: Mapping[str, Any]) -> dict[str, int]:
    """How many children of each grade the plan's classes hold."""
    totals: dict[str, int] = {}
    for item in allocation.get("classes") or []:
        for grade, n in (item.get("grades") or {}).items():
            totals[str(grade)] = totals.get(str(grade), 0) + int(n)
    return totals


def children(totals: Mapping[str, int], seed: int = 1) -> list[dict[str, Any]]:
    """Roster children (the roster's format) filling `totals` exactly."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    number = 1000
    for grade, count in totals.items():
        ids = []
        for _ in range(count):
            number += 1
            gender = rng.choice("FM")
            tags = [t for t, p in (("EAL", 0.12), ("IEP", 0.06)) if rng.random() < p]
            out.append(
                child(
                    id=f"S{number}",
                    name=f"{rng.choice(FIRST[gender])} {rng.choice(LAST)}",
                    grade=grade,
                    categories={"gender": gender},
                    scores={"reading": rng.randint(1, 5)},
                    tags=tags,
                )
            )
            ids.append(len(out) - 1)
        for i in ids:
            others = [j for j in ids if j != i]
            if not others:
                continue
            picks = rng.sample(others, min(len(others), rng.randint(1, 2)))
            out[i]["friends"] = [out[j]["id"] for j in picks]
        for _ in range(max(0, count // 25)):
            if len(ids) < 2:
                break
            a, b = rng.sample(ids, 2)
            if out[b]["id"] not in out[a]["apart"] and out[b]["id"] not in out[a]["friends"]:
                out[a]["apart"].append(out[b]["id"])
    return out
