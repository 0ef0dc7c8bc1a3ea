"""Every hard constraint of docs/scenario.md, checked on a Solution, independently of the solver.

The limits of a composite class are recomputed here from the scenario's fields (not
through `Scenario.kind_of`), so a mistake there shows up as a failed check. A deliberate
oracle: where it repeats a helper of crunch (`merge_patch`), it does so on purpose, so
that a mistake in the solver's copy cannot hide itself.
"""

from __future__ import annotations

from collections import Counter

from crunch.solver import Scenario, Solution, Status
from crunch.solver.solution import Allocation, Class

ANSWERED = {Status.OPTIMAL, Status.FEASIBLE}


def limits(scenario: Scenario, grade_names: tuple[str, ...]) -> tuple[int, int, int] | None:
    """(min size, max size, fewest of one grade) for a class of these grades; None: not allowed."""
    grades = {g.name: g for g in scenario.grades}
    if len(grade_names) == 1:
        g = grades[grade_names[0]]
        return g.min_size, g.max_size, 1
    for comp in scenario.composites:
        if set(comp.grades) == set(grade_names) and len(comp.grades) == len(grade_names):
            members = [grades[n] for n in comp.grades]
            low = comp.min_size if comp.min_size is not None else max(g.min_size for g in members)
            high = comp.max_size if comp.max_size is not None else min(g.max_size for g in members)
            sub = (
                comp.min_subclass_size
                if comp.min_subclass_size is not None
                else scenario.min_subclass_size
            )
            return low, high, sub
    return None


def metrics_tuple(classes: tuple[Class, ...] | list[Class]) -> tuple[int, int, int]:
    """(classes, composites, balance) recomputed from the classes as the spec defines them."""
    sizes: dict[str, list[int]] = {}
    for c in classes:
        size = sum(n for _, n in c.grades)
        for g, _ in c.grades:
            sizes.setdefault(g, []).append(size)
    balance = sum(max(s) - min(s) for s in sizes.values())
    return len(classes), sum(1 for c in classes if len(c.grades) > 1), balance


def priority_key(metrics: tuple[int, int, int], priorities: tuple[str, ...]) -> tuple[int, ...]:
    """Smaller is better: most classes, fewest composites, lowest balance, in priority order."""
    classes, composites, balance = metrics
    signed = {"classes": -classes, "composites": composites, "balance": balance}
    return tuple(signed[p] for p in priorities)


def structure(classes) -> Counter:
    """How many classes of each kind (grade set): what tells alternatives apart."""
    return Counter(tuple(sorted(g for g, _ in c.grades)) for c in classes)


def assert_valid_allocation(scenario: Scenario, allocation: Allocation) -> None:
    """One allocation keeps every hard constraint of the spec."""
    order = {g.name: i for i, g in enumerate(scenario.grades)}
    classes = allocation.classes
    assert len(classes) <= scenario.teachers, (
        f"{len(classes)} classes for {scenario.teachers} teachers"
    )

    placed: Counter = Counter()
    for c in classes:
        names = tuple(g for g, _ in c.grades)
        assert names, f"empty class {c}"
        assert all(g in order for g in names), f"unknown grade in {c}"
        assert len(set(names)) == len(names), f"grade twice in {c}"
        assert list(names) == sorted(names, key=order.__getitem__), f"grades out of order in {c}"
        assert all(isinstance(n, int) and n > 0 for _, n in c.grades), f"zero or odd count in {c}"
        rule = limits(scenario, names)
        assert rule is not None, f"a {'/'.join(names)} class is not allowed: {c}"
        low, high, sub = rule
        size = sum(n for _, n in c.grades)
        assert low <= size <= high, f"size {size} outside {low}..{high}: {c}"
        if len(names) > 1:
            assert all(n >= sub for _, n in c.grades), f"a subclass below {sub}: {c}"
        as_json = c.to_dict()
        assert as_json["size"] == size
        assert as_json["composite"] is (len(names) > 1)
        assert as_json["grades"] == dict(c.grades)
        placed.update(dict(c.grades))

    for g in scenario.grades:
        assert placed[g.name] == g.students, (
            f"grade {g.name}: {placed[g.name]} placed of {g.students}"
        )

    # Locked classes are present exactly (and only they are marked locked).
    wanted = Counter(tuple(spec.grades) for spec in scenario.locked)
    marked = Counter(tuple(c.grades) for c in classes if c.locked)
    assert marked == wanted, f"locked classes {dict(marked)} != {dict(wanted)}"

    assert allocation.metrics.to_dict() == dict(
        zip(("classes", "composites", "balance"), metrics_tuple(classes), strict=True)
    ), f"reported {allocation.metrics} for classes {classes}"

    # Pure classes first, in grade order; then the composites.
    kinds = [(len(c.grades) > 1, order[c.grades[0][0]]) for c in classes]
    pure = [i for composite, i in kinds if not composite]
    assert pure == sorted(pure), "pure classes out of grade order"
    flags = [composite for composite, _ in kinds]
    assert flags == sorted(flags), "a pure class after a composite"


def assert_valid_solution(
    scenario: Scenario, solution: Solution, *, alternatives: int | None = None
) -> None:
    """The answer is honest about its status and every allocation in it is valid.

    `alternatives`: how many were asked for (the answer may hold fewer, never more).
    """
    assert isinstance(solution.status, Status)
    as_json = solution.to_dict()
    assert as_json["status"] in {"optimal", "feasible", "infeasible", "timeout"}
    if solution.status in ANSWERED:
        assert solution.allocation is not None, f"{solution.status} without an allocation"
        assert_valid_allocation(scenario, solution.allocation)
        assert as_json["metrics"] == solution.allocation.metrics.to_dict()
    else:
        assert solution.allocation is None or not solution.allocation.classes
        assert not solution.alternatives
    if solution.status is Status.INFEASIBLE:
        assert_sentences(solution.diagnosis)

    if alternatives is not None:
        assert len(solution.alternatives) <= alternatives
    if solution.alternatives:
        assert solution.allocation is not None
        seen = [structure(solution.allocation.classes)]
        keys = [priority_key(metrics_tuple(solution.allocation.classes), scenario.priorities)]
        for alt in solution.alternatives:
            assert_valid_allocation(scenario, alt)
            shape = structure(alt.classes)
            assert shape not in seen, f"alternative with a structure already shown: {dict(shape)}"
            seen.append(shape)
            keys.append(priority_key(metrics_tuple(alt.classes), scenario.priorities))
        assert keys[1:] == sorted(keys[1:]), f"alternatives not best first: {keys[1:]}"
        if solution.status is Status.OPTIMAL:
            assert all(k >= keys[0] for k in keys[1:]), f"an alternative beats the optimum: {keys}"


def assert_sentences(lines) -> None:
    """Plain sentences: at least one, each non-empty text that ends like a sentence."""
    assert lines, "no diagnosis"
    for line in lines:
        assert isinstance(line, str) and line.strip(), f"empty diagnosis line {line!r}"
        assert line.strip()[-1] in ".!?)", f"not a sentence: {line!r}"
        assert line.strip()[0].isupper() or line.strip()[0].isdigit(), f"not a sentence: {line!r}"


def merge_patch(target, patch):
    """RFC 7386 JSON merge patch, written out here so suggestions are checked independently."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result
