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

import time
from dataclasses import dataclass

from .data import Kind, Scenario

# States kept in one half step before the programme gives up (the MIP takes over).
MAX_STATES = 200_000

_NONE = (1 << 30, -1)  # the band of no class at all: merging with it keeps the other band
_WEIGHT = 1 << 24  # one unit of a priority outweighs any sum of the later ones


@dataclass(frozen=True)
class ChainAnswer:
    """The optimum found, or `feasible` False when no allocation exists."""

    feasible: bool
    structure: dict[tuple[str, ...], int]
    totals: dict[tuple[str, ...], dict[str, int]]


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
    chain = _Chain(scenario)
    # 1. which (teachers used, children passed on) each half step can reach, bands aside
    reach = chain.reachable(deadline)
    if reach is None:
        return None
    if not reach[-1]:
        return ChainAnswer(False, {}, {})
    # 2. from each of them, the best the rest of the school can do for the priorities
    #    ranked before balance (bands play no part in those)
    future = chain.best_future(reach)
    # 3. forward again with the bands, only along paths that keep that best
    return chain.forward(future, deadline)


class _Chain:
    def __init__(self, scenario: Scenario):
        self.scenario = scenario
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

    # ------------------------------------------------------------ moves

    def own_moves(self, i: int, used: int, placed: int):
        """(classes, children, state after) for grade i's own classes."""
        left = self.students[i] - placed
        own, ahead = self.pure.get(i), self.pair.get(i)
        least_ahead = ahead.min_subclass_size if ahead else 0
        if left == 0 or (ahead is not None and left >= least_ahead):
            yield 0, 0, (used, left)
        if own is None or left <= 0:
            return
        low, high = own.min_size, own.max_size
        for count in range(1, min(self.teachers - used, left // low) + 1):
            first = low * count
            last = min(high * count, left)
            if ahead is None:
                first = max(first, left)  # nothing may be left over
            for total in range(first, last + 1):
                rest = left - total
                if rest and (ahead is None or rest < least_ahead):
                    continue
                yield count, total, (used + count, rest)

    def composite_moves(self, i: int, used: int, rest: int):
        """(classes, children, state after) for the composite of grades i and i + 1."""
        if rest == 0:
            yield 0, 0, (used, 0)
            return
        ahead = self.pair[i]
        sub = ahead.min_subclass_size
        later = self.students[i + 1]
        for count in range(1, min(rest // sub, self.teachers - used) + 1):
            first = max(ahead.min_size * count, rest + sub * count)
            last = min(ahead.max_size * count, rest + later)
            for total in range(first, last + 1):
                yield count, total, (used + count, total - rest)

    # ------------------------------------------------------------ the three passes

    def reachable(self, deadline: float):
        """Per half step, the (teachers used, children passed on) states reachable."""
        layers: list[set] = [{(0, 0)}]
        for i in range(len(self.students)):
            if time.perf_counter() > deadline:
                return None
            mid = {
                after
                for used, placed in layers[-1]
                for *_, after in self.own_moves(i, used, placed)
            }
            nxt = {after for used, rest in mid for *_, after in self.composite_moves(i, used, rest)}
            if len(mid) > MAX_STATES or len(nxt) > MAX_STATES:
                return None
            layers += [mid, nxt]
        return layers

    def best_future(self, reach):
        """For each reachable state, the least cost of the early priorities from there on."""
        inf = float("inf")
        future: list[dict] = [{} for _ in reach]
        future[-1] = dict.fromkeys(reach[-1], 0)
        for i in range(len(self.students) - 1, -1, -1):
            mid, nxt = 2 * i + 1, 2 * i + 2
            after = future[nxt]
            per = self.early_class + self.early_composite
            for used, rest in reach[mid]:
                best = inf
                for count, _, state in self.composite_moves(i, used, rest):
                    value = after.get(state, inf)
                    if value < inf:
                        best = min(best, count * per + value)
                future[mid][(used, rest)] = best
            after = future[mid]
            for used, placed in reach[2 * i]:
                best = inf
                for count, _, state in self.own_moves(i, used, placed):
                    value = after.get(state, inf)
                    if value < inf:
                        best = min(best, count * self.early_class + value)
                future[2 * i][(used, placed)] = best
        return future

    def forward(self, future, deadline: float) -> ChainAnswer | None:
        inf = float("inf")
        target = future[0][(0, 0)]
        if target == inf:
            return ChainAnswer(False, {}, {})
        # state -> (cost, back); a state is (teachers used, children passed on, band);
        # `early` is the early priorities' cost so far: a state is kept only if it can
        # still end at the best of them
        states: dict[tuple, tuple[int, int, tuple | None]] = {(0, 0, *_NONE): (0, 0, None)}
        steps = []
        for i in range(len(self.students)):
            if time.perf_counter() > deadline:
                return None
            mid: dict[tuple, tuple[int, int, tuple]] = {}
            ahead_mid = future[2 * i + 1]
            for key, (cost, early, _) in states.items():
                used, placed, low, high = key
                for count, total, state in self.own_moves(i, used, placed):
                    spent = early + count * self.early_class
                    if spent + ahead_mid.get(state, inf) != target:
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
            per_early = self.early_class + self.early_composite
            per_cost = self.per_class + self.per_composite
            for key, (cost, early, _) in mid.items():
                used, rest, low, high = key
                for count, total, state in self.composite_moves(i, used, rest):
                    spent = early + count * per_early
                    if spent + ahead_next.get(state, inf) != target:
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
                rest = mid_key[1]
                structure[kind.grades] = count
                totals[kind.grades] = {kind.grades[0]: rest, kind.grades[1]: total - rest}
            key, count, total = mid[mid_key][2]
            if count:
                kind = self.pure[i]
                structure[kind.grades] = count
                totals[kind.grades] = {kind.grades[0]: total}
        return ChainAnswer(True, structure, totals)


def _drop_dominated(mid):
    """Keep, for each (teachers, children left), only bands not beaten by a narrower one."""
    groups: dict[tuple[int, int], list] = {}
    for key, entry in mid.items():
        groups.setdefault(key[:2], []).append((entry[0], key[2], key[3], key))
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
