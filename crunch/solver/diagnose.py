"""Why a scenario has no valid allocation, and the small changes that would fix it.

Every suggestion is verified: its merge patch is applied to the scenario, the result
is parsed again and proved feasible. A check on the aggregated model takes tens of
milliseconds (a linear relaxation often settles it in one), so the searches below
can afford dozens of checks; each is capped, and all share the diagnosis deadline.
"""

from __future__ import annotations

import copy
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .data import Grade, Scenario, parse_scenario, scenario_to_dict
from .engine import DEFAULT_SOLVER, fewest_teachers, is_feasible
from .model import Remaining
from .patch import merge_patch
from .solution import Suggestion

MAX_COMPOSITE_SUGGESTIONS = 3
MAX_LIMIT_SUGGESTIONS = 4
MAX_PAIR_SUGGESTIONS = 2
MAX_PAIR_CHECKS = 60  # feasibility checks the pair search may spend, besides the deadline
CHECK_SECONDS = 1.0
# How far one suggestion may move a size limit (children); the app's setting is
# SUGGESTION_MAX_SIZE_STEP, the command line's --max-size-step.
DEFAULT_MAX_SIZE_STEP = 4
COMPOSITE_COST = 2  # limit steps per grade a new composite joins beyond the first
TEACHER_COST = 100  # per teacher: after every small change and pair of changes
NO_SMALL_CHANGE = "No single small change makes this work."


def diagnose(
    scenario: Scenario,
    *,
    deadline: float,
    solver_name: str = DEFAULT_SOLVER,
    max_size_step: int = DEFAULT_MAX_SIZE_STEP,
) -> tuple[list[str], list[Suggestion]]:
    """Plain sentences that say why, and verified suggestions, smallest change first.

    Only plausible changes are offered: a size limit or the minimum subclass size moves
    by at most `max_size_step` children, and a maximum never past the largest maximum of
    any grade. Ranked by cost in limit steps (see `_SuggestionFinder`): single changes
    first, then, when no single small change works, the best pairs of small changes,
    then more teachers. Everything stops at `deadline`.
    """
    checks = _Checks(deadline, solver_name)
    fewest = checks.fewest_teachers(scenario)
    shortage = fewest is not None and fewest > scenario.teachers
    if shortage:
        sentences = _teacher_shortage(scenario, fewest)
    else:
        sentences = _arrangement_problems(scenario, checks)
    finder = _SuggestionFinder(scenario, checks, max_size_step)
    # a teacher more is checked first, so that running out of time never loses it
    teachers = finder.more_teachers(fewest)
    limits = finder.size_limits(shortage) + finder.subclass()
    found: list[tuple[float, Suggestion]] = []
    # limit moves first: they are the cheaper changes, so running out of time in the
    # composite search never costs them
    for search in (lambda: finder.limits(limits), finder.composites):
        found += search()
        if checks.left() <= 0:
            break
    if not found and checks.left() > 0:
        if not checks.unsure:
            sentences.append(NO_SMALL_CHANGE)
        longest = max([2, *(len(c.grades) for c in scenario.composites)])
        found += finder.pairs(limits + finder.composite_runs(longest))
    found.sort(key=lambda item: item[0])
    return sentences, [s for _, s in found + teachers]


# ------------------------------------------------------------ sentences


def _teacher_shortage(scenario: Scenario, fewest: int) -> list[str]:
    rem = Remaining.of(scenario)
    needs = []
    for g in scenario.grades:
        if rem.students[g.name]:
            needs.append((math.ceil(rem.students[g.name] / g.max_size), g))
    needs.sort(key=lambda item: (-item[0], scenario.order(item[1].name)))
    sentences = []
    if needs and needs[0][0] > 1:
        need, g = needs[0]
        sentences.append(
            f"Grade {g.name} has {_children(rem.students[g.name])}"
            f"{' besides its fixed classes' if rem.students[g.name] != g.students else ''}"
            f" and at most {g.max_size} per class, so it needs at least {need} classes."
        )
    counting = ", counting the composite classes allowed" if scenario.composites else ""
    sentences.append(
        f"Within the size limits{counting}, the children need at least {fewest} classes, "
        f"but there {_are(scenario.teachers, 'teacher')}."
    )
    if scenario.locked:
        sentences.append(
            f"{_count(len(scenario.locked), 'fixed class')} take teachers of their own."
        )
    return sentences


