"""An exact dynamic programme for schools whose composites join adjacent grades.

When every allowed composite joins two grades next to each other (in school order)
and no class is locked, the kinds of class form a chain: grade 1, the 1/2 composite,
grade 2, the 2/3 composite, ... A grade's classes are then its own classes and those
of the two composites beside it, so the whole lexicographic problem can be decided
grade by grade, left to right. The state passed from one grade to the next is

    (teachers used, children of the next grade already in the composite between them,
     the smallest and largest class of that composite)

and the cost of a path is the priorities' values in priority order, added up (each is
a sum over grades or kinds, so adding them keeps the lexicographic order). The
classes of each kind are split evenly, as in the MIP (model.py): the answer is the
same lexicographic optimum, with no search to prove.

Each grade is one step in two halves: first its own classes (how many, how many
children), then the composite with the next grade (how many, how many children of
each). Between the halves only the teachers used, the children left for the
composite and the band of class sizes the grade has so far matter; of two states
that agree on the first two, one whose band lies inside the other's at no greater
cost is at least as good, whatever comes next, so the other is dropped.

Anything else (locked classes, a composite of grades that are not neighbours, three
grades in one class, a fixed structure) goes to the MIP. So does a case whose states
would outgrow `MAX_STATES` (absurd limits): the programme gives up before its cost
would matter.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from fractions import Fraction
from itertools import repeat

from .data import Kind, Scenario

# States kept in one half step, and moves tried in all, before the programme gives up
# (the MIP takes over).
MAX_STATES = 200_000
MAX_MOVES = 20_000_000
# Moves a first run with any number of composites may take before the runs with few
# composites are tried instead (about 0.2 s).
FIRST_BUDGET = 40_000

_NONE = (1 << 30, -1)  # the band of no class at all: merging with it keeps the other band
_WEIGHT = 1 << 24  # one unit of a priority outweighs any sum of the later ones


@dataclass(frozen=True)
class ChainAnswer:
    """The optimum found, or `feasible` False when no allocation exists."""

    feasible: bool
    structure: dict[tuple[str, ...], int]
    totals: dict[tuple[str, ...], dict[str, int]]

    @property
    def classes(self) -> int:
        return sum(self.structure.values())


def applies(scenario: Scenario) -> bool:
    """Whether the kinds form a chain this programme solves exactly."""
    if scenario.locked:
        return False
    for kind in scenario.kinds():
        if kind.composite:
            if len(kind.grades) != 2:
                return False
            first, second = (scenario.order(g) for g in kind.grades)
            if second != first + 1:
                return False
    return True


def solve_chain(scenario: Scenario, *, deadline: float) -> ChainAnswer | None:
    """The lexicographic optimum, or None when the programme does not apply or gives up."""
    if not applies(scenario):
        return None
    order = scenario.priorities
    if order.index("composites") > order.index("balance"):
        return _Chain(scenario, None).run(deadline)
    # Composites ranked before balance: few composites are wanted, and a bound on them
    # keeps the children passed between grades few. With at most `cap` composites the
    # answer is the optimum once no allocation with more could beat it: when composites
    # come before classes, or when the classes reach their upper bound.
    most = min(scenario.teachers, _most_classes(scenario))

    def proved(answer: ChainAnswer) -> bool:
        first = order.index("composites") < order.index("classes")
        return answer.feasible and (first or answer.classes == most)

    # No composite at all is the cheapest run: each grade on its own; then one
    # composite, which is what most schools at their fewest teachers need.
    for cap in (0, 1):
        answer = _Chain(scenario, cap).run(deadline)
        if answer is None or proved(answer):
            return answer
    # Small schools go fastest in one run with any number of composites.
    answer = _Chain(scenario, None).run(deadline, budget=FIRST_BUDGET)
    if answer is not None:
        return answer
    cap = 3
    while cap < scenario.teachers:
        answer = _Chain(scenario, cap).run(deadline)
        if answer is None or proved(answer):
            return answer
        cap = 2 * cap + 1
    return _Chain(scenario, None).run(deadline)


def _most_classes(scenario: Scenario) -> int:
    """An upper bound on the classes: each grade's children over the smallest class any
    kind holding the grade allows. A class of kind k holds at least low(k) children,
    and low(k) >= unit(g) for each of its grades g, so it takes at least one whole unit
    of the sum of children(g) / unit(g)."""
    unit: dict[str, int] = {}
    for kind in scenario.kinds():
        low = max(kind.min_size, kind.min_subclass_size * len(kind.grades), 1)
        for g in kind.grades:
            unit[g] = min(unit.get(g, low), low)
    return math.floor(sum(Fraction(scenario.grade(g).students, u) for g, u in unit.items()))


class _Chain:
    """One run of the programme, with at most `cap` composite classes (None: any)."""

    def __init__(self, scenario: Scenario, cap: int | None):
        self.scenario = scenario
        self.cap = cap
        self.students = [g.students for g in scenario.grades]
        self.pure: dict[int, Kind] = {}
        self.pair: dict[int, Kind] = {}
        for kind in scenario.kinds():
            side = self.pair if kind.composite else self.pure
            side[scenario.order(kind.grades[0])] = kind
        place = {p: i for i, p in enumerate(scenario.priorities)}
        weight = {p: _WEIGHT ** (2 - i) for p, i in place.items()}
        self.per_class = -weight["classes"]
        self.per_composite = weight["composites"]
        self.per_spread = weight["balance"]
        # the priorities ranked before balance, on their own
        before = scenario.priorities[: place["balance"]]
        self.early_class = -weight["classes"] if "classes" in before else 0
        self.early_composite = weight["composites"] if "composites" in before else 0
        self.teachers = scenario.teachers
        # No class holds more than the largest any kind of its grades allows, so the
        # children still to place need at least sum(children(g) / biggest(g)) more
        # classes: states that could not find those teachers are never made.
        biggest = [0] * len(self.students)
        for kind in scenario.kinds():
            for g in kind.grades:
                j = scenario.order(g)
                biggest[j] = max(biggest[j], kind.max_size)
        self.biggest = [b or 1 for b in biggest] + [1]
        self.after = [0.0] * (len(self.students) + 1)  # sum over the grades after i
        for j in range(len(self.students) - 1, 0, -1):
            self.after[j - 1] = self.after[j] + self.students[j] / self.biggest[j]

    def _rest_most(self, i: int, used: int) -> int:
        """The most children of grade i left for its composite that the teachers allow."""
        free = self.teachers - used - self.after[i]
        return math.floor(self.biggest[i] * free + 1e-9)

    def _later_least(self, i: int, used: int) -> int:
        """The fewest children of grade i + 1 its composite with grade i must take."""
        if i + 1 >= len(self.students):
            return 0
        free = self.teachers - used - self.after[i + 1]
        return math.ceil(self.students[i + 1] - self.biggest[i + 1] * free - 1e-9)

    def run(self, deadline: float, budget: int = MAX_MOVES) -> ChainAnswer | None:
        """The optimum, or None when it would take more than `budget` moves to find."""
        # 1. which (teachers used, composites, children passed on) each half step can
        #    reach, bands aside
        reach = self.reachable(deadline, budget)
        if reach is None:
            return None
        if not reach[-1]:
            return ChainAnswer(False, {}, {})
        # 2. from each of them, the best the rest of the school can do for the priorities
        #    ranked before balance (bands play no part in those)
        future = self.best_future(reach, deadline)
        if future is None:
            return None
        # 3. forward again with the bands, only along paths that keep that best
        return self.forward(future, deadline)

    # ------------------------------------------------------------ moves

    def own_ranges(self, i: int, used: int, comps: int, placed: int):
        """Grade i's own classes: (classes, (teachers, composites) after, and the range
        of children left for the composite with the next grade)."""
        left = self.students[i] - placed
        own, ahead = self.pure.get(i), self.pair.get(i)
        least_ahead = ahead.min_subclass_size if ahead else 1
        # what the composite with the next grade could still take
        room = 0
        if ahead is not None:
            room = left if self.cap is None else (self.cap - comps) * ahead.max_size
        out = []
        if left == 0 or least_ahead <= left <= min(room, self._rest_most(i, used)):
            out.append((0, (used, comps), left, left))
        if own is None or left <= 0:
            return out
        low, high = own.min_size, own.max_size
        for count in range(1, min(self.teachers - used, left // low) + 1):
            first = max(left - high * count, 0)
            last = min(left - low * count, room, self._rest_most(i, used + count))
            if last < 0:
                continue
            if first == 0:
                out.append((count, (used + count, comps), 0, 0))
            first = max(first, least_ahead)
            if first <= last:
                out.append((count, (used + count, comps), first, last))
        return out

    def composite_ranges(self, i: int, used: int, comps: int, rest: int):
        """The composite of grades i and i + 1: (classes, (teachers, composites) after,
        and the range of children of grade i + 1 it takes)."""
        if rest == 0:
            return [(0, (used, comps), 0, 0)] if self._later_least(i, used) <= 0 else []
        ahead = self.pair[i]
        sub = ahead.min_subclass_size
        later = self.students[i + 1]
        most = self.teachers - used
        if self.cap is not None:
            most = min(most, self.cap - comps)
        out = []
        for count in range(1, min(rest // sub, most) + 1):
            first = max(
                ahead.min_size * count,
                rest + sub * count,
                rest + self._later_least(i, used + count),
            )
            last = min(ahead.max_size * count, rest + later)
            if first <= last:
                after = comps + count if self.cap is not None else 0
                out.append((count, (used + count, after), first - rest, last - rest))
        return out

    # ------------------------------------------------------------ the three passes

    def reachable(self, deadline: float, budget: int):
        """Per half step, the states reachable: {(teachers, composites): children}."""
        layers: list[dict] = [{(0, 0): {0}}]
        moves = 0
        for i in range(len(self.students)):
            if time.perf_counter() > deadline:
                return None
            mid: dict[tuple[int, int], set[int]] = {}
            for key, values in layers[-1].items():
                for placed in values:
                    for _, after, first, last in self.own_ranges(i, *key, placed):
                        mid.setdefault(after, set()).update(range(first, last + 1))
                        moves += 1
            nxt: dict[tuple[int, int], set[int]] = {}
            for key, values in mid.items():
                for rest in values:
                    for _, after, first, last in self.composite_ranges(i, *key, rest):
                        nxt.setdefault(after, set()).update(range(first, last + 1))
                        moves += 1
            size = max(sum(map(len, mid.values())), sum(map(len, nxt.values())))
            if size > MAX_STATES or moves > budget:
                return None
            layers += [mid, nxt]
        return layers

    def best_future(self, reach, deadline: float):
        """For each reachable state, the least cost of the early priorities from there on."""
        inf = float("inf")
        future: list[dict] = [{} for _ in reach]
        future[-1] = {key: dict.fromkeys(values, 0) for key, values in reach[-1].items()}
        per = self.early_class + self.early_composite
        steps = ((self.own_ranges, self.early_class), (self.composite_ranges, per))
        for layer in range(len(reach) - 2, -1, -1):
            if time.perf_counter() > deadline:
                return None
            ranges, weight = steps[layer % 2]
            i = layer // 2
            after = future[layer + 1]
            here = future[layer]
            for key, values in reach[layer].items():
                row = here[key] = {}
                for value in values:
                    best = inf
                    for count, later, first, last in ranges(i, *key, value):
                        found = after.get(later)
                        if found is None:
                            continue
                        least = min(map(found.get, range(first, last + 1), repeat(inf)))
                        if least < inf:
                            best = min(best, count * weight + least)
                    row[value] = best
        return future

    def own_moves(self, i: int, used: int, comps: int, placed: int):
        """(classes, children, state after) for grade i's own classes."""
        left = self.students[i] - placed
        for count, after, first, last in self.own_ranges(i, used, comps, placed):
            for rest in range(first, last + 1):
                yield count, left - rest, (*after, rest)

    def composite_moves(self, i: int, used: int, comps: int, rest: int):
        """(classes, children, state after) for the composite of grades i and i + 1."""
        for count, after, first, last in self.composite_ranges(i, used, comps, rest):
            for later in range(first, last + 1):
                yield count, rest + later, (*after, later)

    def forward(self, future, deadline: float) -> ChainAnswer | None:
        inf = float("inf")
        target = future[0][(0, 0)][0]
        if target == inf:
            return ChainAnswer(False, {}, {})
        # state -> (cost, early cost, back); a state is (teachers used, composites,
        # children passed on, band); a state is kept only if it can still end at the
        # best of the early priorities
        states: dict[tuple, tuple[int, int, tuple | None]] = {(0, 0, 0, *_NONE): (0, 0, None)}
        steps = []
        per_early = self.early_class + self.early_composite
        per_cost = self.per_class + self.per_composite
        for i in range(len(self.students)):
            if time.perf_counter() > deadline:
                return None
            mid: dict[tuple, tuple[int, int, tuple]] = {}
            ahead_mid = future[2 * i + 1]
            for key, (cost, early, _) in states.items():
                low, high = key[3:]
                for count, total, state in self.own_moves(i, *key[:3]):
                    spent = early + count * self.early_class
                    if spent + ahead_mid.get(state[:2], {}).get(state[2], inf) != target:
                        continue
                    if count:
                        small = total // count
                        big = small + (total % count > 0)
                        band = (min(low, small), max(high, big))
                    else:
                        band = (low, high)
                    new = (*state, *band)
                    value = cost + count * self.per_class
                    if new not in mid or value < mid[new][0]:
                        mid[new] = (value, spent, (key, count, total))
            mid = _drop_dominated(mid)
            nxt: dict[tuple, tuple[int, int, tuple]] = {}
            ahead_next = future[2 * i + 2]
            for key, (cost, early, _) in mid.items():
                low, high = key[3:]
                for count, total, state in self.composite_moves(i, *key[:3]):
                    spent = early + count * per_early
                    if spent + ahead_next.get(state[:2], {}).get(state[2], inf) != target:
                        continue
                    if count:
                        small = total // count
                        big = small + (total % count > 0)
                        spread = max(high, big) - min(low, small)
                        new = (*state, small, big)
                    else:
                        spread = high - low if low <= high else 0
                        new = (*state, *_NONE)
                    value = cost + count * per_cost + spread * self.per_spread
                    if new not in nxt or value < nxt[new][0]:
                        nxt[new] = (value, spent, (key, count, total))
            if len(mid) > MAX_STATES or len(nxt) > MAX_STATES:
                return None
            steps.append((mid, nxt))
            states = nxt
        end = min(states, key=lambda key: states[key][0])
        return self._read_back(steps, end)

    def _read_back(self, steps, end) -> ChainAnswer:
        structure: dict[tuple[str, ...], int] = {}
        totals: dict[tuple[str, ...], dict[str, int]] = {}
        key = end
        for i in range(len(steps) - 1, -1, -1):
            mid, nxt = steps[i]
            mid_key, count, total = nxt[key][2]
            if count:
                kind = self.pair[i]
                rest = mid_key[2]
                structure[kind.grades] = count
                totals[kind.grades] = {kind.grades[0]: rest, kind.grades[1]: total - rest}
            key, count, total = mid[mid_key][2]
            if count:
                kind = self.pure[i]
                structure[kind.grades] = count
                totals[kind.grades] = {kind.grades[0]: total}
        return ChainAnswer(True, structure, totals)


def _drop_dominated(mid):
    """For each (teachers, composites, children left), drop bands beaten by a narrower one."""
    groups: dict[tuple[int, ...], list] = {}
    for key, entry in mid.items():
        groups.setdefault(key[:3], []).append((entry[0], key[3], key[4], key))
    kept = {}
    for group in groups.values():
        group.sort()
        best: list[tuple[int, int]] = []
        for _, low, high, key in group:
            if any(b_low >= low and b_high <= high for b_low, b_high in best):
                continue  # as cheap or cheaper, and inside this band
            best.append((low, high))
            kept[key] = mid[key]
    return kept
