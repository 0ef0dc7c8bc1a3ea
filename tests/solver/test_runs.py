"""The programme for small schools with three-grade composites, against the MIP."""

from __future__ import annotations

import time

import pytest

from crunch.solver import parse_scenario
from crunch.solver.runs import applies, solve_runs
from tests.conftest import grade

from .against_mip import assert_agrees_with_mip, mip_outcome


def small_school(teachers: int) -> dict:
    # like the real small schools: no minimum class size, adjacent two- and
    # three-grade composites, at least 4 of a grade in a composite
    names = ["P", "1", "2", "3", "4"]
    counts = [9, 6, 11, 7, 10]
    composites = [{"grades": names[i : i + 2]} for i in range(4)]
    composites += [{"grades": names[i : i + 3], "min_size": 8} for i in range(3)]
    return {
        "teachers": teachers,
        "min_subclass_size": 4,
        "grades": [grade(n, c, 1, 24) for n, c in zip(names, counts, strict=True)],
        "composites": composites,
    }


@pytest.mark.parametrize("teachers", [1, 2, 3])
def test_runs_find_the_mips_optimum(teachers):
    scenario = parse_scenario(small_school(teachers))
    assert applies(scenario)
    answer = solve_runs(scenario, deadline=time.perf_counter() + 30)
    assert_agrees_with_mip(scenario, answer, mip_outcome(scenario, 30))


def test_runs_apply_to_runs_of_neighbouring_grades_in_small_schools():
    assert applies(parse_scenario(small_school(3)))
    gap = small_school(3)
    gap["composites"].append({"grades": ["P", "2"]})
    assert not applies(parse_scenario(gap))
    assert not applies(parse_scenario({**small_school(3), "teachers": 40}))
    locked = {**small_school(3), "locked": [{"grades": {"P": 9}}]}
    assert not applies(parse_scenario(locked))


def primary_school(teachers: int, counts: list[int], priorities: list[str]) -> dict:
    # the shape of the real small primary schools: P-2 classes up to 24, 3-6 up to 28
    names = ["P", "1", "2", "3", "4", "5", "6"]
    composites = [{"grades": names[i : i + 2]} for i in range(6)]
    composites += [{"grades": names[i : i + 3], "min_size": 8} for i in range(5)]
    return {
        "teachers": teachers,
        "min_subclass_size": 4,
        "grades": [
            grade(n, c, 1, 24 if i < 3 else 28)
            for i, (n, c) in enumerate(zip(names, counts, strict=True))
        ],
        "composites": composites,
        "priorities": priorities,
    }


@pytest.mark.parametrize(
    ("teachers", "counts", "priorities"),
    [
        # even grades are best: moves of a spread of 0 alone prove it
        (5, [14, 9, 16, 13, 12, 17, 17], ["classes", "composites", "balance"]),
        (5, [24, 22, 17, 13, 16, 18, 7], ["classes", "composites", "balance"]),
        # the best has a spread: states come up again for their wider moves
        (4, [14, 9, 16, 13, 12, 17, 17], ["classes", "composites", "balance"]),
        # other orders of the priorities
        (5, [14, 9, 16, 13, 12, 17, 17], ["balance", "classes", "composites"]),
        (4, [14, 9, 16, 13, 12, 17, 17], ["composites", "classes", "balance"]),
    ],
)
def test_runs_find_the_mips_optimum_in_small_primary_schools(teachers, counts, priorities):
    scenario = parse_scenario(primary_school(teachers, counts, priorities))
    assert applies(scenario)
    answer = solve_runs(scenario, deadline=time.perf_counter() + 60)
    assert_agrees_with_mip(scenario, answer, mip_outcome(scenario, 60))
