"""Schools, scenarios and their revisions in the database.

Lookups take the school id from the URL and answer 404 for a scenario of another
school; rows of schools the user may not see are never found at all (the
tenancy filter of crunch.tenancy applies to every query here). Writes start
with BEGIN IMMEDIATE (see crunch.database), and the solver never runs while the
write lock is held.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from crunch.database import begin_write
from crunch.extensions import db
from crunch.models import Revision, Scenario, School

DEFAULT_GRADES = ["K", "1", "2", "3", "4", "5", "6"]
# The status of a revision saved before any children were typed in.
BLANK = "blank"


class NameTaken(ValueError):
    """A scenario of that name already exists for the school and year."""

    def __init__(self, year: int, name: str) -> None:
        super().__init__(f"{year} already has a scenario called {name}.")


def _name_taken(school_id: int, year: int, name: str, other_than: int | None = None) -> bool:
    """Whether the school's year has a scenario called `name` (besides `other_than`)."""
    query = select(func.count(Scenario.id)).where(
        Scenario.school_id == school_id, Scenario.year == year, Scenario.name == name
    )
    if other_than is not None:
        query = query.where(Scenario.id != other_than)
    return bool(db.session.scalar(query))


def _names_in(school_id: int, year: int) -> set[str]:
    """The names of the school's scenarios of the year, archived ones too."""
    query = select(Scenario.name).where(Scenario.school_id == school_id, Scenario.year == year)
    return set(db.session.scalars(query))


@contextmanager
def _unique_name(school_id: int, year: int, name: str, other_than: int | None = None):
    """Around the commit of a scenario's new name. The name was checked free under
    the write lock, but a writer that does not take it (another process, a command)
    may have taken it since: the unique constraint then refuses the commit, and that
    is NameTaken too, with everything rolled back, rather than a server error."""
    try:
        yield
    except IntegrityError:
        db.session.rollback()
        if not _name_taken(school_id, year, name, other_than):
            raise
        raise NameTaken(year, name) from None


def all_schools() -> list[School]:
    """The schools the current user may see (crunch.tenancy), archived ones left out."""
    return list(
        db.session.scalars(select(School).where(School.archived.is_(False)).order_by(School.name))
    )


def school_or_404(school_id: int) -> School:
    # A query, not Session.get(): get() may answer from the identity map without
    # the tenancy filter seeing it.
    return db.first_or_404(select(School).where(School.id == school_id))


def scenario_or_404(school_id: int, scenario_id: int) -> Scenario:
    scenario = db.session.scalar(
        select(Scenario).where(Scenario.id == scenario_id, Scenario.school_id == school_id)
    )
    if scenario is None or scenario.current_revision is None:
        abort(404)
    return scenario


def revision_or_404(scenario: Scenario, number: int) -> Revision:
    return db.first_or_404(
        select(Revision).where(Revision.scenario_id == scenario.id, Revision.number == number)
    )


def years_of(school: School) -> list[int]:
    return list(
        db.session.scalars(
            select(Scenario.year)
            .where(Scenario.school_id == school.id)
            .distinct()
            .order_by(Scenario.year)
        )
    )


def scenarios_of(school: School, year: int, *, archived: bool = False) -> list[Scenario]:
    """The school's scenarios of the year: those in use, or (archived=True) those put away."""
    return list(
        db.session.scalars(
            select(Scenario)
            .where(
                Scenario.school_id == school.id,
                Scenario.year == year,
                Scenario.archived.is_(archived),
            )
            .order_by(Scenario.name)
        )
    )


def latest_scenario(school: School) -> Scenario | None:
    return db.session.scalar(
        select(Scenario)
        .where(Scenario.school_id == school.id)
        .order_by(Scenario.year.desc(), Scenario.created_at.desc(), Scenario.id.desc())
        .limit(1)
    )


def blank_inputs(school: School) -> dict[str, Any]:
    """A new scenario's inputs: the school's grades and limits as last planned, and
    nothing else yet. Teachers and children are left out, so the editor opens as a
    form that asks for them (see crunch.editor.state) instead of planning for none.
    """
    latest = latest_scenario(school)
    if latest is not None and latest.current_revision is not None:
        previous = latest.current_revision.inputs
        grades = [
            {k: v for k, v in g.items() if k != "students"}
            for g in previous.get("grades", [])
            if isinstance(g, dict)
        ]
        return {
            "min_subclass_size": previous.get("min_subclass_size", 1),
            "grades": grades,
            "composites": [],
            "priorities": previous.get("priorities", ["classes", "composites", "balance"]),
        }
    return {
        "min_subclass_size": 1,
        "grades": [{"name": g, "min_size": 15, "max_size": 25} for g in DEFAULT_GRADES],
        "composites": [],
        "priorities": ["classes", "composites", "balance"],
    }


def copyable(school: School) -> list[Scenario]:
    """The scenarios a new one may start as a copy of: those in use, latest year first."""
    return [s for year in reversed(years_of(school)) for s in scenarios_of(school, year)]


def start_scenario(school: School, *, year: int, name: str, source: str) -> Scenario:
    """A new scenario from the form's `source`: a copy of that scenario's current
    revision (the same plan: same inputs, same chosen allocation), or, for "blank",
    the school's grades with no allocation yet (nothing to plan until the children are
    typed in). NameTaken when the year has a scenario of that name."""
    copied = next((s.current_revision for s in copyable(school) if str(s.id) == source), None)
    if copied is None:
        plan = {"inputs": blank_inputs(school), "allocation": None, "status": BLANK}
        note = "Started blank."
    else:
        inputs, allocation, status = dict(copied.inputs), copied.allocation, copied.status
        plan = {"inputs": inputs, "allocation": allocation, "status": status}
        note = f"Copied from {copied.scenario.title}, revision {copied.number}."
    return create_scenario(school, year=year, name=name, note=note, **plan)


