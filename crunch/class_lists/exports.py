"""A saved class list as rows: CSV, .xlsx (one sheet per class) and the parent-safe
version of either, which leaves out needs (tags), scores, requests and notes."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from crunch.class_lists.board import BoardClass
from crunch.files.cells import plain_cell, safe_cell
from crunch.rosters.children import gender

FULL_HEADER = ["Class", "Teacher", "Id", "Name", "Grade", "Gender", "Tags", "Scores", "Friends",
               "Notes"]  # fmt: skip
PARENT_SAFE_HEADER = ["Class", "Teacher", "Name", "Grade"]


def rows(
    classes: list[BoardClass],
    children: list[dict[str, Any]],
    assignment: Mapping[str, str],
    *,
    parent_safe: bool = False,
) -> list[list[Any]]:
    """A header and one row per child, class by class in the plan's order."""
    out: list[list[Any]] = [PARENT_SAFE_HEADER if parent_safe else FULL_HEADER]
    for plan_class in classes:
        for kid in children:
            if assignment.get(kid["id"]) != plan_class.label:
                continue
            row = [plan_class.label, plan_class.teacher]
            if parent_safe:
                out.append([*row, kid["name"], kid["grade"]])
                continue
            scores = "; ".join(f"{k}: {v}" for k, v in (kid.get("scores") or {}).items())
            out.append(
                [
                    *row,
                    kid["id"],
                    kid["name"],
                    kid["grade"],
                    gender(kid),
                    "; ".join(kid.get("tags") or []),
                    scores,
                    "; ".join(kid.get("friends") or []),
                    kid.get("notes") or "",
                ]
            )
    return out


def to_csv(table: list[list[Any]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([[safe_cell(c) for c in row] for row in table])
    return out.getvalue()


def to_xlsx(table: list[list[Any]]) -> bytes:
    """One sheet per class, each with the header row."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    header, body = table[0], table[1:]
    bold = Font(bold=True)
    sheets: dict[str, Any] = {}
    for row in body:
        sheet = sheets.get(row[0])
        if sheet is None:
            sheet = sheets[row[0]] = book.create_sheet(title=str(row[0])[:31])
            sheet.append(header)
            for cell in sheet[1]:
                cell.font = bold
        sheet.append([plain_cell(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
    if not sheets:
        book.create_sheet(title="Classes").append(header)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
