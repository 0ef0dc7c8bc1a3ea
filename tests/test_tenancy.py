"""The tenancy filter: every ORM query sees only the scope's schools, and nothing without one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from crunch import tenancy
from crunch.extensions import db
from crunch.models import District, Revision, Role, Scenario, School, User
from tests.conftest import ADMIN, PLANNER, add_school, add_user


@pytest.fixture
def two_districts(app):
    """Hillside (the test district) plus a second school there and a school elsewhere."""
    hillside = db.session.scalar(select(School).where(School.name == "Hillside Primary"))
    other = add_school("Other School")
    elsewhere_district = District(name="Elsewhere District")
    db.session.add(elsewhere_district)
    db.session.commit()
    elsewhere = School(district=elsewhere_district, name="Elsewhere School")
    db.session.add(elsewhere)
    db.session.commit()
    add_user("someone@elsewhere.example", Role.ADMIN, district=elsewhere_district)
    return hillside, other, elsewhere


def scope_of(*schools) -> tenancy.Scope:
    return tenancy.Scope(schools[0].district_id, frozenset(s.id for s in schools))


def names(model) -> list[str]:
    db.session.expire_all()
    column = model.email if model is User else model.name
    return sorted(db.session.scalars(select(column)))


def test_without_a_scope_nothing_is_found(two_districts):
    with tenancy.scoped(tenancy.NOTHING):
        assert names(School) == []
        assert names(District) == []
        assert names(User) == []
        assert db.session.scalars(select(Scenario)).all() == []
        assert db.session.scalars(select(Revision)).all() == []
        assert db.session.scalar(select(func.count(Scenario.id))) == 0


def test_a_scope_sees_its_schools_and_its_district_only(two_districts):
    hillside, _other, elsewhere = two_districts
    with tenancy.scoped(scope_of(hillside)):
        assert names(School) == ["Hillside Primary"]
        assert names(District) == ["Test District"]
        assert "someone@elsewhere.example" not in names(User)
        assert {s.school_id for s in db.session.scalars(select(Scenario))} == {hillside.id}
        assert {r.school_id for r in db.session.scalars(select(Revision))} == {hillside.id}
        # Joins, aliases and relationship loads are filtered too.
        joined = db.session.scalars(select(Scenario).join(School)).all()
        assert {s.school_id for s in joined} == {hillside.id}
        district = db.session.scalar(select(District))
        assert [s.name for s in district.schools] == ["Hillside Primary"]
    with tenancy.scoped(scope_of(elsewhere)):
        assert names(School) == ["Elsewhere School"]
        assert names(User) == ["someone@elsewhere.example"]


def test_bulk_updates_cannot_reach_other_schools(two_districts):
    hillside, other, _ = two_districts
    with tenancy.scoped(scope_of(hillside)):
        db.session.execute(update(Scenario).values(name="Renamed"))
        db.session.commit()
    db.session.expire_all()
    renamed = db.session.scalars(select(Scenario.school_id).where(Scenario.name == "Renamed"))
    assert set(renamed) == {hillside.id}
    kept = db.session.scalar(select(Scenario).where(Scenario.school_id == other.id))
    assert kept.name == "Plan A"


def test_a_users_scope(app, two_districts):
    hillside, other, _ = two_districts
    planner = db.session.scalar(select(User).where(User.email == PLANNER))
    planner.schools = [hillside]
    db.session.commit()
    assert tenancy.for_user(db.session, planner).school_ids == {hillside.id}
    admin = db.session.scalar(select(User).where(User.email == ADMIN))
    assert tenancy.for_user(db.session, admin).school_ids == {hillside.id, other.id}
    hillside.archived = True
    db.session.commit()
    # An archived school leaves planners' and viewers' scope; admins keep it.
    assert tenancy.for_user(db.session, planner).school_ids == frozenset()
    assert hillside.id in tenancy.for_user(db.session, admin).school_ids
    planner.active = False
    assert tenancy.for_user(db.session, planner) == tenancy.NOTHING
    assert tenancy.for_user(db.session, None) == tenancy.NOTHING


def test_a_request_uses_its_users_scope_even_when_the_code_around_it_sees_everything(
    client, two_districts
):
    _, other, elsewhere = two_districts
    assert tenancy.current() is tenancy.EVERYTHING  # the test itself
    planner = db.session.scalar(select(User).where(User.email == PLANNER))
    planner.schools = [s for s in planner.schools if s.id != other.id]
    db.session.commit()
    assert client.get(f"/schools/{other.id}").status_code == 404
    assert client.get(f"/schools/{elsewhere.id}").status_code == 404
    assert "Other School" not in client.get("/").get_data(as_text=True)


VIEWS = Path(__file__).resolve().parents[1] / "crunch" / "views"


@pytest.mark.parametrize("module", sorted(p.name for p in VIEWS.glob("*.py")))
def test_views_hold_no_raw_sql_and_no_unfiltered_lookups(module):
    """Raw SQL bypasses the filter; Session.get() may answer from the identity map."""
    source = (VIEWS / module).read_text()
    assert not re.search(r"\btext\(|exec_driver_sql|session\.get\(|\.connection\(\)", source)
    assert tenancy.BYPASS not in source and "BYPASS" not in source
