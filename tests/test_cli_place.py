"""`crunch place` (docs/placement.md, Command line): JSON out, exit 0 or 2, no tracebacks."""

from __future__ import annotations

import json

from tests.solver.placement_checks import hard_rule_problems, recount
from tests.test_cli import EXAMPLES, call, fields, run, write

SMALL = json.loads((EXAMPLES / "placement-small.json").read_text())


def test_the_small_example_is_placed_and_proved():
    status, answer, _ = run("place", "examples/placement-small.json", "--time-limit", "20")
    assert status == 0
    assert answer["status"] == "optimal"
    assert hard_rule_problems(SMALL, answer["placement"]) == []
    assert answer["metrics"] == recount(SMALL, answer["placement"])
    assert [c["label"] for c in answer["classes"]] == [c["label"] for c in SMALL["classes"]]
    assert set(answer) >= {"status", "classes", "placement", "metrics", "unmet", "diagnosis"}
    fixed = next(c for c in SMALL["children"] if c.get("class"))
    assert answer["placement"][fixed["id"]] == fixed["class"]


def test_standard_input(capsys, monkeypatch):
    status, answer = call(["place", "-"], capsys, monkeypatch, stdin=json.dumps(SMALL))
    assert status == 0 and answer["status"] == "optimal"


def test_invalid_input_exits_2_with_every_field(tmp_path, capsys, monkeypatch):
    bad = json.loads(json.dumps(SMALL))
    bad["children"][0]["friends"] = ["nobody"]
    bad["children"][1]["class"] = "no such class"
    bad["friends_needed"] = 0
    status, answer = call(["place", write(tmp_path, bad)], capsys, monkeypatch)
    assert status == 2
    assert {"children[0].friends[0]", "children[1].class", "friends_needed"} <= set(fields(answer))


def test_infeasible_rules_are_explained(tmp_path, capsys, monkeypatch):
    data = {
        "classes": [{"label": "A", "grades": {"K": 2}}, {"label": "B", "grades": {"K": 2}}],
        "children": [
            {"id": "S1", "grade": "K", "class": "A", "apart": ["S2"]},
            {"id": "S2", "grade": "K", "class": "A"},
            {"id": "S3", "grade": "K"},
            {"id": "S4", "grade": "K"},
        ],
    }
    status, answer = call(["place", write(tmp_path, data)], capsys, monkeypatch)
    assert status == 0
    assert answer["status"] == "infeasible"
    assert answer["diagnosis"] == [
        "S1 is fixed in 'A' but must be apart from S2, who is fixed there too."
    ]
    assert answer["placement"] == {} and answer["metrics"] is None


def test_a_scenario_plus_children_is_planned_first(tmp_path, capsys, monkeypatch):
    scenario = {
        "teachers": 2,
        "grades": [
            {"name": "K", "students": 4, "min_size": 1, "max_size": 4},
            {"name": "1", "students": 3, "min_size": 1, "max_size": 4},
        ],
        "children": [{"id": f"K{i}", "grade": "K"} for i in range(4)]
        + [{"id": f"A{i}", "grade": "1", "friends": [f"A{(i + 1) % 3}"]} for i in range(3)],
        "priorities": ["needs", "friends", "mix", "scores"],
    }
    status, answer = call(["place", write(tmp_path, scenario)], capsys, monkeypatch)
    assert status == 0, answer
    assert answer["status"] == "optimal"
    assert [c["label"] for c in answer["classes"]] == ["1", "2"]
    assert answer["metrics"]["friends"] == 0


def test_a_scenario_that_cannot_be_planned(tmp_path, capsys, monkeypatch):
    scenario = {
        "teachers": 1,
        "grades": [{"name": "K", "students": 40, "min_size": 10, "max_size": 20}],
        "children": [{"id": f"K{i}", "grade": "K"} for i in range(40)],
    }
    status, answer = call(["place", write(tmp_path, scenario)], capsys, monkeypatch)
    assert status == 0
    assert answer["status"] == "infeasible"
    assert answer["diagnosis"][0] == "No plan of classes fits the scenario."


def test_a_scenario_with_invalid_children(tmp_path, capsys, monkeypatch):
    scenario = {
        "teachers": 1,
        "grades": [{"name": "K", "students": 2, "min_size": 1, "max_size": 20}],
        "children": [{"id": "K1", "grade": "K"}, {"id": "K1", "grade": "K"}],
    }
    status, answer = call(["place", write(tmp_path, scenario)], capsys, monkeypatch)
    assert status == 2
    assert "children[1].id" in fields(answer)


def test_bad_time_limit_is_invalid(capsys, monkeypatch):
    status, answer = call(
        ["place", "examples/placement-small.json", "--time-limit", "0"], capsys, monkeypatch
    )
    assert status == 2 and fields(answer) == ["arguments"]
