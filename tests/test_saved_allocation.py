"""A revision's allocation JSON: written by Plan.saved_allocation, read by
Revision.saved_allocation, in the one format stored since the first revision."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crunch.models import Revision, SavedAllocation
from crunch.planning import Plan
from crunch.solver import MalformedSolution, Status, parse_scenario, solve
from crunch.tables import saved_table
from tests.solver.strategies import allocations

SCENARIO = parse_scenario(
    {
        "teachers": 2,
        "grades": [
            {"name": "K", "students": 20, "min_size": 10, "max_size": 25},
            {"name": "1", "students": 12, "min_size": 5, "max_size": 25},
            {"name": "2", "students": 11, "min_size": 5, "max_size": 25},
        ],
        "composites": [{"grades": ["1", "2"]}],
    }
)


def plan() -> Plan:
    solution = solve(SCENARIO)
    assert solution.status is Status.OPTIMAL
    return Plan(SCENARIO, solution, "key")


def test_the_stored_json_is_the_format_it_always_was():
    made = plan()
    labels = {made.table.keys[1]: "Ms Lee"}
    stored = made.saved_allocation(labels)
    assert stored == {
        "choice": 0,
        "status": "optimal",
        "classes": [
            {"grades": {"K": 20}, "size": 20, "composite": False},
            {"grades": {"1": 12, "2": 11}, "size": 23, "composite": True, "label": "Ms Lee"},
        ],
        "metrics": {"classes": 2, "composites": 1, "balance": 0},
    }
    assert list(stored) == ["choice", "status", "classes", "metrics"]


def test_a_revision_reads_its_allocation_back():
    made = plan()
    stored = json.loads(json.dumps(made.saved_allocation({made.table.keys[0]: "Room 4"})))
    revision = Revision(inputs={"teachers": 3, "grades": []}, allocation=stored)
    saved = revision.saved_allocation
    assert saved.status is Status.OPTIMAL
    assert saved.choice == 0
    assert saved.allocation == made.shown
    assert saved.metrics == made.shown.metrics
    assert saved.labels == ("Room 4", "")
    assert saved.solution.allocation == made.shown
    assert saved.to_dict() == stored


def test_a_revision_without_an_allocation_has_none():
    assert Revision(allocation=None).saved_allocation is None
    assert saved_table(Revision(inputs={"teachers": 2}, allocation=None)) is None


def test_the_saved_table_has_the_inputs_grades_teachers_and_labels():
    made = plan()
    inputs = {"teachers": 3, "grades": [{"name": n} for n in ("K", "1", "2")]}
    revision = Revision(inputs=inputs, allocation=made.saved_allocation({made.table.keys[1]: "B"}))
    table = saved_table(revision)
    assert table.grade_names == ("K", "1", "2")
    assert table.teachers == 3
    assert table.classes == made.shown.classes
    assert table.labels == ("", "B")
    assert table.unused == 1


@settings(max_examples=100, deadline=None)
@given(
    allocations(),
    st.sampled_from(Status),
    st.integers(0, 5),
    st.lists(st.text(max_size=12), max_size=8),
)
def test_saved_allocations_round_trip(allocation, status, choice, names):
    labels = tuple((names + [""] * len(allocation.classes))[: len(allocation.classes)])
    saved = SavedAllocation(status, allocation, choice, labels if any(labels) else ())
    stored = json.loads(json.dumps(saved.to_dict()))
    assert SavedAllocation.from_dict(stored) == saved


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (["optimal"], "expected an object with a choice and a status"),
        ({"status": "optimal", "classes": [], "metrics": {}}, "with a choice and a status"),
        ({"choice": -1, "status": "optimal"}, "allocation.choice"),
        ({"choice": 0, "status": "invalid"}, "allocation.status: 'invalid'"),
        ({"choice": 0, "status": "optimal", "classes": []}, "allocation: missing metrics"),
        (
            {
                "choice": 0,
                "status": "optimal",
                "classes": [{"grades": {"K": 3}, "size": 3, "composite": False, "label": 7}],
                "metrics": {"classes": 1, "composites": 0, "balance": 0},
            },
            "a class's label is 7",
        ),
    ],
)
def test_a_malformed_saved_allocation_is_refused(raw, says):
    revision = Revision(allocation=raw)
    with pytest.raises(MalformedSolution) as refused:
        _ = revision.saved_allocation
    assert says in str(refused.value)