def _arrangement_problems(scenario: Scenario, checks: _Checks) -> list[str]:
    """Infeasible whatever the number of teachers: find the grades that cannot be placed."""
    if scenario.locked:
        freed = _parse(merge_patch(scenario_to_dict(scenario), {"locked": None}))
        if freed is not None and checks.fewest_teachers(freed) is not None:
            return [
                "The fixed classes leave children that cannot be arranged into classes "
                "within the size limits; without them a valid plan exists."
            ]
    # grades that fit no number of classes of their own are named first; failing that,
    # grades without which everything else would fit
    misfits = [g for g in scenario.grades if g.students and not _fits_alone(g)]
    if not misfits:
        misfits = [
            g
            for g in scenario.grades
            if g.students and checks.fewest_teachers(_without_grade(scenario, g.name)) is not None
        ]
    sentences = [_why_grade_does_not_fit(scenario, g.name, g.students) for g in misfits]
    if not sentences:
        sentences.append(
            "The children cannot be arranged into classes within the size limits and "
            "the composite classes allowed, whatever the number of teachers."
        )
    return sentences


def _why_grade_does_not_fit(scenario: Scenario, name: str, children: int) -> str:
    g = scenario.grade(name)
    composites = [c for c in scenario.composites if name in c.grades]
    if children < g.min_size:
        reason = (
            f"Grade {name} has {_children(children)}, fewer than the smallest grade {name} "
            f"class allowed ({g.min_size})"
        )
    else:
        # children >= min_size and no whole number of classes fits: a gap between
        # `below` full classes and `above` classes at their minimum
        below = children // g.max_size
        above = below + 1
        reason = (
            f"Grade {name}'s {_children(children)} do not fit in classes of "
            f"{g.min_size} to {g.max_size}: {_count(below, 'class')} "
            f"{'holds' if below == 1 else 'hold'} at most {below * g.max_size}, "
            f"{above} need at least {above * g.min_size}"
        )
    if composites:
        labels = ", ".join("/".join(c.grades) for c in composites)
        return f"{reason}, and the composite classes allowed ({labels}) cannot take the rest."
    return f"{reason}, and no composite class with grade {name} is allowed."


# ------------------------------------------------------------ suggestions


class _Checks:
    """Feasibility questions asked of the solver, all sharing one deadline.

    `unsure` records whether any answer was "no" only because time ran out, so the
    diagnosis never claims that no small change works when it did not look at all.
    """

    def __init__(self, deadline: float, solver_name: str):
        self.deadline = deadline
        self.solver_name = solver_name
        self.unsure = False

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def feasible(self, scenario: Scenario | None) -> bool:
        if scenario is None:
            return False
        if self.left() <= 0:
            self.unsure = True
            return False
        # one hard check must not eat the whole budget: unproved counts as "no"
        deadline = min(self.deadline, time.perf_counter() + CHECK_SECONDS)
        answer = is_feasible(scenario, deadline=deadline, solver_name=self.solver_name)
        if answer is None:
            self.unsure = True
        return answer is True

    def fewest_teachers(self, scenario: Scenario | None) -> int | None:
        """Fewest teachers that could work, ignoring the number available; None if none."""
        if scenario is None:
            return None
        # a little past the deadline is allowed here: the sentences need this answer
        seconds = max(min(self.left(), 2 * CHECK_SECONDS), 0.2)
        return fewest_teachers(scenario, time_limit=seconds, solver_name=self.solver_name)


@dataclass(frozen=True)
class _Change:
    """One kind of small change and how far it may go.

    `values` are the new values it may take, smallest change first; a composite has
    the single value 1 (allowed). `key` names what it changes: ("max_size", i),
    ("min_size", i), ("composite", run) or ("min_subclass_size",).
    """

    key: tuple[Any, ...]
    old: int
    values: tuple[int, ...]
    grade: str = ""

    def apply(self, data: dict[str, Any], value: int) -> None:
        kind = self.key[0]
        if kind == "composite":
            data["composites"].append({"grades": list(self.key[1])})
        elif kind == "min_subclass_size":
            data["min_subclass_size"] = value
        else:
            data["grades"][self.key[1]][kind] = value

    def cost(self, value: int) -> float:
        if self.key[0] == "composite":
            return COMPOSITE_COST * (len(self.key[1]) - 1)
        return abs(value - self.old)

    def text(self, value: int) -> str:
        kind = self.key[0]
        if kind == "composite":
            return f"Allow a {'/'.join(self.key[1])} composite class"
        if kind == "min_subclass_size":
            return f"Lower the minimum subclass size from {self.old} to {value}"
        verb, noun = ("Lower", "minimum") if kind == "min_size" else ("Raise", "maximum")
        return f"{verb} grade {self.grade}'s {noun} class size from {self.old} to {value}"


