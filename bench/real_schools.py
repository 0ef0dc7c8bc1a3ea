"""Real schools: how fast `solve` proves its answers, beside CP-SAT on the same problem.

    make bench-real                  # builds .venv-cpsat (OR-Tools) and runs this
    .venv/bin/python bench/real_schools.py [DIR] [--time-limit 10] [--only GLOB]

For every scenario of DIR (default `../shared/data/vic-2019`: 110 Victorian schools of
the 2019 census, primary `vic-*` and P-12 `vic12-*`, at the teachers their children
need and one fewer): our lexicographic solve (`solve`, no diagnosis of infeasible
cases, no alternatives) and the independent CP-SAT model of bench/cpsat_classes.py
(2 workers, the same three lexicographic passes) in its own process (OR-Tools and
python-mip must not share one), case by case, one after the other. Times are model
building and solving in a warm process, no interpreter start.

Prints one line per case (both times, the ratio ours / CP-SAT, both statuses and
metrics), then the summary: cases proved, median and worst ratio, geometric mean, the
typical (median) primary school and college. Where both are proved they must agree on
the status and every metric; where one ran out of time (`unproved`) its answer must be
no better than the other's proved optimum. A disagreement is printed and the bench
exits 1.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.real_data import DATA, scenario_files  # noqa: E402
from crunch.solver import PRIORITIES, parse_scenario, solve  # noqa: E402

CPSAT_PYTHON = ROOT / ".venv-cpsat" / "bin" / "python"


def ours(path: Path, limit: float) -> dict:
    scenario = parse_scenario(json.loads(path.read_text()))
    started = time.perf_counter()
    answer = solve(scenario, time_limit=limit, diagnose=False)
    seconds = time.perf_counter() - started
    metrics = answer.allocation.metrics.to_dict() if answer.allocation else None
    return {"status": str(answer.status), "seconds": seconds, "metrics": metrics}


class CpSat:
    """One CP-SAT process for the whole run, fed one file at a time."""

    def __init__(self, limit: float, workers: int):
        self.proc = subprocess.Popen(
            [
                str(CPSAT_PYTHON),
                str(HERE / "cpsat_classes.py"),
                "-",
                "--time-limit",
                str(limit),
                "--workers",
                str(workers),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def solve(self, path: Path) -> dict:
        assert self.proc.stdin and self.proc.stdout
        self.proc.stdin.write(f"{path}\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        assert self.proc.stdin
        self.proc.stdin.close()
        self.proc.wait()


def warm_up() -> None:
    """Import and first-model costs, paid once before any case is timed."""
    solve(
        parse_scenario(
            {
                "teachers": 2,
                "grades": [{"name": "1", "students": 30, "min_size": 1, "max_size": 20}],
            }
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("data", nargs="?", type=Path, default=DATA)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2, help="CP-SAT's workers")
    parser.add_argument("--only", default="*.json", help="glob of files within DATA")
    args = parser.parse_args()
    files = scenario_files(args.data, args.only)
    if not files:
        return 2
    if not CPSAT_PYTHON.exists():
        print("no .venv-cpsat: `make bench-real` builds it", file=sys.stderr)
        return 2
    print(
        f"{len(files)} scenarios from {args.data}; limit {args.time_limit:g} s; CP-SAT "
        f"{args.workers} workers; {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    warm_up()
    cpsat = CpSat(args.time_limit, args.workers)
    print(
        f"{'case':<22}{'ours':>8}{'CP-SAT':>8}{'ratio':>7}  {'status':<21}metrics (ours | CP-SAT)"
    )
    rows = []
    disagreements = 0
    try:
        for path in files:
            theirs = cpsat.solve(path)
            mine = ours(path, args.time_limit)
            ratio = mine["seconds"] / max(theirs["seconds"], 1e-4)
            verdict = compare(mine, theirs, data_priorities(path))
            disagreements += verdict == "DISAGREE"
            status = f"{mine['status']}/{theirs['status']}"
            print(
                f"{path.stem:<22}{mine['seconds']:>7.3f}s{theirs['seconds']:>7.3f}s{ratio:>7.2f}"
                f"  {status:<21}{_metrics(mine)} | {_metrics(theirs)}  {verdict}",
                flush=True,
            )
            rows.append((path.stem, mine, theirs, ratio))
    finally:
        cpsat.close()
    summary(rows)
    if disagreements:
        print(f"{disagreements} cases disagree with CP-SAT")
    return 1 if disagreements else 0


def data_priorities(path: Path) -> tuple[str, ...]:
    return tuple(json.loads(path.read_text()).get("priorities") or PRIORITIES)


def compare(mine: dict, theirs: dict, priorities: tuple[str, ...]) -> str:
    """'' when both are proved and agree; 'unproved' when one ran out of time and its
    answer is no better than the other's proved one; else 'DISAGREE'."""
    proved = ("optimal", "infeasible")
    if mine["status"] in proved and theirs["status"] in proved:
        same = mine["status"] == theirs["status"] and mine.get("metrics") == theirs.get("metrics")
        return "" if same else "DISAGREE"
    for one, other in ((mine, theirs), (theirs, mine)):
        if one["status"] in proved and other["status"] not in proved:
            if one["status"] == "infeasible":
                return "DISAGREE" if other.get("metrics") else "unproved"
            if other.get("metrics") and key(other, priorities) < key(one, priorities):
                return "DISAGREE"  # an unproved answer better than a proved optimum
    return "unproved"


def key(answer: dict, priorities: tuple[str, ...]) -> tuple[int, ...]:
    signed = dict(answer["metrics"], classes=-answer["metrics"]["classes"])
    return tuple(signed[p] for p in priorities)


def _metrics(answer: dict) -> str:
    m = answer.get("metrics")
    return f"{m['classes']},{m['composites']},{m['balance']}" if m else "-"


def summary(rows: list) -> None:
    proved = ("optimal", "infeasible")
    ratios = [r for *_, r in rows]
    worst = max(rows, key=lambda row: row[3])
    print()
    print(
        f"proved: ours {sum(m['status'] in proved for _, m, _, _ in rows)}/{len(rows)}, "
        f"CP-SAT {sum(t['status'] in proved for _, _, t, _ in rows)}/{len(rows)}"
    )
    print(
        f"ratio ours / CP-SAT: median {statistics.median(ratios):.2f}, geometric mean "
        f"{math.exp(statistics.fmean(math.log(r) for r in ratios)):.2f}, worst {worst[3]:.2f} "
        f"({worst[0]}: {worst[1]['seconds']:.3f} s vs {worst[2]['seconds']:.3f} s); "
        f"over 2x: {sum(r > 2 for r in ratios)}"
    )
    for label, prefix in (("primary", "vic-"), ("P-12", "vic12-")):
        group = [(m, t) for name, m, t, _ in rows if name.startswith(prefix)]
        if not group:
            continue
        mine = [m["seconds"] for m, _ in group]
        theirs = [t["seconds"] for _, t in group]
        print(
            f"{label} ({len(group)}): ours median {statistics.median(mine) * 1000:.0f} ms, "
            f"worst {max(mine):.2f} s; CP-SAT median {statistics.median(theirs) * 1000:.0f} ms, "
            f"worst {max(theirs):.2f} s"
        )


if __name__ == "__main__":
    sys.exit(main())
