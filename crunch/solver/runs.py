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

The search is best first, bounded by the classes and composites the grades still to
come need (`_Relaxation`: each kind's size limits and minimum subclass, children placed
freely), and makes a state's moves a spread at a time, the even ones first (see
`_Runs.run`): most small schools can be even, and their many uneven moves are then
never made.
"""

from __future__ import annotations

import heapq
import math
import time
from fractions import Fraction

from .chain import ChainAnswer
from .data import Kind, Scenario

MAX_STATES = 20_000
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
        # the spreads of a grade's moves made at the state at hand: above low, up to limit
        self.low, self.limit = -1, 0
        self.cut = False  # whether moves of a wider spread were left
        self._fresh_cache: dict[tuple[int, int], list[list]] = {}
        self.biggest = max(kind.max_size for kind in self.kinds) if self.kinds else 1
        self.relaxed = _Relaxation(scenario, self.kinds, self.teachers)
        self.children_from = [sum(self.students[i:]) for i in range(len(self.students) + 1)]

    def last(self, k: int) -> int:
        return self.start[k] + len(self.kinds[k].grades) - 1

    def run(self, deadline: float) -> ChainAnswer | None:
        """Best first (A*): states in order of their cost so far plus their bound
        (`_bound`), so the first finished state taken is the optimum.

        A state's moves are made a spread at a time (partial expansion): first those
        whose grade's classes are all of one size, then, when the state comes up again,
        those a spread of 1 apart, and so on. Every path from a state costs at least its
        bound plus the spread of the grade at hand, so the state goes back on the heap
        at its bound plus the next spread. Most small schools can be even, and their
        uneven moves, the most numerous, are then never made.
        """
        if self._need(0, ()) > self.teachers:  # too many children for the teachers
            return ChainAnswer(False, {}, {})
        most = _most_classes_after(self.scenario)
        start = (0, 0, ())  # (grade, teachers used, open kinds as (kind, classes, total, placed))
        best: dict[tuple, int] = {start: 0}
        back: dict[tuple, tuple] = {}
        root = self._bound(0, 0, (), most)
        if root is None:
            return ChainAnswer(False, {}, {})
        # (key, tie, cost so far, state, spread of the moves to make, cost plus bound)
        heap = [(root, 0, 0, start, 0, root)]
        ties = 1
        grades = len(self.students)
        while heap:
            if time.perf_counter() > deadline or len(best) > MAX_STATES:
                return None
            _, _, cost, state, spread, floor = heapq.heappop(heap)
            if cost > best[state]:
                continue  # reached again more cheaply since
            i, used, opened = state
            if i == grades:
                return self._read_back(back, state)
            self.low, self.limit = spread - 1, spread
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
                    heapq.heappush(heap, (value + bound, ties, value, new, 0, value + bound))
                    ties += 1
            if self.cut:  # moves of a wider spread are left: at least one spread more
                key = floor + (spread + 1) * self.per_spread
                heapq.heappush(heap, (key, ties, cost, state, spread + 1, floor))
                ties += 1
        return ChainAnswer(False, {}, {})

    def _need(self, i: int, opened: tuple) -> int:
        """The fewest classes still to open for grades i on: their children less the seats
        kept for them in open composites, over the largest class any kind allows."""
        seats = sum(total - placed for _, _, total, placed in opened)
        return max(0, -(-(self.children_from[i] - seats) // self.biggest))

    def _bound(self, i: int, used: int, opened: tuple, most: list[int]) -> int | None:
        """The best the classes still to open could add, or None when they cannot serve
        the grades still to come (see `_Relaxation`); balance adds >= 0."""
        relaxed = self.relaxed
        state = relaxed.state(
            i,
            [
                (self.last(k), total - placed, self.kinds[k].min_subclass_size * count)
                for k, count, total, placed in opened
            ],
        )
        fewest = relaxed.fewest(i, state)
        best = None
        for classes in range(min(self.teachers - used, most[i]) + 1):
            composites = fewest[classes]
            if composites is not None:
                value = classes * self.per_class + composites * self.per_composite
                if best is None or value < best:
                    best = value
        return best

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
        """New composites starting at grade i: per kind, (kind, classes, least and most
        children in all, least of each grade, children of its later grades), by classes."""
        if (i, used) in self._fresh_cache:
            return self._fresh_cache[i, used]
        fresh = []
        for k in self.starting.get(i, []):
            kind = self.kinds[k]
            later = sum(self.students[i + 1 : self.last(k) + 1])
            options = []
            for count in range(1, self.teachers - used + 1):
                sub = kind.min_subclass_size * count
                low = max(kind.min_size * count, sub * len(kind.grades))
                high = min(kind.max_size * count, self.students[i] + later)
                if low <= high:
                    options.append((k, count, low, high, sub, later))
            fresh.append(options)
        self._fresh_cache[i, used] = fresh
        return fresh

    def _combine(self, i, used, shares, fresh, students):
        picks: list = []
        limit = self.limit
        grades_in = [len(kind.grades) for kind in self.kinds]

        def walk(j: int, taken: int, teachers: int, low: int, high: int):
            if taken > students or teachers > self.teachers:
                return
            if j < len(shares):
                k, count, total, placed, options = shares[j]
                low, high = min(low, total // count), max(high, -(-total // count))
                if high - low > limit:
                    self.cut = True
                    return
                for share in options:
                    picks.append((k, count, total, placed, share))
                    yield from walk(j + 1, taken + share, teachers, low, high)
                    picks.pop()
                return
            f = j - len(shares)
            if f < len(fresh):
                yield from walk(j + 1, taken, teachers, low, high)  # none of this kind
                for k, count, least, most, sub, later in fresh[f]:
                    if teachers + count > self.teachers:
                        break  # and so would every larger count
                    if high >= 0:  # only totals whose classes keep the band within limit
                        first, last = least, most
                        least = max(least, count * (high - limit))
                        most = min(most, count * (low + limit))
                        if least > first or most < last:
                            self.cut = True
                    top_share = min(self.students[i], students - taken)
                    for total in range(least, most + 1):
                        small, big = min(low, total // count), max(high, -(-total // count))
                        if big - small > limit:
                            self.cut = True
                            continue
                        top = min(total - sub * (grades_in[k] - 1), top_share)
                        for share in range(max(sub, total - later), top + 1):
                            picks.append((k, count, total, 0, share))
                            yield from walk(j + 1, taken + share, teachers + count, small, big)
                            picks.pop()
                return
            yield from self._finish(i, teachers, picks, students - taken)

        yield from walk(0, 0, used, 1 << 30, -1)

    def _finish(self, i, used, picks, rest):
        """The grade's own classes take the rest; its spread is then known."""
        low, high = 1 << 30, -1
        for _, count, total, _, _ in picks:
            low = min(low, total // count)
            high = max(high, -(-total // count))
        spreads = []  # (own classes, spread) within this expansion's spreads
        if rest == 0:
            spreads.append((0, high - low if low <= high else 0))
        elif i in self.pure:
            kind = self.kinds[self.pure[i]]
            for own_count in range(1, self.teachers - used + 1):
                if not kind.min_size * own_count <= rest <= kind.max_size * own_count:
                    continue
                spread = max(high, -(-rest // own_count)) - min(low, rest // own_count)
                spreads.append((own_count, spread))
        made = [(c, spread) for c, spread in spreads if self.low < spread <= self.limit]
        if len(made) < len(spreads) and any(spread > self.limit for _, spread in spreads):
            self.cut = True
        if not made:
            return
        opened_new = tuple(
            sorted(
                (k, count, total, placed + share)
                for k, count, total, placed, share in picks
                if self.last(k) > i
            )
        )
        new_classes = sum(count for k, count, _, placed, _ in picks if placed == 0)
        shares = tuple((k, count, share) for k, count, _, _, share in picks)
        for own_count, spread in made:
            cost = (
                (new_classes + own_count) * self.per_class
                + new_classes * self.per_composite
                + spread * self.per_spread
            )
            yield (used + own_count, opened_new), cost, (shares, own_count, rest)

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


class _Relaxation:
    """The fewest composites the grades from i on need, for each number of new classes.

    A relaxation of the search: it chooses how many classes of each kind open, as the
    search does, but places children freely, keeping only what every path of the
    search keeps: a composite of c classes takes at least c times its minimum subclass
    of each of its grades and at most c times its largest class in all; a grade's own
    c classes take at least c times its smallest class and at most c times its
    largest. What it needs is therefore a lower bound on what the search needs.

    With the least amounts set aside first, what is left of each grade can go to the
    open classes that end soonest (classes are runs of grades: any placement can be
    rearranged that way). So grade by grade the state is, for each grade ahead, the
    room left in the classes that end there and what they still must take of each
    grade until then, and a small dynamic programme over these states, remembered
    across the search's states, gives the answer.
    """

    def __init__(self, scenario: Scenario, kinds: list[Kind], teachers: int):
        self.students = [g.students for g in scenario.grades]
        self.teachers = teachers
        # a class open before grade i ends at most `ahead - 1` grades after it
        self.ahead = max((len(kind.grades) for kind in kinds), default=1) - 1
        self.kinds_at: dict[int, list[Kind]] = {}
        for kind in kinds:
            self.kinds_at.setdefault(scenario.order(kind.grades[0]), []).append(kind)
        n = len(self.students)
        self.empty = ((0, 0),) * self.ahead
        self._memo: dict[tuple, tuple] = {}
        self._options = [self._options_at(i) for i in range(n)]

    def _options_at(self, i: int) -> list[tuple]:
        """The ways classes may open at grade i: (classes, composites, least of grade i
        they take, room per grade ahead d = 0 .. ahead, least per grade ahead)."""
        out = []
        kinds = self.kinds_at.get(i, [])
        width = self.ahead + 1

        def walk(j: int, classes: int, composites: int, least: int, room: list, owed: list):
            if j == len(kinds):
                out.append((classes, composites, least, tuple(room), tuple(owed)))
                return
            walk(j + 1, classes, composites, least, room, owed)
            kind = kinds[j]
            d = len(kind.grades) - 1
            for count in range(1, self.teachers - classes + 1):
                each = count * (kind.min_subclass_size if kind.composite else kind.min_size)
                free = count * kind.max_size - each * (d + 1)
                if least + each > self.students[i] or free < 0:
                    break
                grown, more = list(room), list(owed)
                grown[d] += free
                more[d] += each
                extra = count if kind.composite else 0
                walk(j + 1, classes + count, composites + extra, least + each, grown, more)

        walk(0, 0, 0, 0, [0] * width, [0] * width)
        return out

    def state(self, i: int, opened) -> tuple:
        """The state before grade i of the open classes, given as (grade they end at,
        children they still take, least they take of each grade)."""
        groups = [[0, 0] for _ in range(self.ahead)]
        for last, seats, each in opened:
            d = last - i
            groups[d][0] += seats - each * (d + 1)
            groups[d][1] += each
        return self._normal(i, groups)

    def _normal(self, i: int, groups) -> tuple:
        """The groups with no more room than the children who could fill it: those of
        grades i .. i + d beyond what the open classes must take of them. States that
        differ only in room never used are then one."""
        out = []
        spare = 0
        owed = sum(o for _, o in groups)
        for d, (room, o) in enumerate(groups):
            if i + d < len(self.students):
                spare += max(0, self.students[i + d] - owed)
            owed -= o
            out.append((min(room, spare), o))
        return tuple(out)

    def fewest(self, i: int, groups: tuple) -> tuple:
        """For m = 0 .. teachers: the fewest composites grades i on need with exactly m new
        classes (None: impossible), the open classes being `groups` (see `state`)."""
        key = (i, groups)
        found = self._memo.get(key)
        if found is not None:
            return found
        top = self.teachers
        out: list = [None] * (top + 1)
        if i == len(self.students):
            out[0] = 0
        else:
            owed_now = sum(owed for _, owed in groups)
            for classes, composites, least, room, owed in self._options[i]:
                rest = self.students[i] - owed_now - least
                if rest < 0:
                    continue
                after = []
                for d in range(self.ahead + 1):
                    free = room[d] + (groups[d][0] if d < self.ahead else 0)
                    used = min(free, rest)
                    rest -= used
                    if d:
                        still = owed[d] + (groups[d][1] if d < self.ahead else 0)
                        after.append((free - used, still))
                if rest:
                    continue  # children left over: too little room
                later = self.fewest(i + 1, self._normal(i + 1, after))
                for m in range(top - classes + 1):
                    if later[m] is not None:
                        value = later[m] + composites
                        if out[m + classes] is None or value < out[m + classes]:
                            out[m + classes] = value
        result = tuple(out)
        self._memo[key] = result
        return result


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
