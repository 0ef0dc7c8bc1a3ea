"""The two rules every exported cell follows, whoever exports it: no text a spreadsheet
would run as a formula (`safe_cell`), no character an .xlsx cannot hold (`plain_cell`)."""

from __future__ import annotations

import re
from typing import Any

# A cell starting with one of these is a formula to a spreadsheet program.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def safe_cell(cell: object) -> object:
    """Text that a spreadsheet would run as a formula, quoted; a plain number kept."""
    if isinstance(cell, str) and cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def plain_cell(value: Any) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if value is None or isinstance(value, int | float):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))
