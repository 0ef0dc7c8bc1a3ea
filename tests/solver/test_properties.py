"""Random school-sized scenarios (hypothesis): every answer is valid or honestly absent."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crunch.solver import Status, parse_scenario, scenario_to_dict, solve, staffing

from .checks import assert_valid_solution
from .strategies import medium_scenarios

MEDIUM = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@MEDIUM
@given(medium_scenarios(), st.integers(0, 2))
def test_every_answer_is_valid_or_honestly_absent(obj, alternatives):
    scenario = parse_scenario(obj)
    answer = solve(scenario, time_limit=2.0, alternatives=alternatives)
    assert_valid_solution(scenario, answer, alternatives=alternatives)
    if answer.status in (Status.OPTIMAL, Status.FEASIBLE):
        assert answer.allocation is not None and answer.allocation.classes
    else:
        assert answer.status in (Status.INFEASIBLE, Status.TIMEOUT)
        assert answer.allocation is None


@settings(MEDIUM, max_examples=50)
@given(medium_scenarios())
def test_scenarios_survive_a_round_trip(obj):
    scenario = parse_scenario(obj)
    assert parse_scenario(scenario_to_dict(scenario)) == scenario


def _bench_schools():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "bench" / "schools.py"
    spec = importlib.util.spec_from_file_location("bench_schools", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("size", ["typical", "large", "k12"])
def test_benchmark_schools_with_a_short_time_limit(size):
    # Whatever a short limit allows, the answer is valid and its status honest.
    schools = _bench_schools()
    obj = schools.school(size, 0)
    for teachers in (obj["teachers"], schools.short_of_teachers(obj)["teachers"]):
        scenario = parse_scenario(obj | {"teachers": teachers})
        answer = solve(scenario, time_limit=0.5)
        assert_valid_solution(scenario, answer)


def test_staffing_rows_match_solving_with_that_many_teachers():
    # Each row is the optimum for its number of teachers.
    schools = _bench_schools()
    scenario = parse_scenario(schools.school("typical", 1))
    rows = staffing(scenario, scenario.teachers - 1, scenario.teachers + 1)
    assert [r.teachers for r in rows] == [scenario.teachers + d for d in (-1, 0, 1)]
    for row in rows:
        answer = solve(replace(scenario, teachers=row.teachers))
        assert row.status == answer.status
        if answer.allocation is not None:
            assert row.metrics == answer.allocation.metrics
            children = sum(g.students for g in scenario.grades)
            assert row.average_size == pytest.approx(children / row.metrics.classes, abs=0.05)


def test_staffing_of_a_school_without_children_has_no_average_class():
    # A blank scenario: grades but no children yet. No classes, so no average (not a crash).
    scenario = parse_scenario(
        {
            "teachers": 2,
            "grades": [{"name": "K", "students": 0, "min_size": 15, "max_size": 25}],
        }
    )
    seen = []
    rows = staffing(scenario, 1, 3, on_row=seen.append)
    assert [r.teachers for r in rows] == [1, 2, 3]
    assert all(r.metrics is not None and r.metrics.classes == 0 for r in rows)
    assert [r.average_size for r in rows] == [None, None, None]
    assert [len(s) for s in seen] == [1, 2, 3]


def test_staffing_around_a_number_works_out_the_nearest_first():
    scenario = parse_scenario(
        {
            "teachers": 3,
            "grades": [{"name": "K", "students": 60, "min_size": 15, "max_size": 25}],
        }
    )
    seen = []
    rows = staffing(scenario, 1, 5, on_row=seen.append, around=3)
    assert [r.teachers for r in rows] == [1, 2, 3, 4, 5]
    assert [[r.teachers for r in s] for s in seen[:3]] == [[3], [2, 3], [2, 3, 4]]
