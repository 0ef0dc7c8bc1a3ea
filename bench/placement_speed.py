"""Class lists: how fast `place` proves its placements, beside CP-SAT on the same problem.

    make bench-place                      # builds .venv-cpsat (OR-Tools) and runs this
    .venv/bin/python bench/placement_speed.py [--primaries N] [--colleges M]

Cases (bench/rosters.py, fixed seeds, plans from the class solver):
    primary   ~700 children, 7 grades (K-6), 28 classes, 2-3 friend requests each,
              2 % apart, twins, gender and `from`, 2 scores, 3 tags; limit 10 s
    college   ~2,000 children, 13 grades (K-12); limit 60 s

For each case: our status, the time to the first valid placement, the time to the
answer, and the metrics; then the independent CP-SAT model (bench/cpsat_place.py, 2
workers, the same parts and lexicographic stages) in its own process (OR-Tools and
python-mip must not share one), its status, time and metrics, and the ratio of the
two times. Times are model building and solving in a warm process, no interpreter
start. Where both are proved, the optimal metrics must agree: a mismatch is printed
as one, and the bench exits 1. CP-SAT's placement is also checked against our own
`broken_rules` and `placement_metrics`.

Last, the hard limit: the wall time of `place` on the largest inputs the format allows
(5,000 children of one grade in 200 or 50 classes, ten friend requests each).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import rosters  # noqa: E402

from crunch.solver.placement import (  # noqa: E402
    broken_rules,
    parse_placement,
    place,
    placement_metrics,
)

CPSAT_PYTHON = ROOT / ".venv-cpsat" / "bin" / "python"


def ours(data: dict, limit: float) -> dict:
    placement_input = parse_placement(data)
    started = time.perf_counter()
    first: list[float] = []

    def progress(_placement) -> None:
        if not first:
            first.append(time.perf_counter() - started)

    answer = place(placement_input, time_limit=limit, on_progress=progress)
    seconds = time.perf_counter() - started
    assert not broken_rules(placement_input, answer.assignment), "our placement breaks a rule"
    keys = list(placement_input.priorities)
    return {
        "status": str(answer.status),
        "seconds": seconds,
        "first": first[0] if first else seconds,
        "metrics": {k: answer.metrics.to_dict()[k] for k in keys} if answer.metrics else None,
    }


def cpsat(data: dict, limit: float) -> dict | None:
    if not CPSAT_PYTHON.exists():
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(data, f)
    done = subprocess.run(
        [str(CPSAT_PYTHON), str(HERE / "cpsat_place.py"), f.name, "--time-limit", str(limit)],
        capture_output=True,
        text=True,
        timeout=limit * 3 + 60,
    )
    Path(f.name).unlink()
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    answer["total"] = answer["seconds"] + answer.get("build_seconds", 0)
    if answer.get("placement"):
        placement_input = parse_placement(data)
        assert not broken_rules(placement_input, answer["placement"]), "CP-SAT breaks a rule"
        # its excess variables bound the metrics from above until each stage is proved:
        # measure its placement as ours is measured
        counted = placement_metrics(placement_input, answer["placement"]).to_dict()
        answer["metrics"] = {k: counted[k] for k in answer["metrics"]}
    return answer


def largest(children: int, classes: int, seed: int = 1) -> dict:
    """The spec's limits at their worst: one grade, ten friend requests each."""
    import random

    rng = random.Random(seed)
    ids = [f"S{i}" for i in range(children)]
    kids = []
    for i, child_id in enumerate(ids):
        asks = [a for a in dict.fromkeys(rng.choice(ids) for _ in range(10)) if a != child_id]
        kids.append(
            {
                "id": child_id,
                "grade": "K",
                "friends": asks,
                "categories": {"gender": "FM"[i % 2]},
                "tags": ["EAL"] if rng.random() < 0.15 else [],
                "scores": {"reading": rng.randint(1, 5)},
            }
        )
    return {
        "classes": [
            {"label": f"C{k}", "grades": {"K": children // classes}} for k in range(classes)
        ],
        "children": kids,
    }


def limits() -> None:
    """Hard limits: the wall time of place() on the largest inputs the spec allows."""
    for children, classes, limit in ((5000, 200, 10.0), (5000, 50, 10.0), (2000, 80, 10.0)):
        placement_input = parse_placement(largest(children, classes))
        started = time.perf_counter()
        answer = place(placement_input, time_limit=limit)
        wall = time.perf_counter() - started
        print(
            f"limit: {children} children in {classes} classes, {limit:g} s limit: "
            f"{answer.status}, wall {wall:.2f} s (over by {max(0.0, wall - limit):.2f} s)",
            flush=True,
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--primaries", type=int, default=5)
    parser.add_argument("--colleges", type=int, default=1)
    parser.add_argument("--no-limits", action="store_true", help="skip the largest inputs")
    args = parser.parse_args()
    cases = [("primary", s, rosters.primary, 10.0) for s in range(2027, 2027 + args.primaries)]
    cases += [("college", s, rosters.college, 60.0) for s in range(2027, 2027 + args.colleges)]
    if not CPSAT_PYTHON.exists():
        print("(no .venv-cpsat: CP-SAT columns left empty; `make bench-place` builds it)")
    print(
        f"{'case':<14}{'kids':>6}{'cls':>5}  {'ours':<9}{'valid':>7}{'answer':>8}  "
        f"{'CP-SAT':<9}{'answer':>8}{'ratio':>7}  metrics (ours | CP-SAT)"
    )
    rows = []
    mismatches = 0
    for kind, seed, make, limit in cases:
        data = make(seed)
        mine = ours(data, limit)
        theirs = cpsat(data, limit)
        ratio = mine["seconds"] / theirs["total"] if theirs and theirs.get("total") else None
        agree = ""
        both_proved = theirs and mine["status"] == theirs["status"] == "optimal"
        if both_proved and mine["metrics"] != theirs["metrics"]:
            agree = "  MISMATCH"
            mismatches += 1
        print(
            f"{kind + ' ' + str(seed):<14}{len(data['children']):>6}{len(data['classes']):>5}  "
            f"{mine['status']:<9}{mine['first']:>6.2f}s{mine['seconds']:>7.2f}s  "
            f"{(theirs or {}).get('status', '-'):<9}"
            f"{(theirs or {}).get('total', float('nan')):>7.2f}s"
            f"{ratio if ratio else float('nan'):>7.2f}  "
            f"{mine['metrics']} | {(theirs or {}).get('metrics')}{agree}",
            flush=True,
        )
        rows.append((kind, mine, theirs, ratio))
    for kind in ("primary", "college"):
        mine = [m for k, m, _, _ in rows if k == kind]
        if not mine:
            continue
        proved = [m["seconds"] for m in mine if m["status"] == "optimal"]
        ratios = [r for k, _, _, r in rows if k == kind and r]
        print(
            f"{kind}: {len(proved)}/{len(mine)} proved; answer median "
            f"{statistics.median(m['seconds'] for m in mine):.2f} s, max "
            f"{max(m['seconds'] for m in mine):.2f} s; first valid placement max "
            f"{max(m['first'] for m in mine):.2f} s"
            + (
                f"; ratio to CP-SAT median {statistics.median(ratios):.2f}, max {max(ratios):.2f}"
                if ratios
                else ""
            )
        )
    if not args.no_limits:
        limits()
    if mismatches:
        print(f"{mismatches} proved answers disagree with CP-SAT")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
