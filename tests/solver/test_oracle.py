"""The solver against exhaustive search on random tiny scenarios (hypothesis)."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import replace

from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from crunch.solver import PRIORITIES, ClassSpec, Status, parse_scenario, rebalance, solve
from tests.conftest import grade

from .checks import assert_valid_solution, metrics_tuple, structure
from .oracle import TooBig, allocations, best_allocation, metric, optimum, reachable
from .strategies import tiny_scenarios

ORDERS = list(itertools.permutations(PRIORITIES))
TINY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


# ------------------------------------------------------------ the oracle itself


def test_oracle_lists_every_allocation_of_a_small_case():
    # Grade 1: 5 children, classes of 1..3, two teachers: {3, 2} is the only multiset
    # (one class cannot hold 5; {1, 4}, {0, 5} break the limits).
    scenario = parse_scenario({"teachers": 2, "grades": [grade("1", 5, 1, 3)]})
    found = sorted(sorted(sum(shape) for _, shape in a) for a in allocations(scenario))
    assert found == [[2, 3]]
    # three teachers add {1, 1, 3}, {1, 2, 2}
    scenario = parse_scenario({"teachers": 3, "grades": [grade("1", 5, 1, 3)]})
    found = sorted(sorted(sum(shape) for _, shape in a) for a in allocations(scenario))
    assert found == [[1, 1, 3], [1, 2, 2], [2, 3]]


def test_oracle_counts_composites_and_subclass_minimum():
    # K 2, 1 2, classes 1..4, K/1 with subclasses >= 2, one teacher: only K/1 2+2.
    scenario = parse_scenario(
        {
            "teachers": 1,
            "min_subclass_size": 2,
            "grades": [grade("K", 2, 1, 4), grade("1", 2, 1, 4)],
            "composites": [{"grades": ["K", "1"]}],
        }
    )
    assert list(allocations(scenario)) == [[(("K", "1"), (2, 2))]]
    assert reachable(scenario) == {(1, 1, 0)}
    # two teachers: also K 2 | 1 2
    assert reachable(replace(scenario, teachers=2)) == {(1, 1, 0), (2, 0, 0)}


def test_oracle_keeps_locked_classes():
    # Grade 1: 6 children, classes 1..6, 2 teachers, a locked class of 4: the rest is
    # one class of 2, so balance 2.
    scenario = parse_scenario(
        {"teachers": 2, "grades": [grade("1", 6, 1, 6)], "locked": [{"grades": {"1": 4}}]}
    )
    assert reachable(scenario) == {(2, 0, 2)}


def test_oracle_balance_counts_class_sizes_not_subclasses():
    # K 3 | K/1 2+4 (6): K's classes are 3 and 6, grade 1's only 6: balance 3.
    scenario = parse_scenario(
        {
            "teachers": 2,
            "grades": [grade("K", 5, 1, 6), grade("1", 4, 5, 6)],
            "composites": [{"grades": ["K", "1"]}],
        }
    )
    assert metric([(("K",), (3, 0)), (("K", "1"), (2, 4))]) == (2, 1, 3)
    assert (2, 1, 3) in reachable(scenario)


# ------------------------------------------------------------ solver == oracle


def _reachable(scenario, only=None):
    try:
        return reachable(scenario, only)
    except TooBig:
        reject()


def _some_allocations(scenario, most=200):
    """Up to `most` valid allocations of `scenario`; the example is rejected if there are none."""
    try:
        some = list(itertools.islice(allocations(scenario), most))
    except TooBig:
        reject()
    if not some:
        reject()
    return some


@TINY
@given(tiny_scenarios())
def test_solver_agrees_with_exhaustive_search(obj):
    scenario = parse_scenario(obj)
    possible = _reachable(scenario)
    answer = solve(scenario)
    assert_valid_solution(scenario, answer)
    if not possible:
        assert answer.status is Status.INFEASIBLE
        return
    assert answer.status is Status.OPTIMAL
    assert metrics_tuple(answer.classes) == optimum(possible, scenario.priorities)


@TINY
@given(tiny_scenarios(with_locked=False))
def test_solver_agrees_under_every_priority_order(obj):
    scenario = parse_scenario(obj)
    possible = _reachable(scenario)
    if not possible:
        reject()  # feasibility is the other test's business; this one compares optima
    for order in ORDERS:
        answer = solve(replace(scenario, priorities=order))
        assert answer.status is Status.OPTIMAL
        assert metrics_tuple(answer.classes) == optimum(possible, order), order


@settings(TINY, max_examples=30)
@given(tiny_scenarios(), st.integers(1, 3))
def test_alternatives_are_valid_and_distinct(obj, wanted):
    scenario = parse_scenario(obj)
    possible = _reachable(scenario)
    answer = solve(scenario, alternatives=wanted)
    assert_valid_solution(scenario, answer, alternatives=wanted)
    if possible:
        shapes = {frozenset(structure(_as_classes(a)).items()) for a in allocations(scenario)}
        # as many as asked for, or every other structure there is
        assert len(answer.alternatives) == min(wanted, len(shapes) - 1)


@settings(TINY, max_examples=40)
@given(tiny_scenarios(), st.data())
def test_rebalance_finds_the_best_balance_of_the_structure(obj, data):
    scenario = parse_scenario(obj)
    some = _some_allocations(scenario)
    given_classes = _as_classes(data.draw(st.sampled_from(some), label="input allocation"))
    kinds = Counter(c.grade_names for c in given_classes)
    best = best_allocation(scenario, ("balance",), only=kinds)
    assert best is not None  # the input itself has this structure

    answer = rebalance(scenario, given_classes)
    assert answer.status is Status.OPTIMAL
    assert_valid_solution(scenario, answer)
    assert Counter(c.grade_names for c in answer.classes) == kinds
    balance = metrics_tuple(answer.classes)[2]
    assert balance == metric(best)[2]
    assert balance <= metrics_tuple(given_classes)[2]


def _as_classes(allocation) -> list[ClassSpec]:
    out = []
    for kind, shape in allocation:
        counts = [n for n in shape if n]
        out.append(ClassSpec(tuple(zip(kind, counts, strict=True))))
    return out


@settings(TINY, max_examples=40)
@given(tiny_scenarios(with_locked=False), st.data())
def test_locked_classes_are_kept(obj, data):
    # Lock one class of some valid allocation: the scenario stays feasible, and the
    # answer holds that class and is the best of the allocations that hold it.
    scenario = parse_scenario(obj)
    some = _some_allocations(scenario)
    chosen = data.draw(st.sampled_from(some), label="allocation")
    if not chosen:
        reject()
    lock = data.draw(st.sampled_from(_as_classes(chosen)), label="locked class")
    locked = parse_scenario(obj | {"locked": [{"grades": dict(lock.grades)}]})
    possible = _reachable(locked)
    assert possible
    answer = solve(locked)
    assert answer.status is Status.OPTIMAL
    assert_valid_solution(locked, answer)
    assert [c.grades for c in answer.classes if c.locked] == [lock.grades]
    assert metrics_tuple(answer.classes) == optimum(possible, locked.priorities)
