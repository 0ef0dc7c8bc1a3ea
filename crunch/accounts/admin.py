"""The district admin's screens: schools (create, rename, archive) and users
(create, role and schools, password reset, deactivation).

Only district admins get past `before_request`; the tenancy filter keeps every
lookup inside their own district, so another district's ids answer 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from crunch.accounts.auth import hash_password, refresh_scope, require_admin, user_by_email
from crunch.accounts.forms import PasswordResetForm, SchoolForm, UserEditForm, UserForm
from crunch.database import begin_write
from crunch.extensions import db
from crunch.models import Role, School, User

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(require_admin)


# ---------------------------------------------------------------- schools


def _schools() -> list[School]:
    return list(db.session.scalars(select(School).order_by(School.archived, School.name)))


def _school_or_404(school_id: int) -> School:
    school = db.session.scalar(select(School).where(School.id == school_id))
    if school is None:
        abort(404)
    return school


SCHOOL_NAME_TAKEN = "The district already has a school of that name."
EMAIL_TAKEN = "There is already an account with that email."


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


def _committed(field, message: str, taken) -> bool:
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


@bp.get("/schools")
def schools():
    return render_template("admin/schools.html", schools=_schools(), form=SchoolForm(formdata=None))


@bp.post("/schools")
def create_school():
    form = SchoolForm(formdata=request.form)
    if form.validate() and _name_free(form):
        db.session.add(School(district_id=current_user.district_id, name=form.name.data))
        if _committed(form.name, SCHOOL_NAME_TAKEN, lambda: _name_taken(form.name.data)):
            flash(f"{form.name.data} added.")
            return redirect(url_for(".schools"), 303)
    return render_template("admin/schools.html", schools=_schools(), form=form), 422


@bp.post("/schools/<id:school_id>/rename")
def rename_school(school_id: int):
    school = _school_or_404(school_id)
    form = SchoolForm(formdata=request.form)
    if form.validate() and _name_free(form, school_id):
        school = _school_or_404(school_id)
        old, school.name = school.name, form.name.data
        if _committed(form.name, SCHOOL_NAME_TAKEN, lambda: _name_taken(form.name.data, school_id)):
            flash(f"{old} is now called {form.name.data}.")
            return redirect(url_for(".schools"), 303)
        school = _school_or_404(school_id)
    rename = {"id": school.id, "form": form}
    return render_template(
        "admin/schools.html", schools=_schools(), form=SchoolForm(formdata=None), rename=rename
    ), 422


@bp.post("/schools/<id:school_id>/archive")
def archive_school(school_id: int):
    """Archive, or bring back with archived=0: plans are kept either way."""
    _school_or_404(school_id)
    archived = request.form.get("archived", "1") != "0"
    begin_write()
    school = _school_or_404(school_id)
    school.archived = archived
    db.session.commit()
    flash(f"{school.name} {'archived' if archived else 'brought back'}.")
    return redirect(url_for(".schools"), 303)


# ---------------------------------------------------------------- users


def _users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.active.desc(), User.email)))


def _user_or_404(user_id: int) -> User:
    user = db.session.scalar(select(User).where(User.id == user_id))
    if user is None:
        abort(404)
    return user


def _with_school_choices(form):
    form.schools.choices = [
        (str(s.id), s.name + (" (archived)" if s.archived else "")) for s in _schools()
    ]
    return form


def _chosen_schools(form) -> list[School]:
    """Admins see every school anyway; the others get the schools ticked."""
    if form.role.data == Role.ADMIN:
        return []
    ids = [int(v) for v in form.schools.data or [] if v.isascii() and v.isdigit() and len(v) < 19]
    if not ids:
        return []
    return list(db.session.scalars(select(School).where(School.id.in_(ids))))


TEACHER_SCHOOL = "Choose the one school this teacher works at."


def _teacher_fits(form) -> bool:
    """A teacher works at exactly one school; say so beside the field otherwise."""
    if form.role.data == Role.TEACHER and len(_chosen_schools(form)) != 1:
        form.schools.errors = [TEACHER_SCHOOL]
        return False
    return True


def _class_label(form) -> str:
    return (form.class_label.data or "") if form.role.data == Role.TEACHER else ""


def _email_taken(email: str) -> bool:
    return user_by_email(email) is not None


@bp.get("/users")
def users():
    form = _with_school_choices(UserForm(formdata=None, role=Role.PLANNER))
    return render_template("admin/users.html", users=_users(), form=form)


@bp.post("/users")
def create_user():
    form = _with_school_choices(UserForm(formdata=request.form))
    if form.validate() and _teacher_fits(form):
        if _email_taken(form.email.data):
            form.email.errors = [EMAIL_TAKEN]
        else:
            password_hash = hash_password(form.password.data)  # slow: before the write lock
            begin_write()
            user = User(
                district_id=current_user.district_id,
                email=form.email.data,
                name=form.name.data or "",
                role=form.role.data,
                class_label=_class_label(form),
                password_hash=password_hash,
            )
            user.schools = _chosen_schools(form)
            db.session.add(user)
            if _committed(form.email, EMAIL_TAKEN, lambda: _email_taken(form.email.data)):
                flash(f"Account for {form.email.data} created.")
                return redirect(url_for(".users"), 303)
    return render_template("admin/users.html", users=_users(), form=form), 422


@bp.get("/users/<id:user_id>")
def user(user_id: int):
    account = _user_or_404(user_id)
    form = _with_school_choices(
        UserEditForm(
            formdata=None,
            name=account.name,
            role=account.role,
            schools=[str(s.id) for s in account.schools],
            class_label=account.class_label,
        )
    )
    return render_template(
        "admin/user.html", account=account, form=form, reset=PasswordResetForm(formdata=None)
    )


@bp.post("/users/<id:user_id>")
def edit_user(user_id: int):
    account = _user_or_404(user_id)
    form = _with_school_choices(UserEditForm(formdata=request.form))
    if form.validate() and _teacher_fits(form):
        if account.id == current_user.id and form.role.data != Role.ADMIN:
            form.role.errors = ["You cannot take away your own admin role."]
        else:
            begin_write()
            account = _user_or_404(user_id)
            account.name = form.name.data or ""
            account.role = form.role.data
            account.class_label = _class_label(form)
            account.schools = _chosen_schools(form)
            db.session.commit()
            flash(f"{account.email} saved.")
            return redirect(url_for(".user", user_id=user_id), 303)
    return render_template(
        "admin/user.html", account=account, form=form, reset=PasswordResetForm(formdata=None)
    ), 422


@bp.post("/users/<id:user_id>/password")
def reset_password(user_id: int):
    """A new password typed by the admin; every session of that user ends."""
    account = _user_or_404(user_id)
    reset = PasswordResetForm(formdata=request.form)
    if reset.validate():
        password_hash = hash_password(reset.password.data)
        begin_write()
        account = _user_or_404(user_id)
        account.password_hash = password_hash
        account.session_version += 1
        db.session.commit()
        flash(f"New password set for {account.email}; tell them in person or by phone.")
        return redirect(url_for(".user", user_id=user_id), 303)
    form = _with_school_choices(
        UserEditForm(
            formdata=None,
            name=account.name,
            role=account.role,
            schools=[str(s.id) for s in account.schools],
            class_label=account.class_label,
        )
    )
    return render_template("admin/user.html", account=account, form=form, reset=reset), 422


@bp.post("/users/<id:user_id>/active")
def set_active(user_id: int):
    """Deactivate (active=0: every session ends at once) or reactivate (active=1)."""
    account = _user_or_404(user_id)
    active = request.form.get("active", "0") == "1"
    if account.id == current_user.id and not active:
        flash("You cannot deactivate your own account.")
        return redirect(url_for(".user", user_id=user_id), 303)
    begin_write()
    account = _user_or_404(user_id)
    account.active = active
    account.session_version += 1
    db.session.commit()
    flash(f"{account.email} {'reactivated' if active else 'deactivated'}.")
    return redirect(url_for(".user", user_id=user_id), 303)
