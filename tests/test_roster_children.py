"""A roster's children as data: checks, changes in words, CSV, roll forward."""

from __future__ import annotations

from crunch.services.roster_children import (
    child,
    describe_changes,
    problems,
    roll_forward,
    to_csv,
    with_child,
)

AVA = child(id="S1", name="Ava", grade="K", friends=["S2"], categories={"from": "Kinder"})
BEN = child(id="S2", name="Ben", grade="1", apart=["S3"], **{"class": "1 Lee"})
CARA = child(id="S3", name="Cara", grade="2", friends=["S1"])


def test_roll_forward_moves_up_sets_from_and_drops_leavers():
    out, left = roll_forward([AVA, BEN, CARA], ["K", "1", "2"], {"S1": "K Lee"})
    assert left == 1
    ava, ben = out
    assert (ava["grade"], ben["grade"]) == ("1", "2")
    assert ava["categories"] == {"from": "K Lee"}  # this year's class
    assert ben["categories"] == {}  # no placement: `from` left out
    assert ben["apart"] == [] and ben["class"] is None  # Cara left; classes were this year's
    assert ava["friends"] == ["S2"]
    assert AVA["grade"] == "K"  # the source is not changed


def test_changes_in_words():
    moved = dict(BEN, grade="2", tags=["EAL"])
    lines = describe_changes([AVA, BEN], [moved, CARA])
    assert lines == ["added Cara", "removed Ava", "moved Ben's grade 1 -> 2", "changed Ben's tags"]


def test_problems_are_those_of_the_placement_format():
    assert problems([AVA, BEN, CARA]) == []
    bad = dict(CARA, friends=["S9"], scores={"reading": 400})
    found = problems([AVA, BEN, bad])
    assert (2, "No child has the id S9.") in found
    assert any(index == 2 and "0 to 100" in message for index, message in found)


def test_a_changed_id_carries_the_requests_naming_it():
    renamed = dict(AVA, id="S7")
    out, errors = with_child([AVA, BEN, CARA], renamed, "S1")
    assert errors == {}
    assert out[2]["friends"] == ["S7"] and CARA["friends"] == ["S1"]


def test_csv_cells_never_run_as_formulas():
    text = to_csv([child(id="S1", name="=HYPERLINK(1)", grade="K", notes="-3", tags=["+x"])])
    assert "'=HYPERLINK(1)" in text and ",-3" in text and "'+x" in text
