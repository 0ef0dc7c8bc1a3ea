"""Suggestions a principal would take: bounded size-limit moves, ranked, pairs when needed.

Every suggestion is checked here independently: its patch applied with this suite's
own merge patch, the result solved afresh.
"""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from crunch.solver import Status, parse_scenario, solve
from crunch.solver.diagnose import DEFAULT_MAX_SIZE_STEP, NO_SMALL_CHANGE, diagnose
from tests.conftest import grade

from .checks import merge_patch
from .strategies import medium_scenarios, tiny_scenarios


def suggestions_of(obj: dict, step: int = DEFAULT_MAX_SIZE_STEP):
    answer = solve(parse_scenario(obj), max_size_step=step)
    assert answer.status is Status.INFEASIBLE
    return answer


def assert_each_works(obj: dict, suggestions) -> None:
    for s in suggestions:
        scenario = parse_scenario(merge_patch(obj, s.patch))
        fixed = solve(scenario, diagnose=False)
        assert fixed.status in {Status.OPTIMAL, Status.FEASIBLE}, s


def assert_within_bound(obj: dict, suggestions, step: int) -> None:
    """No limit moves more than `step`; no maximum past the largest maximum of any grade."""
    largest = max(g["max_size"] for g in obj["grades"])
    for s in suggestions:
        patched = merge_patch(obj, s.patch)
        for old, new in zip(obj["grades"], patched["grades"], strict=True):
            assert old["name"] == new["name"] and old["students"] == new["students"], s
            assert new["min_size"] <= old["min_size"], s  # minimums only ever fall
            assert old["min_size"] - new["min_size"] <= step, s
            assert new["min_size"] >= 1, s
            assert new["max_size"] >= old["max_size"], s  # maximums only ever rise
            assert new["max_size"] - old["max_size"] <= step, s
            if new["max_size"] > old["max_size"]:
                assert new["max_size"] <= largest, s
        old_sub = obj.get("min_subclass_size", 1)
        new_sub = patched.get("min_subclass_size", 1)
        assert old_sub - step <= new_sub <= old_sub, s
        assert patched["teachers"] >= obj["teachers"], s
        changed = [key for key in ("teachers", "grades", "min_subclass_size") if key in s.patch]
        if "teachers" in s.patch:
            assert changed == ["teachers"] and "composites" not in s.patch, s


# One teacher short: K and 1 need 2 classes each at 22 a class, 3 teachers. The old
# search offered "Raise grade K's maximum class size from 22 to 40": one class of 40.
SHORT_BY_A_CLASS = {
    "teachers": 3,
    "grades": [grade("K", 40, 12, 22), grade("1", 40, 12, 22)],
}

# K 46 needs 3 classes of at most 22, grade 1 48 needs 2 of 26: 5 classes for 4
# teachers. Two classes of 23 hold K: one child more a class.
ONE_STEP = {
    "teachers": 4,
    "grades": [grade("K", 46, 12, 22), grade("1", 48, 12, 26)],
}

# K and 1 have 50 children each: 3 classes at 24 a class, 2 at 25. Grade 2 (28, up
# to 28 a class) fills one: 7 classes for 5 teachers. Raising one grade's maximum
# saves one class, not two: only a pair (both to 25) works among the small changes.
NEEDS_A_PAIR = {
    "teachers": 5,
    "grades": [grade("K", 50, 12, 24), grade("1", 50, 12, 24), grade("2", 28, 12, 28)],
}


def test_one_teacher_short_gets_no_absurd_raise():
    answer = suggestions_of(SHORT_BY_A_CLASS)
    assert_within_bound(SHORT_BY_A_CLASS, answer.suggestions, DEFAULT_MAX_SIZE_STEP)
    assert not any("from 22 to 40" in s.text for s in answer.suggestions)
    # nothing small works: it says so, and a teacher more is what is left
    assert NO_SMALL_CHANGE in answer.diagnosis
    assert [s.patch for s in answer.suggestions] == [{"teachers": 4}]
    assert_each_works(SHORT_BY_A_CLASS, answer.suggestions)


def test_the_smallest_raise_comes_first_and_a_teacher_last():
    answer = suggestions_of(ONE_STEP)
    texts = [s.text for s in answer.suggestions]
    assert texts[0] == "Raise grade K's maximum class size from 22 to 23", texts
    assert texts[-1] == "Add 1 teacher (5 in all)", texts
    assert NO_SMALL_CHANGE not in answer.diagnosis
    assert not any(s.parts for s in answer.suggestions)  # a single change: no pairs sought
    assert_within_bound(ONE_STEP, answer.suggestions, DEFAULT_MAX_SIZE_STEP)
    assert_each_works(ONE_STEP, answer.suggestions)


def test_a_raise_beyond_the_bound_is_not_offered():
    # K needs 23 a class; a bound of 0 children allows no raise at all
    answer = suggestions_of(ONE_STEP, step=0)
    assert not any("grades" in s.patch for s in answer.suggestions)
    assert_each_works(ONE_STEP, answer.suggestions)


