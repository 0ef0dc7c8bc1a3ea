"""How much of an uploaded file the import reads, and the errors that say why not.

A small file can hold a great deal: an .xlsx of 300 KB can unpack to hundreds of
MB, and a sheet of a few KB can hold millions of cells. So every reader counts
what it reads against `Limits` as it goes and stops at the first limit passed,
including a deadline checked while parsing, so no file holds a worker for more
than `seconds` or grows the server by more than the few MB its contents may
unpack to. The numbers are the `IMPORT_*` settings of crunch/config.py.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MB = 1024 * 1024


class BadFile(ValueError):
    """The file cannot be read as grade counts; the message says why."""

    status = 422


class TooLarge(BadFile):
    """The file (or what it unpacks to) is more than the import reads."""

    status = 413


@dataclass(frozen=True)
class Limits:
    """See the `IMPORT_*` settings in crunch/config.py."""

    bytes: int
    unpacked_bytes: int
    parts: int
    packing_ratio: int
    rows: int
    columns: int
    cells: int
    cell_length: int
    seconds: float

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        return cls(
            bytes=int(config["IMPORT_MAX_BYTES"]),
            unpacked_bytes=int(config["IMPORT_MAX_UNPACKED_BYTES"]),
            parts=int(config["IMPORT_MAX_PARTS"]),
            packing_ratio=int(config["IMPORT_MAX_PACKING_RATIO"]),
            rows=int(config["IMPORT_MAX_ROWS"]),
            columns=int(config["IMPORT_MAX_COLUMNS"]),
            cells=int(config["IMPORT_MAX_CELLS"]),
            cell_length=int(config["IMPORT_MAX_CELL_LENGTH"]),
            seconds=float(config["IMPORT_MAX_SECONDS"]),
        )

    def size_words(self, size: int) -> str:
        """A byte limit in the words of the messages: "2 MB", "512 KB"."""
        if size >= MB and size % MB == 0:
            return f"{size // MB} MB"
        return f"{max(1, size // 1024):,} KB"


def _default_limits() -> Limits:
    from crunch.config import Defaults

    return Limits.from_config(vars(Defaults))


DEFAULT_LIMITS = _default_limits()

KEEP_ONLY = "Keep only the grade table (or the student list's grade column) and import again."


class Budget:
    """What one file's reading has used so far; raises `TooLarge` past a limit.

    `tick()` is cheap: readers call it in their innermost loops.
    """

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        # The reading thread's own CPU time: what the file costs the server, whatever
        # else the machine is doing (wall time under load would refuse good files).
        self.deadline = time.thread_time() + limits.seconds
        self.cells = 0

    def tick(self) -> None:
        if time.thread_time() > self.deadline:
            raise TooLarge(
                f"The file took more than {self.limits.seconds:g} seconds to read, "
                f"so it was not imported. {KEEP_ONLY}"
            )

    def row(self, number: int) -> None:
        """Row `number` (1 = the first) is about to be read."""
        if number > self.limits.rows:
            raise TooLarge(f"The file has more than {self.limits.rows:,} rows. {KEEP_ONLY}")
        self.tick()

    def column(self, row: int, column: int) -> None:
        """A cell in column `column` (1 = the first) of row `row` is about to be read."""
        if column > self.limits.columns:
            raise TooLarge(f"Row {row} has more than {self.limits.columns:,} columns. {KEEP_ONLY}")

    def add_cells(self, count: int) -> None:
        self.cells += count
        if self.cells > self.limits.cells:
            raise TooLarge(f"The file has more than {self.limits.cells:,} cells. {KEEP_ONLY}")

    def text(self, length: int, where: str) -> None:
        """A cell's (or a shared string's) text has reached `length` characters."""
        if length > self.limits.cell_length:
            raise TooLarge(
                f"{where} has more than {self.limits.cell_length:,} characters: "
                "no grade or count is that long. Check that this is the right file."
            )
