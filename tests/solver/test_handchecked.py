"""Small scenarios whose answers were worked out by hand (the reasoning is beside each)."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest

from crunch.solver import (
    Status,
    parse_allocation,
    parse_scenario,
    rebalance,
    solve,
)
from tests.conftest import grade

from .checks import (
    assert_sentences,
    assert_valid_allocation,
    assert_valid_solution,
    merge_patch,
    metrics_tuple,
    structure,
)
from .oracle import optimum, reachable


def solved(obj: dict, **kwargs):
    scenario = parse_scenario(obj)
    answer = solve(scenario, **kwargs)
    assert_valid_solution(scenario, answer, alternatives=kwargs.get("alternatives", 0))
    return scenario, answer


def metrics(answer) -> tuple[int, int, int]:
    return metrics_tuple(answer.classes)


# ------------------------------------------------------------ the two worked examples


def test_worked_example_k_1_2(example):
    # K 32, grade 1 57, grade 2 21 (15..25 each), K/1 composites, 5 teachers.
    # 110 children fit in 5 classes of at most 25. Without a composite K needs 2
    # classes, grade 1 needs 3 and grade 2 one: 6 > 5, so one K/1 composite. Grade 2
    # is its own class of 21. Two K classes would leave at most 2 K children for the
    # composite (< 5), so: K | 1 | 1 | 2 | K/1. The four K-or-1 classes hold 89
    # children and all of them count in some range, so they cannot all be equal:
    # balance >= 1, reached by 22, 22, 22, 23 (e.g. K 22 | 1 23, 22 | K/1 10+12).
    _, answer = solved(example("seed-k-1-2"))
    assert answer.status is Status.OPTIMAL
    assert metrics(answer) == (5, 1, 1)
    assert structure(answer.classes) == Counter({("K",): 1, ("1",): 2, ("2",): 1, ("1", "K"): 1})
    assert [c.to_dict()["grades"] for c in answer.classes if c.grade_names == ("2",)] == [{"2": 21}]


def test_worked_example_k_1_2_alternatives(example):
    # Other structures exist (e.g. two K/1 composites), so alternatives are found;
    # checks.py holds them to: valid, a structure of their own, best first.
    _, answer = solved(example("seed-k-1-2"), alternatives=3)
    assert answer.status is Status.OPTIMAL
    assert 1 <= len(answer.alternatives) <= 3


def test_worked_rebalancing_example(example):
    # Kinds: K, K, 1, 2, K/1, 1/2 with K 55, 1 35, 2 35 (10..30, subclasses >= 5).
    # 125 children in 6 classes cannot all be equal, and each class counts in some
    # grade's range, so balance >= 1. It is reached: K 21, 21 | 1 21 | 2 20 |
    # K/1 13+8 | 1/2 6+15: K {21,21,21}, 1 {21,21,21}, 2 {21,20}. The notes' rules
    # stop at 2; the input itself has K {10,20,30} + 1 {25,30,30} + 2 {10,30} = 45.
    obj = example("seed-rebalance")
    scenario = parse_scenario(obj)
    given = parse_allocation(obj, scenario)
    answer = rebalance(scenario, given)
    assert answer.status is Status.OPTIMAL
    assert_valid_solution(scenario, answer)
    assert metrics(answer) == (6, 2, 1)
    assert structure(answer.classes) == structure(given)
    assert metrics_tuple(given)[2] == 45


def test_worked_rebalancing_example_solved_afresh(example):
    # Solving from scratch: 6 teachers, no composite needed (K 2 classes, 1 two, 2 two).
    # K 55, 1 35 and 2 35 are each odd over two classes: balance 1 + 1 + 1 = 3.
    _, answer = solved(example("seed-rebalance"))
    assert answer.status is Status.OPTIMAL
    assert metrics(answer) == (6, 0, 3)


def test_hillside_with_its_locked_class(example):
    # Locked 1/2 12+12 leaves K 32, 1 45, 2 9 for 5 teachers. Grade 2's 9 cannot be a
    # class (min 15): a second 1/2 composite (x of grade 1 + 9, x in 6..15). K: two
    # classes of 16. Grade 1: 45 - x over two classes. Balance = grade 1's range over
    # {pure, pure, 24, x+9} + grade 2's over {24, x+9}: x = 15 gives 15, 15, 24, 24
    # and 0, so 9; x = 13 gives 8 + 2 = 10, x = 14 9 + 1, x = 9 6 + 6. Best: 9.
    scenario, answer = solved(example("hillside"))
    assert answer.status is Status.OPTIMAL
    assert metrics(answer) == (6, 2, 9)
    locked = [c for c in answer.classes if c.locked]
    assert [c.to_dict() for c in locked] == [
        {"grades": {"1": 12, "2": 12}, "size": 24, "composite": True, "locked": True}
    ]
    assert scenario.locked and len(scenario.locked) == 1


# ------------------------------------------------------------ grades, composites, locks


def test_grades_with_no_children_need_no_class():
    # K and 2 are empty, so the K/1 composite cannot open; grade 1's 20 children with a
    # minimum of 15 make exactly one class.
    _, answer = solved(
        {
            "teachers": 2,
            "grades": [grade("K", 0, 15, 25), grade("1", 20, 15, 25), grade("2", 0, 15, 25)],
            "composites": [{"grades": ["K", "1"]}],
        }
    )
    assert answer.status is Status.OPTIMAL
    assert [c.to_dict()["grades"] for c in answer.classes] == [{"1": 20}]
    assert metrics(answer) == (1, 0, 0)


def test_a_school_with_no_children_has_no_classes():
    # Nothing to place: the empty allocation is valid and the only one.
    _, answer = solved({"teachers": 2, "grades": [grade("K", 0, 15, 25), grade("1", 0, 15, 25)]})
    assert answer.status is Status.OPTIMAL
    assert answer.classes == ()
    assert metrics(answer) == (0, 0, 0)


@pytest.mark.parametrize("teachers", [1, 2, 3])
def test_composite_of_three_grades(teachers):
    # 6 children in each of K, 1, 2, classes of 10..25: no grade can be a class alone.
    # The K/1/2 composite takes all 18; two such classes would need 10 of each grade
    # (subclasses >= 5). So one class whatever the number of teachers.
    _, answer = solved(
        {
            "teachers": teachers,
            "min_subclass_size": 5,
            "grades": [grade("K", 6, 10, 25), grade("1", 6, 10, 25), grade("2", 6, 10, 25)],
            "composites": [{"grades": ["K", "1", "2"]}, {"grades": ["K", "1"]}],
        }
    )
    assert answer.status is Status.OPTIMAL
    assert [c.to_dict()["grades"] for c in answer.classes] == [{"K": 6, "1": 6, "2": 6}]
    assert metrics(answer) == (1, 1, 0)


def test_composite_with_its_own_max_size():
    # Grade 1: 30, grade 2: 8 (10..25 each). Grade 2 alone is too small: a 1/2 class of
    # x + 8 with x >= 6 (its min_subclass_size) and x + 8 <= 18 (its max_size), and a
    # grade 1 class of 30 - x. Balance |(30 - x) - (x + 8)| is least at x = 10: 20 and
    # 18, balance 2. Without the cap x = 11 would give 19 and 19.
    base = {
        "teachers": 2,
        "grades": [grade("1", 30, 10, 25), grade("2", 8, 10, 25)],
        "composites": [{"grades": ["1", "2"], "max_size": 18, "min_subclass_size": 6}],
    }
    _, answer = solved(base)
    assert answer.status is Status.OPTIMAL
    assert [c.to_dict()["grades"] for c in answer.classes] == [{"1": 20}, {"1": 10, "2": 8}]
    assert metrics(answer) == (2, 1, 2)

    uncapped = merge_patch(base, {"composites": [{"grades": ["1", "2"]}]})
    _, answer = solved(uncapped)
    assert metrics(answer) == (2, 1, 0)


def test_composite_with_its_own_min_subclass_size():
    # Grade 2 has 5 children, too few for a class of its own (min 10), so they need a
    # 1/2 composite. Its own min_subclass_size 6 forbids that. With the school-wide 6
    # but the composite's own 5 it is allowed: 1/2 of x + 5 (x >= 5) and grade 1's
    # 25 - x. Three classes need 25 - x >= 20, so x = 5: 1 10 | 1 10 | 1/2 5+5.
    strict = {
        "teachers": 3,
        "min_subclass_size": 1,
        "grades": [grade("1", 25, 10, 25), grade("2", 5, 10, 25)],
        "composites": [{"grades": ["1", "2"], "min_subclass_size": 6}],
    }
    _, answer = solved(strict)
    assert answer.status is Status.INFEASIBLE

    lenient = merge_patch(
        strict,
        {"min_subclass_size": 6, "composites": [{"grades": ["1", "2"], "min_subclass_size": 5}]},
    )
    _, answer = solved(lenient)
    assert answer.status is Status.OPTIMAL
    assert [c.to_dict()["grades"] for c in answer.classes] == [
        {"1": 10},
        {"1": 10},
        {"1": 5, "2": 5},
    ]
    assert metrics(answer) == (3, 1, 0)


def test_composite_with_its_own_min_size():
    # 3 + 4 children, both grades 10..25: only a 1/2 class could hold them, and by
    # default it needs 10. Its own min_size 5 makes one class of 7 possible.
    base = {
        "teachers": 2,
        "grades": [grade("1", 3, 10, 25), grade("2", 4, 10, 25)],
        "composites": [{"grades": ["1", "2"]}],
    }
    assert solved(base)[1].status is Status.INFEASIBLE
    _, answer = solved(merge_patch(base, {"composites": [{"grades": ["1", "2"], "min_size": 5}]}))
    assert answer.status is Status.OPTIMAL
    assert [c.to_dict()["grades"] for c in answer.classes] == [{"1": 3, "2": 4}]


def test_locked_class_is_kept_and_solved_around(example):
    # seed-k-1-2 with a locked K class of 20: the other 12 K children are too few for a
    # K class (min 15), so a K/1 composite of 12 + p, p >= 5; grade 1's 57 - p in two
    # classes (<= 50, so p >= 7); grade 2 alone. Balance = K {20, 12+p} + 1 {12+p,
    # halves of 57-p}: p = 9: 1 + 3, p = 10: 2 + 2, p = 11: 3 + 0, p = 12: 4 + 2. Best 3.
    obj = example("seed-k-1-2") | {"locked": [{"grades": {"K": 20}}]}
    _, answer = solved(obj)
    assert answer.status is Status.OPTIMAL
    assert metrics(answer) == (5, 1, 3)
    assert [c.to_dict()["grades"] for c in answer.classes if c.composite] == [{"K": 12, "1": 11}]
    assert [c.to_dict()["grades"] for c in answer.classes if c.locked] == [{"K": 20}]


def test_two_identical_locked_classes_both_kept():
    # Locked: two grade 1 classes of 10; the remaining 10 make a third (min 10).
    obj = {
        "teachers": 4,
        "grades": [grade("1", 30, 10, 30)],
        "locked": [{"grades": {"1": 10}}, {"grades": {"1": 10}}],
    }
    _, answer = solved(obj)
    assert answer.status is Status.OPTIMAL
    assert [c.size for c in answer.classes] == [10, 10, 10]
    assert sum(c.locked for c in answer.classes) == 2


def test_locked_classes_that_place_every_child():
    # Nothing is left to solve: the answer is the locked classes themselves.
    obj = {
        "teachers": 2,
        "grades": [grade("K", 12, 10, 20), grade("1", 0, 10, 20)],
        "locked": [{"grades": {"K": 12}}],
    }
    _, answer = solved(obj)
    assert answer.status is Status.OPTIMAL
    assert [c.to_dict() for c in answer.classes] == [
        {"grades": {"K": 12}, "size": 12, "composite": False, "locked": True}
    ]


def test_locked_class_that_leaves_no_valid_rest_is_infeasible():
    # Locking 20 of 25 leaves 5 children, fewer than a class's minimum of 10.
    obj = {"teachers": 3, "grades": [grade("1", 25, 10, 30)], "locked": [{"grades": {"1": 20}}]}
    _, answer = solved(obj)
    assert answer.status is Status.INFEASIBLE


# ------------------------------------------------------------ each priority order

# K 15 and 1 15 (classes 10..20), K/1 allowed, 3 teachers. Two ways to be best:
#   K 10 | 1 10 | K/1 5+5: 3 classes, 1 composite, balance 0;
#   K 15 | 1 15:           2 classes, 0 composites, balance 0.
# Three classes need a composite (K alone cannot make two classes of 10). Balance is
# 0 either way, so whichever of classes/composites comes first decides.
TRADE_CLASSES_FOR_COMPOSITES = {
    "teachers": 3,
    "grades": [grade("K", 15, 10, 20), grade("1", 15, 10, 20)],
    "composites": [{"grades": ["K", "1"]}],
}

# K 21 (10..25), 2 teachers: K 11 | K 10 (2 classes, balance 1) or K 21 (1, balance 0).
# There is no composite, so it is classes against balance.
TRADE_CLASSES_FOR_BALANCE = {"teachers": 2, "grades": [grade("K", 21, 10, 25)]}


def _first(order: tuple[str, ...], a: str, b: str) -> str:
    return a if order.index(a) < order.index(b) else b


# (scenario, the metric classes are traded for, the best when classes come first,
# the best otherwise)
TRADES = [
    (TRADE_CLASSES_FOR_COMPOSITES, "composites", (3, 1, 0), (2, 0, 0)),
    (TRADE_CLASSES_FOR_BALANCE, "balance", (2, 0, 1), (1, 0, 0)),
]


@pytest.mark.parametrize(("base", "traded", "classes_first", "otherwise"), TRADES)
@pytest.mark.parametrize(
    "order", list(itertools.permutations(["classes", "composites", "balance"]))
)
def test_each_priority_order(order, base, traded, classes_first, otherwise):
    obj = base | {"priorities": list(order)}
    want = classes_first if _first(order, "classes", traded) == "classes" else otherwise
    scenario, answer = solved(obj)
    assert answer.status is Status.OPTIMAL
    assert metrics(answer) == want
    # the exhaustive search agrees with the reasoning above
    assert optimum(reachable(scenario), scenario.priorities) == want


# ------------------------------------------------------------ infeasible: why, and fixes


def assert_suggestions_work(obj: dict, answer) -> None:
    assert answer.suggestions, "an infeasible answer with no suggestion"
    for suggestion in answer.suggestions:
        assert suggestion.text.strip()
        patched = merge_patch(obj, suggestion.patch)
        scenario = parse_scenario(patched)
        fixed = solve(scenario)
        assert fixed.status in {Status.OPTIMAL, Status.FEASIBLE}, suggestion
        assert_valid_solution(scenario, fixed)


def test_one_teacher_seven_grades_no_composite():
    # 7 grades of 3 children (1..25): each grade needs its own class, 7 classes for one
    # teacher. A composite of all seven grades (21 children) or 6 more teachers fix it.
    names = ["K", "1", "2", "3", "4", "5", "6"]
    obj = {"teachers": 1, "grades": [grade(n, 3, 1, 25) for n in names]}
    _, answer = solved(obj)
    assert answer.status is Status.INFEASIBLE
    assert_sentences(answer.diagnosis)
    assert_suggestions_work(obj, answer)
    patches = [s.patch for s in answer.suggestions]
    assert any(
        p.get("teachers") == 7 or {"grades": names} in p.get("composites", []) for p in patches
    ), patches
    assert any(p.get("teachers", 0) >= 7 for p in patches), patches
    assert any({"grades": names} in p.get("composites", []) for p in patches), patches


def test_too_few_teachers_is_explained():
    # The spec's example: grade 2 has 51 children, at most 25 per class, so 3 classes;
    # K 32 needs 2 (max 22), grade 1 57 needs 3: 8 classes for 6 teachers, no composite.
    obj = {
        "teachers": 6,
        "grades": [grade("K", 32, 15, 22), grade("1", 57, 15, 25), grade("2", 51, 15, 25)],
    }
    _, answer = solved(obj)
    assert answer.status is Status.INFEASIBLE
    assert_sentences(answer.diagnosis)
    text = " ".join(answer.diagnosis)
    assert "6" in text and "teacher" in text, text
    assert_suggestions_work(obj, answer)
    # more teachers is one fix: 8 in all
    assert {"teachers": 8} in [s.patch for s in answer.suggestions]


def test_a_grade_too_small_for_a_class_is_explained():
    # K has 12 children, a class needs 15, and no composite is allowed: no number of
    # teachers helps; lowering K's minimum to 12 (or a K/1 composite) does.
    obj = {"teachers": 5, "grades": [grade("K", 12, 15, 25), grade("1", 40, 15, 25)]}
    _, answer = solved(obj)
    assert answer.status is Status.INFEASIBLE
    assert_sentences(answer.diagnosis)
    assert "K" in " ".join(answer.diagnosis)
    assert_suggestions_work(obj, answer)
    assert not any("teachers" in s.patch for s in answer.suggestions)


def test_diagnosis_counts_one_child_in_the_singular():
    # Grade 4 has a single child, fewer than its minimum class of 15, and no composite.
    obj = {"teachers": 5, "grades": [grade("K", 32, 11, 22), grade("4", 1, 15, 23)]}
    _, answer = solved(obj)
    assert answer.status is Status.INFEASIBLE
    text = " ".join(answer.diagnosis)
    assert "4" in text
    assert "1 children" not in text, text


def test_progress_reports_each_stage_best_so_far(example):
    # With a locked class the MIP solves it: one report per priority stage; each a
    # valid allocation, the last the answer itself.
    data = example("seed-k-1-2")
    data["locked"] = [{"grades": {"K": 20}}]
    scenario = parse_scenario(data)
    seen = []
    answer = solve(scenario, on_progress=seen.append)
    assert answer.status is Status.OPTIMAL
    assert len(seen) == 3
    for allocation in seen:
        assert_valid_allocation(scenario, allocation)
    assert seen[-1] == answer.allocation


def test_progress_reports_the_chain_answer_once(example):
    # Adjacent composites only: the dynamic programme finds the optimum in one go.
    scenario = parse_scenario(example("seed-k-1-2"))
    seen = []
    answer = solve(scenario, on_progress=seen.append)
    assert seen == [answer.allocation]
    assert_valid_allocation(scenario, seen[0])
