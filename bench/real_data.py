"""The real schools of the benchmarks: ../shared/data/vic-2019 (docs/real-schools.md)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "vic-2019"


def scenario_files(data: Path, only: str) -> list[Path]:
    """The scenarios in `data` matching the glob `only`, sorted; none says so on stderr."""
    files = sorted(data.glob(only))
    if not files:
        print(f"no scenarios matching {only} in {data}", file=sys.stderr)
    return files
