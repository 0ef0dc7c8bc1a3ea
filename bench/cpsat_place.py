"""An independent CP-SAT model of the placement problem (docs/placement.md), for the bench.

    python bench/cpsat_place.py FILE.json [--time-limit S] [--workers N]

Runs in its own interpreter (OR-Tools and python-mip must not share a process, see
GUIDE.md) from the bench-only virtualenv (`make bench-place` builds it). It imports
nothing of the project: it reads the JSON itself, so it also checks our reading of the
format. The same decomposition (grades joined by classes) and the same lexicographic
stages as ours, each stage given the time left shared by size; prints one JSON line:
status, metrics, the placement, and the seconds spent solving (model building apart).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from ortools.sat.python import cp_model

PRIORITIES = ["friends", "needs", "mix", "scores"]


def band(total: int, part: int, whole: int) -> tuple[int, int]:
    if whole == 0:
        return 0, 0
    return (total * part) // whole, -((-total * part) // whole)


def parts(data: dict) -> list[tuple[set[str], list[dict], list[dict]]]:
    parent: dict[str, str] = {}

    def root(g: str) -> str:
        parent.setdefault(g, g)
        while parent[g] != g:
            g = parent[g]
        return g

    for c in data["classes"]:
        grades = [g for g, n in c["grades"].items() if n]
        for g in grades[1:]:
            parent[root(g)] = root(grades[0])
        root(grades[0])
    groups: dict[str, set[str]] = {}
    for g in list(parent):
        groups.setdefault(root(g), set()).add(g)
    out = []
    for grades in groups.values():
        classes = [c for c in data["classes"] if grades & {g for g, n in c["grades"].items() if n}]
        children = [c for c in data["children"] if str(c["grade"]) in grades]
        out.append((grades, classes, children))
    return out


class PartModel:
    def __init__(self, data: dict, classes: list[dict], children: list[dict]):
        self.m = cp_model.CpModel()
        self.classes = classes
        self.children = children
        needed = data.get("friends_needed", 1)
        ids = {c["id"] for c in children}
        by_id = {c["id"]: c for c in children}
        self.x: dict[tuple[str, str], cp_model.IntVar] = {}
        allowed: dict[str, list[str]] = {}
        for ch in children:
            g = str(ch["grade"])
            opts = []
            for c in classes:
                if not c["grades"].get(g):
                    continue
                if c["label"] in (ch.get("not_classes") or []):
                    continue
                if ch.get("composite") is False and sum(1 for n in c["grades"].values() if n) > 1:
                    continue
                if ch.get("class") and ch["class"] != c["label"]:
                    continue
                opts.append(c["label"])
            allowed[ch["id"]] = opts
            for label in opts:
                self.x[ch["id"], label] = self.m.NewBoolVar("")
            self.m.AddExactlyOne(self.x[ch["id"], label] for label in opts)
        for c in classes:
            for g, n in c["grades"].items():
                if n:
                    self.m.Add(
                        sum(
                            self.x[ch["id"], c["label"]]
                            for ch in children
                            if str(ch["grade"]) == g and (ch["id"], c["label"]) in self.x
                        )
                        == n
                    )
        for ch in children:
            for other in ch.get("apart") or []:
                for label in allowed[ch["id"]]:
                    if (other, label) in self.x:
                        self.m.AddBoolOr(
                            [self.x[ch["id"], label].Not(), self.x[other, label].Not()]
                        )
            for other in ch.get("together") or []:
                for label in set(allowed[ch["id"]]) | set(allowed.get(other, [])):
                    a, b = self.x.get((ch["id"], label)), self.x.get((other, label))
                    if a is None or b is None:
                        self.m.Add((a if a is not None else b) == 0)
                    else:
                        self.m.Add(a == b)
        self.terms: dict[str, list] = {p: [] for p in [*PRIORITIES, "composite_fit"]}
        self.const: dict[str, int] = dict.fromkeys(self.terms, 0)
        # friends
        same: dict[tuple[str, str], cp_model.IntVar] = {}
        for ch in children:
            asks = ch.get("friends") or []
            if not asks:
                continue
            need = min(needed, len(asks))
            possible = [f for f in asks if f in ids and set(allowed[ch["id"]]) & set(allowed[f])]
            if len(possible) < need:
                self.const["friends"] += 1
                continue
            pair_vars = []
            for f in possible:
                key = tuple(sorted((ch["id"], f)))
                if key not in same:
                    s = self.m.NewBoolVar("")
                    for one, other in (key, key[::-1]):
                        for label in allowed[one]:
                            lits = [s.Not(), self.x[one, label].Not()]
                            if (other, label) in self.x:
                                lits.append(self.x[other, label])
                            self.m.AddBoolOr(lits)
                    same[key] = s
                pair_vars.append(same[key])
            met = self.m.NewBoolVar("")
            self.m.Add(sum(pair_vars) >= need * met)
            self.terms["friends"].append(met.Not())
        # needs (tags), mix (categories), scores
        grades = {str(ch["grade"]) for ch in children}
        for g in grades:
            members = [ch for ch in children if str(ch["grade"]) == g]
            total = len(members)
            groups: dict[tuple[str, str], list[str]] = {}
            for ch in members:
                for t in ch.get("tags") or []:
                    groups.setdefault(("needs", t), []).append(ch["id"])
                for k, v in (ch.get("categories") or {}).items():
                    if v is not None:
                        groups.setdefault(("mix", f"{k}={v}"), []).append(ch["id"])
            for (metric, _), group in groups.items():
                for c in classes:
                    n = c["grades"].get(g, 0)
                    if not n:
                        continue
                    lo, hi = band(len(group), n, total)
                    count = sum(self.x[i, c["label"]] for i in group if (i, c["label"]) in self.x)
                    self.terms[metric].append(self._excess(count, lo, hi, len(group)))
            names = sorted({k for ch in members for k in (ch.get("scores") or {})})
            for name in names:
                values = {ch["id"]: (ch.get("scores") or {}).get(name) or 0 for ch in members}
                grade_total, widest = sum(values.values()), max(values.values())
                for c in classes:
                    n = c["grades"].get(g, 0)
                    if not n:
                        continue
                    lo, hi = band(grade_total, n, total)
                    value = sum(
                        v * self.x[i, c["label"]]
                        for i, v in values.items()
                        if v and (i, c["label"]) in self.x
                    )
                    self.terms["scores"].append(
                        self._excess(value, lo - widest, hi + widest, grade_total)
                    )
        for ch in children:
            if ch.get("composite") is True:
                continue
            for label in allowed[ch["id"]]:
                c = next(c for c in classes if c["label"] == label)
                if sum(1 for n in c["grades"].values() if n) > 1:
                    self.terms["composite_fit"].append(self.x[ch["id"], label])
        self.by_id = by_id

    def _excess(self, value, lo: int, hi: int, most: int):
        e = self.m.NewIntVar(0, max(most, lo, 0), "")
        self.m.Add(e >= value - hi)
        self.m.Add(e >= lo - value)
        return e

    def expr(self, priority: str):
        return sum(self.terms[priority]) + self.const[priority]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("file")
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with open(args.file) as f:
        data = json.load(f)
    priorities = data.get("priorities") or PRIORITIES
    built = time.perf_counter()
    models = [PartModel(data, classes, children) for _, classes, children in parts(data)]
    started = time.perf_counter()
    build_seconds = started - built
    deadline = started + args.time_limit
    proved, status = True, "optimal"
    metrics = dict.fromkeys([*PRIORITIES, "composite_fit"], 0)
    placement: dict[str, str] = {}
    for stage, priority in enumerate(priorities):
        for k, part in enumerate(models):
            weight = len(part.children) + 1
            left = sum(len(p.children) + 1 for p in models[k:]) + (
                len(priorities) - stage - 1
            ) * sum(len(p.children) + 1 for p in models)
            seconds = (deadline - time.perf_counter()) * weight / left
            if stage == 0:
                seconds = deadline - time.perf_counter()
            solver = cp_model.CpSolver()
            solver.parameters.max_time_in_seconds = max(seconds, 0.01)
            solver.parameters.num_workers = args.workers
            expr = part.expr(priority)
            part.m.Minimize(expr)
            result = solver.Solve(part.m)
            if result == cp_model.INFEASIBLE:
                print(
                    json.dumps({"status": "infeasible", "seconds": time.perf_counter() - started})
                )
                return
            if result not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                if stage == 0:
                    print(
                        json.dumps({"status": "timeout", "seconds": time.perf_counter() - started})
                    )
                    return
                proved = False
                continue
            value = round(solver.ObjectiveValue())
            proved = proved and result == cp_model.OPTIMAL
            part.m.Add(expr <= value)
            part.m.ClearHints()
            for var in part.x.values():
                part.m.AddHint(var, solver.Value(var))
            part.values = {p: round(solver.Value(part.expr(p))) for p in priorities}
            part.placement = {i: label for (i, label), v in part.x.items() if solver.Value(v)}
    for part in models:
        placement.update(getattr(part, "placement", {}))
        for p, v in getattr(part, "values", {}).items():
            metrics[p] += v
    status = "optimal" if proved else "feasible"
    print(
        json.dumps(
            {
                "status": status,
                "metrics": {p: metrics[p] for p in priorities},
                "placement": placement,
                "seconds": round(time.perf_counter() - started, 3),
                "build_seconds": round(build_seconds, 3),
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
