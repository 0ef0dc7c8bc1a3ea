"""Files out: a scenario and its allocation as one CSV file or as an .xlsx workbook,
the class list of a saved allocation as CSV, their file names, and the two rules every
exported cell follows (`safe_cell`, `plain_cell`).

The scenario files start with the grade table (Grade, Children, Smallest class,
Largest class), so either can be imported back (crunch.files.importing) and gives
the same grades. Then the rules (teachers, composites, fixed classes, priorities),
the class list and the per-grade summary.

Text that a spreadsheet would run as a formula is written as plain text.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from crunch.editor.presenting import grade_summary
from crunch.files.cells import plain_cell, safe_cell
from crunch.tables import Table
from crunch.words import priorities_label, status_label

GRADE_HEADER = ["Grade", "Children", "Smallest class", "Largest class"]


def class_list_csv(table: Table) -> str:
    """One row per teacher, as a class list for staff."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    grades = list(table.grade_names)
    header = ["Class", *(f"Grade {g}" for g in grades), "Size", "Composite", "Fixed"]
    rows: list[list] = [[*header, "Teacher or room"]]
    for number, cls in enumerate(table.classes, start=1):
        rows.append(
            [
                number,
                *(cls.count(g) for g in grades),
                cls.size,
                "yes" if cls.composite else "no",
                "yes" if cls.locked else "no",
                table.label(number - 1),
            ]
        )
    for extra in range(table.unused):
        rows.append([len(table.classes) + extra + 1, *("" for _ in grades), 0, "unused", "", ""])
    writer.writerows([[safe_cell(cell) for cell in row] for row in rows])
    return out.getvalue()


def grade_rows(inputs: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = [GRADE_HEADER]
    for g in inputs.get("grades") or []:
        if isinstance(g, dict):
            rows.append([g.get("name"), g.get("students"), g.get("min_size"), g.get("max_size")])
    return rows


def rule_rows(inputs: dict[str, Any], title: str, revision: int, status: str) -> list[list[Any]]:
    rows: list[list[Any]] = [
        ["Scenario", title],
        ["Revision", revision],
        ["Answer", status_label(status)],
        ["Teachers", inputs.get("teachers")],
        ["Fewest children of one grade in a composite class", inputs.get("min_subclass_size", 1)],
        ["Priorities, most important first", priorities_label(inputs.get("priorities"))],
    ]
    rows.append([])
    rows.append(["Composite allowed", "Smallest", "Largest", "Fewest of one grade"])
    for c in inputs.get("composites") or []:
        if isinstance(c, dict):
            rows.append(
                [
                    "/".join(str(n) for n in c.get("grades") or []),
                    c.get("min_size", "auto"),
                    c.get("max_size", "auto"),
                    c.get("min_subclass_size", "auto"),
                ]
            )
    for i, item in enumerate(inputs.get("locked") or [], start=1):
        counts = item.get("grades") if isinstance(item, dict) else None
        if isinstance(counts, dict):
            words = " + ".join(f"{n} of grade {g}" for g, n in counts.items())
            rows.append([f"Fixed class {i}", words])
    return rows


def class_rows(table: Table | None) -> list[list[Any]]:
    if table is None:
        return [["No allocation: these inputs have none."]]
    grades = list(table.grade_names)
    rows: list[list[Any]] = [["Class", *(f"Grade {g}" for g in grades), "Size", "Kind"]]
    for number, cls in enumerate(table.classes, start=1):
        kind = "/".join(cls.grade_names) + " composite" if cls.composite else ""
        if cls.locked:
            kind = (kind + " fixed").strip()
        rows.append([number, *(cls.count(g) or "" for g in grades), cls.size, kind])
    for extra in range(table.unused):
        rows.append([len(table.classes) + extra + 1, *("" for _ in grades), 0, "unused teacher"])
    return rows


def summary_rows(table: Table | None) -> list[list[Any]]:
    rows: list[list[Any]] = [["Grade", "Children", "Classes", "Smallest", "Average", "Largest"]]
    for s in grade_summary(table) if table else []:
        rows.append([s.name, s.children, s.classes, s.smallest, s.average, s.largest])
    return rows


def scenario_csv(
    inputs: dict[str, Any], table: Table | None, *, title: str, revision: int, status: str
) -> str:
    """Sections separated by an empty row: grades first (importable), rules, classes, summary."""
    sections = [
        grade_rows(inputs),
        rule_rows(inputs, title, revision, status),
        class_rows(table),
        summary_rows(table),
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for i, section in enumerate(sections):
        if i:
            writer.writerow([])
        writer.writerows([[safe_cell(cell) for cell in row] for row in section])
    return out.getvalue()


def scenario_xlsx(
    inputs: dict[str, Any], table: Table | None, *, title: str, revision: int, status: str
) -> bytes:
    """A workbook with the sheets Grades, Rules, Classes and By grade."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheets = [
        ("Grades", grade_rows(inputs)),
        ("Rules", rule_rows(inputs, title, revision, status)),
        ("Classes", class_rows(table)),
        ("By grade", summary_rows(table)),
    ]
    bold = Font(bold=True)
    for index, (name, rows) in enumerate(sheets):
        sheet = book.active if index == 0 else book.create_sheet()
        sheet.title = name
        for row in rows:
            sheet.append([plain_cell(v) for v in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # never a formula, whatever the text
        for cell in sheet[1]:
            cell.font = bold
        sheet.column_dimensions["A"].width = 22
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filename(
    school: str, year: int, scenario: str, revision: int, extension: str, *, what: str = ""
) -> str:
    """`school-2027-name-r3[-what].extension`, safe in any file system and header."""
    base = f"{school} {year} {scenario} r{revision} {what}"
    return re.sub(r"[^A-Za-z0-9]+", "-", base).strip("-").lower() + "." + extension
