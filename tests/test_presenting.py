"""The class chart names each grade on its part of a bar where the name fits, so
colour is not the only way to tell grades apart (issue 16)."""

from __future__ import annotations

from crunch.editor.presenting import class_chart
from crunch.solver import Class
from crunch.tables import Table


def test_each_segment_carries_its_grade_and_is_labelled_only_where_the_name_fits():
    table = Table(
        ("K", "Year 1"),
        3,
        (Class((("K", 20),)), Class((("K", 1), ("Year 1", 22))), Class((("Year 1", 25),))),
    )
    chart = class_chart(table)
    segments = [s for bar in chart.bars for s in bar.segments]
    assert [s.grade for s in segments] == ["K", "K", "Year 1", "Year 1"]
    one_child = segments[1]
    assert not one_child.labelled  # a sliver one child high: no room for a name
    assert segments[0].labelled


def test_bars_too_narrow_for_a_long_name_leave_it_to_the_legend_and_table():
    names = ("Kindergarten", "K")
    classes = tuple(Class(((names[i % 2], 22),)) for i in range(20))
    chart = class_chart(Table(names, 20, classes))
    labelled = {s.grade: s.labelled for bar in chart.bars for s in bar.segments}
    assert labelled == {"Kindergarten": False, "K": True}
