"""Every suggestion the solver makes passes the check its button's patch gets when it
is applied (crunch.editor.actions.suggestion_patch): the check refuses forged
patches (tests/views/test_editor.py) but never a real suggestion."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings

from crunch.editor import actions
from crunch.solver import Status, parse_scenario, solve
from crunch.solver.data import scenario_to_dict
from tests.solver.strategies import medium_scenarios, tiny_scenarios
from tests.solver.test_suggestions import MANY_PAIRS, NEEDS_A_PAIR, ONE_STEP, SHORT_BY_A_CLASS

SOLVER = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


def each_suggestion_passes(obj: dict, step: int = 4) -> int:
    scenario = parse_scenario(obj)
    answer = solve(scenario, time_limit=3, max_size_step=step)
    base = scenario_to_dict(scenario)
    for suggestion in answer.suggestions:
        value = actions.apply_value(suggestion.patch)
        assert actions.suggestion_patch(value, base) == suggestion.patch, suggestion
    return len(answer.suggestions) if answer.status is Status.INFEASIBLE else -1


def test_the_hand_made_schools_suggestions_pass():
    for obj in (SHORT_BY_A_CLASS, ONE_STEP, NEEDS_A_PAIR, MANY_PAIRS):
        assert each_suggestion_passes(obj) > 0


@settings(SOLVER, max_examples=60)
@given(tiny_scenarios())
def test_tiny_schools_suggestions_pass(obj):
    assume(each_suggestion_passes(obj) > 0)


@settings(SOLVER, max_examples=10)
@given(medium_scenarios())
def test_medium_schools_suggestions_pass(obj):
    assume(each_suggestion_passes(obj) > 0)
