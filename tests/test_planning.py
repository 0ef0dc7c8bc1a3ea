"""The bridge to the solver: picking options, tables from JSON, merge patches, charts."""

from __future__ import annotations

import json

import pytest

from crunch.editor.presenting import class_chart, grade_summary, nice_ceiling, staffing_chart
from crunch.planning import INVALID, choice_from, inputs_key, plan_inputs, save_plan, start_plan
from crunch.schools import store
from crunch.solver import Allocation, Class, Metrics, StaffingRow, Status, parse_scenario, solve
from crunch.solver.patch import merge_patch
from crunch.tables import Table, table_from_json
from tests.conftest import HILLSIDE
from tests.solver.checks import assert_valid_allocation


def test_inputs_key_ignores_the_name_and_key_order():
    a = {"name": "x", "teachers": 3, "grades": []}
    b = {"grades": [], "teachers": 3, "name": "y"}
    assert inputs_key(a) == inputs_key(b)
    assert inputs_key(a) != inputs_key({**a, "teachers": 4})


@pytest.mark.parametrize(
    ("picked", "expected"),
    [
        ("k:2", 2),
        ("k:0", 0),
        ("other:2", 0),
        ("k:9", 0),
        ("k:x", 0),
        ("k:²", 0),
        ("", 0),
        ("k:-1", 0),
    ],
)
def test_choice_only_counts_for_the_same_inputs(picked, expected):
    assert choice_from(picked, "k", 4) == expected


def test_table_round_trips_through_json():
    table = Table(("K", "1"), 3, (Class((("K", 20),)), Class((("K", 5), ("1", 12)), locked=True)))
    again = table_from_json(table.to_json())
    assert again == table
    assert again.unused == 1


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "null",
        "[]",
        "{",
        "[" * 10000,
        json.dumps({"teachers": "3", "grades": [], "classes": []}),
        json.dumps({"teachers": 3, "grades": [], "classes": [1]}),
        json.dumps({"teachers": 10**9, "grades": [], "classes": []}),
        "x" * 300_000,
    ],
)
def test_table_from_garbage_is_none(raw):
    assert table_from_json(raw) is None


def test_merge_patch_follows_rfc_7386():
    target = {"a": "b", "c": {"d": "e", "f": "g"}, "list": [1, 2]}
    patch = {"a": "z", "c": {"f": None}, "list": [3]}
    assert merge_patch(target, patch) == {"a": "z", "c": {"d": "e"}, "list": [3]}
    assert merge_patch({"a": 1}, {"a": {"b": 2}}) == {"a": {"b": 2}}
    assert merge_patch({"a": 1}, ["x"]) == ["x"]


def test_grade_summary_and_chart():
    table = Table(
        ("K", "1", "2"),
        4,
        (Class((("K", 20),)), Class((("K", 10), ("1", 12))), Class((("1", 25),))),
    )
    summary = {row.name: row for row in grade_summary(table)}
    assert set(summary) == {"K", "1"}  # grade 2 has no class
    assert (summary["K"].classes, summary["K"].smallest, summary["K"].largest) == (2, 20, 22)
    assert summary["1"].average == 23.5
    chart = class_chart(table)
    assert len(chart.bars) == 3
    assert [len(b.segments) for b in chart.bars] == [1, 2, 1]
    heights = [sum(s.height for s in b.segments) for b in chart.bars]
    assert heights[2] > heights[1] > heights[0]
    assert chart.ticks[-1][1] == nice_ceiling(25) == 25
    assert [name for _, name in chart.legend] == ["K", "1"]


def test_staffing_chart_marks_the_current_number_and_gaps():
    rows = [
        StaffingRow(4, Status.INFEASIBLE),
        StaffingRow(5, Status.OPTIMAL, None, 22.0),
        StaffingRow(6, Status.OPTIMAL, None, 18.3),
    ]
    chart = staffing_chart(rows, 5)
    assert [p.current for p in chart.points] == [False, True, False]
    assert chart.points[0].y is None
    assert chart.points[1].height > chart.points[2].height


def test_the_chart_of_a_big_school_stays_readable():
    # A K-12 college: 13 grades, 93 classes.
    names = tuple(["K"] + [str(n) for n in range(1, 13)])
    classes = tuple(Class(((names[i % 13], 20 + i % 7),)) for i in range(93))
    chart = class_chart(Table(names, 93, classes))
    # Every grade its own colour: grade 8 no longer looks like K.
    colours = [colour for colour, _ in chart.legend]
    assert len(colours) == 13 and len(set(colours)) == 13
    # Labels every 5th class (and the first), not 93 of them running together.
    labels = [b.label for b in chart.bars if b.label]
    assert labels == ["1"] + [str(n) for n in range(5, 94, 5)]
    assert not any(b.show_size for b in chart.bars)
    # A small school keeps a label and a size on every bar.
    small = class_chart(Table(names[:2], 3, classes[:3]))
    assert [b.label for b in small.bars] == ["1", "2", "3"] and all(b.show_size for b in small.bars)