class _SuggestionFinder:
    """Verified changes that make the scenario feasible, each with its cost.

    Cost, in limit steps: one child on a size limit or on the minimum subclass size
    is 1; allowing a composite of n grades is COMPOSITE_COST * (n - 1); a teacher
    more is TEACHER_COST, so hiring comes after every small change and pair.
    """

    def __init__(self, scenario: Scenario, checks: _Checks, max_size_step: int):
        self.scenario = scenario
        self.base = scenario_to_dict(scenario)
        self.checks = checks
        self.step = max(0, max_size_step)

    def patch(self, *changes: tuple[_Change, int]) -> dict[str, Any]:
        """One merge patch that makes all the changes (a pair touches two keys or one)."""
        data = copy.deepcopy(self.base)
        for change, value in changes:
            change.apply(data, value)
        return {key: value for key, value in data.items() if value != self.base.get(key)}

    def works(self, patch: dict[str, Any]) -> bool:
        return self.checks.feasible(_parse(merge_patch(self.base, patch)))

    def suggestion(self, *changes: tuple[_Change, int]) -> tuple[float, Suggestion]:
        texts = [change.text(value) for change, value in changes]
        text = texts[0] + "".join(f", and {t[0].lower()}{t[1:]}" for t in texts[1:])
        cost = sum(change.cost(value) for change, value in changes)
        parts = tuple(texts) if len(texts) > 1 else ()
        return cost, Suggestion(text, self.patch(*changes), parts)

    # -------------------------------------------------- the small changes allowed

    def size_limits(self, shortage: bool) -> list[_Change]:
        """Each grade's maximum may rise by at most `step` children, never past the
        largest maximum of any grade: no class larger than the school allows anywhere.
        Each minimum may fall by at most `step`, never below 1. When teachers are short
        a smaller minimum never lets fewer classes hold the children: not tried then."""
        largest = max((g.max_size for g in self.scenario.grades), default=0)
        out = []
        for i, g in enumerate(self.scenario.grades):
            if not g.students:
                continue
            top = min(g.max_size + self.step, largest)
            if top > g.max_size:
                values = tuple(range(g.max_size + 1, top + 1))
                out.append(_Change(("max_size", i), g.max_size, values, g.name))
            bottom = max(g.min_size - self.step, 1)
            if not shortage and bottom < g.min_size:
                values = tuple(range(g.min_size - 1, bottom - 1, -1))
                out.append(_Change(("min_size", i), g.min_size, values, g.name))
        return out

    def composite_runs(self, longest: int) -> list[_Change]:
        """Runs of adjacent grades (with children) not yet allowed, shortest first."""
        grades = [g.name for g in self.scenario.grades if g.students]
        allowed = {c.grades for c in self.scenario.composites}
        out = []
        for length in range(2, min(longest, len(grades)) + 1):
            for start in range(len(grades) - length + 1):
                run = tuple(grades[start : start + length])
                if run not in allowed:
                    out.append(_Change(("composite", run), 0, (1,)))
        return out

    def subclass(self) -> list[_Change]:
        current = self.scenario.min_subclass_size
        bottom = max(current - self.step, 1)
        if not self.scenario.composites or bottom >= current:
            return []
        values = tuple(range(current - 1, bottom - 1, -1))
        return [_Change(("min_subclass_size",), current, values)]

    # -------------------------------------------------- searches

    def more_teachers(self, fewest: int | None) -> list[tuple[float, Suggestion]]:
        if fewest is None or fewest <= self.scenario.teachers:
            return []
        patch = {"teachers": fewest}
        if not self.works(patch):
            return []
        added = fewest - self.scenario.teachers
        text = f"Add {_count(added, 'teacher')} ({fewest} in all)"
        return [(TEACHER_COST * added, Suggestion(text, patch))]

    def composites(self) -> list[tuple[float, Suggestion]]:
        """Allow one more composite: the shortest runs of adjacent grades that work.

        A run of any length may be offered (a one-teacher school's composite of every
        grade is what such a school does), but longer runs cost more.
        """
        grades = [g.name for g in self.scenario.grades if g.students]
        out = []
        for length in range(2, len(grades) + 1):
            for change in self.composite_runs(length):
                if len(change.key[1]) != length:
                    continue
                if self.works(self.patch((change, 1))):
                    out.append(self.suggestion((change, 1)))
                if len(out) >= MAX_COMPOSITE_SUGGESTIONS or self.checks.left() <= 0:
                    return out
            if out:
                return out
        return out

    def limits(self, changes: list[_Change]) -> list[tuple[float, Suggestion]]:
        """The smallest value of each bounded limit change that works on its own.

        Each is first tried at its furthest value: one check rules most out, since a
        change that fails there fails at every smaller value. The others are tried
        together one value at a time from the smallest, and the search stops after the
        round in which MAX_LIMIT_SUGGESTIONS have been found: the cheapest come first.
        """
        pending = [c for c in changes if self.works(self.patch((c, c.values[-1])))]
        out = []
        for index in range(max((len(c.values) for c in pending), default=0)):
            for change in list(pending):
                last = index == len(change.values) - 1  # known to work there
                if last or self.works(self.patch((change, change.values[index]))):
                    out.append(self.suggestion((change, change.values[index])))
                    pending.remove(change)
            if len(out) >= MAX_LIMIT_SUGGESTIONS or self.checks.left() <= 0:
                break
        out.sort(key=lambda item: item[0])
        return out[:MAX_LIMIT_SUGGESTIONS]

    def pairs(self, changes: list[_Change]) -> list[tuple[float, Suggestion]]:
        """The cheapest pairs of small changes that work together.

        All the changes at their furthest together come first: if even that fails, no
        pair can work. Pairs are then tried in order of their least possible cost, each
        at its furthest values; one that works is brought down to its cheapest values
        along the staircase of values that work. The search stops once the best pairs
        found cost no more than any pair left untried could, or after MAX_PAIR_CHECKS.
        """
        if len(changes) < 2:
            return []
        furthest = [(c, c.values[-1]) for c in changes]
        if not self.works(self.patch(*furthest)):
            return []
        candidates = sorted(
            (
                (a.cost(a.values[0]) + b.cost(b.values[0]), n, a, b)
                for n, (a, b) in enumerate(itertools.combinations(changes, 2))
            ),
            key=lambda item: item[:2],
        )
        found: list[tuple[float, Suggestion]] = []
        checks = 0
        for least, _, a, b in candidates:
            if checks >= MAX_PAIR_CHECKS or self.checks.left() <= 0:
                break
            if len(found) >= MAX_PAIR_SUGGESTIONS and found[-1][0] <= least:
                break
            checks += 1
            if not self.works(self.patch((a, a.values[-1]), (b, b.values[-1]))):
                continue
            cheapest, used = self._cheapest_pair(a, b)
            checks += used
            found.append(self.suggestion((a, cheapest[0]), (b, cheapest[1])))
            found.sort(key=lambda item: item[0])
            del found[MAX_PAIR_SUGGESTIONS:]
        return found

    def _cheapest_pair(self, a: _Change, b: _Change) -> tuple[tuple[int, int], int]:
        """The cheapest values of a pair known to work at its furthest values.

        Walks the staircase of the values that work: from a's smallest and b's largest,
        a step down in b when the pair works, a step up in a when it does not; at most
        len(a.values) + len(b.values) checks. Returns the values and the checks used.
        """
        i, j = 0, len(b.values) - 1
        best = (a.values[-1], b.values[-1])
        best_cost = a.cost(best[0]) + b.cost(best[1])
        used = 0
        while i < len(a.values) and j >= 0 and self.checks.left() > 0:
            used += 1
            if self.works(self.patch((a, a.values[i]), (b, b.values[j]))):
                cost = a.cost(a.values[i]) + b.cost(b.values[j])
                if cost < best_cost:
                    best, best_cost = (a.values[i], b.values[j]), cost
                j -= 1
            else:
                i += 1
        return best, used


