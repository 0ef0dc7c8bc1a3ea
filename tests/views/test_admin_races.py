"""Two admins adding the same email or school name at once: the one who loses the
race gets the form's own message beside the field (422), never a server error."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select

from crunch.accounts import district
from crunch.database import begin_write
from crunch.extensions import db
from crunch.models import District, Role, School, User
from tests.conftest import ADMIN, PASSWORD_HASH, add_school, logged_in, post_at_once

NEW_EMAIL = "race@test.example"
USER_FORM = {"email": NEW_EMAIL, "role": Role.VIEWER, "password": "long enough 1"}


@pytest.fixture
def admin(app):
    return logged_in(app, ADMIN)


def district_id() -> int:
    return db.session.scalar(select(District.id))


def insert_elsewhere(table, **values) -> None:
    """Commit a row on a connection of its own, as a concurrent request would."""
    with db.engine.begin() as connection:
        connection.execute(insert(table), values)


def count(model, column, value) -> int:
    db.session.rollback()  # a fresh read, not the snapshot of a transaction left open
    return db.session.scalar(select(func.count()).select_from(model).where(column == value))


def field_error_of(html: str) -> str:
    start = html.index('class="field-error"')
    return html[start : html.index("<", start + 20)]


def test_a_user_created_meanwhile_gets_the_forms_message(app, admin, monkeypatch):
    def hash_then_lose_the_race(password):
        insert_elsewhere(
            User.__table__,
            district_id=district_id(),
            email=NEW_EMAIL,
            name="",
            role=Role.VIEWER,
            password_hash=PASSWORD_HASH,
            active=True,
            session_version=0,
        )
        return PASSWORD_HASH

    monkeypatch.setattr(district, "hash_password", hash_then_lose_the_race)
    response = admin.post("/admin/users", data=USER_FORM)
    assert response.status_code == 422
    assert district.EMAIL_TAKEN in field_error_of(response.get_data(as_text=True))
    assert count(User, User.email, NEW_EMAIL) == 1
    # The session was rolled back: the next request works as usual.
    assert admin.get("/admin/users").status_code == 200


def lose_the_school_race(name):
    def name_free(form, school_id=None):
        insert_elsewhere(School.__table__, district_id=district_id(), name=name, archived=False)
        begin_write()
        return True

    return name_free


def test_a_school_created_meanwhile_gets_the_forms_message(app, admin, monkeypatch):
    monkeypatch.setattr(district, "_name_free", lose_the_school_race("Brook Primary"))
    response = admin.post("/admin/schools", data={"name": "Brook Primary"})
    assert response.status_code == 422
    assert district.SCHOOL_NAME_TAKEN in field_error_of(response.get_data(as_text=True))
    assert count(School, School.name, "Brook Primary") == 1


def test_a_rename_to_a_name_taken_meanwhile_gets_the_forms_message(app, admin, monkeypatch):
    other = add_school("Other Primary")
    monkeypatch.setattr(district, "_name_free", lose_the_school_race("Brook Primary"))
    response = admin.post(f"/admin/schools/{other.id}/rename", data={"name": "Brook Primary"})
    assert response.status_code == 422
    assert district.SCHOOL_NAME_TAKEN in field_error_of(response.get_data(as_text=True))
    assert count(School, School.id, other.id) == 1
    db.session.expire_all()
    assert db.session.get(School, other.id).name == "Other Primary"


def test_eight_simultaneous_new_users_with_one_email(app, monkeypatch):
    monkeypatch.setattr(district, "hash_password", lambda password: PASSWORD_HASH)
    assert post_at_once(app, ADMIN, "/admin/users", USER_FORM) == [303] + [422] * 7
    assert count(User, User.email, NEW_EMAIL) == 1


def test_eight_simultaneous_new_schools_with_one_name(app):
    statuses = post_at_once(app, ADMIN, "/admin/schools", {"name": "Brook Primary"})
    assert statuses == [303] + [422] * 7
    assert count(School, School.name, "Brook Primary") == 1
