"""The mixed-integer model of one part of a placement (grades joined by shared classes).

    x[i, c]    child i sits in class c                          (binary)
    same[i, j] children i and j share a class (friend pairs)     (binary)
    met[i]     child i has the friends they need                 (binary)
    e[...]     how far a group's count or a score total falls outside its band
               (continuous; every bound is whole, so optima are whole)

x exists only for the classes a child may join: classes holding the child's grade,
less `not_classes`, composites for `composite: false`, and only the fixed class for
`class`. Hard rules are switched on one by one (`rules`), so the diagnosis can ask
which of them clash; the plan's counts are always held.

Classes that nothing tells apart (the same counts of every grade, named by no child's
rule) are interchangeable: any placement can be relabelled so that, going through the
children of their first grade in order, each new class used is the next one. That
ordering removes the permutations of identical classes without losing an optimum.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import mip

from .. import binding
from .data import Child, PlacementInput, PlanClass
from .metrics import band

_INFEASIBLE = (mip.OptimizationStatus.INFEASIBLE, mip.OptimizationStatus.INT_INFEASIBLE)

# Above this many child-class variables a part is not handed to the MIP whole: one grade
# of 5,000 children in 200 classes (a million) took 4.5 s to build and then 7 s inside
# HiGHS before its time limit could apply (bench/placement_speed.py, limits); 250,000
# stayed within a 10 s limit. Such parts are built child by child (construct.py) and
# improved by neighbourhoods of two classes, which stay small.
MAX_WHOLE_VARIABLES = 250_000


class OutOfTime(Exception):
    """The model could not even be built before the deadline."""


@dataclass(frozen=True)
class Rule:
    """One hard rule, as the diagnosis switches it on and off."""

    kind: str  # "class", "not_classes", "composite", "apart", "together"
    children: tuple[str, ...]
    label: str = ""  # the class of a "class" or "not_classes" rule


@dataclass(frozen=True)
class Part:
    """Grades joined by composite classes, their classes and their children."""

    grades: tuple[str, ...]
    classes: tuple[PlanClass, ...]
    children: tuple[Child, ...]


def parts_of(placement_input: PlacementInput) -> list[Part]:
    """Independent sub-problems: a child can only join a class that holds its grade, so
    grades that share no class never compete for a place."""
    parent = {g: g for g in placement_input.grades}

    def root(g: str) -> str:
        while parent[g] != g:
            parent[g] = parent[parent[g]]
            g = parent[g]
        return g

    for plan_class in placement_input.classes:
        first = plan_class.grades[0][0]
        for g, _ in plan_class.grades[1:]:
            parent[root(g)] = root(first)
    groups: dict[str, list[str]] = {}
    for g in placement_input.grades:
        groups.setdefault(root(g), []).append(g)
    parts = []
    for grades in groups.values():
        members = set(grades)
        parts.append(
            Part(
                tuple(grades),
                tuple(c for c in placement_input.classes if members & dict(c.grades).keys()),
                tuple(c for c in placement_input.children if c.grade in members),
            )
        )
    return parts


def rules_of(part: Part, placement_input: PlacementInput) -> list[Rule]:
    """Every hard rule of a part, beyond the plan's counts."""
    ids = {c.id for c in part.children}
    rules: list[Rule] = []
    for child in part.children:
        if child.fixed is not None:
            rules.append(Rule("class", (child.id,), child.fixed))
        rules += [Rule("not_classes", (child.id,), label) for label in child.not_classes]
        if child.composite is False:
            rules.append(Rule("composite", (child.id,)))
    for a, b in placement_input.apart_pairs():
        if a in ids:
            rules.append(Rule("apart", (a, b)))
    for a, b in placement_input.together_pairs():
        if a in ids:
            rules.append(Rule("together", (a, b)))
    return rules


