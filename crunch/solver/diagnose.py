"""Why a scenario has no valid allocation, and the single changes that would fix it.

Every suggestion is verified: its merge patch is applied to the scenario, the result
is parsed again and proved feasible. A check on the aggregated model takes tens of
milliseconds (a linear relaxation often settles it in one), so the searches below
can afford dozens of checks; each is capped, and all share the diagnosis deadline.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

from .data import Grade, Scenario, parse_scenario, scenario_to_dict
from .model import Remaining
from .patch import merge_patch
from .solution import Suggestion
from .solve import DEFAULT_SOLVER, is_feasible
from .staffing import fewest_teachers

MAX_COMPOSITE_SUGGESTIONS = 3
MAX_LIMIT_SUGGESTIONS = 4
CHECK_SECONDS = 1.0


def diagnose(
    scenario: Scenario, *, deadline: float, solver_name: str = DEFAULT_SOLVER
) -> tuple[list[str], list[Suggestion]]:
    """Plain sentences that say why, and verified suggestions, smallest change first."""
    checks = _Checks(deadline, solver_name)
    fewest = checks.fewest_teachers(scenario)
    shortage = fewest is not None and fewest > scenario.teachers
    if shortage:
        sentences = _teacher_shortage(scenario, fewest)
    else:
        sentences = _arrangement_problems(scenario, checks)
    finder = _SuggestionFinder(scenario, checks)
    found: list[tuple[float, Suggestion]] = []
    for search in (
        lambda: finder.more_teachers(fewest),
        finder.composites,
        lambda: finder.grade_limits(shortage),
        finder.subclass_size,
    ):
        found += search()
        if checks.left() <= 0:
            break
    found.sort(key=lambda item: item[0])
    return sentences, [s for _, s in found]


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
    """Feasibility questions asked of the solver, all sharing one deadline."""

    def __init__(self, deadline: float, solver_name: str):
        self.deadline = deadline
        self.solver_name = solver_name

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def feasible(self, scenario: Scenario | None) -> bool:
        if scenario is None or self.left() <= 0:
            return False
        # one hard check must not eat the whole budget: unproved counts as "no"
        deadline = min(self.deadline, time.perf_counter() + CHECK_SECONDS)
        return is_feasible(scenario, deadline=deadline, solver_name=self.solver_name) is True

    def fewest_teachers(self, scenario: Scenario | None) -> int | None:
        """Fewest teachers that could work, ignoring the number available; None if none."""
        if scenario is None:
            return None
        # a little past the deadline is allowed here: the sentences need this answer
        seconds = max(min(self.left(), 2 * CHECK_SECONDS), 0.2)
        return fewest_teachers(scenario, time_limit=seconds, solver_name=self.solver_name)


class _SuggestionFinder:
    def __init__(self, scenario: Scenario, checks: _Checks):
        self.scenario = scenario
        self.base = scenario_to_dict(scenario)
        self.checks = checks

    def works(self, patch: dict[str, Any]) -> bool:
        return self.checks.feasible(_parse(merge_patch(self.base, patch)))

    def more_teachers(self, fewest: int | None) -> list[tuple[float, Suggestion]]:
        if fewest is None or fewest <= self.scenario.teachers:
            return []
        patch = {"teachers": fewest}
        if not self.works(patch):
            return []
        added = fewest - self.scenario.teachers
        text = f"Add {_count(added, 'teacher')} ({fewest} in all)"
        return [(added / self.scenario.teachers, Suggestion(text, patch))]

    def composites(self) -> list[tuple[float, Suggestion]]:
        """Allow one more composite: runs of adjacent grades, shortest runs first."""
        grades = [g.name for g in self.scenario.grades if g.students]
        allowed = {c.grades for c in self.scenario.composites}
        out = []
        for length in range(2, len(grades) + 1):
            for start in range(len(grades) - length + 1):
                run = tuple(grades[start : start + length])
                if run in allowed:
                    continue
                patch = {"composites": [*self.base["composites"], {"grades": list(run)}]}
                if self.works(patch):
                    cost = 0.25 * (length - 1)
                    text = f"Allow a {'/'.join(run)} composite class"
                    out.append((cost, Suggestion(text, patch)))
                if len(out) >= MAX_COMPOSITE_SUGGESTIONS:
                    return out
            if out:
                return out
        return out

    def grade_limits(self, shortage: bool) -> list[tuple[float, Suggestion]]:
        """One grade's smaller minimum or larger maximum class size.

        When teachers are short, a smaller minimum never lets fewer classes hold the
        children, so only maximums are tried. All grades are searched together with
        growing steps, and the search stops once enough suggestions are found at the
        smallest change, so a K-12 school does not pay for thirteen full searches.
        """
        everyone = sum(g.students for g in self.scenario.grades)
        searches = []
        for i, g in enumerate(self.scenario.grades):
            if not g.students:
                continue
            if not shortage:
                searches.append((i, "min_size", range(g.min_size - 1, 0, -1)))
            searches.append((i, "max_size", range(g.max_size + 1, max(g.max_size, everyone) + 1)))

        def patch(search: tuple[int, str, range], value: int) -> dict[str, Any]:
            i, key, _ = search
            grades = [dict(item) for item in self.base["grades"]]
            grades[i][key] = value
            return {"grades": grades}

        out = []
        for search, value in _smallest_changes(
            searches,
            lambda search, value: self.works(patch(search, value)),
            enough=MAX_LIMIT_SUGGESTIONS,
        ):
            i, key, _ = search
            g = self.scenario.grade(self.base["grades"][i]["name"])
            old = getattr(g, key)
            verb, noun = ("Lower", "minimum") if key == "min_size" else ("Raise", "maximum")
            text = f"{verb} grade {g.name}'s {noun} class size from {old} to {value}"
            out.append((abs(value - old) / old, Suggestion(text, patch(search, value))))
        return out

    def subclass_size(self) -> list[tuple[float, Suggestion]]:
        current = self.scenario.min_subclass_size
        if not self.scenario.composites or current <= 1:
            return []
        best = _last_that_works(
            range(current - 1, 0, -1), lambda v: self.works({"min_subclass_size": v})
        )
        if best is None:
            return []
        text = f"Lower the minimum subclass size from {current} to {best}"
        return [((current - best) / current, Suggestion(text, {"min_subclass_size": best}))]


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


STEPS = (1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 377, 610, 987)


def _smallest_changes(
    searches: list[Any], works: Callable[[Any, int], bool], *, enough: int
) -> list[tuple[Any, int]]:
    """For several monotone searches at once, the smallest change that works in each.

    Every search tries 1, 2, 3, 5, 8... steps along its values; one that works is
    refined by binary search within its last step. Stops after the round in which
    `enough` searches have succeeded.
    """
    found: list[tuple[Any, int]] = []
    pending = {id(s): (s, -1) for s in searches}  # search -> last index that failed
    for step in STEPS:
        for key, (search, failed) in list(pending.items()):
            values = search[-1]
            index = min(step, len(values)) - 1
            if index <= failed:
                del pending[key]  # ran out of values
                continue
            if works(search, values[index]):
                first = _first_between(values, failed, index, lambda v, s=search: works(s, v))
                found.append((search, first))
                del pending[key]
            else:
                pending[key] = (search, index)
        if len(found) >= enough or not pending:
            break
    return found


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
