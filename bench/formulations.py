"""Before and after: what the balance formulation bought, with CBC and with HiGHS.

The `balance` stage dominates solve time, so this times that stage alone (classes
and composites first optimised and held, as in a default solve) under three
formulations of the same objective:

    levels      the first formulation: c[k, s] = classes of kind k with s children,
                a[g, s] = size s within grade g's band; any multiset of sizes
    splits      the one in crunch/solver/model.py: each kind picks one even split
                (classes, smallest size, any one larger) from candidates its bounds
                allow, pruned by the earlier stages' optimum
    unpruned    the same splits without pruning by the earlier stages

on the schools of bench/schools.py with the teachers they need at ~22 per class, and
with the fewest teachers that work (composites needed: the hard case).

    python bench/formulations.py [--count N] [--time-limit SECONDS]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import mip

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from schools import SIZES, schools

from crunch.solver import parse_scenario, scenario_to_dict
from crunch.solver.engine import teacher_range
from crunch.solver.model import AllocationModel, size_range

_FOUND = (mip.OptimizationStatus.OPTIMAL, mip.OptimizationStatus.FEASIBLE)


class LevelsModel(AllocationModel):
    """The first balance formulation: class counts per size level, band binaries."""

    def add_balance_layer(self) -> None:
        if self.balance_modelled:
            return
        self.balance_modelled = True
        m, rem = self.m, self.remaining
        levels: dict[int, dict[int, mip.Var]] = {}
        sizes_of_grade: dict[str, set[int]] = {}
        for kv in self.kinds:
            low, high = size_range(kv.kind, rem)
            total = sum(rem.students[g] for g in kv.kind.grades)
            mine = {
                s: m.add_var(var_type=mip.INTEGER, lb=0, ub=min(int(kv.n.ub), total // s))
                for s in range(low, high + 1)
            }
            levels[id(kv)] = mine
            m += mip.xsum(mine.values()) == kv.n
            m += mip.xsum(s * c for s, c in mine.items()) == mip.xsum(kv.x.values())
            for g in kv.kind.grades:
                sizes_of_grade.setdefault(g, set()).update(mine)
        self.add_bands(sizes_of_grade)
        for kv in self.kinds:
            for s, c in levels[id(kv)].items():
                for g in kv.kind.grades:
                    m += c <= int(c.ub) * self.bands[g][s]


class UnprunedModel(AllocationModel):
    """The even-split candidates, without pruning by the earlier stages' optimum."""

    def add_balance_layer(self) -> None:
        held, self.fixed = self.fixed, {}
        try:
            super().add_balance_layer()
        finally:
            self.fixed = held


FORMULATIONS = {"levels": LevelsModel, "splits": AllocationModel, "unpruned": UnprunedModel}


def balance_stage(model_class, scenario, solver: str, limit: float) -> tuple[float, str]:
    """Seconds for the balance stage after classes and composites, and its status."""
    model = model_class(scenario, solver_name=solver)
    for priority in ("classes", "composites"):
        expr = model.objective(priority)
        status = model.optimize(expr, limit)
        if status not in _FOUND:
            return 0.0, "infeasible"
        model.fix(priority, expr, model.objective_value)
    started = time.perf_counter()
    status = model.optimize(model.objective("balance"), limit)
    seconds = time.perf_counter() - started
    proved = "optimal" if status == mip.OptimizationStatus.OPTIMAL else "unproved"
    return seconds, proved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5)
    parser.add_argument("--time-limit", type=float, default=10.0)
    args = parser.parse_args()
    print(f"balance stage, {args.count} schools per size, {args.time_limit:g} s limit")
    print(f"{'case':32} {'formulation':10} {'solver':6} {'median':>8} {'max':>8}  unproved")
    for size in SIZES:
        cases = [parse_scenario(obj) for obj in schools(size, args.count)]
        tight = []
        for scenario in cases:
            fewest, _ = teacher_range(scenario, time_limit=args.time_limit)
            tight.append(parse_scenario(scenario_to_dict(scenario) | {"teachers": fewest}))
        groups = {f"{size}, ~22 per class": cases, f"{size}, fewest teachers": tight}
        for label, group in groups.items():
            for name, model_class in FORMULATIONS.items():
                for solver in ("HIGHS", "CBC"):
                    runs = [balance_stage(model_class, s, solver, args.time_limit) for s in group]
                    times = [t for t, _ in runs]
                    unproved = sum(1 for _, st in runs if st != "optimal")
                    print(
                        f"{label:32} {name:10} {solver:6} {statistics.median(times):7.2f}s "
                        f"{max(times):7.2f}s  {unproved}",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
