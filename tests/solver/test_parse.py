"""parse_scenario and parse_allocation: invalid input names the field and says what is wrong."""

from __future__ import annotations

import copy

import pytest

from crunch.solver import InvalidScenario, parse_allocation, parse_scenario
from tests.conftest import HILLSIDE

# docs/scenario.md's example with every optional field set (a copy: tests change it)
VALID = copy.deepcopy(HILLSIDE) | {
    "name": "Hillside",
    "composites": [
        {"grades": ["K", "1"]},
        {"grades": ["1", "2"], "max_size": 24, "min_subclass_size": 6},
    ],
    "locked": [{"grades": {"1": 12, "2": 12}}],
}


def errors_of(obj) -> list[dict[str, str]]:
    with pytest.raises(InvalidScenario) as caught:
        parse_scenario(obj)
    as_json = caught.value.to_dict()
    assert as_json["status"] == "invalid"
    for error in as_json["errors"]:
        assert set(error) == {"field", "message"}
        assert error["message"].strip()
    return as_json["errors"]


def changed(path: str, value) -> dict:
    """VALID with one field set (a dotted path with list indexes); value DELETE removes it."""
    obj = copy.deepcopy(VALID)
    *parents, last = [int(p) if p.isdigit() else p for p in path.split(".")]
    target = obj
    for p in parents:
        target = target[p]
    if value is DELETE:
        del target[last]
    else:
        target[last] = value
    return obj


DELETE = object()


def test_the_valid_scenario_parses():
    scenario = parse_scenario(VALID)
    assert scenario.teachers == 6
    assert [g.name for g in scenario.grades] == ["K", "1", "2"]
    assert scenario.composites[1].max_size == 24
    assert scenario.composites[1].min_subclass_size == 6
    assert scenario.locked[0].grades == (("1", 12), ("2", 12))


def test_defaults():
    scenario = parse_scenario(
        {"teachers": 1, "grades": [{"name": "K", "students": 3, "min_size": 1, "max_size": 5}]}
    )
    assert scenario.min_subclass_size == 1
    assert scenario.priorities == ("classes", "composites", "balance")
    assert scenario.composites == () and scenario.locked == ()


@pytest.mark.parametrize(
    ("path", "value", "field", "words"),
    [
        ("teachers", DELETE, "teachers", "required"),
        ("teachers", 0, "teachers", "at least 1"),
        ("teachers", -3, "teachers", "at least 1"),
        ("teachers", 2.5, "teachers", "whole number"),
        ("teachers", "six", "teachers", "whole number"),
        ("teachers", True, "teachers", "whole number"),
        ("teachers", 1001, "teachers", "at most"),
        ("grades", DELETE, "grades", "grade"),
        ("grades", [], "grades", "grade"),
        ("grades", "K", "grades", "list"),
        ("grades.1.students", -1, "grades[1].students", "at least 0"),
        ("grades.1.students", DELETE, "grades[1].students", "required"),
        ("grades.1.students", 10_001, "grades[1].students", "at most"),
        ("grades.0.min_size", 0, "grades[0].min_size", "at least 1"),
        ("grades.2.max_size", 10, "grades[2].max_size", "below the minimum"),
        ("grades.2.name", "", "grades[2].name", "name"),
        ("grades.2.name", "K", "grades[2].name", "twice"),
        ("min_subclass_size", 0, "min_subclass_size", "at least 1"),
        ("composites.0.grades", ["K"], "composites[0].grades", "two or more"),
        ("composites.0.grades", ["K", "7"], "composites[0].grades", "Unknown grade 7"),
        ("composites.0.grades", ["K", "K"], "composites[0].grades", "once"),
        ("composites.0.grades", "K1", "composites[0].grades", "name"),
        ("composites.1.max_size", -2, "composites[1].max_size", "at least 1"),
        ("composites.1.min_subclass_size", 0, "composites[1].min_subclass_size", "at least 1"),
        ("priorities", ["classes", "balance"], "priorities", "each once"),
        ("priorities", ["classes", "classes", "balance"], "priorities", "each once"),
        ("priorities", ["classes", "composites", "speed"], "priorities", "each once"),
        ("locked.0.grades", {"3": 12}, "locked[0].grades", "Unknown grade 3"),
        ("locked.0.grades", {"K": 12, "2": 12}, "locked[0].grades", "not allowed"),
        ("locked.0.grades", {"1": 20, "2": 12}, "locked[0].grades", "more than the 24"),
        ("locked.0.grades", {"1": 12, "2": 3}, "locked[0].grades", "fewer than"),
        ("locked.0.grades", {"1": -1}, "locked[0].grades.1", "at least 0"),
    ],
)
def test_invalid_field(path, value, field, words):
    errors = errors_of(changed(path, value))
    fields = [e["field"] for e in errors]
    assert field in fields, errors
    message = next(e["message"] for e in errors if e["field"] == field)
    assert words.lower() in message.lower(), message


