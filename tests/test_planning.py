"""The bridge to the solver: picking options, tables from JSON, merge patches, charts."""

from __future__ import annotations

import json

import pytest

from crunch.editor.presenting import class_chart, grade_summary, nice_ceiling, staffing_chart
from crunch.planning import Table, choice_from, inputs_key, table_from_json
from crunch.solver import Class, StaffingRow, Status
from crunch.solver.patch import merge_patch


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