def test_no_single_small_change_offers_the_best_pair():
    answer = suggestions_of(NEEDS_A_PAIR)
    assert NO_SMALL_CHANGE in answer.diagnosis
    best = answer.suggestions[0]
    assert best.parts == (
        "Raise grade K's maximum class size from 24 to 25",
        "Raise grade 1's maximum class size from 24 to 25",
    )
    assert best.text == (
        "Raise grade K's maximum class size from 24 to 25, "
        "and raise grade 1's maximum class size from 24 to 25"
    )
    # one patch makes both changes
    patched = merge_patch(NEEDS_A_PAIR, best.patch)
    assert [g["max_size"] for g in patched["grades"]] == [25, 25, 28]
    assert best.to_dict()["parts"] == list(best.parts)
    assert answer.suggestions[-1].patch == {"teachers": 7}
    assert_within_bound(NEEDS_A_PAIR, answer.suggestions, DEFAULT_MAX_SIZE_STEP)
    assert_each_works(NEEDS_A_PAIR, answer.suggestions)


def test_a_spent_deadline_claims_nothing():
    # With no time left nothing is checked: no suggestion, and no claim that no small
    # change works (it was never looked for).
    scenario = parse_scenario(NEEDS_A_PAIR)
    sentences, suggestions = diagnose(scenario, deadline=time.perf_counter())
    assert suggestions == []
    assert NO_SMALL_CHANGE not in sentences


def _each_suggestion_works_and_stays_within_its_bound(obj: dict, step: int) -> None:
    answer = solve(parse_scenario(obj), time_limit=10, max_size_step=step)
    assume(answer.status is Status.INFEASIBLE)
    assert_within_bound(obj, answer.suggestions, step)
    assert_each_works(obj, answer.suggestions)
    # pairs only when no single small change was found, and then it says so
    singles = [s for s in answer.suggestions if not s.parts and "teachers" not in s.patch]
    if any(s.parts for s in answer.suggestions):
        assert not singles
        assert NO_SMALL_CHANGE in answer.diagnosis


SOLVER = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@settings(SOLVER, max_examples=60)
@given(tiny_scenarios(), st.integers(0, 5))
def test_tiny_schools_suggestions_work_within_their_bound(obj, step):
    _each_suggestion_works_and_stays_within_its_bound(obj, step)


@settings(SOLVER, max_examples=10)
@given(medium_scenarios(), st.integers(0, 5))
def test_medium_schools_suggestions_work_within_their_bound(obj, step):
    _each_suggestion_works_and_stays_within_its_bound(obj, step)


class _Clock:
    """A stand-in for the clock, moved on by the stand-in checks."""

    def __init__(self):
        self.now = 1000.0

    def perf_counter(self):
        return self.now


@pytest.fixture
def slow_checks(monkeypatch):
    """Each feasibility check takes an eighth of a second of a stand-in clock, and only
    far more changes than a pair (six raised maximums) work."""
    from crunch.solver import diagnose as module

    clock = _Clock()
    asked = []

    def slow_check(scenario, *, deadline, solver_name):
        asked.append((clock.now, deadline))
        clock.now += 0.125  # exact in binary: no rounding at the deadline
        return sum(g.max_size > 24 for g in scenario.grades) > 5

    monkeypatch.setattr(module, "time", clock)
    monkeypatch.setattr(module, "is_feasible", slow_check)
    return clock, asked


# 13 grades one class over, each maximum 24 and the last 28: many pairs to try.
MANY_PAIRS = {
    "teachers": 13,
    "grades": [grade(n, 26, 12, 24) for n in ["K", *map(str, range(1, 12))]]
    + [grade("12", 10, 8, 28)],
}


def test_the_diagnosis_stops_at_its_deadline(slow_checks):
    from crunch.solver.diagnose import diagnose

    clock, asked = slow_checks
    deadline = clock.now + 1.0
    _, suggestions = diagnose(parse_scenario(MANY_PAIRS), deadline=deadline)
    assert asked, "nothing was checked"
    assert all(at < deadline and until <= deadline for at, until in asked), asked
    assert len(asked) <= 8
    assert not any(s.parts for s in suggestions)


def test_the_pair_search_stops_at_its_deadline_or_its_budget(slow_checks):
    from crunch.solver.diagnose import MAX_PAIR_CHECKS, _Checks, _SuggestionFinder

    clock, asked = slow_checks
    scenario = parse_scenario(MANY_PAIRS)
    deadline = clock.now + 2.0
    finder = _SuggestionFinder(scenario, _Checks(deadline, "HIGHS"), DEFAULT_MAX_SIZE_STEP)
    changes = finder.size_limits(shortage=True)
    assert len(changes) == 12  # every grade's maximum but the largest
    assert finder.pairs(changes) == []
    assert len(asked) == 16  # the first, all at once, then 15 pairs: time is up
    assert all(until <= deadline for _, until in asked)

    asked.clear()
    finder = _SuggestionFinder(scenario, _Checks(clock.now + 1000, "HIGHS"), 4)
    assert finder.pairs(changes) == []
    assert len(asked) == 1 + MAX_PAIR_CHECKS  # all at once, then the budget
