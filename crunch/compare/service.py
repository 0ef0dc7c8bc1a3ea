"""Two to four scenarios side by side: their figures, per-grade class sizes, class
lists and charts, with every figure that differs from the first scenario marked.

Everything here works on saved revisions (inputs and allocation JSON); nothing
is solved again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from crunch.editor.presenting import Chart, GradeSummary, class_chart, grade_summary
from crunch.extensions import db
from crunch.history.service import describe_changes
from crunch.models import Revision, Scenario, School
from crunch.solver import Metrics
from crunch.tables import Table, saved_table

FEWEST, MOST = 2, 4
NONE = "\u2013"  # an en dash: no figure


class PickProblem(ValueError):
    """The scenarios asked for cannot be compared; the message says what to pick."""


@dataclass
class Column:
    """One scenario's side of the comparison."""

    scenario: Scenario
    revision: Revision
    table: Table | None
    summary: list[GradeSummary]
    chart: Chart | None
    changes: list[str] = field(default_factory=list)

    @property
    def metrics(self) -> Metrics | None:
        saved = self.revision.saved_allocation
        return saved.metrics if saved else None

    @property
    def inputs(self) -> dict[str, Any]:
        return self.revision.inputs


@dataclass(frozen=True)
class Cell:
    text: str
    differs: bool


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[Cell, ...]

    @property
    def differs(self) -> bool:
        return any(c.differs for c in self.cells)


@dataclass
class Comparison:
    columns: list[Column]
    figures: list[Row]
    grades: list[Row]


def parse_ids(raw: list[str]) -> list[int]:
    """The scenario ids of the query string, in the order given, each once."""
    ids: list[int] = []
    for text in raw:
        text = text.strip()
        if not (text.isascii() and text.isdigit() and len(text) <= 18):
            raise PickProblem("Pick the scenarios from the list.")
        if int(text) not in ids:
            ids.append(int(text))
    if len(ids) < FEWEST:
        raise PickProblem("Pick at least two scenarios to compare.")
    if len(ids) > MOST:
        raise PickProblem(f"Pick at most {MOST} scenarios; you picked {len(ids)}.")
    return ids


@dataclass(frozen=True)
class Pick:
    """What the compare page shows for the scenarios asked for: the ids to tick again,
    the comparison (None until two to four are picked), or what to pick instead."""

    picked: list[str]
    comparison: Comparison | None = None
    error: str = ""

    @property
    def status(self) -> int:
        return 422 if self.error else 200


class NotAChoice(LookupError):
    """An id that is no scenario of this school (another school's, or none at all)."""


def pick(choices: list[Scenario], raw: list[str], go: bool) -> Pick:
    """The comparison of the scenarios `raw` names (the query's `s` values) among
    `choices`; `go` when the form was sent, so that fewer than two is a mistake."""
    if len(raw) < 2 and not go:
        # A link that pre-picks one scenario (from its editor): not yet a mistake.
        return Pick([r for r in raw if r.isascii() and r.isdigit()])
    try:
        ids = parse_ids(raw)
    except PickProblem as problem:
        return Pick([r for r in raw if r.isdigit()], error=str(problem))
    by_id = {s.id: s for s in choices}
    if any(i not in by_id for i in ids):
        raise NotAChoice(ids)
    return Pick([str(i) for i in ids], compare([by_id[i] for i in ids]))


def scenarios_of_school(school: School) -> list[Scenario]:
    """Every scenario of the school that has a revision, in year order, so that
    ticked boxes compare earlier plans with later ones."""
    return list(
        db.session.scalars(
            select(Scenario)
            .where(Scenario.school_id == school.id, Scenario.current_revision_id.is_not(None))
            .order_by(Scenario.year, Scenario.name)
        )
    )


def adopted_plans(scenarios: list[Scenario]) -> list[Scenario]:
    """The adopted plans (where scenarios record adoption) of the latest years, as
    many as can be compared at once, in year order."""
    adopted = sorted((s for s in scenarios if getattr(s, "adopted", None)), key=lambda s: s.year)
    return adopted[-MOST:]


def compare(scenarios: list[Scenario]) -> Comparison:
    """The comparison of the scenarios' current revisions, the first one as the reference."""
    columns = []
    for scenario in scenarios:
        revision = scenario.current_revision
        table = saved_table(revision)
        columns.append(
            Column(
                scenario,
                revision,
                table,
                grade_summary(table) if table else [],
                class_chart(table) if table else None,
            )
        )
    first = columns[0]
    for column in columns[1:]:
        column.changes = describe_changes(first.inputs, column.inputs)
    return Comparison(columns, figure_rows(columns), grade_rows(columns))


def figure_rows(columns: list[Column]) -> list[Row]:
    def total_children(c: Column) -> object:
        grades = c.inputs.get("grades") or []
        counts = [g.get("students") for g in grades if isinstance(g, dict)]
        return sum(n for n in counts if isinstance(n, int))

    def average(c: Column) -> object:
        if not c.table or not c.table.classes:
            return None
        sizes = [k.size for k in c.table.classes]
        return round(sum(sizes) / len(sizes), 1)

    def largest(c: Column) -> object:
        if not c.table or not c.table.classes:
            return None
        return max(k.size for k in c.table.classes)

    def composites_allowed(c: Column) -> object:
        items = c.inputs.get("composites") or []
        labels = ["/".join(map(str, i.get("grades", []))) for i in items if isinstance(i, dict)]
        return ", ".join(labels) or "none"

    measures = [
        ("Teachers", lambda c: c.inputs.get("teachers")),
        ("Children", total_children),
        ("Classes", lambda c: c.metrics.classes if c.metrics else None),
        ("Composite classes", lambda c: c.metrics.composites if c.metrics else None),
        ("Size spread", lambda c: c.metrics.balance if c.metrics else None),
        ("Average class", average),
        ("Largest class", largest),
        ("Composites allowed", composites_allowed),
        ("Answer", lambda c: c.revision.status),
    ]
    return [_row(label, [value(c) for c in columns]) for label, value in measures]


def grade_rows(columns: list[Column]) -> list[Row]:
    """Per grade: children, classes, smallest / average / largest class."""
    names: list[str] = []
    for column in columns:
        for grade in column.inputs.get("grades") or []:
            if isinstance(grade, dict) and str(grade.get("name")) not in names:
                names.append(str(grade.get("name")))
    rows = []
    for name in names:
        values = []
        for column in columns:
            found = next((s for s in column.summary if s.name == name), None)
            values.append(_grade_cell(found) if found else None)
        rows.append(_row(f"Grade {name}", values))
    return rows


def _grade_cell(s: GradeSummary) -> str:
    classes = "1 class" if s.classes == 1 else f"{s.classes} classes"
    return f"{s.children} in {classes}: {s.smallest} / {s.average} / {s.largest}"


def _row(label: str, values: list[object]) -> Row:
    texts = [NONE if v is None or v == "" else str(v) for v in values]
    return Row(label, tuple(Cell(t, i > 0 and t != texts[0]) for i, t in enumerate(texts)))
