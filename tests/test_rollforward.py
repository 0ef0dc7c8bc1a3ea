"""Next year's inputs: children move up a grade, the entry grade is entered, the trend."""

from __future__ import annotations

import copy

from crunch.next_year.service import moves, next_year_inputs, start_next_year, trend
from tests.conftest import HILLSIDE, save_scenario


def test_children_move_up_and_the_last_grade_leaves():
    inputs = {**copy.deepcopy(HILLSIDE), "name": "2027 - Plan A", "locked": [{"grades": {"K": 5}}]}
    out = next_year_inputs(inputs, 40)
    assert [g["students"] for g in out["grades"]] == [40, 32, 57]
    # The rules carry over; fixed classes and the old name do not.
    assert [(g["name"], g["min_size"], g["max_size"]) for g in out["grades"]] == [
        ("K", 15, 22),
        ("1", 15, 25),
        ("2", 15, 25),
    ]
    assert out["composites"] == HILLSIDE["composites"]
    assert out["teachers"] == 6 and out["min_subclass_size"] == 5
    assert out["priorities"] == HILLSIDE["priorities"]
    assert "locked" not in out and "name" not in out
    assert inputs["grades"][0]["students"] == 32  # the source is left alone


def test_the_moves_in_words():
    assert moves(HILLSIDE, 40) == [
        "40 new children start in grade K",
        "32 children move from grade K to grade 1",
        "57 children move from grade 1 to grade 2",
        "21 children of grade 2 leave",
    ]
    assert moves({"grades": []}, 3) == []


def test_trend_of_earlier_years():
    assert trend([], 2027) is None
    assert trend([(2026, 44)], 2027) == 44
    assert trend([(2024, 40), (2025, 42), (2026, 44)], 2027) == 46
    assert trend([(2025, 50), (2026, 40)], 2027) == 30
    assert trend([(2025, 5), (2026, 1)], 2028) == 0  # never below zero


def test_next_year_from_a_plan_that_needs_fixing_is_saved_as_invalid(app, school):
    broken = {**HILLSIDE, "grades": [*HILLSIDE["grades"][:2], {**HILLSIDE["grades"][2]}]}
    broken["grades"][2]["max_size"] = 10  # grade 2: smallest 15, largest 10
    source = save_scenario(school, "Broken", broken)
    assert source.current_revision.status == "invalid"
    created = start_next_year(source, "Broken", 30)
    revision = created.current_revision
    assert (created.year, revision.status, revision.allocation) == (2028, "invalid", None)
    assert [g["students"] for g in revision.inputs["grades"]] == [30, 32, 57]
    assert "revision 1: children moved up a grade, 30 new" in revision.note


def test_next_year_from_a_valid_plan_is_solved(app, school, scenario):
    created = start_next_year(scenario, "Plan B", 24)
    revision = created.current_revision
    assert revision.status == "optimal"
    assert sum(sum(c["grades"].values()) for c in revision.allocation["classes"]) == 24 + 32 + 57
