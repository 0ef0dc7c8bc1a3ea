"""Database tables.

Every row that belongs to a school carries `school_id`, so that a query can be
scoped to the schools a user may see without joining through its parents.
Revisions are never updated: saving writes a new one and moves the scenario's
`current_revision_id` pointer.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


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

    district: Mapped[District] = relationship(back_populates="schools")


class Scenario(db.Model):
    """One plan for one school year, e.g. "Plan A" for 2027."""

    __tablename__ = "scenarios"
    __table_args__ = (UniqueConstraint("school_id", "year", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
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


class Revision(db.Model):
    """An immutable snapshot: the scenario's inputs and the allocation chosen for them."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("scenario_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # The scenario in the JSON format of spec/scenario.md.
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    # {"choice": i, "status": ..., "classes": [...], "metrics": {...}} or None when
    # the inputs have no valid allocation.
    allocation: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    scenario: Mapped[Scenario] = relationship(
        back_populates="revisions", foreign_keys=[scenario_id]
    )