def test_composite_with_min_above_max():
    obj = changed("composites.0", {"grades": ["K", "1"], "min_size": 20, "max_size": 18})
    assert [e["field"] for e in errors_of(obj)] == ["composites[0].max_size"]


def test_the_same_composite_twice():
    obj = changed("composites.1", {"grades": ["1", "K"]})
    errors = errors_of(obj)
    assert [e["field"] for e in errors] == ["composites[1].grades"]
    assert "twice" in errors[0]["message"]


def test_every_problem_is_reported_at_once():
    obj = changed("teachers", 0)
    obj["grades"][0]["students"] = -5
    obj["grades"][1]["max_size"] = 2
    fields = {e["field"] for e in errors_of(obj)}
    assert {"teachers", "grades[0].students", "grades[1].max_size"} <= fields


@pytest.mark.parametrize("obj", [None, [], "scenario", 3, [{"teachers": 1}]])
def test_not_an_object(obj):
    assert errors_of(obj)[0]["field"] == ""


def test_too_many_grades():
    grades = [{"name": f"G{i}", "students": 1, "min_size": 1, "max_size": 2} for i in range(41)]
    errors = errors_of({"teachers": 1, "grades": grades})
    assert errors[0]["field"] == "grades"


def test_locked_classes_need_enough_teachers_and_children():
    obj = changed("teachers", 1)
    obj["locked"] = [{"grades": {"1": 20}}, {"grades": {"1": 20}}]
    assert any(e["field"] == "locked" for e in errors_of(obj))
    obj = changed("locked", [{"grades": {"2": 20}}, {"grades": {"2": 20}}])
    errors = errors_of(obj)
    assert any(e["field"] == "locked" and "21" in e["message"] for e in errors), errors


# ------------------------------------------------------------ rebalance's classes

REBALANCE = VALID | {
    "locked": [],
    "classes": [
        {"grades": {"K": 16}},
        {"grades": {"K": 16}},
        {"grades": {"1": 19}},
        {"grades": {"1": 19}},
        {"grades": {"1": 19}},
        {"grades": {"2": 21}},
    ],
}


def test_a_valid_allocation_parses():
    scenario = parse_scenario(REBALANCE)
    classes = parse_allocation(REBALANCE, scenario)
    assert [c.grades for c in classes][-1] == (("2", 21),)
    assert sum(c.size for c in classes) == 110


@pytest.mark.parametrize(
    ("classes", "words"),
    [
        (None, "required"),
        ([{"grades": {"K": 32}}], "more than the 22"),
        ([{"grades": {"K": 16}}, {"grades": {"K": 16}}], "hold 0 children of grade 1"),
        ([{"grades": {"K": 16}}] * 7, "teachers"),
        ([{"grades": {"K": 10, "2": 11}}], "not allowed"),
        ([{"grades": {}}], "at least one child"),
    ],
)
def test_invalid_allocations(classes, words):
    scenario = parse_scenario(REBALANCE)
    obj = dict(REBALANCE)
    if classes is None:
        del obj["classes"]
    else:
        obj["classes"] = classes
    with pytest.raises(InvalidScenario) as caught:
        parse_allocation(obj, scenario)
    messages = " ".join(e.message for e in caught.value.errors)
    assert all(e.field.startswith("classes") for e in caught.value.errors)
    assert words.lower() in messages.lower(), messages
