"""Rosters in the database: lookups, revisions, restore, pending imports, the audit
log and deletion.

As for scenarios (crunch.schools.store): every query goes through the ORM,
so the tenancy filter scopes it to the user's schools and another school's roster
is simply not found (404); writes start with BEGIN IMMEDIATE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import abort, has_request_context, request
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import defer

from crunch import tenancy
from crunch.accounts.auth import USER_KEY
from crunch.database import begin_write
from crunch.extensions import db
from crunch.models import Job, JobState, Scenario, School, utcnow
from crunch.rosters import children as roster_children
from crunch.rosters import importing as roster_import
from crunch.rosters.models import ClassList, Roster, RosterAudit, RosterImport, RosterRevision
from crunch.schools import store as schools

FIRST_YEAR, LAST_YEAR = 1900, 2200


class StaleRoster(Exception):
    """The roster has moved on since the page was opened from revision `base`."""

    def __init__(self, base: int, current: int) -> None:
        super().__init__(f"Revision {current} was saved after revision {base}.")
        self.base = base
        self.current = current


class RosterExists(ValueError):
    """The year already has a roster."""


# ---------------------------------------------------------------- lookups


def check_year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        abort(404)
    return year


def rosters_of(school: School) -> list[Roster]:
    return list(
        db.session.scalars(
            select(Roster).where(Roster.school_id == school.id).order_by(Roster.year.desc())
        )
    )


def roster(school: School, year: int) -> Roster | None:
    return db.session.scalar(
        select(Roster).where(Roster.school_id == school.id, Roster.year == year)
    )


def school_roster_or_404(school_id: int, year: int) -> tuple[School, Roster]:
    """The school (404 unless the user's) and its roster of `year` (404 if none)."""
    school = schools.school_or_404(school_id)
    return school, roster_or_404(school, year)


def roster_or_404(school: School, year: int) -> Roster:
    found = roster(school, check_year(year))
    if found is None or found.current_revision is None:
        abort(404)
    return found


def revisions_of(found: Roster) -> list[RosterRevision]:
    """The roster's revisions, newest first. Their children are loaded only when read
    (each revision's own query): the history shows none, and "last changed" reads
    back only as far as it needs, so opening a roster with a long history does not
    load every list it ever held."""
    return list(
        db.session.scalars(
            select(RosterRevision)
            .options(defer(RosterRevision.children))
            .where(RosterRevision.roster_id == found.id)
            .order_by(RosterRevision.number.desc())
        )
    )


@dataclass(frozen=True)
class RosterPage:
    """What the roster page of a year shows: the roster and its current revision (None
    when the year has none yet), its revisions newest first, the grades a child may be
    in and the plan's year they come from, and next year's roster if there is one."""

    roster: Roster | None
    revision: RosterRevision | None
    revisions: list[RosterRevision]
    grades: list[str]
    plan_year: int | None
    next_roster: Roster | None

    @property
    def children(self) -> list[dict[str, Any]]:
        return self.revision.children if self.revision else []


def open_roster(school: School, year: int) -> RosterPage:
    """The year's roster page; its viewing is written to the audit log (when it has
    children to see)."""
    found = roster(school, check_year(year))
    revision = found.current_revision if found else None
    if revision is not None:
        audit(school, year, "viewed", f"revision {revision.number}")
    grades, plan_year = grades_and_plan_year(school, year)
    revisions = revisions_of(found) if found else []
    return RosterPage(found, revision, revisions, grades, plan_year, roster(school, year + 1))


def revision_or_404(found: Roster, number: int) -> RosterRevision:
    return db.first_or_404(
        select(RosterRevision).where(
            RosterRevision.roster_id == found.id, RosterRevision.number == number
        )
    )


def plan_grades(school: School, year: int) -> list[str]:
    return grades_and_plan_year(school, year)[0]


def grades_and_plan_year(school: School, year: int) -> tuple[list[str], int | None]:
    """The grades a child of `year` may be in, and the year of the plan they come
    from: the year's adopted plan, else its most recent plan, else the most recent
    plan of an earlier year (the school's grades as last planned). No grades (and
    None) when the school has no plan yet."""
    scenarios = db.session.scalars(
        select(Scenario)
        .where(Scenario.school_id == school.id, Scenario.year <= year)
        .order_by(
            Scenario.year.desc(),
            Scenario.adopted.is_(None),  # the adopted plan first
            Scenario.archived,
            Scenario.created_at.desc(),
            Scenario.id.desc(),
        )
    )
    for scenario in scenarios:
        if scenario.current_revision is None:
            continue
        grades = scenario.current_revision.inputs.get("grades") or []
        names = [str(g.get("name")) for g in grades if isinstance(g, dict) and g.get("name")]
        if names:
            return names, scenario.year
    return [], None


# ---------------------------------------------------------------- writes


def save(
    school: School,
    year: int,
    children: list[dict[str, Any]],
    note: str,
    *,
    base: int | None = None,
    audit_detail: str = "",
    pending_id: int | None = None,
) -> RosterRevision:
    """A new revision of the year's roster (the roster too, if it is the first), with
    an audit entry, in one transaction. With `base`, only if the roster is still at
    revision `base` (else StaleRoster)."""
    school_id = school.id
    begin_write()
    found = db.session.scalar(
        select(Roster).where(Roster.school_id == school_id, Roster.year == year)
    )
    if found is None:
        found = Roster(school_id=school_id, year=year)
        db.session.add(found)
        db.session.flush()
    current = found.current_revision
    if base is not None and current is not None and current.number != base:
        number = current.number
        db.session.rollback()
        raise StaleRoster(base, number)
    last = db.session.scalar(
        select(func.max(RosterRevision.number)).where(RosterRevision.roster_id == found.id)
    )
    revision = RosterRevision(
        school_id=school_id,
        roster_id=found.id,
        number=(last or 0) + 1,
        children=children,
        note=note.strip()[:2000],
        author_id=_user_id(),
    )
    db.session.add(revision)
    db.session.flush()
    found.current_revision = revision
    _add_audit(school_id, year, "changed", audit_detail or f"saved revision {revision.number}")
    if pending_id is not None:
        db.session.execute(
            delete(RosterImport).where(RosterImport.id == pending_id),
            execution_options={"synchronize_session": False},
        )
    db.session.commit()
    return revision


def save_changes(
    school: School,
    year: int,
    before: list[dict[str, Any]],
    after: list[dict[str, Any]],
    *,
    base: int | None,
) -> tuple[RosterRevision | None, list[str]]:
    """`after` as the year's next revision, its note the changes from `before` in
    words, and those changes; nothing is saved (None) when nothing changed. StaleRoster
    when the roster is no longer at revision `base`."""
    lines = roster_children.describe_changes(before, after)
    if not lines:
        return None, lines
    return save(school, year, after, roster_children.sentence(lines), base=base), lines


def save_import(
    school: School, year: int, pending: RosterImport, children: list[dict[str, Any]]
) -> RosterRevision:
    """The imported children as the year's next revision, its note saying from which
    file and what changed; the pending file is deleted in the same transaction."""
    found = roster(school, year)
    before = found.current_revision.children if found and found.current_revision else []
    note = roster_import.note(before, children, pending.filename)
    return save(
        school,
        year,
        children,
        note,
        audit_detail=f"imported {len(children)} children from a file",
        pending_id=pending.id,
    )


@dataclass(frozen=True)
class RollForward:
    """Next year's roster from this year's current revision, before it is saved:
    nothing is saved when next year has a roster already (`exists`)."""

    source: Roster
    grades: list[str]
    children: list[dict[str, Any]]
    left: int
    exists: bool

    @property
    def note(self) -> str:
        return (
            f"Rolled forward from {self.source.year}, revision "
            f"{self.source.current_revision.number}: {len(self.children)} children moved "
            f"up a grade, {self.left} left."
        )


def roll_forward(school: School, found: Roster, placed: dict[str, str] | None) -> RollForward:
    """Each child of the year's roster a grade up in its plan's grades (crunch.rosters.
    children.roll_forward), `from` their class where `placed` (child id -> class) says."""
    grades = plan_grades(school, found.year)
    children, left = roster_children.roll_forward(found.current_revision.children, grades, placed)
    exists = roster(school, found.year + 1) is not None
    return RollForward(found, grades, children, left, exists)


def save_roll_forward(school: School, step: RollForward) -> RosterRevision:
    """The rolled-forward children as next year's first revision."""
    year = step.source.year
    audit_detail = f"rolled forward from {year}"
    return save(school, year + 1, step.children, step.note, audit_detail=audit_detail)


def restore(school: School, found: Roster, revision: RosterRevision) -> RosterRevision:
    current = found.current_revision
    lines = roster_children.describe_changes(current.children, revision.children)
    note = f"Restored revision {revision.number}: {roster_children.summary(lines)}."
    return save(
        school,
        found.year,
        list(revision.children),
        note,
        audit_detail=f"restored revision {revision.number}",
    )


def audit(school: School, year: int, action: str, detail: str = "") -> None:
    """An audit entry of its own (a view, an export). Never a child's data in `detail`."""
    school_id = school.id
    begin_write()
    _add_audit(school_id, year, action, detail)
    db.session.commit()


def _add_audit(school_id: int, year: int, action: str, detail: str) -> None:
    db.session.add(
        RosterAudit(
            school_id=school_id, year=year, action=action, detail=detail, user_id=_user_id()
        )
    )


def _user_id() -> int | None:
    if not has_request_context():
        return None
    user = request.environ.get(USER_KEY)
    return user.id if user is not None else None


def audit_entries(limit: int = 500) -> list[RosterAudit]:
    """The latest entries of every school in scope (an admin: the whole district)."""
    return list(
        db.session.scalars(
            select(RosterAudit)
            .order_by(RosterAudit.created_at.desc(), RosterAudit.id.desc())
            .limit(limit)
        )
    )


def delete_roster(school: School, found: Roster, who: str) -> dict[str, int]:
    """Delete the year's roster: every revision, class list, pending import and audit
    entry of it; one audit entry stays, saying who deleted it and when. Rows are deleted,
    not hidden. Returns how many rows of each kind went."""
    school_id, year, roster_id = school.id, found.year, found.id
    begin_write()
    found = db.session.scalar(select(Roster).where(Roster.id == roster_id))
    found.current_revision_id = None
    db.session.flush()
    counts = {}
    for name, statement in (
        ("class_lists", delete(ClassList).where(ClassList.roster_id == roster_id)),
        ("revisions", delete(RosterRevision).where(RosterRevision.roster_id == roster_id)),
        (
            "imports",
            delete(RosterImport).where(
                RosterImport.school_id == school_id, RosterImport.year == year
            ),
        ),
        (
            "audit",
            delete(RosterAudit).where(RosterAudit.school_id == school_id, RosterAudit.year == year),
        ),
        ("rosters", delete(Roster).where(Roster.id == roster_id)),
    ):
        counts[name] = db.session.execute(
            statement, execution_options={"synchronize_session": False}
        ).rowcount
    counts["jobs"] = _delete_place_jobs(school_id, year)
    _add_audit(school_id, year, "deleted", f"roster deleted by {who}")
    db.session.commit()
    db.session.expire_all()
    return counts


def _delete_place_jobs(school_id: int, year: int) -> int:
    """The class-list searches of the year: finished ones deleted; a running one is
    emptied of its input (ids and codes) and left for its runner to end."""
    found = db.session.scalars(
        select(Job).where(Job.school_id == school_id, Job.kind == "place")
    ).all()
    ids = [job.id for job in found if (job.params or {}).get("year") == year]
    if not ids:
        return 0
    db.session.execute(
        update(Job).where(Job.id.in_(ids)).values(inputs={}, progress=None, result=None),
        execution_options={"synchronize_session": False},
    )
    return db.session.execute(
        delete(Job).where(Job.id.in_(ids), Job.state.not_in(JobState.ACTIVE)),
        execution_options={"synchronize_session": False},
    ).rowcount


# ---------------------------------------------------------------- pending imports


def add_import(school: School, year: int, filename: str, data: bytes, max_age: float) -> int:
    """Keep the uploaded file for the mapping step; older pending imports are dropped."""
    school_id = school.id
    begin_write()
    _drop_expired(max_age)
    pending = RosterImport(
        school_id=school_id, year=year, filename=filename[:120], data=data, author_id=_user_id()
    )
    db.session.add(pending)
    db.session.commit()
    return pending.id


def import_or_404(school: School, year: int, import_id: int, max_age: float) -> RosterImport:
    pending = db.session.scalar(
        select(RosterImport).where(
            RosterImport.id == import_id,
            RosterImport.school_id == school.id,
            RosterImport.year == year,
            RosterImport.created_at >= utcnow() - timedelta(seconds=max_age),
        )
    )
    if pending is None:
        abort(404)
    return pending


def drop_import(import_id: int) -> None:
    begin_write()
    db.session.execute(
        delete(RosterImport).where(RosterImport.id == import_id),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


def drop_expired_imports(max_age: float) -> int:
    """Delete every pending import older than `max_age` seconds, of every school (for
    the `purge-roster-imports` command); returns how many."""
    begin_write()
    count = _drop_expired(max_age)
    db.session.commit()
    return count


def _drop_expired(max_age: float) -> int:
    # Of every school, not only the user's: an expired file is deleted whoever's it
    # was, and nothing of it is read or shown. The one write here past the tenancy
    # filter, and it can only delete what has expired.
    return db.session.execute(
        delete(RosterImport).where(RosterImport.created_at < utcnow() - timedelta(seconds=max_age)),
        execution_options={"synchronize_session": False, tenancy.BYPASS: True},
    ).rowcount
