"""Why a placement cannot be made: the clashing rules, named, proved and minimal."""

from __future__ import annotations

import time

import pytest

from crunch.solver.placement import parse_placement, place
from crunch.solver.placement.diagnose import _Checker, quickxplain
from crunch.solver.placement.model import parts_of, rules_of

K_CLASSES = [
    {"label": "K Lee", "grades": {"K": 3}},
    {"label": "K Ngata", "grades": {"K": 3}},
    {"label": "K Park", "grades": {"K": 3}},
]


def kinder(rules: dict[str, dict], classes=K_CLASSES, grade="K", n=9) -> dict:
    return {
        "classes": classes,
        "children": [
            {"id": f"S{1001 + i}", "grade": grade, **rules.get(f"S{1001 + i}", {})}
            for i in range(n)
        ],
    }


def diagnosis(data: dict) -> list[str]:
    answer = place(parse_placement(data), time_limit=20)
    assert answer.status == "infeasible"
    assert answer.to_dict()["placement"] == {} and answer.to_dict()["metrics"] is None
    return list(answer.diagnosis)


def test_four_children_apart_in_three_classes():
    apart = {"S1001": {"apart": ["S1002", "S1003", "S1004"]}, "S1002": {"apart": ["S1003"]}}
    apart["S1004"] = {"apart": ["S1002", "S1003"]}
    assert diagnosis(kinder(apart)) == [
        "S1001, S1002, S1003 and S1004 must all be apart, but grade K has 3 classes."
    ]


def test_fixed_with_an_apart_child_fixed_there_too():
    rules = {
        "S1001": {"class": "K Lee", "apart": ["S1005"]},
        "S1005": {"class": "K Lee"},
    }
    assert diagnosis(kinder(rules)) == [
        "S1001 is fixed in 'K Lee' but must be apart from S1005, who is fixed there too."
    ]


def test_fixed_where_not_allowed_names_the_child_by_name():
    data = kinder({"S1003": {"class": "K Park", "not_classes": ["K Park"]}})
    data["children"][2]["name"] = "Mia Tran"
    assert diagnosis(data) == ["Mia Tran (S1003) is fixed in 'K Park' but must not be in 'K Park'."]


def test_together_group_bigger_than_any_class():
    rules = {f"S{1001 + i}": {"together": [f"S{1002 + i}"]} for i in range(3)}
    assert diagnosis(kinder(rules)) == [
        "S1001, S1002, S1003 and S1004 must be together, but no class has more than 3 "
        "places in grade K."
    ]


def test_too_many_fixed_in_one_class():
    rules = {f"S{1001 + i}": {"class": "K Lee"} for i in range(4)}
    assert diagnosis(kinder(rules)) == [
        "S1001, S1002, S1003 and S1004 are all fixed in 'K Lee', but it holds only 3 of grade K."
    ]


def test_too_many_kept_out_of_composites():
    classes = [
        {"label": "1 Lee", "grades": {"1": 3}},
        {"label": "1/2 Park", "grades": {"1": 2, "2": 2}},
        {"label": "2 Kim", "grades": {"2": 3}},
    ]
    data = {
        "classes": classes,
        "children": [
            {"id": f"A{i}", "grade": "1", "composite": False if i < 4 else None} for i in range(5)
        ]
        + [{"id": f"B{i}", "grade": "2"} for i in range(5)],
    }
    assert diagnosis(data) == [
        "A0, A1, A2 and A3 must not be in a composite class, but grade 1 has only 3 places "
        "in classes that are not composite."
    ]


def test_two_independent_clashes_are_both_reported():
    rules = {
        "S1001": {"class": "K Lee", "not_classes": ["K Lee"]},
        "S1002": {"together": ["S1003"], "apart": ["S1003"]},
    }
    found = diagnosis(kinder(rules))
    assert len(found) == 2
    assert "S1001 is fixed in 'K Lee' but must not be in 'K Lee'." in found
    assert "These rules cannot all hold with the plan's class sizes: " in found[1] + found[0]


def test_a_reported_clash_is_minimal_and_proved():
    """Without any one of its rules the rest hold; with all of them, none can."""
    apart = {"S1001": {"apart": ["S1002", "S1003", "S1004"]}, "S1002": {"apart": ["S1003"]}}
    apart["S1004"] = {"apart": ["S1002", "S1003"]}
    apart["S1007"] = {"class": "K Park"}  # an innocent rule that must not be reported
    placement_input = parse_placement(kinder(apart))
    (part,) = parts_of(placement_input)
    check = _Checker(placement_input, part, time.perf_counter() + 30)
    rules = rules_of(part, placement_input)
    clash = quickxplain(check.infeasible, rules)
    assert len(clash) == 6 and all(r.kind == "apart" for r in clash)
    assert check.infeasible(clash)
    for rule in clash:
        assert not check.infeasible([r for r in clash if r != rule])


@pytest.mark.parametrize("limit", [0.001])
def test_no_time_for_the_diagnosis_still_answers(limit):
    apart = {"S1001": {"apart": ["S1002", "S1003", "S1004"]}, "S1002": {"apart": ["S1003"]}}
    apart["S1004"] = {"apart": ["S1002", "S1003"]}
    answer = place(parse_placement(kinder(apart)), time_limit=limit)
    assert answer.status in ("infeasible", "timeout")
    if answer.status == "infeasible":
        assert answer.diagnosis
