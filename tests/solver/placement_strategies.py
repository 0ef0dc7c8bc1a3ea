"""Hypothesis strategies for placement inputs (docs/placement.md), valid by construction."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

PRIORITY_NAMES = ["friends", "needs", "mix", "scores"]


@st.composite
def placement_inputs(
    draw, *, max_children: int = 9, max_classes: int = 3, rules: bool = True
) -> dict[str, Any]:
    """A small plan (one or two grades, composites allowed) and children with requests."""
    grades = ["1", "2"][: draw(st.integers(1, 2))]
    n_classes = draw(st.integers(1 if len(grades) == 1 else 2, max_classes))
    classes: list[dict[str, Any]] = []
    for k in range(n_classes):
        members = draw(st.lists(st.sampled_from(grades), min_size=1, max_size=2, unique=True))
        counts = {g: draw(st.integers(1, 3)) for g in sorted(members)}
        classes.append({"label": f"C{k}", "grades": counts})
    for g in grades:  # every grade in some class
        if not any(g in c["grades"] for c in classes):
            classes[0]["grades"][g] = 1
    total = sum(n for c in classes for n in c["grades"].values())
    while total > max_children:
        biggest = max(
            ((c, g) for c in classes for g in c["grades"]), key=lambda cg: cg[0]["grades"][cg[1]]
        )
        c, g = biggest
        if c["grades"][g] > 1:
            c["grades"][g] -= 1
        elif len(c["grades"]) > 1:
            del c["grades"][g]
        else:
            break
        total = sum(n for c in classes for n in c["grades"].values())
    for g in grades:
        if not any(g in c["grades"] for c in classes):
            classes[-1]["grades"][g] = 1
    ids: list[tuple[str, str]] = []
    for g in grades:
        for _ in range(sum(c["grades"].get(g, 0) for c in classes)):
            ids.append((f"c{len(ids)}", g))
    all_ids = [i for i, _ in ids]
    children = []
    for i, (cid, grade) in enumerate(ids):
        others = [o for o in all_ids if o != cid]
        child: dict[str, Any] = {"id": cid, "grade": grade, "name": f"Child {i}"}
        if draw(st.booleans()):
            child["categories"] = {"gender": draw(st.sampled_from("FM"))}
        child["tags"] = draw(st.lists(st.sampled_from(["EAL", "IEP"]), max_size=2, unique=True))
        if draw(st.booleans()):
            child["scores"] = {"reading": draw(st.integers(0, 5))}
        if others:
            child["friends"] = draw(st.lists(st.sampled_from(others), max_size=3, unique=True))
        if rules and others:
            child["apart"] = draw(
                st.lists(st.sampled_from(others), max_size=1 if draw(st.integers(0, 3)) else 0)
            )
            child["together"] = draw(
                st.lists(st.sampled_from(others), max_size=1 if not draw(st.integers(0, 5)) else 0)
            )
            labels = [c["label"] for c in classes if c["grades"].get(grade)]
            if not draw(st.integers(0, 4)):
                child["not_classes"] = [draw(st.sampled_from([c["label"] for c in classes]))]
            if not draw(st.integers(0, 5)):
                child["class"] = draw(st.sampled_from(labels))
            child["composite"] = draw(st.sampled_from([None, None, True, False]))
        children.append(child)
    priorities = draw(st.permutations(PRIORITY_NAMES))
    if draw(st.booleans()):
        priorities.insert(draw(st.integers(0, 4)), "composite_fit")
    return {
        "name": "generated",
        "classes": classes,
        "children": children,
        "friends_needed": draw(st.integers(1, 2)),
        "priorities": priorities,
    }
