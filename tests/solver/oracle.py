"""Exhaustive search for tiny scenarios: every valid allocation, by brute force.

An allocation is a multiset of classes; a class is an allowed kind (one grade or an
allowed composite) with a number of children of each of its grades. The search lists
every class that keeps its kind's limits, then every multiset of them that places
each child exactly once with at most `teachers` classes (the locked classes first).
It knows nothing of the solver's model: it is the reference the solver is held to, a
deliberate oracle written from docs/scenario.md alone (nothing shared with crunch.solver).

Meant for up to three grades, a dozen children each and three or four teachers.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator

from crunch.solver import Scenario

from .checks import limits, priority_key

Metric = tuple[int, int, int]  # (classes, composites, balance)
Shape = tuple[int, ...]  # children of each grade, in school order


def kinds(scenario: Scenario) -> list[tuple[str, ...]]:
    """Grade sets a class may have: each grade, then each allowed composite."""
    out = [(g.name,) for g in scenario.grades]
    out += [tuple(c.grades) for c in scenario.composites]
    return out


def candidate_classes(scenario: Scenario, remaining: Shape) -> list[tuple[tuple[str, ...], Shape]]:
    """Every class (kind, children per grade) within its limits that fits in `remaining`.

    Composites come first, widest first, then pure classes: the search below takes
    classes in this order, so once it is past the last kind holding a grade, that
    grade must be complete.
    """
    index = {g.name: i for i, g in enumerate(scenario.grades)}
    out = []
    ordered = sorted(kinds(scenario), key=lambda k: -len(k))
    for kind in ordered:
        low, high, sub = limits(scenario, kind)  # type: ignore[misc]
        least = sub if len(kind) > 1 else 1
        ranges = [range(least, remaining[index[g]] + 1) for g in kind]
        for counts in itertools.product(*ranges):
            if low <= sum(counts) <= high:
                shape = [0] * len(scenario.grades)
                for g, n in zip(kind, counts, strict=True):
                    shape[index[g]] = n
                out.append((kind, tuple(shape)))
    return out


class TooBig(Exception):
    """The search would take longer than its budget: the instance is not tiny enough."""


def allocations(
    scenario: Scenario, only: Counter | None = None, *, budget: int = 400_000
) -> Iterator[list[tuple[tuple[str, ...], Shape]]]:
    """Every valid allocation (locked classes included), each as a list of (kind, shape).

    `only`: a multiset of kinds; then just the allocations with exactly these kinds.
    `budget`: candidate classes to try before giving up with TooBig.
    """
    index = {g.name: i for i, g in enumerate(scenario.grades)}
    n = len(scenario.grades)
    locked = []
    for spec in scenario.locked:
        shape = [0] * n
        for g, k in spec.grades:
            shape[index[g]] = k
        locked.append((spec.grade_names, tuple(shape)))
    remaining = tuple(
        g.students - sum(shape[i] for _, shape in locked) for i, g in enumerate(scenario.grades)
    )
    assert min(remaining, default=0) >= 0
    free = scenario.teachers - len(locked)
    quota = None
    if only is not None:
        quota = Counter(only)
        quota.subtract(Counter(tuple(k) for k, _ in locked))
        if any(v < 0 for v in quota.values()):
            return
    cands = candidate_classes(scenario, remaining)
    if quota is not None:
        cands = [c for c in cands if quota[c[0]] > 0]
    # last[g]: the last candidate that holds grade g (for the completeness cut).
    last = [-1] * n
    for j, (_, shape) in enumerate(cands):
        for g in range(n):
            if shape[g]:
                last[g] = j

    # biggest[j]: the largest class from candidate j on (for the capacity cut).
    biggest = [0] * (len(cands) + 1)
    for j in range(len(cands) - 1, -1, -1):
        biggest[j] = max(biggest[j + 1], sum(cands[j][1]))
    position = {shape: j for j, (_, shape) in enumerate(cands)}  # a shape has one kind

    chosen: list[tuple[tuple[str, ...], Shape]] = []
    used: Counter = Counter()
    tried = [0]

    def search(start: int, rest: Shape, teachers: int) -> Iterator[list]:
        if not any(rest):
            if quota is None or all(used[k] == v for k, v in quota.items()):
                yield locked + chosen
            return
        if teachers == 0:
            return
        if any(rest[g] and last[g] < start for g in range(n)):
            return
        if sum(rest) > teachers * biggest[start]:
            return
        if teachers == 1:  # the last class must hold exactly what is left
            j = position.get(rest, -1)
            if j >= start and (quota is None or used[cands[j][0]] < quota[cands[j][0]]):
                chosen.append(cands[j])
                used[cands[j][0]] += 1
                yield from search(j, (0,) * n, 0)
                used[cands[j][0]] -= 1
                chosen.pop()
            return
        tried[0] += len(cands) - start
        if tried[0] > budget:
            raise TooBig(f"more than {budget} candidate classes tried")
        for j in range(start, len(cands)):
            kind, shape = cands[j]
            if any(shape[g] > rest[g] for g in range(n)):
                continue
            if quota is not None and used[kind] >= quota[kind]:
                continue
            chosen.append(cands[j])
            used[kind] += 1
            yield from search(
                j, tuple(r - s for r, s in zip(rest, shape, strict=True)), teachers - 1
            )
            used[kind] -= 1
            chosen.pop()

    yield from search(0, remaining, free)


def metric(allocation: list[tuple[tuple[str, ...], Shape]]) -> Metric:
    sizes: dict[int, list[int]] = {}
    for _, shape in allocation:
        for g, k in enumerate(shape):
            if k:
                sizes.setdefault(g, []).append(sum(shape))
    balance = sum(max(s) - min(s) for s in sizes.values())
    return len(allocation), sum(1 for kind, _ in allocation if len(kind) > 1), balance


def reachable(scenario: Scenario, only: Counter | None = None) -> set[Metric]:
    """The metrics of every valid allocation (empty when the scenario is infeasible)."""
    return {metric(a) for a in allocations(scenario, only)}


def best_allocation(
    scenario: Scenario, priorities: tuple[str, ...], only: Counter | None = None
) -> list[tuple[tuple[str, ...], Shape]] | None:
    """One allocation with the lexicographic best metrics (None when infeasible)."""
    return min(
        allocations(scenario, only),
        key=lambda a: priority_key(metric(a), priorities),
        default=None,
    )


def optimum(metrics: set[Metric], priorities: tuple[str, ...]) -> Metric | None:
    """The lexicographic best under this priority order."""
    if not metrics:
        return None
    return min(metrics, key=lambda m: priority_key(m, priorities))
