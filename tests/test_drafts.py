"""Form <-> scenario JSON, solver messages mapped onto form fields, row actions."""

from __future__ import annotations

import pytest

from crunch.editor import actions
from crunch.editor.drafts import Draft, FormRows, check, field_for
from tests.conftest import HILLSIDE


@pytest.fixture
def draft(app):
    return Draft.from_inputs(HILLSIDE)


def test_round_trip_through_the_form(draft):
    checked = check(draft.form(), draft)
    assert checked.errors == {}
    again = Draft.from_form(draft.form())
    assert again == draft
    inputs = checked.inputs
    assert inputs["teachers"] == 6
    assert inputs["composites"] == [{"grades": ["K", "1"]}, {"grades": ["1", "2"], "max_size": 24}]
    assert "locked" not in inputs


def test_composites_follow_a_renamed_grade(draft):
    draft.grades[0]["name"] = "Kinder"
    checked = check(draft.form(), draft)
    assert checked.inputs["composites"][0] == {"grades": ["Kinder", "1"]}
    assert draft.label((0, 1)) == "Kinder/1"


# Solver paths and the form fields they belong to, with no composite rows on the form
# and locked classes in rows 1 and 3.
FIELDS_OF_PATHS = {
    "teachers": "teachers",
    "min_subclass_size": "min_subclass_size",
    "grades": "grades",
    "grades[2].max_size": "grades-2-max_size",
    "grades[0].name": "grades-0-name",
    "grades[1]": "grades-1",
    "locked[1].grades": "locked-3",
    "locked[0].grades.K": "locked-1",
    "locked[7].grades": "locked",
    "locked": "locked",
    "priorities": "priorities",
    "": "form",
    "name": "form",
}


@pytest.mark.parametrize(("path", "field"), FIELDS_OF_PATHS.items())
def test_solver_paths_map_onto_form_fields(path, field):
    assert field_for(path, FormRows(composites=[], locked=[1, 3])) == field


@pytest.mark.parametrize(
    ("path", "rows", "field"),
    [
        ("composites[1].grades", [0, 4], "composites-4"),
        ("composites[0].max_size", [3], "composites-3-max_size"),
        ("composites[5].grades", [3], "composites"),
    ],
)
def test_composite_paths_map_onto_the_rows_the_form_shows(path, rows, field):
    assert field_for(path, FormRows(composites=rows, locked=[1, 3])) == field


def test_locked_classes_from_json(app):
    draft = Draft.from_inputs({**HILLSIDE, "locked": [{"grades": {"1": 12, "2": 12}}]})
    assert draft.locked == [["", "12", "12"]]
    checked = check(draft.form(), draft)
    assert checked.inputs["locked"] == [{"grades": {"1": 12, "2": 12}}]


def test_garbage_json_becomes_an_empty_draft(app):
    draft = Draft.from_inputs({"grades": "x", "composites": [1, {"grades": "K"}], "locked": [None]})
    assert draft.grades == [] and draft.composites == [] and draft.locked == []


@pytest.mark.parametrize(
    ("names", "expected"),
    [([], "K"), (["K"], "1"), (["K", "1", "2"], "3"), (["Year 6"], "Year 7"), (["Senior"], "")],
)
def test_next_grade_name(names, expected):
    assert actions.next_grade_name(names) == expected


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("grade-up:2", ("grade-up", 2)),
        ("grade-add", ("grade-add", None)),
        ("x:y", ("", None)),
        ("", ("", None)),
    ],
)
def test_action_parsing(raw, parsed):
    assert actions.parse(raw) == parsed


def test_grade_rows_cannot_pass_the_limit(draft):
    for _ in range(50):
        actions.add_grade(draft, None)
    assert len(draft.grades) == 40
