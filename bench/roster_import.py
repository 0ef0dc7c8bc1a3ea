"""What importing a school's roster costs: generated rosters (bench/rosters.py) of a
primary (~700 children) and a P-12 college (~2,000) written as the roster's own CSV,
then read back as the import does (read_rows within the default limits, the guessed
mapping, every row checked, requests resolved, the placement parser's check).

    .venv/bin/python bench/roster_import.py

Prints, for each: the file's size, the reading thread's CPU time (what
IMPORT_MAX_SECONDS counts, for read_rows), and the wall time of the whole read.
"""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.rosters import college, primary
from crunch.files.importing import read_rows
from crunch.rosters import children as roster_children
from crunch.rosters import importing as roster_import


def measure(label: str, placement: dict) -> None:
    children = [roster_children.child(**c, notes="") for c in placement["children"]]
    grades = list(dict.fromkeys(c["grade"] for c in children))
    body = roster_children.to_csv(children).encode()
    start_cpu, start = time.thread_time(), time.perf_counter()
    rows = read_rows(body, "roster.csv")
    read_cpu = time.thread_time() - start_cpu
    tab = roster_import.table(rows)
    result = roster_import.read(tab, roster_import.guess(tab), grades, 2027)
    wall = time.perf_counter() - start
    assert result.ok, result.errors[:3]
    assert result.children == children
    print(
        f"{label}: {len(children):,} children, {len(body) / 1024:,.0f} KB; "
        f"read_rows CPU {read_cpu * 1000:,.0f} ms; whole import read {wall * 1000:,.0f} ms"
    )


def main() -> None:
    print(f"{platform.machine()}, Python {platform.python_version()}")
    measure("primary", primary())
    measure("P-12 college", college())


if __name__ == "__main__":
    main()
