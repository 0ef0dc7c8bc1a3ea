"""The district admin's decisions, behind the screens of crunch.accounts.admin.

Each change takes the write lock before the reads it depends on (crunch.database),
and a refused change puts its message beside the form's field and returns None
(or False), leaving the database as it was. The tenancy filter keeps every lookup
inside the admin's own district, so another district's ids answer 404.
"""

from __future__ import annotations

from collections.abc import Callable

from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from crunch.accounts.auth import end_sessions, hash_password, refresh_scope, user_by_email
from crunch.accounts.forms import UserEditForm
from crunch.database import begin_write
from crunch.extensions import db
from crunch.models import Role, School, User
from crunch.schools.store import school_or_404

SCHOOL_NAME_TAKEN = "The district already has a school of that name."
EMAIL_TAKEN = "There is already an account with that email."
TEACHER_SCHOOL = "Choose the one school this teacher works at."
OWN_ADMIN_ROLE = "You cannot take away your own admin role."
OWN_ACCOUNT = "You cannot deactivate your own account."


# ---------------------------------------------------------------- lookups


def schools() -> list[School]:
    return list(db.session.scalars(select(School).order_by(School.archived, School.name)))


def users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.active.desc(), User.email)))


def user_or_404(user_id: int) -> User:
    return db.first_or_404(select(User).where(User.id == user_id))


def with_school_choices(form):
    """The form with every school of the district to tick (archived ones marked)."""
    form.schools.choices = [
        (str(s.id), s.name + (" (archived)" if s.archived else "")) for s in schools()
    ]
    return form


def edit_form(account: User) -> UserEditForm:
    """The form of an account's name, role and schools, filled from the account."""
    return with_school_choices(
        UserEditForm(
            formdata=None,
            name=account.name,
            role=account.role,
            schools=[str(s.id) for s in account.schools],
            class_label=account.class_label,
        )
    )


# ---------------------------------------------------------------- schools


def create_school(form) -> School | None:
    """The new school, or None with the message beside the name."""
    if not (form.validate() and _name_free(form)):
        return None
    school = School(district_id=current_user.district_id, name=form.name.data)
    db.session.add(school)
    if not _committed(form.name, SCHOOL_NAME_TAKEN, lambda: _name_taken(form.name.data)):
        return None
    return school


def rename_school(school_id: int, form) -> str | None:
    """The school's old name once renamed, or None with the message beside the name."""
    school_or_404(school_id)
    if not (form.validate() and _name_free(form, school_id)):
        return None
    school = school_or_404(school_id)
    old, school.name = school.name, form.name.data
    if _committed(form.name, SCHOOL_NAME_TAKEN, lambda: _name_taken(form.name.data, school_id)):
        return old
    return None


def archive_school(school_id: int, archived: bool) -> School:
    """Archive, or bring back with archived=False: plans are kept either way."""
    school_or_404(school_id)
    begin_write()
    school = school_or_404(school_id)
    school.archived = archived
    db.session.commit()
    return school


def _name_taken(name: str, school_id: int | None = None) -> bool:
    """Whether another school of the admin's district has the name, counting the
    schools that concurrent requests committed since this one began."""
    refresh_scope()
    query = select(func.count(School.id)).where(
        School.district_id == current_user.district_id,
        func.lower(School.name) == name.lower(),
    )
    if school_id is not None:
        query = query.where(School.id != school_id)
    return bool(db.session.scalar(query))


def _name_free(form, school_id: int | None = None) -> bool:
    """Take the write lock and check no other school of the district has the form's
    name; if one has, release the lock and put the message beside the field."""
    begin_write()
    if _name_taken(form.name.data, school_id):
        db.session.rollback()
        form.name.errors = [SCHOOL_NAME_TAKEN]
        return False
    return True


def _committed(field, message: str, taken: Callable[[], bool]) -> bool:
    """Commit; when a unique constraint refuses it because `taken()` now holds (a
    concurrent request took the name or email after this one checked), roll back
    and put the form's own message beside the field instead of failing."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if not taken():
            raise
        field.errors = [message]
        return False
    return True


# ---------------------------------------------------------------- users


def create_user(form) -> User | None:
    """The new account, or None with the message beside the field at fault."""
    if not (form.validate() and _teacher_fits(form)):
        return None
    if _email_taken(form.email.data):
        form.email.errors = [EMAIL_TAKEN]
        return None
    password_hash = hash_password(form.password.data)  # slow: before the write lock
    begin_write()
    user = User(
        district_id=current_user.district_id,
        email=form.email.data,
        password_hash=password_hash,
    )
    _apply(user, form)
    db.session.add(user)
    if not _committed(form.email, EMAIL_TAKEN, lambda: _email_taken(form.email.data)):
        return None
    return user


def edit_user(account: User, form) -> bool:
    """Save the account's name, role and schools; False with the message beside the
    field at fault (an admin keeps their own admin role)."""
    if not (form.validate() and _teacher_fits(form)):
        return False
    if account.id == current_user.id and form.role.data != Role.ADMIN:
        form.role.errors = [OWN_ADMIN_ROLE]
        return False
    begin_write()
    _apply(user_or_404(account.id), form)
    db.session.commit()
    return True


def reset_password(account: User, form) -> bool:
    """A new password typed by the admin: every session of that user ends."""
    if not form.validate():
        return False
    password_hash = hash_password(form.password.data)  # slow: before the write lock
    end_sessions(account.id, password_hash=password_hash)
    return True


def set_active(user_id: int, active: bool) -> User | None:
    """Deactivate (every session ends at once) or reactivate the account; None when
    admins would deactivate their own."""
    account = user_or_404(user_id)
    if account.id == current_user.id and not active:
        return None
    return end_sessions(user_id, active=active)


def _apply(user: User, form) -> None:
    """The form's name, role, class and schools onto the account."""
    user.name = form.name.data or ""
    user.role = form.role.data
    user.class_label = (form.class_label.data or "") if form.role.data == Role.TEACHER else ""
    user.schools = _chosen_schools(form)


def _chosen_schools(form) -> list[School]:
    """Admins see every school anyway; the others get the schools ticked."""
    if form.role.data == Role.ADMIN:
        return []
    ids = [int(v) for v in form.schools.data or [] if v.isascii() and v.isdigit() and len(v) < 19]
    if not ids:
        return []
    return list(db.session.scalars(select(School).where(School.id.in_(ids))))


def _teacher_fits(form) -> bool:
    """A teacher works at exactly one school; say so beside the field otherwise."""
    if form.role.data == Role.TEACHER and len(_chosen_schools(form)) != 1:
        form.schools.errors = [TEACHER_SCHOOL]
        return False
    return True


def _email_taken(email: str) -> bool:
    return user_by_email(email) is not None
