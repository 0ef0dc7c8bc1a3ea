"""Children from a student information system's file: the guessed mapping and the
rows read under a mapping (the views' tests cover the pages)."""

from __future__ import annotations

from crunch.files.importing import read_rows
from crunch.files.upload_limits import DEFAULT_LIMITS as LIMITS
from crunch.rosters import children as roster_children
from crunch.rosters import importing as roster_import

GRADES = ["K", "1", "2"]


def read(text: str, **kinds):
    tab = roster_import.table(read_rows(text.encode()))
    mapping = roster_import.guess(tab)
    for index, kind in kinds.items():
        mapping.kinds[int(index[1:])] = kind
    return mapping, roster_import.read(tab, mapping, GRADES, 2027)


def test_names_with_commas_are_matched_whole_and_composite_is_read():
    text = (
        'Id;Name;Grade;Friends;Composite;From\n1;"Chen, Ava";K;"Ode, Ben";yes;Blue\n'
        '2;"Ode, Ben";K;"Chen, Ava; Diaz, Cara";no;Red\n3;"Diaz, Cara";1;;;Blue\n'
    )
    mapping, result = read(text)
    assert mapping.kinds == ["id", "name", "grade", "friend", "composite", "category"]
    assert mapping.refs == "name"
    assert result.ok, result.errors
    ava, ben, cara = result.children
    assert ava["friends"] == ["2"] and ben["friends"] == ["1", "3"]
    assert (ava["composite"], ben["composite"], cara["composite"]) == (True, False, None)
    assert ava["categories"] == {"From": "Blue"}


def test_every_bad_row_is_reported_and_no_child_is_given():
    body = "Id,Name,Grade\n" + "".join(f"{i},Kid {i},9\n" for i in range(80))
    _, result = read(body)
    assert not result.ok and result.children == []
    assert len(result.errors) == 80
    shown = roster_import.shown(result.errors)
    assert len(shown) == 51 and shown[-1] == "... and 30 more problems."


def test_a_mapping_without_the_required_columns_says_which():
    _, result = read("Kid,Level\nAl,K\n", c0="", c1="")
    assert result.mapping_errors == [
        "Choose the column that holds each child's id.",
        "Choose the column that holds each child's name (or first name).",
        "Choose the column that holds each child's grade.",
    ]


def test_the_preview_guesses_until_a_mapping_is_posted():
    tab = roster_import.read_file(b"Id,Name,Grade\n1,Ava,K\n2,Ben,3\n", "kids.csv", LIMITS)
    guessed, nothing = roster_import.preview(tab, None, GRADES, 2027)
    assert guessed.kinds == ["id", "name", "grade"] and nothing is None
    posted = {"col0": "id", "col1": "name", "col2": "notes", "refs": "name"}
    chosen, result = roster_import.preview(tab, posted, GRADES, 2027)
    assert chosen.kinds == ["id", "name", "notes"] and chosen.refs == "name"
    assert result.mapping_errors == ["Choose the column that holds each child's grade."]
    _, bad_grade = roster_import.preview(
        tab, {"col0": "id", "col1": "name", "col2": "grade"}, GRADES, 2027
    )
    assert bad_grade.errors == ["Row 3: grade 3 is not a grade of the 2027 plan (K, 1, 2)."]


def test_an_import_note_says_what_changed_only_when_there_were_children():
    ava = roster_children.child(id="1", name="Ava", grade="K")
    ben = roster_children.child(id="2", name="Ben", grade="K")
    assert roster_import.note([], [ava, ben], "kids.csv") == "Imported 2 children from kids.csv."
    assert roster_import.note([ava], [ben], "kids.csv") == (
        "Imported 1 children from kids.csv. Changes: added Ben; removed Ava."
    )