def allowed_classes(part: Part, rules: Iterable[Rule]) -> dict[str, list[str]]:
    """The classes each child may join under these rules: its grade's, less those it must
    not be in, composites for `composite: false`, only its fixed class if it has one."""
    fixed: dict[str, str] = {}
    banned: dict[str, set[str]] = {}
    no_composite: set[str] = set()
    for rule in rules:
        child = rule.children[0]
        if rule.kind == "class":
            fixed[child] = rule.label
        elif rule.kind == "not_classes":
            banned.setdefault(child, set()).add(rule.label)
        elif rule.kind == "composite":
            no_composite.add(child)
    return {
        child.id: [
            c.label
            for c in part.classes
            if c.count(child.grade)
            and c.label not in banned.get(child.id, ())
            and not (c.composite and child.id in no_composite)
            and fixed.get(child.id, c.label) == c.label
        ]
        for child in part.children
    }


def floor_of(
    priority: str, placement_input: PlacementInput, part: Part, allowed: dict[str, list[str]]
) -> int:
    """A lower bound on a metric that every valid placement of the part meets."""
    if priority == "friends":  # requests no class could meet
        return sum(
            1
            for child in part.children
            if child.friends
            and sum(
                1
                for f in child.friends
                if f in allowed and set(allowed[f]) & set(allowed[child.id])
            )
            < placement_input.friends_needed_by(child)
        )
    if priority == "composite_fit":  # places in composites beyond the children suited
        return sum(
            max(
                0,
                sum(c.count(g) for c in part.classes if c.composite)
                - sum(1 for c in part.children if c.grade == g and c.composite),
            )
            for g in part.grades
        )
    return 0


def variables_of(part: Part) -> int:
    """How many child-class variables a model of the part would have, at most."""
    return sum(sum(1 for c in part.classes if c.count(child.grade)) for child in part.children)


