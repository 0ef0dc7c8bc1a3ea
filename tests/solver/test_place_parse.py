"""Every invalid-input rule of docs/placement.md, each reported under its field path."""

from __future__ import annotations

import copy

import pytest

from crunch.solver import InvalidScenario
from crunch.solver.placement import parse_placement

VALID = {
    "name": "Hillside 2027",
    "classes": [
        {"label": "K Lee", "grades": {"K": 2}},
        {"label": "1/2 Park", "grades": {"1": 1, "2": 1}},
    ],
    "children": [
        {"id": "S1", "grade": "K", "friends": ["S2"], "categories": {"gender": "F"}},
        {"id": "S2", "grade": "K", "scores": {"reading": 3}, "tags": ["EAL"]},
        {"id": "S3", "grade": "1", "composite": True},
        {"id": "S4", "grade": "2", "composite": None, "class": "1/2 Park"},
    ],
}


def errors(obj) -> dict[str, str]:
    with pytest.raises(InvalidScenario) as caught:
        parse_placement(obj)
    return {e.field: e.message for e in caught.value.errors}


def changed(path: list, value) -> dict:
    obj = copy.deepcopy(VALID)
    target = obj
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return obj


def test_the_valid_input_parses():
    parsed = parse_placement(VALID)
    assert [c.label for c in parsed.classes] == ["K Lee", "1/2 Park"]
    assert parsed.child("S4").fixed == "1/2 Park"
    assert parsed.priorities == ("friends", "needs", "mix", "scores")
    assert parsed.friends_needed == 1


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (["classes"], None, "classes"),
        (["classes"], "K Lee", "classes"),
        (["classes"], [], "classes"),
        (["classes", 0], "K Lee", "classes[0]"),
        (["classes", 0, "label"], "", "classes[0].label"),
        (["classes", 1, "label"], "K Lee", "classes[1].label"),
        (["classes", 0, "grades"], [], "classes[0].grades"),
        (["classes", 0, "grades"], {"K": -1}, "classes[0].grades.K"),
        (["classes", 0, "grades"], {"K": 1.5}, "classes[0].grades.K"),
        (["classes", 0, "grades"], {"K": 0}, "classes[0].grades"),
        (["children"], None, "children"),
        (["children", 0], 7, "children[0]"),
        (["children", 0, "id"], "", "children[0].id"),
        (["children", 1, "id"], "S1", "children[1].id"),
        (["children", 0, "grade"], None, "children[0].grade"),
        (["children", 0, "grade"], "9", "children[0].grade"),
        (["children", 0, "name"], 5.5, "children[0].name"),
        (["children", 0, "friends"], ["S9"], "children[0].friends[0]"),
        (["children", 0, "friends"], ["S1"], "children[0].friends[0]"),
        (["children", 0, "friends"], "S2", "children[0].friends"),
        (["children", 0, "friends"], [f"S{i}" for i in range(11)], "children[0].friends"),
        (["children", 0, "apart"], ["S2", "nobody"], "children[0].apart[1]"),
        (["children", 0, "apart"], [f"S{i}" for i in range(21)], "children[0].apart"),
        (["children", 0, "together"], ["S1"], "children[0].together[0]"),
        (["children", 0, "together"], [f"S{i}" for i in range(21)], "children[0].together"),
        (["children", 0, "not_classes"], ["K Ngata"], "children[0].not_classes[0]"),
        (["children", 0, "class"], "K Ngata", "children[0].class"),
        (["children", 0, "class"], "1/2 Park", "children[0].class"),
        (["children", 0, "categories"], ["F"], "children[0].categories"),
        (["children", 0, "categories"], {"gender": 3.5}, "children[0].categories.gender"),
        (["children", 0, "scores"], {"reading": 101}, "children[0].scores.reading"),
        (["children", 0, "scores"], {"reading": "high"}, "children[0].scores.reading"),
        (["children", 0, "scores"], {f"s{i}": 1 for i in range(21)}, "children[0].scores"),
        (["children", 0, "tags"], [f"t{i}" for i in range(51)], "children[0].tags"),
        (["children", 0, "composite"], "yes", "children[0].composite"),
        (["friends_needed"], 0, "friends_needed"),
        (["friends_needed"], 11, "friends_needed"),
        (["priorities"], ["friends", "needs"], "priorities"),
        (["priorities"], ["friends", "needs", "mix", "scores", "balance"], "priorities"),
        (["priorities"], ["friends", "friends", "needs", "mix", "scores"], "priorities"),
        (["name"], 5, "name"),
    ],
)
def test_each_invalid_field_is_named(path, value, field):
    assert field in errors(changed(path, value))


def test_counts_must_match_the_children_of_each_grade():
    obj = changed(["classes", 0, "grades"], {"K": 3})
    assert "Grade K has 2 children, but the classes hold 3" in errors(obj)["children"]


def test_too_many_values_of_one_category():
    obj = copy.deepcopy(VALID)
    obj["classes"][0]["grades"]["K"] = 60
    obj["children"] += [
        {"id": f"X{i}", "grade": "K", "categories": {"from": f"room {i}"}} for i in range(58)
    ]
    assert '"from" has 58 values' in errors(obj)["children"]


def test_too_many_children_and_classes():
    obj = {
        "classes": [{"label": f"C{i}", "grades": {"K": 1}} for i in range(201)],
        "children": [{"id": f"S{i}", "grade": "K"} for i in range(5001)],
    }
    found = errors(obj)
    assert "At most 200" in found["classes"] and "At most 5000" in found["children"]


def test_every_problem_is_reported_at_once():
    obj = copy.deepcopy(VALID)
    obj["children"][0]["friends"] = ["S9"]
    obj["children"][1]["scores"] = {"reading": -1}
    obj["friends_needed"] = "two"
    assert {"children[0].friends[0]", "children[1].scores.reading", "friends_needed"} <= set(
        errors(obj)
    )


def test_not_an_object():
    assert errors([1, 2]) == {"": "The input must be a JSON object."}


def test_composite_fit_may_be_added_to_the_priorities():
    obj = changed(["priorities"], ["composite_fit", "scores", "mix", "needs", "friends"])
    assert parse_placement(obj).priorities[0] == "composite_fit"


def test_categories_and_scores_are_maps_and_a_null_is_not_known():
    found = errors(changed(["children", 1, "scores"], [3]))
    assert found["children[1].scores"] == 'Scores map a name to a whole number: {"reading": 3}.'
    found = errors(changed(["children", 0, "categories"], "F"))
    assert found["children[0].categories"] == 'Categories map a name to a value: {"gender": "F"}.'
    # a name given with null still counts towards the limit of names
    found = errors(changed(["children", 1, "scores"], {f"s{i}": None for i in range(21)}))
    assert found["children[1].scores"] == "At most 20 scores are allowed."
    obj = changed(["children", 0, "categories"], {"gender": "F", "year": None})
    obj["children"][0]["scores"] = {"reading": None, "maths": 2.0}
    child = parse_placement(obj).child("S1")
    assert child.categories == (("gender", "F"),)
    assert child.scores == (("maths", 2),)