def _last_that_works(values: range, works: Callable[[int], bool]) -> int | None:
    """The first value (smallest change) in a monotone sequence for which `works` holds.

    Values run from the smallest change to the largest; once one works, every larger
    change works too, so a binary search finds the first. None if even the last fails.
    """
    if not values or not works(values[-1]):
        return None
    return _first_between(values, -1, len(values) - 1, works)


def _first_between(values: range, low: int, high: int, works: Callable[[int], bool]) -> int:
    """values[high] works and values[low] does not (low may be -1): the first that works."""
    while high - low > 1:
        mid = (low + high) // 2
        if works(values[mid]):
            high = mid
        else:
            low = mid
    return values[high]


# ------------------------------------------------------------ helpers


def _fits_alone(g: Grade) -> bool:
    """Whether some whole number of classes of this grade alone holds its children."""
    classes = math.ceil(g.students / g.max_size)
    return classes * g.min_size <= g.students


def _without_grade(scenario: Scenario, name: str) -> Scenario | None:
    data = scenario_to_dict(scenario)
    data.pop("locked", None)
    for item in data["grades"]:
        if item["name"] == name:
            item["students"] = 0
    return _parse(data)


def _parse(data: dict[str, Any]) -> Scenario | None:
    try:
        return parse_scenario(data)
    except ValueError:
        return None


def _count(n: int, noun: str) -> str:
    plural = noun + ("es" if noun.endswith("ss") else "s")
    return f"{n} {noun if n == 1 else plural}"


def _children(n: int) -> str:
    return "1 child" if n == 1 else f"{n} children"


def _are(n: int, noun: str) -> str:
    return f"is only 1 {noun}" if n == 1 else f"are only {_count(n, noun)}"
