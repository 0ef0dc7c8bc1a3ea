"""place() against a brute-force oracle on tiny rosters: the lexicographic optimum and
infeasibility agree, every answer keeps the hard rules, the metrics are recounted."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from crunch.solver.placement import parse_placement, place, placement_metrics

from .placement_checks import hard_rule_problems, recount
from .placement_oracle import best_key
from .placement_strategies import placement_inputs


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(placement_inputs())
def test_place_finds_the_lexicographic_optimum_or_proves_there_is_none(data):
    answer = place(parse_placement(data), time_limit=30)
    expected = best_key(data)
    if expected is None:
        assert answer.status == "infeasible"
        assert answer.diagnosis, "an infeasible answer says why"
        return
    assert answer.status == "optimal"
    assert hard_rule_problems(data, answer.assignment) == []
    metrics = recount(data, answer.assignment)
    assert metrics == answer.metrics.to_dict()
    assert tuple(metrics[p] for p in data["priorities"]) == expected


@pytest.mark.parametrize(
    "rules",
    [
        # three children who must all be apart, two classes
        {"c0": {"apart": ["c1", "c2"]}, "c1": {"apart": ["c2"]}},
        # fixed in a class it may not be in
        {"c0": {"class": "A", "not_classes": ["A"]}},
        # a together group of three, classes of two
        {"c0": {"together": ["c1"]}, "c1": {"together": ["c2"]}},
        # fixed apart children in the same class
        {"c0": {"class": "A", "apart": ["c1"]}, "c1": {"class": "A"}},
    ],
)
def test_the_oracle_and_the_solver_agree_on_infeasible_rules(rules):
    data = {
        "classes": [{"label": "A", "grades": {"1": 2}}, {"label": "B", "grades": {"1": 2}}],
        "children": [{"id": f"c{i}", "grade": "1", **rules.get(f"c{i}", {})} for i in range(4)],
    }
    assert best_key(data) is None
    answer = place(parse_placement(data), time_limit=30)
    assert answer.status == "infeasible"
    assert answer.diagnosis


@settings(max_examples=40, deadline=None, derandomize=True)
@given(placement_inputs(rules=False))
def test_metrics_of_any_placement_match_a_recount(data):
    """Even a placement that breaks the counts (a hand edit) is measured as the spec says."""
    placement_input = parse_placement(data)
    labels = [c["label"] for c in data["classes"]]
    for shift in range(len(labels)):
        placement = {
            c["id"]: labels[(i + shift) % len(labels)] for i, c in enumerate(data["children"])
        }
        assert placement_metrics(placement_input, placement).to_dict() == recount(data, placement)
