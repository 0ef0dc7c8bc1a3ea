"""Does every real school answer within its time limit, with the collector running often?

Runs `crunch solve FILE --time-limit 10` over every scenario of the real-schools set
(`vic-2019/`: 110 Victorian schools of the 2019 census, at the teachers their
children need and with one fewer), each in a fresh process, as a user runs the
command, but with `gc.set_threshold(1)` set first, so the garbage collector runs
at nearly every allocation: the condition under which python-mip's HiGHS binding
deadlocked (docs/solver-deadlock.md). Each process is killed if it has not ended
after `--kill-after` seconds, and counted as hung.

Prints one line per school (wall time of the whole command, the solver's own time,
the status), then the worst and median wall times and every case over the limit.
Wall time includes starting Python and importing mip (about 0.4-1 s here), so a
case is also listed when it ends past the limit plus `--margin`.

    .venv/bin/python bench/real_schools_limits.py [--data DIR] [--time-limit 10]
        [--gc-threshold 1] [--kill-after 120] [--only PATTERN]

`--gc-threshold 0` leaves the collector at its defaults.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.real_data import DATA, scenario_files  # noqa: E402

# The `crunch` command itself, after setting the collector's threshold.
WRAPPER = """\
import gc, sys
threshold = int(sys.argv[1])
if threshold:
    gc.set_threshold(threshold)
from crunch.cli import main
sys.exit(main(["solve", *sys.argv[2:]]))
"""


def run_one(path: Path, args) -> dict:
    command = [
        sys.executable,
        "-c",
        WRAPPER,
        str(args.gc_threshold),
        str(path),
        "--time-limit",
        f"{args.time_limit:g}",
    ]
    started = time.perf_counter()
    try:
        done = subprocess.run(
            command, capture_output=True, timeout=args.kill_after, cwd=ROOT, check=False
        )
    except subprocess.TimeoutExpired:
        return {"file": path.name, "wall": time.perf_counter() - started, "status": "hung"}
    wall = time.perf_counter() - started
    try:
        answer = json.loads(done.stdout)
    except ValueError:
        tail = done.stderr.decode(errors="replace").strip().splitlines()[-1:]
        return {"file": path.name, "wall": wall, "status": f"error {tail}"}
    return {
        "file": path.name,
        "wall": wall,
        "status": answer.get("status", "?"),
        "solve": answer.get("solve_seconds"),
        "code": done.returncode,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--gc-threshold", type=int, default=1)
    parser.add_argument("--kill-after", type=float, default=120.0)
    parser.add_argument("--margin", type=float, default=2.0)
    parser.add_argument("--only", default="*.json", help="glob of files within --data")
    args = parser.parse_args()

    files = scenario_files(args.data, args.only)
    if not files:
        return 2
    print(
        f"{len(files)} scenarios from {args.data}; crunch solve --time-limit "
        f"{args.time_limit:g}; gc threshold {args.gc_threshold or 'default'}; "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    results = []
    for path in files:
        result = run_one(path, args)
        results.append(result)
        solve = result.get("solve")
        solve_text = f"{solve:6.2f} s" if isinstance(solve, int | float) else "     -  "
        print(
            f"  {result['file']:<24} wall {result['wall']:6.2f} s  solver {solve_text}  "
            f"{result['status']}",
            flush=True,
        )

    walls = [r["wall"] for r in results]
    worst = max(results, key=lambda r: r["wall"])
    over = [r for r in results if r["wall"] > args.time_limit]
    past_margin = [r for r in results if r["wall"] > args.time_limit + args.margin]
    print()
    print(f"statuses: {dict(Counter(r['status'] for r in results))}")
    print(f"wall time: median {statistics.median(walls):.2f} s, worst {worst['wall']:.2f} s")
    print(f"  (worst: {worst['file']}, {worst['status']})")
    solves = [r["solve"] for r in results if isinstance(r.get("solve"), int | float)]
    if solves:
        print(f"solver's own time: worst {max(solves):.2f} s")
    print(f"over the {args.time_limit:g} s limit: {len(over)} of {len(results)}")
    for r in over:
        print(f"  {r['file']}: {r['wall']:.2f} s ({r['status']})")
    print(f"over the limit plus {args.margin:g} s: {len(past_margin)}")
    hung = [r for r in results if r["status"] == "hung"]
    print(f"hung (killed after {args.kill_after:g} s): {len(hung)}")
    for r in hung:
        print(f"  {r['file']}")
    return 1 if hung or past_margin else 0


if __name__ == "__main__":
    sys.exit(main())
