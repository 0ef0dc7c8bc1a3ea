"""The district admin's screens: schools (create, rename, archive) and users
(create, role and schools, password reset, deactivation).

Only district admins get past `before_request`. Each view reads its form, makes
one call to crunch.accounts.district (which decides, and puts any refusal beside
the form's field) and answers with the page or a redirect.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from crunch.accounts import district
from crunch.accounts.auth import require_admin
from crunch.accounts.forms import PasswordResetForm, SchoolForm, UserEditForm, UserForm
from crunch.models import Role

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.before_request(require_admin)


# ---------------------------------------------------------------- schools


def _schools_page(form=None, **context):
    form = SchoolForm(formdata=None) if form is None else form
    return render_template("admin/schools.html", schools=district.schools(), form=form, **context)


@bp.get("/schools")
def schools():
    return _schools_page()


@bp.post("/schools")
def create_school():
    form = SchoolForm(formdata=request.form)
    if district.create_school(form) is not None:
        flash(f"{form.name.data} added.")
        return redirect(url_for(".schools"), 303)
    return _schools_page(form), 422


@bp.post("/schools/<id:school_id>/rename")
def rename_school(school_id: int):
    form = SchoolForm(formdata=request.form)
    old = district.rename_school(school_id, form)
    if old is not None:
        flash(f"{old} is now called {form.name.data}.")
        return redirect(url_for(".schools"), 303)
    return _schools_page(rename={"id": school_id, "form": form}), 422


@bp.post("/schools/<id:school_id>/archive")
def archive_school(school_id: int):
    """Archive, or bring back with archived=0: plans are kept either way."""
    school = district.archive_school(school_id, request.form.get("archived", "1") != "0")
    flash(f"{school.name} {'archived' if school.archived else 'brought back'}.")
    return redirect(url_for(".schools"), 303)


# ---------------------------------------------------------------- users


@bp.get("/users")
def users():
    form = district.with_school_choices(UserForm(formdata=None, role=Role.PLANNER))
    return render_template("admin/users.html", users=district.users(), form=form)


@bp.post("/users")
def create_user():
    form = district.with_school_choices(UserForm(formdata=request.form))
    if district.create_user(form) is not None:
        flash(f"Account for {form.email.data} created.")
        return redirect(url_for(".users"), 303)
    return render_template("admin/users.html", users=district.users(), form=form), 422


def _user_page(account, form=None, reset=None):
    form = district.edit_form(account) if form is None else form
    reset = PasswordResetForm(formdata=None) if reset is None else reset
    return render_template("admin/user.html", account=account, form=form, reset=reset)


@bp.get("/users/<id:user_id>")
def user(user_id: int):
    return _user_page(district.user_or_404(user_id))


@bp.post("/users/<id:user_id>")
def edit_user(user_id: int):
    form = district.with_school_choices(UserEditForm(formdata=request.form))
    return _change_user(user_id, district.edit_user, "{email} saved.", form=form)


@bp.post("/users/<id:user_id>/password")
def reset_password(user_id: int):
    """A new password typed by the admin; every session of that user ends."""
    reset = PasswordResetForm(formdata=request.form)
    done = "New password set for {email}; tell them in person or by phone."
    return _change_user(user_id, district.reset_password, done, reset=reset)


def _change_user(user_id: int, change, done: str, **posted):
    """The account page's one posted form (`form` or `reset`) through `change`:
    a redirect saying `done`, or the page with the form's messages."""
    account = district.user_or_404(user_id)
    if change(account, *posted.values()):
        flash(done.format(email=account.email))
        return redirect(url_for(".user", user_id=user_id), 303)
    return _user_page(account, **posted), 422


@bp.post("/users/<id:user_id>/active")
def set_active(user_id: int):
    """Deactivate (active=0: every session ends at once) or reactivate (active=1)."""
    account = district.set_active(user_id, request.form.get("active", "0") == "1")
    if account is None:
        flash(district.OWN_ACCOUNT)
    else:
        flash(f"{account.email} {'reactivated' if account.active else 'deactivated'}.")
    return redirect(url_for(".user", user_id=user_id), 303)
