"""Grade counts from CSV files of the kinds a student information system exports."""

from __future__ import annotations

import copy
import dataclasses
import tracemalloc

import pytest

from crunch.files.importing import BadFile, TooLarge, apply, grade_counts, grade_key, read_rows
from crunch.files.upload_limits import DEFAULT_LIMITS
from tests import upload_files
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


# ---------------------------------------------------------------- limits


def refusal(data: bytes, filename: str = "list.xlsx", **limits) -> BadFile:
    """The error reading `data` raises (within DEFAULT_LIMITS changed by `limits`)."""
    with pytest.raises(BadFile) as raised:
        read_rows(data, filename, dataclasses.replace(DEFAULT_LIMITS, **limits))
    return raised.value


def refusal_and_peak(data: bytes) -> tuple[BadFile, int]:
    """The refusal of `data`, and the most memory (bytes) Python held on the way to it."""
    tracemalloc.start()
    try:
        error = refusal(data)
        return error, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_limits_are_the_settings():
    assert DEFAULT_LIMITS.bytes == 2 * 1024 * 1024
    assert DEFAULT_LIMITS.unpacked_bytes == 10 * 1024 * 1024
    assert (DEFAULT_LIMITS.rows, DEFAULT_LIMITS.columns) == (20_000, 200)
    assert (DEFAULT_LIMITS.cells, DEFAULT_LIMITS.cell_length) == (200_000, 2_000)
    assert DEFAULT_LIMITS.seconds == 2.0


@pytest.mark.parametrize("bomb", [upload_files.shared_strings_bomb, upload_files.sheet_bomb])
def test_a_zip_bomb_is_refused_before_anything_is_unpacked(bomb):
    data = bomb(200)  # 200 MB of XML in a file of well under 1 MB
    assert len(data) < 1024 * 1024
    error, peak = refusal_and_peak(data)
    assert isinstance(error, TooLarge) and error.status == 413
    assert "The workbook unpacks to more than 10 MB." in str(error)
    assert peak < 1024 * 1024  # nothing was unpacked


def test_a_part_packed_like_a_bomb_is_refused_within_the_unpacked_limit():
    error = refusal(upload_files.sheet_bomb(5))
    assert isinstance(error, TooLarge)
    assert "part xl/worksheets/sheet1.xml unpacks to" in str(error)
    assert "times its packed size" in str(error)


def test_a_part_that_lies_about_its_size_is_never_unpacked_past_it():
    bomb = upload_files.shared_strings_bomb(200)
    liar = upload_files.claim_size(bomb, "xl/sharedStrings.xml", 5_000)
    error, peak = refusal_and_peak(liar)
    assert not isinstance(error, TooLarge)
    assert "could not be opened" in str(error)
    assert peak < 4 * 1024 * 1024


def test_nested_xml_entities_are_not_expanded_into_a_bomb():
    error = refusal(upload_files.entity_bomb())
    assert "could not be opened" in str(error)


def test_too_many_parts():
    error = refusal(upload_files.many_entries(DEFAULT_LIMITS.parts))
    assert isinstance(error, TooLarge) and "more than 500 parts" in str(error)


def test_a_workbook_of_many_cells_in_a_small_file_is_refused_by_the_cell_limit():
    data = upload_files.many_cells(2_000, 100)  # 200,000 varied numbers
    assert len(data) < DEFAULT_LIMITS.bytes
    # The CPU-time limit is raised so that a slow machine still meets the cell limit first.
    error = refusal(data, seconds=60)
    assert isinstance(error, TooLarge)
    assert "The file has more than 200,000 cells." in str(error)


def test_too_many_columns_rows_or_characters_in_a_workbook():
    error = refusal(upload_files.many_cells(1, 201))
    assert isinstance(error, TooLarge) and "Row 3 has more than 200 columns" in str(error)
    far = upload_files.workbook([upload_files.GRADES, b'<row r="20001"><c><v>1</v></c></row>'])
    assert "The file has more than 20,000 rows." in str(refusal(far))
    assert "more than 2,000 characters" in str(refusal(upload_files.long_cell(2_001)))
    inline = b'<row r="3"><c t="inlineStr"><is><t>' + b"x" * 3_000 + b"</t></is></c></row>"
    error = refusal(upload_files.workbook([upload_files.GRADES, inline]))
    assert "Row 3, column 1 has more than 2,000 characters" in str(error)


def test_a_parse_past_the_time_limit_stops():
    error = refusal(upload_files.student_list(300), seconds=0)
    assert isinstance(error, TooLarge)
    assert "took more than 0 seconds to read" in str(error)
    error = refusal(upload_files.csv_rows(5_000), "list.csv", seconds=0)
    assert "took more than 0 seconds to read" in str(error)


def test_a_real_sized_student_list_is_read():
    rows = read_rows(upload_files.student_list(2_000), "students.xlsx")
    assert len(rows) == 2_001 and rows[0][:4] == ["Student ID", "Surname", "Given name", "Grade"]
    assert rows[1][:4] == ["10000", "Surname0", "Name0", "K"]
    assert grade_counts(rows).counts == {"K": 667, "1": 667, "2": 666}


def test_workbook_cells_read_as_a_spreadsheet_shows_them():
    header = b'<row r="1"><c r="A1" t="inlineStr"><is><t>Grade</t></is></c>'
    header += b'<c r="B1" t="s"><v>0</v></c><c r="D1" t="b"><v>1</v></c></row>'
    rich = b'<row r="2"><c r="A2" t="inlineStr"><is><r><t>Gr</t></r><r><t>ade 1</t></r>'
    rich += b'<rPh><t>PHONETIC</t></rPh></is></c><c r="B2"><v>45.0</v></c>'
    rich += b'<c r="C2"><f>1+1</f><v>2.5</v></c></row><row r="4"><c r="A4"><v>7</v></c></row>'
    strings = b"<si><r><t>Co</t></r><r><t>unt</t></r><rPh><t>KAUNTO</t></rPh></si>"
    rows = read_rows(upload_files.workbook([header, rich], strings), "x.xlsx")
    assert rows == [["Grade", "Count", "", "TRUE"], ["Grade 1", "45", "2.5"], [], ["7"]]


def test_csv_limits():
    def csv_error(data: bytes) -> BadFile:
        return refusal(data, "list.csv")

    assert "more than 20,000 rows" in str(csv_error(upload_files.csv_rows(20_000)))
    assert "Row 1 has more than 200 columns" in str(csv_error(upload_files.csv_rows(1, 201)))
    long = csv_error(upload_files.csv_rows(1, cell=b"x" * 2_001))
    assert "Row 2, column 2 has more than 2,000 characters" in str(long)
    huge = csv_error(upload_files.csv_rows(1, cell=b"x" * 300_000))  # past csv's own limit
    assert isinstance(huge, TooLarge) and "more than 2,000 characters" in str(huge)
    cells = csv_error(upload_files.csv_rows(2_000, 101))
    assert isinstance(cells, TooLarge) and "more than 200,000 cells" in str(cells)
    assert read_rows(upload_files.csv_rows(19_999, 10), "ok.csv")[-1][0] == "K"
