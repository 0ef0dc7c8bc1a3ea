"""What the infeasible real schools are offered: a small single change, a pair, or nothing.

Solves every `-tight` scenario of the real-schools set (`vic-2019/`: the 2019
Victorian census schools with one teacher fewer than their children need) as the
editor's live preview does (its time limit and SUGGESTION_MAX_SIZE_STEP), and sorts
the infeasible ones by the best suggestion offered:

- single: at least one small single change (a size limit moved a few children, a
  composite allowed, the minimum subclass size lowered);
- pair: no single small change works, but a pair of them does;
- teachers only: only more teachers;
- nothing: no suggestion at all.

Every suggestion is verified again here (its patch applied, the result solved) and
its size-limit moves measured against the bound. Prints one line per school, the
counts, the largest move and the worst time.

    .venv/bin/python bench/suggestions.py [--data DIR] [--time-limit 3] [--step 4]
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DATA = ROOT.parent / "shared" / "data" / "vic-2019"

from crunch.config import Defaults  # noqa: E402
from crunch.solver import Status, parse_scenario, solve  # noqa: E402
from crunch.solver.patch import merge_patch  # noqa: E402


def kind_of(suggestions) -> str:
    small = [s for s in suggestions if "teachers" not in s.patch]
    if any(not s.parts for s in small):
        return "single"
    if small:
        return "pair"
    return "teachers only" if suggestions else "nothing"


def largest_move(obj: dict, patched: dict) -> int:
    """The most children any grade's size limit moved by."""
    moves = [0]
    for old, new in zip(obj["grades"], patched["grades"], strict=True):
        for key in ("min_size", "max_size"):
            moves.append(abs(new.get(key, 0) - old.get(key, 0)))
    return max(moves)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--time-limit", type=float, default=Defaults.PREVIEW_TIME_LIMIT)
    parser.add_argument("--step", type=int, default=Defaults.SUGGESTION_MAX_SIZE_STEP)
    args = parser.parse_args()

    counts: Counter[str] = Counter()
    worst = (0.0, "")
    biggest = 0
    unverified = []
    for path in sorted(args.data.glob("*-tight.json")):
        obj = json.loads(path.read_text())
        started = time.perf_counter()
        answer = solve(parse_scenario(obj), time_limit=args.time_limit, max_size_step=args.step)
        seconds = time.perf_counter() - started
        worst = max(worst, (seconds, path.name))
        if answer.status is not Status.INFEASIBLE:
            counts[f"not infeasible ({answer.status})"] += 1
            print(f"{path.name:24} {seconds:5.2f} s  {answer.status}")
            continue
        kind = kind_of(answer.suggestions)
        counts[kind] += 1
        for s in answer.suggestions:
            patched = merge_patch(obj, s.patch)
            fixed = solve(parse_scenario(patched), time_limit=10, diagnose=False)
            if fixed.status not in (Status.OPTIMAL, Status.FEASIBLE):
                unverified.append((path.name, s.text, str(fixed.status)))
            biggest = max(biggest, largest_move(obj, patched))
        first = answer.suggestions[0].text if answer.suggestions else "-"
        print(f"{path.name:24} {seconds:5.2f} s  {kind:13}  {first}")

    print()
    print(f"machine: {platform.machine()}, Python {platform.python_version()}")
    print(f"time limit {args.time_limit:g} s, size step {args.step}")
    for kind in ("single", "pair", "teachers only", "nothing"):
        print(f"{kind:14} {counts.pop(kind, 0)}")
    for kind, n in sorted(counts.items()):
        print(f"{kind:14} {n}")
    print(f"largest size-limit move suggested: {biggest} children")
    print(f"worst time: {worst[0]:.2f} s ({worst[1]})")
    print(f"suggestions not verified: {len(unverified)}")
    for item in unverified:
        print("  ", *item)


if __name__ == "__main__":
    main()
