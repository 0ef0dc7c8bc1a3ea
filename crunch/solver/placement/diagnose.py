"""Why the hard rules cannot all hold: the smallest set of rules that clash, in words.

Nothing here is guessed. Every set reported is one the solver proved infeasible with
the plan's class counts, and minimal: without any one of its rules, the rest hold
(each proved by a solve too). The sets are found by QuickXplain (Junker, 2004) over the
part's rules, after trying first the clashes that simple counting suggests (a child
fixed where another rule forbids, a `together` group too big for any class, ...), which
are then minimised the same way. Up to `MAX_CLASHES` independent clashes are reported:
after each, its rules are set aside and the rest checked again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import mip

from .data import PlacementInput
from .metrics import describe
from .model import (
    MAX_WHOLE_VARIABLES,
    OutOfTime,
    Part,
    PartModel,
    Rule,
    allowed_classes,
    rules_of,
    variables_of,
)

MAX_CLASHES = 3
_INFEASIBLE = (mip.OptimizationStatus.INFEASIBLE, mip.OptimizationStatus.INT_INFEASIBLE)


class _NoTime(Exception):
    pass


def explain(placement_input: PlacementInput, part: Part, *, deadline: float) -> list[str]:
    """Sentences naming the children and the rules that clash."""
    rules = rules_of(part, placement_input)
    if variables_of(part) > MAX_WHOLE_VARIABLES:
        return _without_solving(placement_input, part, rules)
    check = _Checker(placement_input, part, deadline)
    sentences: list[str] = []
    try:
        while len(sentences) < MAX_CLASHES and check.infeasible(rules):
            clash = _first_clash(check, rules)
            sentences.append(sentence(placement_input, part, clash))
            rules = [r for r in rules if r not in clash]
    except _NoTime:
        if not sentences:
            sentences.append(
                "The hard rules (fixed classes, apart, together, not-with classes and "
                "no composite) cannot all hold with the plan's class sizes; there was no "
                "time left to find which of them clash."
            )
    return sentences


def _without_solving(placement_input: PlacementInput, part: Part, rules: list[Rule]) -> list[str]:
    """For parts too big to solve whole: the children whose own rules leave no class."""
    allowed = allowed_classes(part, rules)
    name = _namer(placement_input)
    out = []
    for child, options in allowed.items():
        if not options and len(out) < MAX_CLASHES:
            own = [r for r in rules if r.children == (child,)]
            grade = placement_input.child(child).grade
            classes = [c for c in part.classes if c.count(grade)]
            out.append(_own_rules(name(child), grade, own, classes))
    return out or [
        "The hard rules cannot all hold with the plan's class sizes; this school is too "
        "big to find which of them clash within the time."
    ]


class _Checker:
    """Feasibility of a set of rules, each answer a solve of its own."""

    def __init__(self, placement_input: PlacementInput, part: Part, deadline: float):
        self.input = placement_input
        self.part = part
        self.deadline = deadline
        self.solves = 0

    def infeasible(self, rules: list[Rule]) -> bool:
        if not rules:
            return False  # the plan's counts alone always hold: they add up per grade
        left = self.deadline - time.perf_counter()
        if left <= 0:
            raise _NoTime
        try:
            model = PartModel(self.input, self.part, rules, deadline=self.deadline)
        except OutOfTime:
            raise _NoTime from None
        self.solves += 1
        status = model.optimize(mip.LinExpr(), left * 0.9)
        if status in _INFEASIBLE:
            return True
        if status in (mip.OptimizationStatus.OPTIMAL, mip.OptimizationStatus.FEASIBLE):
            return False
        raise _NoTime


def _first_clash(check: _Checker, rules: list[Rule]) -> list[Rule]:
    for candidate in suspects(check.input, check.part, rules):
        if check.infeasible(candidate):
            return quickxplain(check.infeasible, candidate)
    return quickxplain(check.infeasible, rules)


def quickxplain(infeasible: Callable[[list[Rule]], bool], rules: list[Rule]) -> list[Rule]:
    """A minimal subset of an infeasible set of rules that is still infeasible."""

    def search(background: list[Rule], added: bool, candidates: list[Rule]) -> list[Rule]:
        if added and infeasible(background):
            return []
        if len(candidates) == 1:
            return candidates
        half = len(candidates) // 2
        first, second = candidates[:half], candidates[half:]
        in_second = search(background + first, bool(first), second)
        in_first = search(background + in_second, bool(in_second), first)
        return in_first + in_second

    return search([], False, rules)


def suspects(placement_input: PlacementInput, part: Part, rules: list[Rule]) -> list[list[Rule]]:
    """Sets of rules that counting alone suggests may clash (each checked by a solve)."""
    by_child: dict[str, list[Rule]] = {}
    for rule in rules:
        for child in rule.children:
            by_child.setdefault(child, []).append(rule)
    out: list[list[Rule]] = []
    # one child's own rules (fixed where not allowed, every class ruled out)
    for child_rules in by_child.values():
        own = [r for r in child_rules if len(r.children) == 1]
        if len(own) > 1:
            out.append(own)
    # pairs whose fixed classes break their apart/together rule
    fixed = {r.children[0]: r for r in rules if r.kind == "class"}
    for rule in rules:
        if rule.kind in ("apart", "together") and all(c in fixed for c in rule.children):
            out.append([rule, *(fixed[c] for c in rule.children)])
    # together groups: each with the rules that touch any of its children
    for group in _together_groups(rules):
        out.append([r for r in rules if set(r.children) & group])
    # more children fixed in a class, or kept out of composites, than places allow
    by_class: dict[str, list[Rule]] = {}
    for rule in fixed.values():
        by_class.setdefault(rule.label, []).append(rule)
    out += [group for group in by_class.values() if len(group) > 1]
    no_composite = [r for r in rules if r.kind == "composite"]
    if no_composite:
        out.append(no_composite)
    out.sort(key=len)
    return out


def _together_groups(rules: list[Rule]) -> list[set[str]]:
    parent: dict[str, str] = {}

    def root(c: str) -> str:
        parent.setdefault(c, c)
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for rule in rules:
        if rule.kind == "together":
            a, b = rule.children
            parent[root(a)] = root(b)
    groups: dict[str, set[str]] = {}
    for c in parent:
        groups.setdefault(root(c), set()).add(c)
    return [g for g in groups.values() if len(g) > 2]


# ---------------------------------------------------------------- words


def listing(names: list[str]) -> str:
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def sentence(placement_input: PlacementInput, part: Part, clash: list[Rule]) -> str:
    """One clash in the words a principal uses."""
    name = _namer(placement_input)
    kinds = sorted({r.kind for r in clash})
    children = sorted({c for r in clash for c in r.children}, key=_order(placement_input))
    grades = sorted({placement_input.child(c).grade for c in children})
    grade = grades[0] if len(grades) == 1 else None
    classes = [c for c in part.classes if any(c.count(g) for g in grades)]

    if len(children) == 1 and set(kinds) <= {"class", "not_classes", "composite"}:
        return _own_rules(name(children[0]), grade, clash, classes)
    if kinds == ["apart"] and _is_clique(children, clash):
        where = f"grade {grade} has" if grade else "the classes that can take them are"
        return (
            f"{listing([name(c) for c in children])} must all be apart, but {where} "
            f"{len(classes)} classes."
        )
    if kinds == ["together"] and len(clash) == 1 and not classes_for_all(part, grades):
        a, b = clash[0].children
        return (
            f"{name(a)} and {name(b)} must be together, but no class holds both grade "
            f"{grades[0]} and grade {grades[1]}."
        )
    if kinds == ["together"] and grade is not None:
        room = max(c.count(grade) for c in classes)
        return (
            f"{listing([name(c) for c in children])} must be together, but no class has "
            f"more than {room} places in grade {grade}."
        )
    if kinds == ["class"] and grade is not None and len({r.label for r in clash}) == 1:
        label = clash[0].label
        count = placement_input.plan_class(label).count(grade)
        return (
            f"{listing([name(c) for c in children])} are all fixed in '{label}', "
            f"but it holds only {count} of grade {grade}."
        )
    if kinds == ["composite"] and grade is not None:
        pure = sum(c.count(grade) for c in classes if not c.composite)
        return (
            f"{listing([name(c) for c in children])} must not be in a composite class, "
            f"but grade {grade} has only {pure} places in classes that are not composite."
        )
    if kinds == ["apart", "class"] and len(clash) == 3:
        (apart,) = [r for r in clash if r.kind == "apart"]
        a, b = apart.children
        label = next(r.label for r in clash if r.kind == "class")
        return (
            f"{name(a)} is fixed in '{label}' but must be apart from {name(b)}, "
            "who is fixed there too."
        )
    return (
        "These rules cannot all hold with the plan's class sizes: "
        + "; ".join(rule_words(r, name) for r in clash)
        + "."
    )


def _own_rules(who: str, grade: str | None, clash: list[Rule], classes: list) -> str:
    """One child's own rules leave them no class."""
    fixed = next((r.label for r in clash if r.kind == "class"), None)
    banned = [r.label for r in clash if r.kind == "not_classes"]
    if fixed is not None and fixed in banned:
        return f"{who} is fixed in '{fixed}' but must not be in '{fixed}'."
    if fixed is not None:
        return f"{who} is fixed in '{fixed}', a composite class, but must not be in one."
    ruled_out = [f"'{label}'" for label in banned]
    if any(r.kind == "composite" for r in clash):
        ruled_out.append("a composite class")
    return (
        f"{who} must not be in {listing(ruled_out)}, but grade {grade} has no other class "
        f"({len(classes)} in all)."
    )


