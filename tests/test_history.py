"""The differences between two scenarios' inputs, in words (a pure function)."""

from __future__ import annotations

import copy

from crunch.history.service import describe_changes, summary_line
from tests.conftest import HILLSIDE, grade


def changed(**edits):
    new = copy.deepcopy(HILLSIDE)
    new.update(edits)
    return new


def test_the_issue_example_in_words():
    old = {
        "teachers": 18,
        "grades": [grade("3", 52, 15, 28), grade("4", 40, 15, 28), grade("5", 44, 15, 28)],
        "composites": [],
    }
    new = copy.deepcopy(old)
    new["teachers"] = 19
    new["grades"][0]["students"] = 57
    new["composites"] = [{"grades": ["4", "5"]}]
    assert describe_changes(old, new) == [
        "Grade 3: 52 -> 57 children",
        "teachers 18 -> 19",
        "allowed 4/5 composite",
    ]
    assert summary_line(describe_changes(old, new)) == (
        "Grade 3: 52 -> 57 children; teachers 18 -> 19; allowed 4/5 composite"
    )


def test_the_same_inputs_have_no_changes():
    assert describe_changes(HILLSIDE, copy.deepcopy(HILLSIDE)) == []
    assert summary_line([]) == "No change to the inputs."
    # The name is not an input; a missing default is the default.
    assert describe_changes({**HILLSIDE, "name": "x"}, {**HILLSIDE, "min_subclass_size": 5}) == []


def test_grade_limits_added_and_removed_grades():
    new = changed()
    new["grades"][0]["max_size"] = 20
    new["grades"][0]["min_size"] = 14
    new["grades"].append({"name": "3", "students": 30, "min_size": 15, "max_size": 25})
    del new["grades"][2]
    assert describe_changes(HILLSIDE, new) == [
        "Grade K: smallest class 15 -> 14, largest class 22 -> 20",
        "added grade 3 (30 children)",
        "removed grade 2",
    ]


def test_grade_order():
    new = changed()
    new["grades"] = [new["grades"][1], new["grades"][0], new["grades"][2]]
    assert describe_changes(HILLSIDE, new) == ["grade order K, 1, 2 -> 1, K, 2"]


def test_composites_removed_and_their_limits():
    new = changed(composites=[{"grades": ["2", "1"], "max_size": 26}])
    assert describe_changes(HILLSIDE, new) == [
        "1/2 composite: largest 24 -> 26",
        "no K/1 composite",
    ]
    new = changed(composites=[{"grades": ["K", "1"]}, {"grades": ["1", "2"]}])
    assert describe_changes(HILLSIDE, new) == ["1/2 composite: largest 24 -> auto"]


def test_fixed_classes_priorities_and_subclass():
    new = changed(
        locked=[{"grades": {"1": 12, "2": 12}}],
        priorities=["balance", "classes", "composites"],
        min_subclass_size=6,
    )
    assert describe_changes(HILLSIDE, new) == [
        "fewest of one grade in a composite 5 -> 6",
        "fixed a class of 12 of grade 1 + 12 of grade 2",
        "priorities: Use as many teachers as possible, then as few composite classes as"
        " possible, then class sizes as even as possible. -> Class sizes as even as possible,"
        " then use as many teachers as possible, then as few composite classes as possible.",
    ]
    assert (
        describe_changes(new, HILLSIDE)[1] == "unfixed the class of 12 of grade 1 + 12 of grade 2"
    )


def test_odd_json_is_described_not_a_crash():
    odd = {"teachers": "x", "grades": [None, {"name": 3}], "composites": [{"grades": "K"}, 7]}
    assert isinstance(describe_changes(odd, HILLSIDE), list)
    assert isinstance(describe_changes({}, odd), list)
