"""Grade counts from a file that a student information system exports.

Two shapes are understood, both with a header row that names the columns:

- a grade column and a count column ("Grade,Count", "Year level,Students"...),
  one row per grade (rows of the same grade are added up);
- one row per student with a grade column (every other column is ignored).

The table ends at its first empty row, so a scenario exported by this app (the
grade table first, then other sections) reads back too, with each grade's
smallest and largest class when the file has those columns. An .xlsx workbook
is read from its "Grades" sheet, or its first sheet.

Every problem is a `BadFile` whose message says what to fix, in words a
principal can act on; a file past one of the import limits (size, rows,
columns, cells, text, reading time: crunch.files.upload_limits) is a
`TooLarge`, which the import page answers with 413 instead of 422.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from crunch.files.upload_limits import DEFAULT_LIMITS, BadFile, Budget, Limits, TooLarge
from crunch.files.xlsx_rows import xlsx_rows

__all__ = ["BadFile", "Imported", "Limits", "TooLarge", "apply", "grade_counts", "read_rows"]

MAX_COUNT = 10_000

GRADE_HEADERS = ("grade", "grade level", "year level", "level", "year group", "class year")
COUNT_HEADERS = (
    "count",
    "children",
    "students",
    "number",
    "number of students",
    "enrolment",
    "enrollment",
    "enrolled",
    "total",
    "headcount",
    "n",
)
MIN_HEADERS = ("smallest class", "min size", "min_size")
MAX_HEADERS = ("largest class", "max size", "max_size")
KINDERGARTEN = {"k", "kg", "kindergarten", "kinder", "prep", "reception", "foundation"}


@dataclass
class Imported:
    """What a file said: children per grade (names as in the file), limits if given."""

    counts: dict[str, int]
    kind: str  # "counts" or "students"
    limits: dict[str, tuple[int, int]] = field(default_factory=dict)


# ---------------------------------------------------------------- reading


def read_rows(data: bytes, filename: str = "", limits: Limits = DEFAULT_LIMITS) -> list[list[str]]:
    """The file's rows as text cells: CSV (any common encoding and delimiter) or .xlsx.

    Read within `limits` (crunch.files.upload_limits): a file past one is a
    `TooLarge`, any other problem a `BadFile`.
    """
    if len(data) > limits.bytes:
        raise TooLarge(f"The file is larger than {limits.size_words(limits.bytes)}.")
    if not data.strip():
        raise BadFile("The file is empty.")
    if data[:4] == b"PK\x03\x04" or filename.lower().endswith(".xlsx"):
        return xlsx_rows(data, limits)
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BadFile(
            "This is not a CSV file. Save the list as CSV (comma-separated) and try again."
        )
    return _csv_rows(_decode(data), Budget(limits))


def _csv_rows(text: str, budget: Budget) -> list[list[str]]:
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    rows = []
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        for number, row in enumerate(reader, start=1):
            budget.row(number)
            budget.column(number, len(row))
            budget.add_cells(max(len(row), 1))
            for column, cell in enumerate(row, start=1):
                budget.text(len(cell), f"Row {number}, column {column}")
            rows.append([cell.strip() for cell in row])
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            # csv's own limit (128 K characters) is above ours: the same message.
            budget.text(budget.limits.cell_length + 1, f"Row {reader.line_num}")
        raise BadFile(f"The file is not readable as CSV ({error}).") from None
    return rows


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            if encoding == "utf-16" and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
                continue
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    # Spreadsheet programs on Windows save in cp1252; latin-1 reads any byte.
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# ---------------------------------------------------------------- meaning


def _header_key(text: str) -> str:
    return re.sub(r"[\s_]+", " ", text.strip().lower().lstrip("\ufeff"))


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    keys = [_header_key(h) for h in header]
    for name in names:
        if name in keys:
            return keys.index(name)
    return None


def grade_counts(rows: list[list[str]]) -> Imported:
    """Children per grade from the rows of a file (see the module's docstring)."""
    start = next((i for i, r in enumerate(rows) if any(c for c in r)), None)
    if start is None:
        raise BadFile("The file is empty.")
    header = rows[start]
    grade_col = _find(header, GRADE_HEADERS)
    if grade_col is None:
        grade_col = next((i for i, h in enumerate(header) if "grade" in _header_key(h)), None)
    if grade_col is None:
        shown = ", ".join(h for h in header[:6] if h) or "nothing"
        raise BadFile(
            "The file has no Grade column: its first row should name the columns, such as "
            f"Grade,Count. Its first row has {shown}."
        )
    count_col = _find(header, COUNT_HEADERS)
    min_col, max_col = _find(header, MIN_HEADERS), _find(header, MAX_HEADERS)
    counts: dict[str, int] = {}
    limits: dict[str, tuple[int, int]] = {}
    for number, row in enumerate(rows[start + 1 :], start=start + 2):
        if not any(c for c in row):
            break  # the table ends at its first empty row
        grade = _cell(row, grade_col)
        if count_col is None:
            if grade:
                counts[grade] = counts.get(grade, 0) + 1
            continue
        if not grade:
            raise BadFile(f"Row {number} has a count but no grade.")
        value = _whole(_cell(row, count_col), number, header[count_col])
        counts[grade] = counts.get(grade, 0) + value
        if counts[grade] > MAX_COUNT:
            raise BadFile(f"Grade {grade} has more than {MAX_COUNT:,} children in the file.")
        if min_col is not None and max_col is not None:
            low = _whole(_cell(row, min_col), number, header[min_col])
            high = _whole(_cell(row, max_col), number, header[max_col])
            limits[grade] = (low, high)
    if not counts:
        raise BadFile("The file has a Grade column but no rows of children under it.")
    return Imported(counts, "students" if count_col is None else "counts", limits)


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def _whole(text: str, row: int, column: str) -> int:
    cleaned = text.replace(",", "").strip()
    if re.fullmatch(r"[0-9]{1,6}(\.0+)?", cleaned):
        return int(float(cleaned))
    if not cleaned:
        raise BadFile(f"Row {row}: the {column} column is empty.")
    raise BadFile(f"Row {row}: {column} “{text[:20]}” is not a whole number of children.")


# ---------------------------------------------------------------- the scenario


def grade_key(name: str) -> str:
    """A grade name as compared between files and scenarios: "Grade 01" is "1",
    "Kindergarten" is "k"."""
    key = re.sub(r"\s+", " ", str(name).strip().lower())
    key = re.sub(r"^(grade|year|yr|gr|level)\.?\s*", "", key)
    if key in KINDERGARTEN:
        return "k"
    if key.isdigit():
        return str(int(key))
    return key


def apply(inputs: dict[str, Any], imported: Imported) -> tuple[dict[str, Any], list[str]]:
    """The inputs with the file's counts (and limits, if it had them) in place.

    Returns the new inputs and the grades the file did not mention, which keep
    their counts. A grade in the file that the scenario lacks is a `BadFile`.
    """
    grades = [dict(g) for g in inputs.get("grades") or [] if isinstance(g, dict)]
    by_key = {grade_key(str(g.get("name", ""))): g for g in grades}
    unknown = [name for name in imported.counts if grade_key(name) not in by_key]
    if unknown:
        listed = ", ".join(unknown[:8]) + (" ..." if len(unknown) > 8 else "")
        have = ", ".join(str(g.get("name")) for g in grades)
        raise BadFile(
            f"The file has grades this scenario does not have: {listed}. "
            f"The scenario's grades are {have}. Add the grade in the editor first, "
            "or correct the file."
        )
    seen = set()
    for name, count in imported.counts.items():
        grade = by_key[grade_key(name)]
        if id(grade) in seen:
            grade["students"] += count
        else:
            grade["students"] = count
        seen.add(id(grade))
        if name in imported.limits:
            grade["min_size"], grade["max_size"] = imported.limits[name]
    missing = [str(g.get("name")) for g in grades if id(g) not in seen]
    out = {k: v for k, v in inputs.items() if k != "name"}
    out["grades"] = grades
    return out, missing
