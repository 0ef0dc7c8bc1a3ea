"""place() on generated rosters (bench/rosters.py): every hard rule holds, and the metrics
it reports equal an independent recount."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crunch.solver.placement import broken_rules, parse_placement, place

from .placement_checks import hard_rule_problems, recount

ROOT = Path(__file__).resolve().parents[2]


def _rosters():
    spec = importlib.util.spec_from_file_location("bench_rosters", ROOT / "bench" / "rosters.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rosters = _rosters()


@st.composite
def generated(draw) -> dict:
    sizes = draw(st.lists(st.integers(8, 14), min_size=2, max_size=5))
    classes = []
    for k, size in enumerate(sizes):
        if k == len(sizes) - 1 and draw(st.booleans()):
            classes.append(
                {"label": f"1/2 C{k}", "grades": {"1": size // 2, "2": size - size // 2}}
            )
        else:
            classes.append({"label": f"{k % 2 + 1} C{k}", "grades": {str(k % 2 + 1): size}})
    data = rosters.roster(
        classes,
        seed=draw(st.integers(0, 10_000)),
        friends=draw(st.integers(0, 4)),
        apart_rate=draw(st.sampled_from([0.0, 0.05, 0.2])),
        twin_rate=draw(st.sampled_from([0.0, 0.1])),
    )
    children = data["children"]
    for child in draw(st.lists(st.sampled_from(children), max_size=3, unique_by=lambda c: c["id"])):
        labels = [c["label"] for c in classes if c["grades"].get(child["grade"])]
        child["class"] = draw(st.sampled_from(labels))
    data["priorities"] = draw(st.permutations(["friends", "needs", "mix", "scores"]))
    return data


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(generated())
def test_generated_rosters_keep_every_hard_rule(data):
    placement_input = parse_placement(data)
    answer = place(placement_input, time_limit=3)
    if answer.status == "infeasible":
        assert answer.diagnosis
        return
    assert answer.status in ("optimal", "feasible")
    assert hard_rule_problems(data, answer.assignment) == []
    assert broken_rules(placement_input, answer.assignment) == []
    assert answer.metrics.to_dict() == recount(data, answer.assignment)
    out = answer.to_dict()
    assert set(out["placement"]) == {c["id"] for c in data["children"]}
    for listed in out["classes"]:
        assert len(listed["children"]) == sum(listed["grades"].values())
    assert sorted(out["unmet"]["friends"]) == sorted(answer.metrics.unmet_friends)


def test_broken_rules_name_what_a_move_breaks():
    data = {
        "classes": [{"label": "A", "grades": {"K": 2}}, {"label": "B", "grades": {"K": 2}}],
        "children": [
            {"id": "S1", "name": "Sam", "grade": "K", "apart": ["S2"]},
            {"id": "S2", "name": "Lee", "grade": "K", "together": ["S3"]},
            {"id": "S3", "name": "Mia", "grade": "K", "not_classes": ["A"]},
            {"id": "S4", "name": "Ava", "grade": "K", "class": "B"},
        ],
    }
    placement_input = parse_placement(data)
    placed = {"S1": "A", "S2": "A", "S3": "A", "S4": "A"}
    texts = [r.text for r in broken_rules(placement_input, placed)]
    assert "Sam and Lee must be apart." in texts
    assert "Mia must not be in 'A'." in texts
    assert "Ava is fixed in 'B'." in texts
    assert "'A' has 4 children of grade K; the plan has 2." in texts
    assert broken_rules(placement_input, {"S1": "A", "S4": "B", "S2": "B", "S3": "B"})[0].rule in (
        "count",
    )


@pytest.mark.slow
def test_the_bundled_700_child_primary_is_placed_validly():
    import json

    data = json.loads((ROOT / "examples" / "placement-primary-700.json").read_text())
    answer = place(parse_placement(data), time_limit=10)
    assert answer.status in ("optimal", "feasible")
    assert hard_rule_problems(data, answer.assignment) == []
    assert answer.metrics.to_dict() == recount(data, answer.assignment)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)
@given(generated())
def test_parts_too_big_for_one_model_are_built_child_by_child(data):
    """Above MAX_WHOLE_VARIABLES a part is built by construct() and improved by
    neighbourhoods; the answer keeps every hard rule all the same."""
    from unittest import mock

    from crunch.solver.placement import solve

    with mock.patch.object(solve, "MAX_WHOLE_VARIABLES", 0):
        answer = place(parse_placement(data), time_limit=3)
    assert answer.status in ("optimal", "feasible", "timeout", "infeasible")
    if answer.found:
        assert hard_rule_problems(data, answer.assignment) == []
        assert answer.metrics.to_dict() == recount(data, answer.assignment)


def test_the_small_example_built_child_by_child():
    import json
    from unittest import mock

    from crunch.solver.placement import solve

    data = json.loads((ROOT / "examples" / "placement-small.json").read_text())
    with mock.patch.object(solve, "MAX_WHOLE_VARIABLES", 0):
        answer = place(parse_placement(data), time_limit=5)
    assert answer.status == "feasible"  # no whole model: composite_fit cannot be proved
    assert hard_rule_problems(data, answer.assignment) == []
    assert answer.metrics.friends == 0
