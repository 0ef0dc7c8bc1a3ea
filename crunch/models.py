"""Database tables.

Every row that belongs to a school carries `school_id`, so that a query can be
scoped to the schools a user may see without joining through its parents.
Revisions are never updated: saving writes a new one and moves the scenario's
`current_revision_id` pointer. The `SchoolOwned` mixin marks those rows for the
tenancy filter (crunch.tenancy), which scopes every ORM query to the schools the
current user may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from crunch.extensions import db
from crunch.solver import Allocation, Class, MalformedSolution, Metrics, Solution, Status


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class SchoolOwned:
    """A row that belongs to one school: the tenancy filter scopes it by `school_id`."""

    @declared_attr
    def school_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("schools.id"), index=True)


class Snapshot(SchoolOwned):
    """An immutable revision, numbered 1, 2, 3 ... within what it belongs to: what
    changed in words, when, and who saved it (None for revisions saved before logins,
    or by a command)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @declared_attr
    def author_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id"), index=True)

    @declared_attr
    def author(cls) -> Mapped[User | None]:
        return relationship()


class Role:
    """What a user may do. Admins see every school of their district and manage it.

    Teachers see and edit only the children of their school's rosters (of their
    class, when their account names one): never plans, history or the district
    pages. Every view refuses them unless it is marked `for_teachers`
    (crunch.accounts.auth)."""

    ADMIN = "admin"
    PLANNER = "planner"
    VIEWER = "viewer"
    TEACHER = "teacher"
    ALL = (ADMIN, PLANNER, VIEWER, TEACHER)
    LABELS: ClassVar[dict[str, str]] = {
        ADMIN: "District admin",
        PLANNER: "Planner",
        VIEWER: "Viewer",
        TEACHER: "Teacher",
    }


class District(db.Model):
    __tablename__ = "districts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    schools: Mapped[list[School]] = relationship(back_populates="district", order_by="School.name")


