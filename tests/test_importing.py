"""Grade counts from CSV files of the kinds a student information system exports."""

from __future__ import annotations

import copy

import pytest

from crunch.services.importing import BadFile, apply, grade_counts, grade_key, read_rows
from tests.conftest import HILLSIDE


def counts_of(text: str | bytes, filename: str = "list.csv"):
    data = text.encode() if isinstance(text, str) else text
    return grade_counts(read_rows(data, filename))


def test_a_grade_and_a_count_column():
    imported = counts_of("Grade,Count\nK,46\n1,45\n2,51\n")
    assert imported.counts == {"K": 46, "1": 45, "2": 51}
    assert imported.kind == "counts"


def test_rows_of_one_grade_add_up_and_other_columns_are_ignored():
    text = "School;Year Level;Gender;Students\nHill;K;F;20\nHill;K;M;22\nHill;1;F;30\n"
    assert counts_of(text).counts == {"K": 42, "1": 30}


def test_one_row_per_student():
    text = "Student ID,Surname,Grade,Homeroom\n1,Lee,K,A\n2,Ng,K,A\n3,Ode,1,B\n4,Ray,,B\n"
    imported = counts_of(text)
    assert imported.counts == {"K": 2, "1": 1}
    assert imported.kind == "students"


def test_encodings_a_byte_order_mark_and_tabs():
    assert counts_of("\ufeffGrade,Count\nK,3\n".encode()).counts == {"K": 3}
    assert counts_of("Grade\tEnrolment\nK\t1,204\n").counts == {"K": 1204}
    assert counts_of("Grade,Count\nMaternelle é,3\n".encode("cp1252")).counts == {"Maternelle é": 3}
    assert counts_of("Grade,Count\nK,3\n".encode("utf-16")).counts == {"K": 3}


def test_the_table_ends_at_the_first_empty_row():
    text = "Grade,Children,Smallest class,Largest class\nK,46,15,22\n\nTeachers,15\n"
    imported = counts_of(text)
    assert imported.counts == {"K": 46}
    assert imported.limits == {"K": (15, 22)}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty."),
        ("\n\n", "The file is empty."),
        ("Name,Count\nK,3\n", "no Grade column"),
        ("Grade,Count\n", "no rows of children"),
        ("Grade,Count\nK,many\n", "Row 2: Count “many” is not a whole number"),
        ("Grade,Count\nK,-3\n", "is not a whole number"),
        ("Grade,Count\nK,2.5\n", "is not a whole number"),
        ("Grade,Count\nK,\n", "Row 2: the Count column is empty."),
        ("Grade,Count\n,4\n", "Row 2 has a count but no grade."),
        ("Grade,Count\nK,9000\nK,9000\n", "more than 10,000 children"),
    ],
)
def test_bad_files_say_what_is_wrong(text, message):
    with pytest.raises(BadFile) as raised:
        counts_of(text)
    assert message in str(raised.value)


def test_binary_and_damaged_files():
    with pytest.raises(BadFile, match="not a CSV file"):
        counts_of(b"\x00\x01\x02\x03GIF89a")
    with pytest.raises(BadFile, match="could not be opened"):
        counts_of(b"PK\x03\x04 not really a zip", "list.xlsx")
    with pytest.raises(BadFile, match="larger than 2 MB"):
        counts_of(b"Grade,Count\n" + b"K,1\n" * 600_000)


def test_grade_names_match_loosely():
    assert grade_key("Grade 01") == "1"
    assert grade_key("Kindergarten") == grade_key("K") == "k"
    assert grade_key("Year 3") == "3"
    inputs, missing = apply(HILLSIDE, counts_of("Grade,Count\nKindergarten,40\nGrade 01,50\n"))
    assert [g["students"] for g in inputs["grades"]] == [40, 50, 21]
    assert missing == ["2"]
    assert HILLSIDE["grades"][0]["students"] == 32  # not changed in place


def test_a_grade_the_scenario_lacks_is_an_error():
    with pytest.raises(BadFile) as raised:
        apply(copy.deepcopy(HILLSIDE), counts_of("Grade,Count\nK,40\n7,20\n"))
    assert "grades this scenario does not have: 7" in str(raised.value)
    assert "K, 1, 2" in str(raised.value)
