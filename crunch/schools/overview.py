"""The district overview (each school's plan for a year, side by side: the adopted
one, else the latest draft) and marking a scenario adopted.

Only the schools the user may see appear: the tenancy filter decides, so a
planner's overview holds their own schools and an admin's the whole district.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select, update

from crunch.database import begin_write
from crunch.extensions import db
from crunch.models import Revision, Scenario, School
from crunch.schools import store
from crunch.tables import saved_table

bp = Blueprint("district", __name__)


@dataclass(frozen=True)
class Row:
    school: School
    scenario: Scenario | None
    teachers: int = 0
    classes: int = 0
    composites: int = 0
    children: int = 0
    largest: int = 0

    @property
    def average(self) -> float | None:
        return self.children / self.classes if self.classes else None


def overview_rows(year: int) -> list[Row]:
    rows = []
    for school in store.all_schools():
        scenario = plan_of(school, year)
        revision = scenario.current_revision if scenario else None
        table = saved_table(revision) if revision else None
        if table is None:
            rows.append(Row(school, scenario))
            continue
        sizes = [c.size for c in table.classes]
        rows.append(
            Row(
                school,
                scenario,
                teachers=table.teachers,
                classes=len(sizes),
                composites=sum(1 for c in table.classes if c.composite),
                children=sum(sizes),
                largest=max(sizes, default=0),
            )
        )
    return rows


def plan_of(school: School, year: int) -> Scenario | None:
    """The school's adopted plan for the year or, until one is adopted, its latest
    draft (the one saved last), so a year being planned shows where each school is."""
    adopted = db.session.scalar(
        select(Scenario).where(
            Scenario.school_id == school.id, Scenario.year == year, Scenario.adopted.is_(True)
        )
    )
    if adopted is not None:
        return adopted
    return db.session.scalar(
        select(Scenario)
        .join(Revision, Revision.id == Scenario.current_revision_id)
        .where(
            Scenario.school_id == school.id,
            Scenario.year == year,
            Scenario.archived.is_(False),
        )
        .order_by(Revision.created_at.desc(), Scenario.id.desc())
        .limit(1)
    )


def totals(rows: list[Row]) -> Row | None:
    counted = [r for r in rows if r.classes]
    if not counted:
        return None
    return Row(
        school=None,  # type: ignore[arg-type]
        scenario=None,
        teachers=sum(r.teachers for r in counted),
        classes=sum(r.classes for r in counted),
        composites=sum(r.composites for r in counted),
        children=sum(r.children for r in counted),
        largest=max(r.largest for r in counted),
    )


def _years() -> list[int]:
    return list(db.session.scalars(select(Scenario.year).distinct().order_by(Scenario.year)))


@bp.get("/district")
def overview():
    years = _years()
    raw = request.args.get("year", "")
    if raw.isascii() and raw.isdigit() and int(raw) in years:
        year = int(raw)
    else:  # the year being planned: the latest with any plan
        year = years[-1] if years else None
    rows = overview_rows(year) if year is not None else []
    return render_template(
        "district/overview.html", years=years, year=year, rows=rows, totals=totals(rows)
    )


@bp.post("/schools/<id:school_id>/scenarios/<id:scenario_id>/adopt")
def adopt(school_id: int, scenario_id: int):
    """Make this the school's adopted plan for its year (the one adopted before is not)."""
    scenario = store.scenario_or_404(school_id, scenario_id)
    year, title = scenario.year, scenario.title
    begin_write()
    # Clear the old one first: the unique constraint allows one adopted per school and year.
    db.session.execute(
        update(Scenario)
        .where(Scenario.school_id == school_id, Scenario.year == year, Scenario.adopted.is_(True))
        .values(adopted=None)
    )
    db.session.execute(
        update(Scenario)
        .where(Scenario.id == scenario_id, Scenario.school_id == school_id)
        .values(adopted=True)
    )
    db.session.commit()
    flash(f"{title} is now the adopted plan for {year}.")
    return redirect(url_for("schools.show", school_id=school_id, year=year), 303)
