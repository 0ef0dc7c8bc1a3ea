"""How fast the solver answers on generated schools (bench/schools.py, fixed seed).

For each size (typical primary, large primary, K-12) it solves every school under the
default priorities with the default 10 s limit and prints the median and largest
time and the statuses. Then it times proving infeasibility on the same schools with
too few teachers: one teacher fewer than the fewest that work ("tight"), and fewer
than even full classes could hold ("capacity"); proof alone, and with the diagnosis
and verified suggestions a user sees.

    python bench/solver_speed.py [--count N] [--time-limit SECONDS] [--sizes typical,large]

Targets on a 2-core machine: typical < 1 s median, large < 3 s, K-12 < 10 s,
infeasibility < 1 s. Timings include building the model; mip is imported once first.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from schools import SIZES, schools, short_of_teachers

from crunch.solver import Status, parse_scenario, solve

TARGETS = {"typical": 1.0, "large": 3.0, "k12": 10.0, "infeasible": 1.0}


def timed(scenario, **kwargs):
    started = time.perf_counter()
    answer = solve(scenario, **kwargs)
    return time.perf_counter() - started, answer


def fewest_teachers(obj, time_limit: float) -> tuple[int, float | None, float, Status]:
    """Count up from a number of teachers that cannot work to the fewest that can.

    Returns (fewest, seconds to prove one fewer infeasible, seconds to solve with the
    fewest, that answer's status).
    """
    teachers = short_of_teachers(obj)["teachers"]
    proof = None
    while True:
        seconds, answer = timed(
            parse_scenario(obj | {"teachers": teachers}), time_limit=time_limit, diagnose=False
        )
        if answer.status is not Status.INFEASIBLE or teachers >= obj["teachers"]:
            return teachers, proof, seconds, answer.status
        proof = seconds
        teachers += 1


def line(label: str, seconds: list[float], statuses: Counter, target: float | None) -> str:
    median, worst = statistics.median(seconds), max(seconds)
    verdict = ""
    if target is not None:
        verdict = f"  target < {target:g} s median: {'met' if median < target else 'MISSED'}"
    shown = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
    return f"{label:<34} median {median:6.2f} s   max {worst:6.2f} s   [{shown}]{verdict}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5, help="schools per size")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--sizes", default=",".join(SIZES))
    args = parser.parse_args(argv)
    sizes = [s for s in args.sizes.split(",") if s]

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {args.count} schools per size, {args.time_limit:g} s limit"
    )
    # import and first-model costs are paid once, as in a long-running worker
    solve(parse_scenario(schools("typical", 1)[0]), time_limit=args.time_limit)

    tight: list[float] = []
    capacity: list[float] = []
    diagnosed: list[float] = []
    capacity_statuses: Counter = Counter()
    tight_statuses: Counter = Counter()
    summary = []
    for size in sizes:
        seconds, statuses = [], Counter()
        fewest_seconds, fewest_statuses = [], Counter()
        for obj in schools(size, args.count):
            children = sum(g["students"] for g in obj["grades"])
            took, answer = timed(parse_scenario(obj), time_limit=args.time_limit)
            seconds.append(took)
            statuses[str(answer.status)] += 1
            report = f"{obj['teachers']} teachers: {answer.status} in {took:.2f} s"

            short = parse_scenario(short_of_teachers(obj))
            took, answer = timed(short, time_limit=args.time_limit, diagnose=False)
            capacity.append(took)
            capacity_statuses[str(answer.status)] += 1

            fewest, proof, took, status = fewest_teachers(obj, args.time_limit)
            fewest_seconds.append(took)
            fewest_statuses[str(status)] += 1
            report += f"; fewest that work {fewest}: {status} in {took:.2f} s"
            if proof is not None:
                tight.append(proof)
                took, answer = timed(
                    parse_scenario(obj | {"teachers": fewest - 1}), time_limit=args.time_limit
                )
                diagnosed.append(took)
                tight_statuses[str(answer.status)] += 1
                report += f"; {fewest - 1}: infeasible proved in {proof:.2f} s, {took:.2f} s"
                report += " with diagnosis"
            print(f"  {obj['name']:<18} {children:5d} children, {report}", flush=True)
        label = f"{size} ({SIZES[size][0]} grades)"
        summary.append(line(label, seconds, statuses, TARGETS.get(size)))
        summary.append(line(f"{size}, fewest teachers", fewest_seconds, fewest_statuses, None))

    print()
    for row in summary:
        print(row)
    if tight:
        print(line("infeasible, tight: proof", tight, Counter(), TARGETS["infeasible"]))
        print(line("infeasible, tight: with diagnosis", diagnosed, tight_statuses, None))
    if capacity:
        print(line("infeasible, capacity: proof", capacity, capacity_statuses, None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
