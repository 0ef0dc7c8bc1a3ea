"""An exact dynamic programme for small schools whose composites are runs of grades.

Small schools allow three-grade composites (P/1/2, 1/2/3, ...) beside the two-grade
ones, so the kinds no longer form the simple chain of chain.py. Grade by grade, left to
right, the state is the teachers used and the composite kinds still open across the
boundary: for each, its classes, its children in all, and those placed so far. At each
grade the open kinds take their share of its children (all that is left, at the last
grade of a kind), new kinds may open, and the grade's own classes take the rest; the
grade's spread is then known. The cost of a path is the priorities' values in priority
order, added up, as in chain.py, and each kind's classes are split evenly, as in the
MIP: the answer is the same lexicographic optimum.

The state space grows fast with the children per grade and the teachers, so this is
for small schools only: above `MAX_STATES` states in one step the programme gives up
and the MIP takes over.

The search is bounded by the classes and composites the grades still to come need
(`_fewest_composites`), and runs first with every grade's classes of one size (see
`_Runs.run`): most small schools can be even, and that search is quick.
"""

from __future__ import annotations

import heapq
import math
import time
from dataclasses import dataclass
from fractions import Fraction

from .chain import ChainAnswer
from .data import Kind, Scenario

MAX_STATES = 20_000
# the widest gap in class sizes within a grade the first search allows
FIRST_LIMIT = 0
MAX_TEACHERS = 8  # beyond this the chain of pairs, or the MIP, is the better tool
_WEIGHT = 1 << 24


def applies(scenario: Scenario) -> bool:
    """Whether every composite is a run of neighbouring grades (and nothing is locked)."""
    if scenario.locked or scenario.teachers > MAX_TEACHERS:
        return False
    for kind in scenario.kinds():
        orders = [scenario.order(g) for g in kind.grades]
        if orders != list(range(orders[0], orders[0] + len(orders))):
            return False
    return True


def solve_runs(scenario: Scenario, *, deadline: float) -> ChainAnswer | None:
    """The lexicographic optimum, or None when the programme does not apply or gives up."""
    if not applies(scenario):
        return None
    return _Runs(scenario).run(deadline)


@dataclass(frozen=True)
class _Found:
    feasible: bool
    cost: int
    answer: ChainAnswer


