"""Figures and chart geometry for the templates, computed here so templates stay plain.

The charts are server-rendered SVG: the numbers below become `<rect>`s with
colours from the stylesheet, so they print, need no script and pass a strict
Content-Security-Policy.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from crunch.planning import Plan, is_slow
from crunch.solver import StaffingRow
from crunch.tables import Table

# Distinct colours in the stylesheet (.g0 ... .g15): enough for a K-12 school's 13
# grades and more, so no two grades of a school share one.
PALETTE_SIZE = 16
# Below this many pixels per bar, labels and sizes are not written on every bar:
# they would run together.
LABEL_SLOT = 18.0


@dataclass(frozen=True)
class GradeSummary:
    name: str
    children: int
    classes: int
    smallest: int
    average: float
    largest: int


def grade_summary(table: Table) -> list[GradeSummary]:
    """For each grade: how many classes hold its children and how big those classes are."""
    rows = []
    for name in table.grade_names:
        sizes = [c.size for c in table.classes if c.count(name)]
        children = sum(c.count(name) for c in table.classes)
        if not sizes:
            continue
        rows.append(
            GradeSummary(
                name,
                children,
                len(sizes),
                min(sizes),
                round(sum(sizes) / len(sizes), 1),
                max(sizes),
            )
        )
    return rows


@dataclass(frozen=True)
class Segment:
    x: float
    y: float
    width: float
    height: float
    colour: int
    title: str
    grade: str = ""  # written on the segment where it fits: colour is not the only cue

    @property
    def labelled(self) -> bool:
        return self.height >= 11 and self.width >= 6 * max(len(self.grade), 1) + 4


@dataclass(frozen=True)
class Bar:
    label: str  # empty where a label would crowd its neighbours
    x: float
    centre: float
    top: float
    size: int
    segments: tuple[Segment, ...]
    show_size: bool = True


@dataclass(frozen=True)
class Chart:
    """The class sizes as bars on a drawing of a fixed size, above the y `base`."""

    bars: tuple[Bar, ...]
    ticks: tuple[tuple[float, int], ...]
    legend: tuple[tuple[int, str], ...]
    base: float
    width: ClassVar[int] = 640
    height: ClassVar[int] = 200


WIDTH, HEIGHT, LEFT, TOP, BOTTOM = Chart.width, Chart.height, 30, 16, 20

JOB_TITLES = {"options": "Other options", "staffing": "Staffing curve"}


def print_facts(
    revision_number: int,
    saved_at: str,
    author: str,
    note: str,
    *,
    unsaved: bool,
    printed_at: str,
    preparer: str,
) -> list[str]:
    """The lines a printed class list starts with: what it is, and who printed it when."""
    if unsaved:
        saved = (
            f"Not saved: the classes below differ from revision {revision_number}, "
            "the last one saved."
        )
    else:
        by = f" by {author}" if author and author != "—" else ""
        saved = f"Revision {revision_number}, saved {saved_at}{by}."
        if note:
            saved += f" Note: {note}"
    return [saved, f"Prepared by {preparer}, printed {printed_at}."]


def background_note(plan: Plan | None) -> str | None:
    """What the editor says about slow inputs, naming only the work there is to do."""
    if not is_slow(plan):
        return None
    if plan.shown is None:  # no allocation: there are no other options to look for
        return (
            "These inputs take a while to solve: the staffing curve is worked out "
            "in the background, with a Cancel button."
        )
    return (
        "These inputs take a while to solve: other options and the staffing curve "
        "are worked out in the background, with a Cancel button."
    )


def job_title(kind: str, active: bool) -> str:
    """A job's heading: a solve carried on is "still solving" only while it is."""
    if kind == "solve":
        return "Still solving" if active else "The search in the background"
    return JOB_TITLES.get(kind, "Work in the background")


def colour_of(table: Table, grade: str) -> int:
    try:
        return table.grade_names.index(grade) % PALETTE_SIZE
    except ValueError:
        return PALETTE_SIZE - 1