def classes_for_all(part: Part, grades: list[str]) -> list:
    return [c for c in part.classes if all(c.count(g) for g in grades)]


def rule_words(rule: Rule, name: Callable[[str], str]) -> str:
    if rule.kind == "class":
        return f"{name(rule.children[0])} is fixed in '{rule.label}'"
    if rule.kind == "not_classes":
        return f"{name(rule.children[0])} must not be in '{rule.label}'"
    if rule.kind == "composite":
        return f"{name(rule.children[0])} must not be in a composite class"
    a, b = rule.children
    return f"{name(a)} and {name(b)} must be {rule.kind}"


def _is_clique(children: list[str], clash: list[Rule]) -> bool:
    pairs = {frozenset(r.children) for r in clash}
    return all(
        frozenset((a, b)) in pairs for i, a in enumerate(children) for b in children[i + 1 :]
    )


def _namer(placement_input: PlacementInput) -> Callable[[str], str]:
    plain = describe(placement_input)

    def name(child_id: str) -> str:
        shown = plain(child_id)
        return child_id if shown == child_id else f"{shown} ({child_id})"

    return name


def _order(placement_input: PlacementInput) -> Callable[[str], int]:
    index = {c.id: i for i, c in enumerate(placement_input.children)}
    return index.__getitem__
