"""Next year's scenario from this year's: every grade's children move up one grade,
the last grade leaves, and the entry grade gets the count the user enters.

The rules (teachers, size limits, composites allowed, priorities) carry over.
Fixed classes do not: they named children of this year's grades. The entry
count is suggested from the trend of the entry grade over earlier years.
"""

from __future__ import annotations

import copy
from itertools import pairwise
from typing import Any

from sqlalchemy import select

from crunch.extensions import db
from crunch.models import Scenario
from crunch.planning import start_plan


def start_next_year(source: Scenario, name: str, entry: int) -> Scenario:
    """Next year's scenario, called `name`, planned from the source's current revision;
    NameTaken when next year has a scenario of that name."""
    revision = source.current_revision
    return start_plan(
        source.school,
        year=source.year + 1,
        name=name,
        inputs=next_year_inputs(revision.inputs, entry),
        note=(
            f"Next year from {source.title}, revision {revision.number}: "
            f"children moved up a grade, {entry} new in the entry grade."
        ),
    )


def next_year_inputs(inputs: dict[str, Any], entry: int) -> dict[str, Any]:
    """The inputs with every grade's children moved up one grade and `entry` new ones."""
    out = {k: copy.deepcopy(v) for k, v in inputs.items() if k not in ("name", "locked")}
    grades = [dict(g) for g in inputs.get("grades") or [] if isinstance(g, dict)]
    counts = [g.get("students", 0) for g in grades]
    for i, grade in enumerate(grades):
        grade["students"] = entry if i == 0 else counts[i - 1]
    out["grades"] = grades
    return out


def moves(inputs: dict[str, Any], entry: int) -> list[str]:
    """What the roll forward does, in words, for the confirmation page."""
    grades = [g for g in inputs.get("grades") or [] if isinstance(g, dict)]
    if not grades:
        return []
    lines = [f"{entry} new children start in grade {grades[0].get('name')}"]
    for before, after in pairwise(grades):
        lines.append(
            f"{before.get('students')} children move from grade {before.get('name')} "
            f"to grade {after.get('name')}"
        )
    lines.append(f"{grades[-1].get('students')} children of grade {grades[-1].get('name')} leave")
    return lines


def trend(points: list[tuple[int, int]], year: int) -> int | None:
    """The count for `year` on the least-squares line through earlier (year, count)
    points; the only point's count when there is one; None when there are none."""
    points = sorted(set(points))
    if not points:
        return None
    if len({y for y, _ in points}) == 1:
        return round(sum(c for _, c in points) / len(points))
    n = len(points)
    mean_y = sum(y for y, _ in points) / n
    mean_c = sum(c for _, c in points) / n
    slope = sum((y - mean_y) * (c - mean_c) for y, c in points) / sum(
        (y - mean_y) ** 2 for y, _ in points
    )
    return max(0, round(mean_c + slope * (year - mean_y)))


def entry_history(source: Scenario) -> list[tuple[int, int]]:
    """The entry grade's children in each year up to the source's, one plan per year:
    the adopted one where a year has one, the source itself for its own year,
    otherwise the most recently created plan of that year."""
    inputs = source.current_revision.inputs
    grades = [g for g in inputs.get("grades") or [] if isinstance(g, dict)]
    if not grades:
        return []
    entry_name = grades[0].get("name")
    scenarios = db.session.scalars(
        select(Scenario)
        .where(Scenario.school_id == source.school_id, Scenario.year <= source.year)
        .order_by(Scenario.year, Scenario.created_at, Scenario.id)
    )
    chosen: dict[int, Scenario] = {}
    for scenario in scenarios:
        if scenario.current_revision is None:
            continue
        held = chosen.get(scenario.year)
        if held is not None and (getattr(held, "adopted", None) or held.id == source.id):
            continue
        chosen[scenario.year] = scenario
    points = []
    for year, scenario in chosen.items():
        for grade in scenario.current_revision.inputs.get("grades") or []:
            if isinstance(grade, dict) and grade.get("name") == entry_name:
                if isinstance(grade.get("students"), int):
                    points.append((year, grade["students"]))
                break
    return points


def suggest_entry(source: Scenario) -> tuple[int, str]:
    """A suggested entry count and where it comes from, in words."""
    points = entry_history(source)
    target = source.year + 1
    guess = trend(points, target)
    if guess is None:
        return 0, "No earlier years to go by."
    years = ", ".join(f"{y}: {c}" for y, c in sorted(points))
    if len(points) == 1:
        return guess, f"Same as {years}."
    return guess, f"From the trend of {years}."