def class_chart(table: Table) -> Chart | None:
    """One bar per class, stacked by grade, on a shared scale."""
    if not table.classes:
        return None
    top_value = nice_ceiling(max(c.size for c in table.classes))
    scale = (HEIGHT - TOP - BOTTOM) / top_value
    base = HEIGHT - BOTTOM
    slot = (WIDTH - LEFT) / len(table.classes)
    width = min(48.0, slot * 0.7)
    every = label_step(slot)
    bars = []
    for i, cls in enumerate(table.classes):
        x = LEFT + slot * i + (slot - width) / 2
        y = base
        segments = []
        for grade, count in cls.grades:
            h = count * scale
            y -= h
            segments.append(
                Segment(
                    round(x, 1),
                    round(y, 1),
                    round(width, 1),
                    round(h, 1),
                    colour_of(table, grade),
                    f"Class {i + 1}: {count} of grade {grade}",
                    grade,
                )
            )
        bars.append(
            Bar(
                str(i + 1) if i == 0 or (i + 1) % every == 0 else "",
                round(x, 1),
                round(x + width / 2, 1),
                round(y, 1),
                cls.size,
                tuple(segments),
                show_size=every == 1,
            )
        )
    ticks = tuple((round(base - v * scale, 1), v) for v in tick_values(top_value))
    legend = tuple(
        (colour_of(table, g), g)
        for g in table.grade_names
        if any(c.count(g) for c in table.classes)
    )
    return Chart(tuple(bars), ticks, legend, base)


def label_step(slot: float) -> int:
    """Label every bar when there is room, else every 5th or 10th... (1, 5, 10, 20, ...)."""
    if slot >= LABEL_SLOT:
        return 1
    step = 5
    while slot * step < LABEL_SLOT * 1.5:
        step *= 2
    return step


@dataclass(frozen=True)
class StaffingPoint:
    teachers: int
    x: float
    centre: float
    width: float
    y: float | None
    height: float
    row: StaffingRow
    current: bool


@dataclass(frozen=True)
class StaffingChart:
    width: int
    height: int
    base: float
    points: tuple[StaffingPoint, ...]


def staffing_chart(rows: list[StaffingRow], current: int) -> StaffingChart | None:
    """Average class size for each number of teachers; a gap where no plan exists."""
    if not rows:
        return None
    width, height, bottom, top = 320, 120, 18, 14
    sizes = [r.average_size for r in rows if r.average_size]
    top_value = nice_ceiling(max(sizes)) if sizes else 10
    scale = (height - top - bottom) / top_value
    base = height - bottom
    slot = width / len(rows)
    bar = slot * 0.6
    points = []
    for i, row in enumerate(rows):
        x = slot * i + (slot - bar) / 2
        h = (row.average_size or 0) * scale
        points.append(
            StaffingPoint(
                row.teachers,
                round(x, 1),
                round(x + bar / 2, 1),
                round(bar, 1),
                round(base - h, 1) if row.average_size else None,
                round(h, 1),
                row,
                row.teachers == current,
            )
        )
    return StaffingChart(width, height, base, tuple(points))


STOPPED = {
    "cancelled": "Cancelled before the end.",
    "timed_out": "Stopped: it ran out of time.",
}


def stopped_staffing_note(state: str, rows: list[StaffingRow]) -> str:
    """Above a staffing curve whose job stopped before its last row."""
    found = sum(1 for r in rows if r.metrics is not None or str(r.status) == "infeasible")
    stopped = STOPPED.get(str(state), "Stopped before the end.")
    return f"{stopped} Shown: the {found} of {len(rows)} numbers of teachers worked out by then."


def nice_ceiling(value: float) -> int:
    """The next multiple of 5 at or above value (at least 5), for a tidy axis."""
    return max(5, math.ceil(value / 5.0) * 5)


def tick_values(top: int) -> list[int]:
    step = 5 if top <= 30 else 10 if top <= 60 else int(nice_ceiling(top / 6))
    return list(range(0, top + 1, step))
