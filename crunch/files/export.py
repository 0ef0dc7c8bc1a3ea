"""CSV export of a saved allocation: one row per teacher, as a class list for staff."""

from __future__ import annotations

import csv
import io
import re

from crunch.models import Revision, Scenario
from crunch.planning import Table

# A cell starting with one of these is a formula to a spreadsheet program.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def table_csv(table: Table) -> str:
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
    writer.writerows([[_safe(cell) for cell in row] for row in rows])
    return out.getvalue()


def filename(scenario: Scenario, revision: Revision) -> str:
    """Named as a class list, so it never overwrites the scenario's own CSV download."""
    base = f"{scenario.school.name} {scenario.year} {scenario.name} r{revision.number} class list"
    return re.sub(r"[^A-Za-z0-9]+", "-", base).strip("-").lower() + ".csv"


def _safe(cell: object) -> object:
    """Quote text that a spreadsheet would run as a formula."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START):
        return "'" + cell
    return cell
