"""The mixed-integer model, aggregated by kind of class.

Instead of one binary per potential class and one integer per subclass, the model
keeps, for each kind of class (one grade, or an allowed composite):

    n[k]     how many classes of kind k                       (integer)
    x[k, g]  how many children of grade g sit in kind k       (integer)

The classes of one kind are then split as evenly as possible (`split_evenly`): every
grade's children differ by at most one between the kind's classes, and so do the
class sizes. That loses no optimum. The even split keeps every size limit whenever
the totals do (min * n <= sum x <= max * n, x >= min_subclass * n), and it has the
largest smallest class and the smallest largest class a kind can have, so it is best
for every largest-minus-smallest measure. Identical classes are not told apart, so
there is no symmetry for the search to wade through.

`balance` needs class sizes, so it adds a layer only when it is optimised:

    c[k, s]  how many classes of kind k have s children       (integer)
    a[g, s]  size s lies within grade g's band [smallest, largest]  (binary)

with sum_s c[k, s] = n[k], sum_s s * c[k, s] = sum_g x[k, g], c[k, s] > 0 only where
a[g, s] = 1 for every grade g of k, and each grade's band contiguous (at most one
start). A grade's spread is then (sum_s a[g, s]) - 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import mip

from . import binding
from .data import ClassSpec, Kind, Scenario

# The default solver's binding is made safe from the collector before any model can
# exist (binding.py: python-mip's lazy cffi accessors could deadlock in __del__).
binding.prepare("HIGHS")

_INFEASIBLE = (mip.OptimizationStatus.INFEASIBLE, mip.OptimizationStatus.INT_INFEASIBLE)

# Above this many candidate splits the balance layer would be too big to build; the
# answer then keeps the even split without proving the best balance (absurd limits).
MAX_SPLITS = 50_000


@dataclass
class KindVars:
    kind: Kind
    n: mip.Var
    x: dict[str, mip.Var]


@dataclass(frozen=True)
class Remaining:
    """What is left to place once the locked classes are taken out."""

    students: dict[str, int]
    teachers: int
    locked: tuple[ClassSpec, ...]

    @classmethod
    def of(cls, scenario: Scenario) -> Remaining:
        students = {
            g.name: g.students - sum(c.count(g.name) for c in scenario.locked)
            for g in scenario.grades
        }
        return cls(students, scenario.teachers - len(scenario.locked), scenario.locked)


def usable_kinds(scenario: Scenario, remaining: Remaining) -> list[Kind]:
    """Kinds that could hold at least one class of the children still to place."""
    out = []
    for kind in scenario.kinds():
        low, high = size_range(kind, remaining)
        enough = all(remaining.students[g] >= kind.min_subclass_size for g in kind.grades)
        if low <= high and enough:
            out.append(kind)
    return out


def size_range(kind: Kind, remaining: Remaining) -> tuple[int, int]:
    floor = kind.min_subclass_size * len(kind.grades) if kind.composite else 1
    total = sum(remaining.students[g] for g in kind.grades)
    return max(kind.min_size, floor), min(kind.max_size, total)


def max_classes_of(kind: Kind, remaining: Remaining, *, teacher_cap: bool = True) -> int:
    """The most classes of this kind the children (and teachers) allow."""
    low, _ = size_range(kind, remaining)
    bound = sum(remaining.students[g] for g in kind.grades) // low
    if kind.composite:
        bound = min(bound, *(remaining.students[g] // kind.min_subclass_size for g in kind.grades))
    if teacher_cap:
        bound = min(bound, remaining.teachers)
    return max(0, bound)


class AllocationModel:
    """One python-mip model of a scenario; objectives are added and fixed stage by stage."""

    def __init__(
        self,
        scenario: Scenario,
        *,
        solver_name: str = "HIGHS",
        teacher_cap: bool = True,
        structure: dict[tuple[str, ...], int] | None = None,
        excluded: list[dict[tuple[str, ...], int]] | None = None,
    ):
        self.scenario = scenario
        self.remaining = Remaining.of(scenario)
        binding.prepare(solver_name)  # once per solver and process; CBC only if used
        self.m = mip.Model(sense=mip.MINIMIZE, solver_name=solver_name)
        self.m.verbose = 0
        self.m.threads = 1
        self.m.max_mip_gap = 1e-9
        self.m.max_mip_gap_abs = 0.5  # every objective is a whole number
        self.kinds: list[KindVars] = []
        self.bands: dict[str, dict[int, mip.Var]] = {}
        self.fixed: dict[str, int] = {}
        self.impossible = False  # proved infeasible while building: no need to ask a solver
        self.balance_modelled = False
        self._build(teacher_cap, structure)
        for other in excluded or []:
            self._exclude(other)

    # ------------------------------------------------------------ base model

    def _build(self, teacher_cap: bool, structure: dict[tuple[str, ...], int] | None) -> None:
        m, rem = self.m, self.remaining
        for kind in usable_kinds(self.scenario, rem):
            low, high = size_range(kind, rem)
            cap = max_classes_of(kind, rem, teacher_cap=teacher_cap)
            if structure is not None:
                cap = min(cap, structure.get(kind.grades, 0))
            n = m.add_var(f"n[{kind.label}]", var_type=mip.INTEGER, lb=0, ub=cap)
            x = {
                g: m.add_var(f"x[{kind.label},{g}]", var_type=mip.INTEGER, lb=0, ub=rem.students[g])
                for g in kind.grades
            }
            total = mip.xsum(x.values())
            m += total >= low * n
            m += total <= high * n
            if kind.composite:
                for var in x.values():
                    m += var >= kind.min_subclass_size * n
            if structure is not None:
                m += n == structure.get(kind.grades, 0)
            self.kinds.append(KindVars(kind, n, x))
        for g, count in rem.students.items():
            holders = [kv.x[g] for kv in self.kinds if g in kv.x]
            if count and not holders:
                self.impossible = True  # nowhere to put these children
            elif holders:
                m += mip.xsum(holders) == count
        if teacher_cap:
            m += mip.xsum(kv.n for kv in self.kinds) <= rem.teachers
        if structure is not None:
            wanted = {k for k, v in structure.items() if v}
            if not wanted <= {kv.kind.grades for kv in self.kinds}:
                self.impossible = True  # a kind that cannot be opened any more

    def _exclude(self, structure: dict[tuple[str, ...], int]) -> None:
        """Forbid one structure (classes per kind): differ from it in at least one kind."""
        m = self.m
        differs = []
        for kv in self.kinds:
            target = structure.get(kv.kind.grades, 0)
            up = m.add_var(var_type=mip.BINARY)
            down = m.add_var(var_type=mip.BINARY)
            cap = int(kv.n.ub)
            if target < cap:
                m += kv.n >= (target + 1) * up
            else:
                m += up == 0
            if target > 0:
                m += kv.n <= target - 1 + cap * (1 - down)
            else:
                m += down == 0
            differs += [up, down]
        if differs:
            m += mip.xsum(differs) >= 1
        else:
            self.impossible = True  # nothing free to change: no other structure exists

    # ------------------------------------------------------------ objectives

    def classes_expr(self) -> mip.LinExpr:
        return mip.xsum(kv.n for kv in self.kinds)

    def composites_expr(self) -> mip.LinExpr:
        return mip.xsum(kv.n for kv in self.kinds if kv.kind.composite)

    def balance_expr(self) -> mip.LinExpr:
        self.add_balance_layer()
        return mip.xsum(mip.xsum(band.values()) - 1 for band in self.bands.values())

    def objective(self, priority: str) -> mip.LinExpr:
        """The priority as an expression to minimise."""
        if priority == "classes":
            return -self.classes_expr()
        if priority == "composites":
            return self.composites_expr()
        return self.balance_expr()

    def add_balance_layer(self) -> None:
        if self.balance_modelled:
            return
        m = self.m
        splits = {id(kv): self._even_splits(kv) for kv in self.kinds}
        if sum(len(v) for v in splits.values()) > MAX_SPLITS:
            return  # absurd limits: the caller keeps the even split, unproved
        self.balance_modelled = True
        band_sizes: dict[str, set[int]] = {}
        # for each (kind, grade, size): the kind's splits that have classes of that size
        used: dict[tuple[int, str, int], list[mip.Var]] = {}
        for kv in self.kinds:
            choices = []
            for count, size, rest in splits[id(kv)]:
                z = m.add_var(var_type=mip.BINARY)
                choices.append((z, count, size, rest))
                for level in (size, size + 1) if rest else (size,):
                    for g in kv.kind.grades:
                        used.setdefault((id(kv), g, level), []).append(z)
                        band_sizes.setdefault(g, set()).add(level)
            total = mip.xsum(kv.x.values())
            m += mip.xsum(z for z, *_ in choices) <= 1
            m += kv.n == mip.xsum(count * z for z, count, _, _ in choices)
            m += total >= mip.xsum(_split_totals(c, s, r)[0] * z for z, c, s, r in choices)
            m += total <= mip.xsum(_split_totals(c, s, r)[1] * z for z, c, s, r in choices)
        for locked in self.remaining.locked:
            for g in locked.grade_names:
                band_sizes.setdefault(g, set()).add(locked.size)
        self.add_bands(band_sizes)
        for (_, g, size), splits_of_size in used.items():
            m += mip.xsum(splits_of_size) <= self.bands[g][size]
        for locked in self.remaining.locked:
            for g in locked.grade_names:
                m += self.bands[g][locked.size] == 1

    def add_bands(self, sizes_of_grade: dict[str, set[int]]) -> None:
        """A band per grade: a binary for each size from the grade's smallest to its largest
        possible class; the sizes switched on form one run, which balance_expr counts."""
        m = self.m
        for g, sizes in sizes_of_grade.items():
            band = {s: m.add_var(var_type=mip.BINARY) for s in range(min(sizes), max(sizes) + 1)}
            starts = []
            for s, var in band.items():
                start = m.add_var(lb=0, ub=1)
                m += start >= var - band.get(s - 1, 0)
                starts.append(start)
            m += mip.xsum(starts) <= 1  # the band is one run of sizes
            m += mip.xsum(band.values()) >= 1
            self.bands[g] = band

    def _even_splits(self, kv: KindVars) -> list[tuple[int, int, int]]:
        """The (classes, smallest size, any larger?) an even split of this kind can take.

        With `count` classes and `total` children an even split has classes of
        total // count, and of one more when total % count > 0. Bounds already fixed by
        earlier stages (classes, composites) prune the list.
        """
        kind, rem = kv.kind, self.remaining
        low, high = size_range(kind, rem)
        most = int(kv.n.ub)
        if kind.composite and "composites" in self.fixed:
            most = min(most, self.fixed["composites"])
        if "classes" in self.fixed:
            most = min(most, self.fixed["classes"])
        least_total, most_total = low, min(sum(rem.students[g] for g in kind.grades), high * most)
        if not kind.composite:
            (g,) = kind.grades
            least_total = max(least_total, rem.students[g] - self._composite_room(g))
        out = []
        for count in range(1, most + 1):
            first = max(low, least_total // count - 1)
            for size in range(first, min(high, most_total // count) + 1):
                for rest in (0, 1) if count > 1 and size < high else (0,):
                    lo, hi = _split_totals(count, size, rest)
                    if max(lo, least_total) <= min(hi, most_total):
                        out.append((count, size, rest))
        return out

    def _composite_room(self, grade: str) -> int:
        """The most children of a grade the composite classes could take."""
        room = 0
        for kv in self.kinds:
            if kv.kind.composite and grade in kv.kind.grades:
                _, high = size_range(kv.kind, self.remaining)
                per_class = high - kv.kind.min_subclass_size * (len(kv.kind.grades) - 1)
                room += per_class * int(kv.n.ub)
        if "composites" in self.fixed:
            best = max(
                (
                    size_range(kv.kind, self.remaining)[1]
                    for kv in self.kinds
                    if kv.kind.composite and grade in kv.kind.grades
                ),
                default=0,
            )
            room = min(room, best * self.fixed["composites"])
        return room

    # ------------------------------------------------------------ solving

    def optimize(self, objective: mip.LinExpr, seconds: float) -> mip.OptimizationStatus:
        if self.impossible:
            return mip.OptimizationStatus.INFEASIBLE
        if not self.m.num_cols:
            return mip.OptimizationStatus.OPTIMAL  # nothing left to place: no class at all
        self.m.objective = mip.minimize(objective)
        return self.m.optimize(max_seconds=max(seconds, 0.01))

    def fewest_classes_bound(self) -> float:
        """A lower bound on the classes needed (linear relaxation); inf if none fits."""
        if self.impossible:
            return math.inf
        if not self.m.num_cols:
            return 0
        self.m.objective = mip.minimize(self.classes_expr())
        status = self.m.optimize(relax=True)
        if status != mip.OptimizationStatus.OPTIMAL:
            return math.inf if status in _INFEASIBLE else 0
        return math.ceil(self.m.objective_value - 1e-6)

    @property
    def objective_value(self) -> float:
        return self.m.objective_value if self.m.num_cols else 0.0

    def fix(self, priority: str, objective: mip.LinExpr, value: float) -> None:
        """Hold a priority at the value found for it while later ones are optimised."""
        self.m += objective <= round(value)
        if priority == "classes":
            self.fixed["classes"] = -round(value)
        elif priority == "composites":
            self.fixed["composites"] = round(value)

    def structure(self) -> dict[tuple[str, ...], int]:
        return {kv.kind.grades: round(kv.n.x) for kv in self.kinds if round(kv.n.x or 0) > 0}

    def totals(self) -> dict[tuple[str, ...], dict[str, int]]:
        return {
            kv.kind.grades: {g: round(v.x) for g, v in kv.x.items()}
            for kv in self.kinds
            if round(kv.n.x or 0) > 0
        }


def _split_totals(count: int, size: int, rest: int) -> tuple[int, int]:
    """The totals for which `count` classes split evenly into `size` (and size + 1 if rest)."""
    if rest:
        return count * size + 1, count * size + count - 1
    return count * size, count * size


def split_evenly(
    grades: tuple[str, ...], totals: dict[str, int], count: int
) -> list[tuple[tuple[str, int], ...]]:
    """Split a kind's children over `count` classes: each grade's share and each class's
    size differ by at most one between the classes.

    Each grade gives every class its floor share; the leftover children are dealt
    round-robin, continuing where the previous grade stopped, so no class gets a second
    extra child before every class has one.
    """
    classes = [{g: totals[g] // count for g in grades} for _ in range(count)]
    cursor = 0
    for g in grades:
        for _ in range(totals[g] % count):
            classes[cursor % count][g] += 1
            cursor += 1
    return [tuple((g, c[g]) for g in grades if c[g]) for c in classes]
