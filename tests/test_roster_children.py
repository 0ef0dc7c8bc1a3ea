"""A roster's children as data: checks, changes in words, CSV, roll forward."""

from __future__ import annotations

from crunch.rosters.children import (
    child,
    describe_changes,
    last_changed,
    problems,
    roll_forward,
    to_csv,
    with_child,
    without,
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


def test_last_changed_names_the_newest_revision_that_changed_each_child():
    a1 = child(id="A", name="Ava", grade="K")
    b1 = child(id="B", name="Ben", grade="K")
    c1 = child(id="C", name="Cy", grade="1")
    b2 = {**b1, "tags": ["EAL"]}
    d1 = child(id="D", name="Dee", grade="1")
    # Newest first: 4 added Dee, 3 changed nothing of the others, 2 changed Ben.
    history = [
        ([a1, b2, c1, d1], "r4"),
        ([a1, b2, c1], "r3"),
        ([a1, b2, c1], "r2"),
        ([a1, b1, c1], "r1"),
    ]
    assert last_changed(history) == {"A": "r1", "B": "r2", "C": "r1", "D": "r4"}
    # A child changed back to how it was is a change all the same.
    back = [([a1, b1], "r3"), ([a1, b2], "r2"), ([a1, b1], "r1")]
    assert last_changed(back) == {"A": "r1", "B": "r3"}
    assert last_changed([]) == {}


def test_last_changed_reads_no_further_back_than_needed():
    kid = child(id="A", name="Ava", grade="K")
    read = []

    def history():
        for number, children in ((3, [{**kid, "notes": "new"}]), (2, [kid]), (1, [kid])):
            read.append(number)
            yield children, number

    assert last_changed(history()) == {"A": 3}
    assert read == [3, 2]


def test_a_child_removed_leaves_no_request_naming_it():
    ava = child(id="S1", name="Ava", grade="K", friends=["S2"], apart=["S3", "S2"])
    ben = child(id="S2", name="Ben", grade="K", together=["S1"])
    cara = child(id="S3", name="Cara", grade="K", friends=["S1", "S2"])
    after = without([ava, ben, cara], "S2")
    assert [c["id"] for c in after] == ["S1", "S3"]
    assert (after[0]["friends"], after[0]["apart"], after[1]["friends"]) == ([], ["S3"], ["S1"])
    assert ava["apart"] == ["S3", "S2"]  # the children given are left as they were