class PartModel:
    """One python-mip model of a part; objectives are added and held stage by stage."""

    def __init__(
        self,
        placement_input: PlacementInput,
        part: Part,
        rules: Iterable[Rule],
        *,
        deadline: float,
        solver_name: str = "HIGHS",
        whole: Part | None = None,
    ):
        self.input = placement_input
        self.part = part
        # the part a neighbourhood is cut from: fair shares are of whole grades
        self.whole = whole or part
        self.deadline = deadline
        self.rules = list(rules)
        binding.prepare(solver_name)  # safe from the collector (docs/solver-deadlock.md)
        self.m = mip.Model(sense=mip.MINIMIZE, solver_name=solver_name)
        self.m.verbose = 0
        self.m.threads = 1
        self.m.max_mip_gap = 1e-9
        self.m.max_mip_gap_abs = 0.5  # every objective is a whole number
        self.impossible = False  # a child with no class left: infeasible without a solve
        self.x: dict[tuple[str, str], mip.Var] = {}
        self.allowed: dict[str, list[str]] = {}
        self._same: dict[tuple[str, str], mip.Var] = {}
        self._objectives: dict[str, mip.LinExpr] = {}
        self._holds: dict[str, mip.Constr] = {}
        # how to compute each auxiliary variable from a placement, for a full start
        self._met: list[tuple[mip.Var, list[tuple[str, str]], int]] = []
        self._alike: list[tuple[list[str], list[str]]] = []  # (labels, children in order)
        self._excesses: list[tuple[mip.Var, list[tuple[str, int]], int, int, str]] = []
        self._build()

    # ------------------------------------------------------------ building

    def _tick(self) -> None:
        if time.perf_counter() > self.deadline:
            raise OutOfTime

    def _build(self) -> None:
        self.allowed = allowed_classes(self.part, self.rules)
        self.impossible = any(not options for options in self.allowed.values())
        for child in self.part.children:
            for label in self.allowed[child.id]:
                self.x[child.id, label] = self.m.add_var(var_type=mip.BINARY)
            self._tick()
        if self.impossible:
            return
        m = self.m
        for child in self.part.children:
            m += mip.xsum(self.x[child.id, c] for c in self.allowed[child.id]) == 1
            self._tick()
        for plan_class in self.part.classes:
            for grade, count in plan_class.grades:
                m += (
                    mip.xsum(
                        self.x[c.id, plan_class.label]
                        for c in self.part.children
                        if c.grade == grade and (c.id, plan_class.label) in self.x
                    )
                    == count
                )
            self._tick()
        for rule in self.rules:
            if rule.kind == "apart":
                a, b = rule.children
                for label in self.allowed[a]:
                    if (b, label) in self.x:
                        m += self.x[a, label] + self.x[b, label] <= 1
            elif rule.kind == "together":
                a, b = rule.children
                # a partner in a grade that shares no class leaves no class for either
                for label in set(self.allowed[a]) | set(self.allowed.get(b, ())):
                    m += self._x(a, label) == self._x(b, label)
        self._tick()
        self._break_symmetry()

    def _x(self, child: str, label: str) -> mip.LinExpr | mip.Var:
        return self.x.get((child, label), mip.LinExpr())

    def _break_symmetry(self) -> None:
        named = {r.label for r in self.rules if r.kind in ("class", "not_classes")}
        alike: dict[tuple[tuple[str, int], ...], list[str]] = {}
        for plan_class in self.part.classes:
            if plan_class.label not in named:
                alike.setdefault(plan_class.grades, []).append(plan_class.label)
        for grades, labels in alike.items():
            if len(labels) < 2:
                continue
            first_grade = grades[0][0]
            ordered = [
                c.id
                for c in self.part.children
                if c.grade == first_grade and set(labels) <= set(self.allowed[c.id])
            ]
            self._alike.append((labels, ordered))
            for k, child in enumerate(ordered[: len(labels) - 1]):
                for label in labels[k + 1 :]:
                    self.m += self.x[child, label] == 0

    def canonical(self, placement: dict[str, str]) -> dict[str, str]:
        """The same placement with interchangeable classes relabelled in order of first
        use, as the symmetry-breaking constraints require."""
        renamed: dict[str, str] = {}
        for labels, ordered in self._alike:
            first_use = list(dict.fromkeys(placement[c] for c in ordered if placement[c] in labels))
            first_use += [label for label in labels if label not in first_use]
            renamed.update(zip(first_use, labels, strict=True))
        return {c: renamed.get(label, label) for c, label in placement.items()}

    # ------------------------------------------------------------ objectives

    def objective(self, priority: str) -> mip.LinExpr:
        """The expression a stage minimises; its value is the metric of the spec."""
        if priority not in self._objectives:
            self._objectives[priority] = self._objective(priority)
        return self._objectives[priority]

    def _objective(self, priority: str) -> mip.LinExpr:
        build = {
            "friends": self._friends,
            "needs": lambda: self._spread("tag"),
            "mix": lambda: self._spread("category"),
            "scores": self._scores,
            "composite_fit": self._composite_fit,
        }[priority]
        expr = build()
        self._tick()
        return expr

    def _friends(self) -> mip.LinExpr:
        unmet = mip.LinExpr()
        ids = {c.id for c in self.part.children}
        for child in self.part.children:
            if not child.friends:
                continue
            need = self.input.friends_needed_by(child)
            mine = set(self.allowed[child.id])
            possible = [f for f in child.friends if f in ids and mine & set(self.allowed[f])]
            if len(possible) < need:
                unmet.add_const(1)  # no placement can meet this request
                continue
            self._tick()  # friend pairs add rows by the thousand on a big grade
            met = self.m.add_var(var_type=mip.BINARY)
            self.m += mip.xsum(self._same_class(child.id, f) for f in possible) >= need * met
            self._met.append((met, [(child.id, f) for f in possible], need))
            unmet.add_const(1)
            unmet.add_var(met, -1)
        return unmet

    def _same_class(self, a: str, b: str) -> mip.Var:
        key = (a, b) if a < b else (b, a)
        if key not in self._same:
            same = self.m.add_var(var_type=mip.BINARY)
            for one, other in (key, key[::-1]):
                for label in self.allowed[one]:
                    # if `one` is in this class, sharing a class means `other` is too
                    self.m += same <= self._x(other, label) + 1 - self.x[one, label]
            self._same[key] = same
        return self._same[key]

    def _excess(self, terms: list[tuple[str, int]], low: int, high: int, label: str) -> mip.Var:
        """How far the sum of coefficient * x[child, label] falls outside [low, high]."""
        value = mip.xsum(k * self._x(c, label) for c, k in terms)
        e = self.m.add_var(lb=0)
        self.m += e >= value - high
        self.m += e >= low - value
        self._excesses.append((e, [(c, k) for c, k in terms], low, high, label))
        return e

    def _spread(self, kind: str) -> mip.LinExpr:
        total = mip.LinExpr()
        here = {c.id for c in self.part.children}
        for grade in self.part.grades:
            children = [c for c in self.whole.children if c.grade == grade]
            groups: dict[str, list[str]] = {}
            for child in children:
                keys = (
                    child.tags if kind == "tag" else tuple(f"{n}={v}" for n, v in child.categories)
                )
                for key in keys:
                    groups.setdefault(key, []).append(child.id)
            for members in groups.values():
                for plan_class in self.part.classes:
                    n = plan_class.count(grade)
                    if not n:
                        continue
                    low, high = band(len(members), n, len(children))
                    if low == 0 and high >= min(n, len(members)):
                        continue  # every count is even: nothing to measure
                    terms = [(c, 1) for c in members if c in here]
                    total.add_var(self._excess(terms, low, high, plan_class.label))
                self._tick()
        return total

    def _scores(self) -> mip.LinExpr:
        total = mip.LinExpr()
        for grade in self.part.grades:
            children = [c for c in self.whole.children if c.grade == grade]
            here = [c for c in self.part.children if c.grade == grade]
            names = sorted({name for c in children for name, _ in c.scores})
            for name in names:
                grade_total = sum(c.score(name) for c in children)
                widest = max(c.score(name) for c in children)
                for plan_class in self.part.classes:
                    n = plan_class.count(grade)
                    if not n:
                        continue
                    low, high = band(grade_total, n, len(children))
                    scored = [c for c in here if c.score(name)]
                    most = sum(sorted((c.score(name) for c in scored), reverse=True)[:n])
                    if low - widest <= 0 and high + widest >= most:
                        continue  # no set of n children can fall outside the band
                    terms = [(c.id, c.score(name)) for c in scored]
                    total.add_var(
                        self._excess(terms, low - widest, high + widest, plan_class.label)
                    )
                self._tick()
        return total

    def _composite_fit(self) -> mip.LinExpr:
        return mip.xsum(
            self.x[c.id, label]
            for c in self.part.children
            if c.composite is not True
            for label in self.allowed[c.id]
            if self.input.plan_class(label).composite
        )

    # ------------------------------------------------------------ solving

    def optimize(
        self, objective: mip.LinExpr, seconds: float, start: dict[str, str] | None = None
    ) -> mip.OptimizationStatus:
        """Minimise, from a valid placement if given (after the objective is set: HiGHS
        drops a start when the model changes)."""
        if self.impossible:
            return mip.OptimizationStatus.INFEASIBLE
        if not self.x:
            return mip.OptimizationStatus.OPTIMAL
        self.m.objective = mip.minimize(objective)
        if start is not None:
            self._start_from(self.canonical(start))
        return self.m.optimize(max_seconds=max(seconds, 0.01))

    @property
    def objective_value(self) -> float:
        return self.m.objective_value if self.x and self.m.objective_value is not None else 0.0

    def hold(self, priority: str, value: float) -> None:
        """Keep a priority at the value found for it while later ones are optimised."""
        self.release(priority)
        self._holds[priority] = self.m.add_constr(self.objective(priority) <= round(value))

    def release(self, priority: str) -> None:
        """Drop a priority's hold, to optimise it (and what follows) again."""
        if priority in self._holds:
            self.m.remove(self._holds.pop(priority))

    def _start_from(self, placement: dict[str, str]) -> None:
        """Offer a valid placement as the next stage's first incumbent: every variable's
        value, auxiliary ones included, so that HiGHS can take it as it is."""
        start = [(var, 1.0 if placement[i] == c else 0.0) for (i, c), var in self.x.items()]
        for (a, b), var in self._same.items():
            start.append((var, 1.0 if placement[a] == placement[b] else 0.0))
        for var, pairs, need in self._met:
            met = sum(placement[a] == placement[b] for a, b in pairs) >= need
            start.append((var, 1.0 if met else 0.0))
        for var, terms, low, high, label in self._excesses:
            value = sum(k for c, k in terms if placement[c] == label)
            start.append((var, float(max(0, low - value, value - high))))
        self.m.start = start

    def placement(self) -> dict[str, str]:
        """Each child's class in the solver's current solution."""
        out = {}
        for (child, label), var in self.x.items():
            if var.x is not None and var.x >= 0.5:
                out[child] = label
        return out
