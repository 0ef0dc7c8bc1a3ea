"""Rosters: the children of a school year, kept as immutable revisions.

A roster is one school's children for one year. Its revisions hold the children
in the `children` format of docs/placement.md (one dict per child: id, name,
grade, categories, scores, tags, friends, apart, together, not_classes, class,
composite), plus `notes`, which never leave the roster except in its own CSV.
Saving writes a new revision and moves `current_revision_id`, as for scenarios;
a placement made later refers to the roster revision it placed, so a roster
edited since never changes what an earlier placement meant.

Every table here is `SchoolOwned`, so the tenancy filter (crunch.tenancy) scopes
each query to the user's schools. Deleting a roster deletes its rows; its audit
entries are replaced by one that says who deleted it and when.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crunch.extensions import db
from crunch.models import School, SchoolOwned, Snapshot, User, utcnow


class Roster(SchoolOwned, db.Model):
    """The children of one school in one year."""

    __tablename__ = "rosters"
    __table_args__ = (UniqueConstraint("school_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    current_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("roster_revisions.id", use_alter=True)
    )

    current_revision: Mapped[RosterRevision | None] = relationship(
        foreign_keys=[current_revision_id], post_update=True
    )


class RosterRevision(Snapshot, db.Model):
    """A roster's children; its note says what changed ("added Mia", "imported 412
    children from file.csv")."""

    __tablename__ = "roster_revisions"
    __table_args__ = (UniqueConstraint("roster_id", "number"),)

    roster_id: Mapped[int] = mapped_column(ForeignKey("rosters.id"), index=True)
    children: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class RosterImport(SchoolOwned, db.Model):
    """An uploaded file waiting for its column mapping: deleted on save, on cancel,
    and when older than ROSTER_IMPORT_MAX_AGE_SECONDS. Never written to disk."""

    __tablename__ = "roster_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(120))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)


class RosterAudit(SchoolOwned, db.Model):
    """Who viewed, exported, changed or deleted a school year's roster, and when.

    `detail` never holds a child's data (no names, ids or notes): only counts,
    revision numbers and file names."""

    __tablename__ = "roster_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    action: Mapped[str] = mapped_column(String(20))  # viewed, exported, changed, deleted
    detail: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

    user: Mapped[User | None] = relationship()
    school: Mapped[School] = relationship()


class ClassList(SchoolOwned, db.Model):
    """A saved placement: which child of a roster revision sits in which class of a
    plan's revision. Immutable, numbered per roster like revisions; restoring one saves
    it again as the newest. `moves` says who was moved where by hand since the
    placement it started from ([child id, from label, to label] each)."""

    __tablename__ = "class_lists"
    __table_args__ = (UniqueConstraint("roster_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    roster_id: Mapped[int] = mapped_column(ForeignKey("rosters.id"), index=True)
    roster_revision_id: Mapped[int] = mapped_column(ForeignKey("roster_revisions.id"), index=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # child id -> class label ("Class 1", ...), and the ids of children fixed by hand.
    assignment: Mapped[dict[str, str]] = mapped_column(JSON)
    fixed: Mapped[list[str]] = mapped_column(JSON, default=list)
    moves: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)

    author: Mapped[User | None] = relationship()
    roster_revision: Mapped[RosterRevision] = relationship()
