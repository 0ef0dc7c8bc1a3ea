"""Random school-sized scenarios (hypothesis): every answer is valid or honestly absent."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crunch.solver import Status, parse_scenario, scenario_to_dict, solve

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
