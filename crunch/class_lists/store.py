"""Saved class lists in the database: the plans a board can be drawn for, saving
(immutable, numbered per roster), restoring, and lookups. Every query goes through
the ORM, so the tenancy filter scopes it to the user's schools (another school's
plan or list is a 404); writes start with BEGIN IMMEDIATE."""

from __future__ import annotations

from typing import Any

from flask import abort
from sqlalchemy import func, select

from crunch import jobs
from crunch.class_lists.board import board_classes
from crunch.database import begin_write
from crunch.extensions import db
from crunch.models import Job, Revision, Scenario, School
from crunch.rosters import store
from crunch.rosters.models import ClassList, Roster


def plans_of(school: School, year: int) -> list[tuple[Scenario, Revision]]:
    """The year's plans a board can be drawn for: each scenario's current revision
    that has an allocation, the adopted plan first."""
    scenarios = db.session.scalars(
        select(Scenario)
        .where(Scenario.school_id == school.id, Scenario.year == year)
        .order_by(Scenario.adopted.is_(None), Scenario.archived, Scenario.name)
    )
    return [
        (s, s.current_revision)
        for s in scenarios
        if s.current_revision is not None and s.current_revision.allocation
    ]


def plan_or_404(school: School, year: int, revision_id: int) -> Revision:
    revision = db.session.scalar(select(Revision).where(Revision.id == revision_id))
    if (
        revision is None
        or revision.school_id != school.id
        or revision.scenario.year != year
        or not revision.allocation
    ):
        abort(404)
    return revision


def lists_of(found: Roster) -> list[ClassList]:
    return list(
        db.session.scalars(
            select(ClassList)
            .where(ClassList.roster_id == found.id)
            .order_by(ClassList.number.desc())
        )
    )


def list_or_404(found: Roster, number: int) -> ClassList:
    return db.first_or_404(
        select(ClassList).where(ClassList.roster_id == found.id, ClassList.number == number)
    )


def latest_for(found: Roster, revision: Revision) -> ClassList | None:
    """The newest list saved for this plan revision and the roster's current revision."""
    return _newest(
        ClassList.number,
        ClassList.roster_id == found.id,
        ClassList.revision_id == revision.id,
        ClassList.roster_revision_id == found.current_revision_id,
    )


def save(
    school: School,
    found: Roster,
    revision: Revision,
    assignment: dict[str, str],
    fixed: list[str],
    moves: list[list[str]],
    note: str,
) -> ClassList:
    school_id, roster_id, year = school.id, found.id, found.year
    roster_revision_id = found.current_revision_id
    begin_write()
    last = db.session.scalar(
        select(func.max(ClassList.number)).where(ClassList.roster_id == roster_id)
    )
    saved = ClassList(
        school_id=school_id,
        roster_id=roster_id,
        roster_revision_id=roster_revision_id,
        revision_id=revision.id,
        number=(last or 0) + 1,
        assignment=assignment,
        fixed=fixed,
        moves=moves,
        note=note[:2000],
        author_id=store._user_id(),
    )
    db.session.add(saved)
    db.session.flush()
    store._add_audit(school_id, year, "changed", f"saved class list {saved.number}")
    db.session.commit()
    return saved


def restore(school: School, found: Roster, saved: ClassList) -> ClassList:
    revision = db.session.get(Revision, saved.revision_id)
    return save(
        school,
        found,
        revision,
        dict(saved.assignment),
        list(saved.fixed),
        [],
        f"Restored class list {saved.number}.",
    )


def latest_classes(found: Roster) -> dict[str, str] | None:
    """Each child's class in the roster's newest saved list, named as the plan names it
    (its teacher or room, else "Class n"): the `from` of a roll forward. None if no
    list was saved."""
    saved = db.session.scalar(
        select(ClassList).where(ClassList.roster_id == found.id).order_by(ClassList.number.desc())
    )
    if saved is None:
        return None
    revision = db.session.scalar(select(Revision).where(Revision.id == saved.revision_id))
    names = {c.label: c.teacher or c.label for c in board_classes(revision.allocation)}
    return {child: names.get(label, label) for child, label in saved.assignment.items()}


def moves_in_words(saved: ClassList, names: dict[str, Any]) -> str:
    """Who was moved where by hand, for the history."""
    return "; ".join(
        f"{names.get(child, child)}: {before or 'unplaced'} -> {after or 'unplaced'}"
        for child, before, after in saved.moves
    )


def place_job_or_404(school_id: int, revision: Revision, raw_id: str) -> Job:
    """The placement job `raw_id` of this board (a plan revision), else 404."""
    if not (raw_id.isascii() and raw_id.isdigit() and len(raw_id) < 12):
        abort(404)
    job = jobs.job_or_404(school_id, int(raw_id))
    if job.kind != jobs.PLACE or job.params.get("revision_id") != revision.id:
        abort(404)
    return job


def latest_place_job(revision: Revision, user_id: int) -> Job | None:
    """The user's newest placement job for this plan's scenario, if any."""
    return _newest(
        Job.id,
        Job.scenario_id == revision.scenario_id,
        Job.kind == jobs.PLACE,
        Job.created_by_id == user_id,
    )


def _newest(order, *conditions):
    """The row highest in `order` of those that meet every condition, or None."""
    query = select(order.class_).where(*conditions).order_by(order.desc()).limit(1)
    return db.session.scalar(query)