class School(db.Model):
    __tablename__ = "schools"
    __table_args__ = (UniqueConstraint("district_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Archived schools keep their plans but leave the lists and the overview.
    archived: Mapped[bool] = mapped_column(default=False, server_default=false())

    district: Mapped[District] = relationship(back_populates="schools")


# Which schools a planner or viewer works with (admins see their whole district).
user_schools = Table(
    "user_schools",
    db.metadata,
    Column("user_id", ForeignKey("users.id"), primary_key=True),
    Column("school_id", ForeignKey("schools.id"), primary_key=True, index=True),
)


class User(db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id"), index=True)
    # Stored lower-case; unique across districts, since it is what a person logs in with.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.VIEWER)
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the login id in the session cookie: bumping it (logout, password
    # change, deactivation) makes every earlier cookie of this user worthless.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    # A teacher's class of this year (a roster child's `from` category): they see
    # and edit only those children. Empty: all of their school's children.
    class_label: Mapped[str] = mapped_column(String(80), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    district: Mapped[District] = relationship()
    schools: Mapped[list[School]] = relationship(secondary=user_schools, order_by="School.name")

    # Flask-Login's interface.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def can_edit(self) -> bool:
        return self.role in (Role.ADMIN, Role.PLANNER)

    @property
    def is_teacher(self) -> bool:
        return self.role == Role.TEACHER

    @property
    def can_edit_children(self) -> bool:
        """May change a roster's children (a teacher: only some, see crunch/rosters/staff.py)."""
        return self.can_edit or self.is_teacher

    @property
    def role_label(self) -> str:
        return Role.LABELS.get(self.role, self.role)


class Scenario(SchoolOwned, db.Model):
    """One plan for one school year, e.g. "Plan A" for 2027."""

    __tablename__ = "scenarios"
    __table_args__ = (
        UniqueConstraint("school_id", "year", "name"),
        # One adopted plan per school and year: `adopted` is True or NULL, and NULLs
        # never collide in a unique constraint (on SQLite and PostgreSQL alike).
        UniqueConstraint("school_id", "year", "adopted", name="uq_scenarios_adopted"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # True for the school's adopted plan of the year, otherwise NULL (never False).
    adopted: Mapped[bool | None] = mapped_column(default=None)
    # Put away: left off the school's list (and its overview) but kept, with its history.
    archived: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Circular with revisions.scenario_id; use_alter lets the tables be created first.
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("revisions.id", use_alter=True)
    )

    school: Mapped[School] = relationship()
    current_revision: Mapped[Revision | None] = relationship(
        foreign_keys=[current_revision_id], post_update=True
    )
    revisions: Mapped[list[Revision]] = relationship(
        back_populates="scenario",
        foreign_keys="Revision.scenario_id",
        order_by="Revision.number.desc()",
    )

    @property
    def title(self) -> str:
        return f"{self.year} - {self.name}"


@dataclass(frozen=True)
class SavedAllocation:
    """A revision's `allocation` JSON, read: the option picked among a solve's answers.

    Stored as the solver's allocation (`Allocation.to_dict`, docs/scenario.md) with
    the `choice` among the answers, their `status`, and each class's `label` when
    the principal gave it one. `from_dict` is strict (MalformedSolution).
    """

    status: Status
    allocation: Allocation
    choice: int = 0
    labels: tuple[str, ...] = ()  # by class position, "" for a class without one

    @property
    def classes(self) -> tuple[Class, ...]:
        return self.allocation.classes

    @property
    def metrics(self) -> Metrics:
        return self.allocation.metrics

    @property
    def solution(self) -> Solution:
        """As the solver's answer: the picked allocation and its status."""
        return Solution(self.status, self.allocation)

    def label(self, index: int) -> str:
        return self.labels[index] if index < len(self.labels) else ""

    def to_dict(self) -> dict[str, Any]:
        out = {"choice": self.choice, "status": str(self.status), **self.allocation.to_dict()}
        for index, item in enumerate(out["classes"]):
            if self.label(index):
                item["label"] = self.label(index)
        return out

    @classmethod
    def from_dict(cls, raw: Any) -> SavedAllocation:
        if not isinstance(raw, dict) or not {"choice", "status"} <= raw.keys():
            raise MalformedSolution("allocation: expected an object with a choice and a status.")
        rest = {k: v for k, v in raw.items() if k not in ("choice", "status")}
        choice, status = raw["choice"], raw["status"]
        if not isinstance(choice, int) or isinstance(choice, bool) or choice < 0:
            raise MalformedSolution(f"allocation.choice: expected a whole number, got {choice!r}.")
        if status not in {s.value for s in Status}:
            raise MalformedSolution(f"allocation.status: {status!r} is not a solver's status.")
        labels = []
        if isinstance(rest.get("classes"), list):
            rest["classes"] = [_unlabelled(item, labels) for item in rest["classes"]]
        allocation = Allocation.from_dict(rest, "allocation")
        return cls(Status(status), allocation, choice, tuple(labels) if any(labels) else ())


def _unlabelled(item: Any, labels: list[str]) -> Any:
    """A saved class without its label; the label (or "") goes to `labels`."""
    if not isinstance(item, dict) or "label" not in item:
        labels.append("")
        return item
    label = item["label"]
    if not isinstance(label, str):
        raise MalformedSolution(f"allocation: a class's label is {label!r}, not text.")
    labels.append(label)
    return {k: v for k, v in item.items() if k != "label"}


class Revision(Snapshot, db.Model):
    """The scenario's inputs and the allocation chosen for them."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("scenario_id", "number"),)

    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id"), index=True)
    # The scenario in the JSON format of docs/scenario.md.
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    # {"choice": i, "status": ..., "classes": [...], "metrics": {...}} or None when
    # the inputs have no valid allocation.
    allocation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))

    scenario: Mapped[Scenario] = relationship(
        back_populates="revisions", foreign_keys=[scenario_id]
    )

    @property
    def saved_allocation(self) -> SavedAllocation | None:
        """The allocation chosen when this was saved; None when the inputs had none."""
        return SavedAllocation.from_dict(self.allocation) if self.allocation else None


class JobState:
    """Where a job in the background stands. The last three are final."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMED_OUT = "timed_out"
    ACTIVE = (QUEUED, RUNNING)
    FINAL = (DONE, FAILED, CANCELLED, TIMED_OUT)


class Job(SchoolOwned, db.Model):
    """Slow work (other options, the staffing curve) solved in the background.

    Written by the request that starts it and by the runner that supervises the
    solve (crunch.jobs); the solving process itself never touches the database.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id"), index=True)
    # The revision the editor's inputs started from when the job began.
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("revisions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "options" or "staffing"
    state: Mapped[str] = mapped_column(String(20), default=JobState.QUEUED, index=True)
    # The scenario in the spec's JSON format, and what the kind needs besides.
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The best allocation found so far ({"classes": [...], "metrics": {...}}).
    progress: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The final answer: Solution.to_dict() for options, {"rows": [...]} for staffing.
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    message: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    # Written every second by the runner while the job is queued or running.
    heartbeat_at: Mapped[datetime | None] = mapped_column()
    # Where it runs ("host:pid" of the supervising runner), and the solving process.
    runner: Mapped[str] = mapped_column(String(120), default="")
    pid: Mapped[int | None] = mapped_column(Integer)

    @property
    def active(self) -> bool:
        return self.state in JobState.ACTIVE