# ------------------------------------------------------------ inputs -> revision


def _with_grade(inputs: dict, index: int, **changes) -> dict:
    grades = [dict(g) for g in inputs["grades"]]
    grades[index].update(changes)
    return {**inputs, "grades": grades}


def _stored_allocation(allocation: dict) -> Allocation:
    classes = tuple(
        Class(tuple(c["grades"].items()), locked=c.get("locked", False))
        for c in allocation["classes"]
    )
    return Allocation(classes, Metrics(**allocation["metrics"]))


def test_inputs_that_make_no_scenario_give_the_parsers_messages_by_field():
    broken = _with_grade(HILLSIDE, 0, min_size=30)  # K: smallest 30, largest 22
    checked = plan_inputs(broken)
    assert checked.scenario is None
    assert checked.errors == {
        "grades[0].max_size": ["Grade K: the maximum class size (22) is below the minimum (30)."]
    }
    # The K/1 composite's "Unknown grade K" only echoes the grade's own mistake.
    assert not any(path.startswith("composites") for path in checked.errors)
    assert checked.inputs == broken


def test_every_problem_of_the_inputs_is_reported_at_its_path():
    checked = plan_inputs({**HILLSIDE, "teachers": 0, "priorities": ["classes"]})
    assert checked.scenario is None
    assert set(checked.errors) == {"teachers", "priorities"}


def test_valid_inputs_come_back_in_the_formats_own_shape():
    sparse = {
        "name": 7,  # not checked: a revision is named after its scenario
        "teachers": 6,
        "grades": HILLSIDE["grades"],
        "locked": [{"grades": {"K": 0, "1": 20}}],
    }
    checked = plan_inputs(sparse)
    assert checked.errors == {}
    assert checked.scenario == parse_scenario({**sparse, "name": ""})
    assert checked.inputs["min_subclass_size"] == 1
    assert checked.inputs["priorities"] == ["classes", "composites", "balance"]
    assert checked.inputs["composites"] == []
    assert checked.inputs["locked"] == [{"grades": {"1": 20}}]
    assert plan_inputs(checked.inputs).inputs == checked.inputs


def test_a_saved_plan_has_the_solvers_status_and_keeps_every_hard_constraint(app, scenario):
    inputs = {**HILLSIDE, "locked": [{"grades": {"1": 20}}]}
    revision = save_plan(scenario, inputs, note="  Fixed one class. ", base=1)
    expected = solve(parse_scenario(inputs))
    assert revision.number == 2 and revision.note == "Fixed one class."
    assert revision.status == str(expected.status) == "optimal"
    assert revision.inputs == {**plan_inputs(inputs).inputs, "name": scenario.title}
    allocation = _stored_allocation(revision.allocation)
    assert_valid_allocation(parse_scenario(inputs), allocation)
    assert allocation == expected.allocation


def test_a_plan_saves_the_picked_option_and_the_labels(app, scenario):
    picked = f"{inputs_key(HILLSIDE)}:1"
    first = solve(parse_scenario(HILLSIDE), alternatives=1)
    assert first.alternatives, "the example needs a second option"
    table = Table(("K", "1", "2"), 6, first.alternatives[0].classes)
    labels = {table.keys[0]: "Ms Lee"}
    revision = save_plan(scenario, HILLSIDE, note="", picked=picked, labels=labels)
    assert revision.allocation["choice"] == 1
    assert _stored_allocation(revision.allocation).classes == first.alternatives[0].classes
    assert revision.allocation["classes"][0]["label"] == "Ms Lee"


def test_valid_inputs_with_no_allocation_are_saved_as_the_solver_says(app, scenario):
    revision = save_plan(scenario, {**HILLSIDE, "teachers": 1}, note="")
    assert revision.status == "infeasible"
    assert revision.allocation is None


def test_inputs_that_make_no_scenario_are_saved_as_invalid(app, school):
    broken = _with_grade(HILLSIDE, 2, students=-1)
    created = start_plan(school, year=2028, name="Broken", inputs=broken, note="Rolled.")
    revision = created.current_revision
    assert revision.status == INVALID == "invalid"
    assert revision.allocation is None
    assert revision.inputs == {**broken, "name": created.title}


def test_a_stale_save_stores_nothing(app, scenario):
    save_plan(scenario, {**HILLSIDE, "teachers": 7}, note="", base=1)
    with pytest.raises(store.StaleRevision):
        save_plan(scenario, {**HILLSIDE, "teachers": 5}, note="", base=1)
    assert sorted(r.number for r in store.scenarios_of(scenario.school, 2027)[0].revisions) == [
        1,
        2,
    ]
