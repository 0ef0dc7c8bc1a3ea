"""The programme for small schools with three-grade composites, against the MIP."""

from __future__ import annotations

import importlib
import time

import pytest

from crunch.solver import Status, parse_scenario
from crunch.solver.runs import applies, solve_runs

from .checks import assert_valid_allocation

solve_module = importlib.import_module("crunch.solver.solve")


def grade(name: str, students: int, low: int, high: int) -> dict:
    return {"name": name, "students": students, "min_size": low, "max_size": high}


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
    assert answer is not None
    deadline = time.perf_counter() + 30
    mip = solve_module.optimise(scenario, deadline=deadline, priorities=scenario.priorities)
    assert mip.status in (Status.OPTIMAL, Status.INFEASIBLE)
    assert answer.feasible == (mip.status is Status.OPTIMAL)
    if answer.feasible:
        ours = solve_module.build_allocation(scenario, answer.structure, answer.totals)
        assert_valid_allocation(scenario, ours)
        assert ours.metrics == mip.allocation.metrics


def test_runs_apply_to_runs_of_neighbouring_grades_in_small_schools():
    assert applies(parse_scenario(small_school(3)))
    gap = small_school(3)
    gap["composites"].append({"grades": ["P", "2"]})
    assert not applies(parse_scenario(gap))
    assert not applies(parse_scenario({**small_school(3), "teachers": 40}))
    locked = {**small_school(3), "locked": [{"grades": {"P": 9}}]}
    assert not applies(parse_scenario(locked))
