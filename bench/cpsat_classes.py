"""An independent CP-SAT model of the class-structure problem (docs/scenario.md), for the bench.

    python bench/cpsat_classes.py FILE.json [FILE.json ...] [--time-limit S] [--workers N]
    python bench/cpsat_classes.py - ...      (one path a line on stdin, one answer each)

Runs in its own interpreter (OR-Tools and python-mip must not share a process, see
GUIDE.md) from the bench-only virtualenv (`make bench-real` builds it). It imports
nothing of the project: it reads the JSON itself. For each file it prints one JSON line:
status, metrics (classes, composites, balance), the seconds spent solving (model
building included) and the classes per kind.

The model: for each kind of class (a grade, or an allowed composite) the number of
classes n, the children of each grade in it x, and the smallest and largest class of
the kind (lo, hi, at most one apart, lo * n <= total <= hi * n: the even split). A
grade's spread is its band [min lo, max hi] over the kinds that hold it (and the locked
classes). The priorities are optimised one after another, each held at its optimum
(three passes, the last solution given as a hint to the next).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from ortools.sat.python import cp_model

PRIORITIES = ["classes", "composites", "balance"]


def kinds_of(data: dict) -> list[dict]:
    grades = {g["name"]: g for g in data["grades"]}
    default_sub = data.get("min_subclass_size") or 1
    out = []
    for g in data["grades"]:
        if g["students"]:
            out.append(
                {"grades": [g["name"]], "min": g["min_size"], "max": g["max_size"], "sub": 1}
            )
    for c in data.get("composites") or []:
        members = [grades[str(n)] for n in c["grades"]]
        if not all(m["students"] for m in members):
            continue
        out.append(
            {
                "grades": [m["name"] for m in members],
                "min": c.get("min_size") or max(m["min_size"] for m in members),
                "max": c.get("max_size") or min(m["max_size"] for m in members),
                "sub": c.get("min_subclass_size") or default_sub,
            }
        )
    return out


class ClassModel:
    def __init__(self, data: dict):
        m = self.m = cp_model.CpModel()
        locked = [
            {str(g): n for g, n in c["grades"].items() if n} for c in data.get("locked") or []
        ]
        self.locked = locked
        teachers = data["teachers"] - len(locked)
        left = {
            g["name"]: g["students"] - sum(c.get(g["name"], 0) for c in locked)
            for g in data["grades"]
        }
        biggest = max(max(g["max_size"] for g in data["grades"]), 1)
        self.kinds = kinds_of(data)
        self.n, self.x = [], []
        lows: dict[str, list] = {g: [] for g in left}
        highs: dict[str, list] = {g: [] for g in left}
        for k, kind in enumerate(self.kinds):
            n = m.NewIntVar(0, max(teachers, 0), f"n{k}")
            x = {g: m.NewIntVar(0, max(left[g], 0), f"x{k}_{g}") for g in kind["grades"]}
            total = sum(x.values())
            m.Add(total >= kind["min"] * n)
            m.Add(total <= kind["max"] * n)
            if len(kind["grades"]) > 1:
                for var in x.values():
                    m.Add(var >= kind["sub"] * n)
            active = m.NewBoolVar(f"a{k}")
            m.Add(n >= 1).OnlyEnforceIf(active)
            m.Add(n == 0).OnlyEnforceIf(active.Not())
            lo = m.NewIntVar(0, kind["max"], f"lo{k}")
            hi = m.NewIntVar(0, kind["max"], f"hi{k}")
            lo_n = m.NewIntVar(0, kind["max"] * max(teachers, 0), f"lon{k}")
            hi_n = m.NewIntVar(0, kind["max"] * max(teachers, 0), f"hin{k}")
            m.AddMultiplicationEquality(lo_n, [lo, n])
            m.AddMultiplicationEquality(hi_n, [hi, n])
            m.Add(lo_n <= total)
            m.Add(hi_n >= total)
            m.Add(hi <= lo + 1)
            m.Add(lo <= hi)
            for g in kind["grades"]:
                lows[g].append((lo, active))
                highs[g].append((hi, active))
            self.n.append(n)
            self.x.append(x)
        for g, count in left.items():
            holders = [x[g] for x in self.x if g in x]
            if holders:
                m.Add(sum(holders) == count)
            elif count:
                m.Add(0 == 1)  # nowhere to put these children
        m.Add(sum(self.n) <= max(teachers, 0))
        spreads = []
        for g in left:
            sizes = [sum(c.values()) for c in locked if g in c]
            if not lows[g] and not sizes:
                continue
            band_lo = m.NewIntVar(0, biggest, f"blo_{g}")
            band_hi = m.NewIntVar(0, biggest, f"bhi_{g}")
            m.Add(band_lo <= band_hi)
            for lo, active in lows[g]:
                m.Add(band_lo <= lo).OnlyEnforceIf(active)
            for hi, active in highs[g]:
                m.Add(band_hi >= hi).OnlyEnforceIf(active)
            for size in sizes:
                m.Add(band_lo <= size)
                m.Add(band_hi >= size)
            spreads.append(band_hi - band_lo)
        self.exprs = {
            "classes": -(sum(self.n) + len(locked)),
            "composites": sum(
                n for n, k in zip(self.n, self.kinds, strict=True) if len(k["grades"]) > 1
            )
            + sum(1 for c in locked if len(c) > 1),
            "balance": sum(spreads),
        }


def solve_one(data: dict, time_limit: float, workers: int) -> dict:
    started = time.perf_counter()
    deadline = started + time_limit
    model = ClassModel(data)
    priorities = data.get("priorities") or PRIORITIES
    proved = True
    values: dict[str, int] = {}
    structure: dict[str, int] = {}
    for stage, priority in enumerate(priorities):
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(deadline - time.perf_counter(), 0.01)
        solver.parameters.num_workers = workers
        expr = model.exprs[priority]
        model.m.Minimize(expr)
        result = solver.Solve(model.m)
        seconds = time.perf_counter() - started
        if result == cp_model.INFEASIBLE:
            return {"status": "infeasible", "seconds": seconds}
        if result not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            if stage == 0:
                return {"status": "timeout", "seconds": seconds}
            proved = False
            break
        proved = proved and result == cp_model.OPTIMAL
        model.m.Add(expr <= round(solver.ObjectiveValue()))
        model.m.ClearHints()
        for n, x in zip(model.n, model.x, strict=True):
            model.m.AddHint(n, solver.Value(n))
            for var in x.values():
                model.m.AddHint(var, solver.Value(var))
        values = {p: round(solver.Value(model.exprs[p])) for p in PRIORITIES}
        structure = {
            "/".join(k["grades"]): solver.Value(n)
            for n, k in zip(model.n, model.kinds, strict=True)
            if solver.Value(n)
        }
        if time.perf_counter() >= deadline and stage < len(priorities) - 1:
            proved = False
            break
    metrics = {"classes": -values["classes"], "composites": values["composites"]}
    metrics["balance"] = values["balance"]
    return {
        "status": "optimal" if proved else "feasible",
        "metrics": metrics,
        "structure": structure,
        "seconds": round(time.perf_counter() - started, 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="+")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    paths = sys.stdin if args.files == ["-"] else args.files
    for line in paths:
        path = line.strip()
        with open(path) as f:
            data = json.load(f)
        answer = solve_one(data, args.time_limit, args.workers)
        answer["file"] = path
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    sys.exit(main())
