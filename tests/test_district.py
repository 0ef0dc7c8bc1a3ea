"""The district admin's decisions (crunch.accounts.district), called as the admin's
views call them: a form in, the thing made (or None, the message beside the field)."""

from __future__ import annotations

import pytest
from flask_login import login_user
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from crunch.accounts import district
from crunch.accounts.auth import identify
from crunch.accounts.forms import PasswordResetForm, SchoolForm, UserEditForm, UserForm
from crunch.extensions import db
from crunch.models import Role, School, User
from tests.conftest import ADMIN, PLANNER


def as_admin(app):
    """A request of the district admin, its tenancy scope set as `_guard` sets it."""
    context = app.test_request_context("/admin/users", method="POST")
    context.push()
    login_user(db.session.scalar(select(User).where(User.email == ADMIN)))
    identify()
    return context


@pytest.fixture
def request_ctx(app):
    """The admin's request, in a district of two schools: Hillside and Brook Primary."""
    db.session.add(School(district_id=user(ADMIN).district_id, name="Brook Primary"))
    db.session.commit()
    context = as_admin(app)
    yield
    db.session.rollback()
    context.pop()


def form(form_class, **data):
    """A posted form; a list value posts the field several times."""
    posted = MultiDict()
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            posted.add(key, item)
    return district.with_school_choices(form_class(formdata=posted))


def user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def school_ids(*names: str) -> list[str]:
    return [str(db.session.scalar(select(School.id).where(School.name == n))) for n in names]


def schools_named(name: str) -> int:
    return db.session.scalar(select(func.count(School.id)).where(School.name == name))


def test_a_school_name_is_the_districts_once_whatever_its_case(request_ctx):
    made = district.create_school(SchoolForm(formdata=MultiDict({"name": "Creek Primary"})))
    assert made is not None and made.id is not None
    for name in ("CREEK primary", "brook primary"):
        again = SchoolForm(formdata=MultiDict({"name": name}))
        assert district.create_school(again) is None
        assert again.name.errors == [district.SCHOOL_NAME_TAKEN]
        assert schools_named(name) == 0


def test_a_school_keeps_its_name_in_another_case_but_not_anothers(request_ctx):
    hillside, brook = (int(i) for i in school_ids("Hillside Primary", "Brook Primary"))
    taken = SchoolForm(formdata=MultiDict({"name": "hillside primary"}))
    assert district.rename_school(brook, taken) is None
    assert taken.name.errors == [district.SCHOOL_NAME_TAKEN]
    own = SchoolForm(formdata=MultiDict({"name": "HILLSIDE PRIMARY"}))
    assert district.rename_school(hillside, own) == "Hillside Primary"
    assert schools_named("HILLSIDE PRIMARY") == 1
    assert schools_named("Brook Primary") == 1


@pytest.mark.parametrize("schools", [[], ["Hillside Primary", "Brook Primary"]])
def test_a_teacher_works_at_exactly_one_school(request_ctx, schools):
    teacher = form(
        UserForm,
        email="t@test.example",
        role=Role.TEACHER,
        schools=school_ids(*schools) if schools else [],
        password="long enough 1",
    )
    assert district.create_user(teacher) is None
    assert teacher.schools.errors == [district.TEACHER_SCHOOL]
    assert user("t@test.example") is None


def test_a_teacher_keeps_a_class_and_an_admin_no_schools(request_ctx):
    base = {
        "password": "long enough 1",
        "class_label": " 1B ",
        "schools": school_ids("Hillside Primary"),
    }
    teacher = district.create_user(
        form(UserForm, email="t@test.example", role=Role.TEACHER, **base)
    )
    planner = district.create_user(
        form(UserForm, email="p@test.example", role=Role.PLANNER, **base)
    )
    admin = district.create_user(form(UserForm, email="a@test.example", role=Role.ADMIN, **base))
    assert (user("t@test.example").class_label, len(user("t@test.example").schools)) == ("1B", 1)
    assert (user("p@test.example").class_label, len(user("p@test.example").schools)) == ("", 1)
    assert (user("a@test.example").class_label, user("a@test.example").schools) == ("", [])
    assert None not in (teacher, planner, admin)


def test_a_taken_email_is_said_beside_the_field(request_ctx):
    taken = form(UserForm, email=PLANNER.upper(), role=Role.VIEWER, password="long enough 1")
    assert district.create_user(taken) is None
    assert taken.email.errors == [district.EMAIL_TAKEN]


def test_admins_keep_their_own_admin_role_but_may_change_anothers(request_ctx):
    me, planner = user(ADMIN), user(PLANNER)
    demote = form(UserEditForm, role=Role.PLANNER, schools=school_ids("Hillside Primary"))
    assert district.edit_user(me, demote) is False
    assert demote.role.errors == [district.OWN_ADMIN_ROLE]
    assert user(ADMIN).role == Role.ADMIN
    promote = form(UserEditForm, name="Pat", role=Role.ADMIN)
    assert district.edit_user(planner, promote) is True
    assert (user(PLANNER).role, user(PLANNER).name, user(PLANNER).schools) == (
        Role.ADMIN,
        "Pat",
        [],
    )


def test_admins_cannot_deactivate_themselves_but_end_anothers_sessions(request_ctx):
    version = user(PLANNER).session_version
    assert district.set_active(user(ADMIN).id, False) is None
    assert user(ADMIN).active is True
    assert district.set_active(user(ADMIN).id, True) is not None  # reactivating is harmless
    assert district.set_active(user(PLANNER).id, False).active is False
    assert user(PLANNER).session_version == version + 1


def test_a_password_reset_ends_the_users_sessions(request_ctx):
    before = user(PLANNER)
    version, old_hash = before.session_version, before.password_hash
    short = PasswordResetForm(formdata=MultiDict({"password": "short"}))
    assert district.reset_password(before, short) is False
    assert user(PLANNER).password_hash == old_hash
    reset = PasswordResetForm(formdata=MultiDict({"password": "a new long one"}))
    assert district.reset_password(before, reset) is True
    after = user(PLANNER)
    assert (after.session_version, after.password_hash != old_hash) == (version + 1, True)
