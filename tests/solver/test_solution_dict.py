"""Solution.from_dict reads back exactly what to_dict writes, and nothing else."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings

from crunch.solver import MalformedSolution, Solution, Status, parse_scenario, solve
from crunch.solver.solution import Allocation, Class, Metrics, Suggestion

from .strategies import solutions

ROUND_TRIP = settings(max_examples=200, deadline=None)


@ROUND_TRIP
@given(solutions())
def test_from_dict_of_to_dict_is_the_same_solution(solution):
    assert Solution.from_dict(solution.to_dict()) == solution


@ROUND_TRIP
@given(solutions())
def test_the_round_trip_survives_json(solution):
    # what the database and the job queue keep is the JSON text
    stored = json.loads(json.dumps(solution.to_dict()))
    assert Solution.from_dict(stored) == solution
    assert Solution.from_dict(stored).to_dict() == solution.to_dict()


def test_a_real_answer_round_trips_with_its_alternatives_and_suggestions():
    grades = [
        {"name": n, "students": s, "min_size": 10, "max_size": 25}
        for n, s in (("K", 30), ("1", 26), ("2", 22))
    ]
    feasible = solve(
        parse_scenario({"teachers": 4, "grades": grades, "composites": [{"grades": ["1", "2"]}]}),
        alternatives=2,
    )
    assert feasible.allocation is not None and feasible.alternatives
    infeasible = solve(parse_scenario({"teachers": 2, "grades": grades}))
    assert infeasible.status is Status.INFEASIBLE and infeasible.suggestions
    for answer in (feasible, infeasible):
        again = Solution.from_dict(json.loads(json.dumps(answer.to_dict())))
        assert again.to_dict() == answer.to_dict()
        assert again.allocation == answer.allocation
        assert again.suggestions == answer.suggestions


def test_allocation_class_and_metrics_read_their_own_dicts():
    locked = Class((("1", 12), ("2", 11)), locked=True)
    allocation = Allocation((Class((("K", 20),)), locked), Metrics(2, 1, 0))
    assert Allocation.from_dict(allocation.to_dict()) == allocation
    assert Class.from_dict(locked.to_dict()) == locked
    suggestion = Suggestion("Add 1 teacher", {"teachers": 3}, ("a", "b"))
    assert Suggestion.from_dict(suggestion.to_dict()) == suggestion


GOOD = Solution(
    Status.OPTIMAL,
    Allocation((Class((("K", 20),)), Class((("1", 12), ("2", 11)))), Metrics(2, 1, 0)),
).to_dict()


def broken(change) -> dict:
    raw = json.loads(json.dumps(GOOD))
    change(raw)
    return raw


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda d: d.pop("alternatives"), "solution: missing alternatives"),
        (lambda d: d.update(extra=1), "solution: unknown extra"),
        (lambda d: d.update(status="great"), "status: 'great' is not one of optimal"),
        (lambda d: d.update(classes={}), "classes: expected a list, got dict"),
        (lambda d: d["classes"][1].update(size=24), "classes[1].size: 24, but its grades hold 23"),
        (lambda d: d["classes"][0].update(composite=True), "classes[0].composite: True"),
        (
            lambda d: d["classes"][0]["grades"].update(K="20"),
            "classes[0].grades.K: expected a whole",
        ),
        (lambda d: d["classes"][0]["grades"].update(K=-1), "classes[0].grades.K: expected a whole"),
        (lambda d: d["classes"][0].update(locked=False), "classes[0].locked: only true"),
        (lambda d: d["classes"][0].update(label="x"), "classes[0]: unknown label"),
        (lambda d: d["metrics"].pop("balance"), "metrics: missing balance"),
        (lambda d: d["metrics"].update(classes=True), "metrics.classes: expected a whole"),
        (lambda d: d.update(metrics=None), "metrics: missing for the classes given"),
        (lambda d: d.update(alternatives=[{"classes": []}]), "alternatives[0]: missing metrics"),
        (lambda d: d.update(diagnosis=[1]), "diagnosis[0]: expected text, got int"),
        (lambda d: d.update(suggestions=[{"text": "x"}]), "suggestions[0]: missing patch"),
        (lambda d: d.update(suggestions=[{"text": "x", "patch": 3}]), "suggestions[0].patch"),
        (
            lambda d: d.update(suggestions=[{"text": 1, "patch": {}}]),
            "suggestions[0].text: expected",
        ),
        (lambda d: d.update(solve_seconds="1"), "solve_seconds: expected seconds"),
        (lambda d: d.update(solve_seconds=-1.0), "solve_seconds: expected seconds"),
        (lambda d: d.update(notes="one"), "notes: expected a list, got str"),
    ],
)
def test_a_malformed_dict_is_refused_with_where_and_what(change, says):
    with pytest.raises(MalformedSolution) as refused:
        Solution.from_dict(broken(change))
    assert says in str(refused.value)


def test_not_a_dict_at_all_is_refused():
    for raw in (None, [], "optimal", 3):
        with pytest.raises(MalformedSolution, match="solution: expected an object"):
            Solution.from_dict(raw)


def test_the_good_dict_itself_is_accepted():
    # the malformed cases above differ from this one only by their change
    assert Solution.from_dict(broken(lambda d: None)).to_dict() == GOOD