def create_scenario(
    school: School,
    *,
    year: int,
    name: str,
    inputs: dict[str, Any],
    allocation: dict[str, Any] | None,
    status: str,
    note: str,
) -> Scenario:
    """A new scenario whose first revision holds these inputs and the plan's allocation."""
    school_id = school.id
    begin_write()
    if _name_taken(school_id, year, name):
        db.session.rollback()
        raise NameTaken(year, name)
    first = {"inputs": inputs, "allocation": allocation, "status": status, "note": note}
    return _add_scenario(school_id, year, name, first)


def _add_scenario(school_id: int, year: int, name: str, first: dict[str, Any]) -> Scenario:
    """Write a new scenario and its first revision (`first`: its inputs, allocation,
    status and note), under the write lock taken by the caller;
    NameTaken if the unique constraint refuses the name after all."""
    with _unique_name(school_id, year, name):
        scenario = Scenario(school_id=school_id, year=year, name=name)
        db.session.add(scenario)
        db.session.flush()
        _add_revision(scenario, 1, **first)
        db.session.commit()
    return scenario


def rename_scenario(scenario: Scenario, name: str) -> None:
    """Give the scenario another name; NameTaken if the year has one called that."""
    scenario_id, school_id, year = scenario.id, scenario.school_id, scenario.year
    begin_write()
    if _name_taken(school_id, year, name, other_than=scenario_id):
        db.session.rollback()
        raise NameTaken(year, name)
    with _unique_name(school_id, year, name, other_than=scenario_id):
        db.session.get(Scenario, scenario_id).name = name
        db.session.commit()


DUPLICATE_TRIES = 3


def duplicate_scenario(scenario: Scenario) -> Scenario:
    """A copy of the scenario's current revision as revision 1 of "<name> copy" (or
    "<name> copy 2", ...: the first name free when the copy is written).

    The free name is looked for under the write lock, so copies made at once get
    names of their own; should a writer that does not take the lock take the name
    first, the next free one is used.
    """
    source = scenario.current_revision
    school_id, year = scenario.school_id, scenario.year
    first = {
        "inputs": dict(source.inputs),
        "allocation": source.allocation,
        "status": source.status,
        "note": f"Copied from {scenario.title}, revision {source.number}.",
    }
    base = f"{scenario.name} copy"[:74]

    def copy() -> Scenario:
        begin_write()
        taken = _names_in(school_id, year)
        names = [base] + [f"{base} {i}" for i in range(2, 1000)]
        name = next((n for n in names if n not in taken), None)
        if name is None:  # every copy's name is in use: say so instead of failing
            db.session.rollback()
            raise NameTaken(year, f"{base} 999")
        return _add_scenario(school_id, year, name, first)

    for _ in range(DUPLICATE_TRIES - 1):
        try:
            return copy()
        except NameTaken:
            continue
    return copy()


class CannotArchive(ValueError):
    """An adopted plan stays in view: adopt another one first."""


def set_archived(scenario: Scenario, archived: bool) -> None:
    if archived and scenario.adopted:
        raise CannotArchive(
            f"{scenario.title} is the adopted plan for {scenario.year}: "
            "adopt another plan before archiving it."
        )
    scenario_id = scenario.id
    begin_write()
    db.session.get(Scenario, scenario_id).archived = archived
    db.session.commit()


class StaleRevision(Exception):
    """The scenario has moved on since the editor was opened from `base`."""

    def __init__(self, base: int, current: Revision) -> None:
        super().__init__(f"Revision {current.number} was saved after revision {base}.")
        self.base = base
        self.current = current


def save_revision(
    scenario: Scenario,
    *,
    inputs: dict[str, Any],
    allocation: dict[str, Any] | None,
    status: str,
    note: str,
    base: int | None = None,
) -> Revision:
    """A new revision with the next number; earlier revisions are left as they were.

    With `base`, only if the scenario is still at revision `base`: the check and
    the write happen under one write lock, so of two people who opened the same
    revision, the second to save gets `StaleRevision` instead of silently
    replacing the first one's work.
    """
    scenario_id = scenario.id
    begin_write()
    scenario = db.session.get(Scenario, scenario_id)
    current = scenario.current_revision
    if base is not None and current is not None and current.number != base:
        db.session.rollback()
        scenario = db.session.get(Scenario, scenario_id)
        raise StaleRevision(base, scenario.current_revision)
    last = db.session.scalar(
        select(func.max(Revision.number)).where(Revision.scenario_id == scenario_id)
    )
    number = (last or 0) + 1
    revision = _add_revision(
        scenario, number, inputs=inputs, allocation=allocation, status=status, note=note
    )
    db.session.commit()
    return revision


def _add_revision(
    scenario: Scenario, number: int, *, inputs: dict[str, Any], note: str, **stored: Any
) -> Revision:
    """Revision `number` of the scenario, made its current one; `stored`: the
    revision's allocation and status."""
    revision = Revision(
        school_id=scenario.school_id,
        scenario_id=scenario.id,
        number=number,
        inputs={**inputs, "name": scenario.title},
        note=note.strip(),
        **stored,
    )
    db.session.add(revision)
    db.session.flush()
    scenario.current_revision = revision
    return revision
