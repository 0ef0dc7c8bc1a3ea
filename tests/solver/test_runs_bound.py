"""The bound of runs.py's search: the fewest composites the grades need for each number
of classes, against exhaustive search (it may be lower than the need, never higher)."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, assume, given, settings

from crunch.solver import parse_scenario
from crunch.solver.runs import _Relaxation, applies, solve_runs

from .oracle import TooBig, reachable
from .strategies import tiny_scenarios
from .test_runs import grade, primary_school


def root_bound(scenario) -> tuple:
    relaxed = _Relaxation(scenario, scenario.kinds(), scenario.teachers)
    return relaxed.fewest(0, relaxed.empty)


def need(scenario) -> list:
    """The fewest composites of any allocation with exactly m classes (None: none)."""
    out: list = [None] * (scenario.teachers + 1)
    for classes, composites, _ in reachable(scenario):
        if out[classes] is None or composites < out[classes]:
            out[classes] = composites
    return out


def test_the_bound_counts_the_least_each_grade_gives_a_composite():
    # 13 children, two classes of at most 6 or 7: the K/1/2 class (7) and one more. Grade
    # 1's classes hold at least 3, so its one child left cannot be alone, and a class
    # of K and 1 can hold only 6: either K/1 + K/1/2 or two K/1/2, two composites. The
    # bound that counted only the grades' spans and the largest class said one.
    scenario = parse_scenario(
        {
            "teachers": 2,
            "min_subclass_size": 1,
            "grades": [grade("K", 6, 1, 6), grade("1", 6, 3, 6), grade("2", 1, 1, 3)],
            "composites": [
                {"grades": ["K", "1"]},
                {"grades": ["1", "2"]},
                {"grades": ["K", "1", "2"], "max_size": 7},
            ],
        }
    )
    assert applies(scenario)
    assert need(scenario) == [None, None, 2]
    assert root_bound(scenario) == (None, None, 2)


def test_the_bound_is_the_need_of_a_small_school_at_its_fewest_teachers():
    # the shape of vic-581-tight: 98 children in 4 classes of at most 24 (P-2) or 28
    # (3-6) need 4 composites (test_runs checks this answer against the MIP); P/1/2,
    # 2/3/4 and 4/5/6 beside one grade's own class would be 3, but P/1/2 must take 4
    # of grade 2 and cannot then hold P and 1 (23) as well
    counts = [14, 9, 16, 13, 12, 17, 17]
    scenario = parse_scenario(primary_school(4, counts, ["classes", "composites", "balance"]))
    answer = solve_runs(scenario, deadline=time.perf_counter() + 60)
    assert answer is not None and answer.feasible
    composites = sum(n for kind, n in answer.structure.items() if len(kind) > 1)
    assert (answer.classes, composites) == (4, 4)
    assert root_bound(scenario) == (None, None, None, None, 4)


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(tiny_scenarios(with_locked=False))
def test_the_bound_never_exceeds_the_need(data):
    # runs of neighbouring grades only: K/2 skips grade 1
    data["composites"] = [c for c in data["composites"] if c["grades"] != ["K", "2"]]
    scenario = parse_scenario(data)
    assert applies(scenario)
    try:
        needed = need(scenario)
    except TooBig:
        assume(False)
    bound = root_bound(scenario)
    for classes, composites in enumerate(needed):
        if composites is not None:
            assert bound[classes] is not None
            assert bound[classes] <= composites