class _Runs:
    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.students = [g.students for g in scenario.grades]
        self.kinds: list[Kind] = scenario.kinds()
        self.start = [scenario.order(k.grades[0]) for k in self.kinds]
        self.starting: dict[int, list[int]] = {}
        self.pure: dict[int, int] = {}
        for k, kind in enumerate(self.kinds):
            if kind.composite:
                self.starting.setdefault(self.start[k], []).append(k)
            else:
                self.pure[self.start[k]] = k
        place = {p: i for i, p in enumerate(scenario.priorities)}
        weight = {p: _WEIGHT ** (2 - i) for p, i in place.items()}
        self.per_class = -weight["classes"]
        self.per_composite = weight["composites"]
        self.per_spread = weight["balance"]
        self.teachers = scenario.teachers
        self.limit: int | None = None
        self.root: int | None = None
        self._fresh_cache: dict[tuple[int, int], list[list]] = {}
        self.biggest = max(kind.max_size for kind in self.kinds) if self.kinds else 1
        self.fewest = _fewest_composites(self.scenario, self.kinds, self.teachers)
        self.children_from = [sum(self.students[i:]) for i in range(len(self.students) + 1)]

    def last(self, k: int) -> int:
        return self.start[k] + len(self.kinds[k].grades) - 1

    def run(self, deadline: float) -> ChainAnswer | None:
        """First with no grade's classes more than `FIRST_LIMIT` apart in size, then, if
        that cannot be shown to be the optimum, with the answer found as the one to beat.

        Every path from a state costs at least the state's bound plus the spread of the
        grade at hand. So a path the limit cut costs at least the bound of the state it
        was cut at plus (limit + 1) spreads, and states are taken in order of their
        bound: an answer no dearer than that, at the first state where anything was
        cut, is the optimum, as is the answer of a search that cut nothing. Beating a
        known answer, each state's moves need a spread short of it (see `_search`).
        """
        self.limit = FIRST_LIMIT
        found = self._search(deadline)
        if found is None:
            return None
        # every path the limit cut costs at least self.floor (None: nothing was cut)
        if self.floor is None or (found.feasible and found.cost <= self.floor):
            return found.answer
        self.limit = None
        found = self._search(deadline, found if found.feasible else None)
        return None if found is None else found.answer

    def _search(self, deadline: float, known: _Found | None = None) -> _Found | None:
        """Best first (A*), within `self.limit`: a state's cost so far plus its bound
        (`_bound`), so the first finished state taken is the optimum, and states worse
        than it are never opened. With `known`, only what beats it is searched for,
        and `known` is the answer if nothing does."""
        self.floor: int | None = None  # see run
        self.cut = False
        if self._need(0, ()) > self.teachers:  # too many children for the teachers
            return _Found(False, 0, ChainAnswer(False, {}, {}))
        most = _most_classes_after(self.scenario)
        start = (0, 0, ())  # (grade, teachers used, open kinds as (kind, classes, total, placed))
        best: dict[tuple, int] = {start: 0}
        back: dict[tuple, tuple] = {}
        self.root = self._bound(0, 0, (), most)
        if self.root is None:
            return _Found(False, 0, ChainAnswer(False, {}, {}))
        heap = [(self.root, 0, 0, start)]
        ties = 1
        grades = len(self.students)
        while heap:
            if time.perf_counter() > deadline or len(best) > MAX_STATES:
                return None
            floor, _, cost, state = heapq.heappop(heap)
            if cost > best[state]:
                continue  # reached again more cheaply since
            if known is not None:
                if floor >= known.cost:
                    return known  # nothing left can beat it
                # a move whose grade's spread is above this cannot beat it either
                self.limit = (known.cost - floor - 1) // self.per_spread
            i, used, opened = state
            if i == grades:
                return _Found(True, cost, self._read_back(back, state))
            self.cut = False
            for tried, move in enumerate(self._moves(i, used, opened)):
                (after_used, after_opened), extra, choice = move
                if tried % 4096 == 4095 and time.perf_counter() > deadline:
                    return None
                if i + 1 == grades and after_opened:
                    continue  # a composite left unfinished
                if after_used + self._need(i + 1, after_opened) > self.teachers:
                    continue  # the children still to come could not find teachers
                new = (i + 1, after_used, after_opened)
                value = cost + extra
                if value < best.get(new, value + 1):
                    best[new] = value
                    back[new] = (state, choice)
                    bound = self._bound(i + 1, after_used, after_opened, most)
                    if bound is None:
                        continue  # the grades still to come cannot all find a class
                    bound += value
                    if known is not None and bound >= known.cost:
                        continue  # cannot beat the answer known
                    heapq.heappush(heap, (bound, ties, value, new))
                    ties += 1
            if self.cut and self.floor is None and known is None:
                # what the limit cut from here costs at least: states are taken in
                # order of their bound, so the first such state gives the floor
                self.floor = floor + (self.limit + 1) * self.per_spread
        return known or _Found(False, 0, ChainAnswer(False, {}, {}))

    def _need(self, i: int, opened: tuple) -> int:
        """The fewest classes still to open for grades i on: their children less the seats
        kept for them in open composites, over the largest class any kind allows."""
        seats = sum(total - placed for _, _, total, placed in opened)
        return max(0, -(-(self.children_from[i] - seats) // self.biggest))

    def _bound(self, i: int, used: int, opened: tuple, most: list[int]) -> int | None:
        """The best the classes still to open could add, or None when they cannot serve
        the grades still to come (see `_fewest_composites`); balance adds >= 0."""
        classes = min(self.teachers - used, most[i])
        covered = max((self.last(k) for k, _, _, _ in opened), default=i - 1)
        fewest = self.fewest[max(i, covered + 1)][covered >= i]
        composites = None if fewest is None else fewest[classes]
        if composites is None:
            return None
        return classes * self.per_class + composites * self.per_composite

    def _moves(self, i: int, used: int, opened: tuple):
        """(state after, cost, choices) for grade i from one state."""
        students = self.students[i]
        # the open kinds' shares of this grade: a range each (one value at their end)
        shares = []
        for k, count, total, placed in opened:
            sub = self.kinds[k].min_subclass_size * count
            after = self.last(k) - i
            if after == 0:
                shares.append((k, count, total, placed, [total - placed]))
            else:
                top = total - placed - sub * after
                shares.append((k, count, total, placed, range(sub, top + 1)))
        yield from self._combine(i, used, shares, self._fresh(i, used), students)

    def _fresh(self, i: int, used: int) -> list[list]:
        """New composites starting at grade i: per kind, None or (kind, classes, total,
        share of grade i), within the children the kind's grades have."""
        if (i, used) in self._fresh_cache:
            return self._fresh_cache[i, used]
        fresh = []
        for k in self.starting.get(i, []):
            kind = self.kinds[k]
            later = sum(self.students[i + 1 : self.last(k) + 1])
            options: list = [None]
            for count in range(1, self.teachers - used + 1):
                sub = kind.min_subclass_size * count
                low = max(kind.min_size * count, sub * len(kind.grades))
                high = min(kind.max_size * count, self.students[i] + later)
                for total in range(low, high + 1):
                    first = max(sub, total - later)
                    top = min(total - sub * (len(kind.grades) - 1), self.students[i])
                    options += [(k, count, total, share) for share in range(first, top + 1)]
            # by share, so the search of a grade's moves stops at the first too many
            fresh.append([None, *sorted(options[1:], key=lambda option: option[3])])
        self._fresh_cache[i, used] = fresh
        return fresh

    def _combine(self, i, used, shares, fresh, students):
        picks: list = []

        limit = self.limit

        def walk(j: int, taken: int, teachers: int, low: int, high: int):
            if taken > students or teachers > self.teachers:
                return
            if j < len(shares):
                k, count, total, placed, options = shares[j]
                low, high = min(low, total // count), max(high, -(-total // count))
                if limit is not None and high - low > limit:
                    self.cut = True
                    return
                for share in options:
                    picks.append((k, count, total, placed, share))
                    yield from walk(j + 1, taken + share, teachers, low, high)
                    picks.pop()
                return
            f = j - len(shares)
            if f < len(fresh):
                for option in fresh[f]:
                    if option is None:
                        yield from walk(j + 1, taken, teachers, low, high)
                        continue
                    k, count, total, share = option
                    if taken + share > students:
                        break  # and so would every later option
                    if teachers + count > self.teachers:
                        continue
                    small, big = min(low, total // count), max(high, -(-total // count))
                    if limit is not None and big - small > limit:
                        self.cut = True
                        continue
                    picks.append((k, count, total, 0, share))
                    yield from walk(j + 1, taken + share, teachers + count, small, big)
                    picks.pop()
                return
            yield from self._finish(i, teachers, picks, students - taken)

        yield from walk(0, 0, used, 1 << 30, -1)

    def _finish(self, i, used, picks, rest):
        """The grade's own classes take the rest; its spread is then known."""
        own = self.pure.get(i)
        counts = [0] if rest == 0 else []
        if rest and own is not None:
            kind = self.kinds[own]
            counts = [
                c
                for c in range(1, self.teachers - used + 1)
                if kind.min_size * c <= rest <= kind.max_size * c
            ]
        opened_new = tuple(
            sorted(
                (k, count, total, placed + share)
                for k, count, total, placed, share in picks
                if self.last(k) > i
            )
        )
        new_classes = sum(count for k, count, _, placed, _ in picks if placed == 0)
        low, high = 1 << 30, -1
        for _, count, total, _, _ in picks:
            low = min(low, total // count)
            high = max(high, -(-total // count))
        for own_count in counts:
            small, big = low, high
            if own_count:
                small = min(small, rest // own_count)
                big = max(big, -(-rest // own_count))
            spread = big - small if small <= big else 0
            if self.limit is not None and spread > self.limit:
                self.cut = True
                continue
            cost = (
                (new_classes + own_count) * self.per_class
                + new_classes * self.per_composite
                + spread * self.per_spread
            )
            choice = (tuple((k, count, share) for k, count, _, _, share in picks), own_count, rest)
            yield (used + own_count, opened_new), cost, choice

    def _read_back(self, back, end) -> ChainAnswer:
        structure: dict[tuple[str, ...], int] = {}
        totals: dict[tuple[str, ...], dict[str, int]] = {}
        names = [g.name for g in self.scenario.grades]
        state = end
        while state in back:
            state, (shares, own_count, rest) = back[state]
            i = state[0]
            for k, count, share in shares:
                kind = self.kinds[k]
                structure[kind.grades] = count
                totals.setdefault(kind.grades, {})[names[i]] = share
            if own_count:
                kind = self.kinds[self.pure[i]]
                structure[kind.grades] = own_count
                totals[kind.grades] = {names[i]: rest}
        return ChainAnswer(True, structure, totals)


def _fewest_composites(scenario: Scenario, kinds: list[Kind], teachers: int) -> list:
    """fewest[p][attached][m]: the fewest composites grades p on need with at most m
    new classes, or None when they cannot have them; attached: a class opening before
    grade p may reach into it.

    A relaxation: the classes' spans split grades p on into blocks no class crosses
    (grades without children may be left out). A block of `length` grades has at least
    (length - 1) / (longest - 1) composites to join them (one more boundary when
    attached), and at least its children over the largest class of a kind within it
    (any kind when attached) classes.
    """
    n = len(scenario.grades)
    students = [g.students for g in scenario.grades]
    order = [[scenario.order(g) for g in kind.grades] for kind in kinds]
    longest = max((len(o) for o in order), default=1)
    biggest = max((kind.max_size for kind in kinds), default=0)
    empty: list = [0] * (teachers + 1)
    fewest = [[None, None] for _ in range(n)] + [[empty, empty]]

    def merge(into: list, used: int, composites: int, rest: list | None) -> None:
        if rest is None:
            return
        for m in range(used, teachers + 1):
            after = rest[m - used]
            if after is not None and (into[m] is None or composites + after < into[m]):
                into[m] = composites + after

    for p in range(n - 1, -1, -1):
        for attached in (0, 1):
            best: list = [None] * (teachers + 1)
            if attached:  # a class that may reach into grade p need not
                best = list(fewest[p][0] or best)
            if not attached and students[p] == 0:
                merge(best, 0, 0, fewest[p + 1][0])
            children = 0
            for q in range(p, n):
                children += students[q]
                if attached:
                    cap = biggest
                else:
                    cap = max(
                        (
                            kinds[k].max_size
                            for k in range(len(kinds))
                            if p <= order[k][0] and order[k][-1] <= q
                        ),
                        default=0,
                    )
                bridges = q - p + attached
                if bridges and longest < 2:
                    break
                composites = -(-bridges // (longest - 1)) if bridges else 0
                if children and not cap:
                    continue
                classes = max(composites, -(-children // cap) if children else 0)
                if classes <= teachers:
                    merge(best, classes, composites, fewest[q + 1][0])
            fewest[p][attached] = best if any(v is not None for v in best) else None
    return fewest


def _most_classes_after(scenario: Scenario) -> list[int]:
    """For each grade, an upper bound on the classes that open there or later (see
    chain._most_classes: each class takes a whole unit of children(g) / unit(g))."""
    unit: dict[str, int] = {}
    for kind in scenario.kinds():
        low = max(kind.min_size, kind.min_subclass_size * len(kind.grades), 1)
        for g in kind.grades:
            unit[g] = min(unit.get(g, low), low)
    out = [0]
    total = Fraction(0)
    for grade in reversed(scenario.grades):
        if grade.name in unit:
            total += Fraction(grade.students, unit[grade.name])
        out.append(math.floor(total))
    return out[::-1]
