"""Who is asking, and what they may do: logins, sessions, roles.

- Passwords are hashed with argon2 (argon2-cffi's defaults).
- The login id kept in the session cookie is "<user id>:<session version>".
  Logout, a password change and deactivation bump the version, so every cookie
  issued before no longer loads a user (Flask's cookie session cannot be revoked
  on the server otherwise).
- Every request needs a login, except the views marked `public`. Pages redirect
  to the login page; htmx and API requests get 401.
- Every request's tenancy scope is set from its user here (crunch.tenancy).
- Viewers change nothing: a viewer's POST is refused with 403 unless the view
  is marked `reads_only` (a live preview that saves nothing) or is their own
  account's (logout, password change); pages that only make a change call
  `require_editor` after their lookup, so viewers get 403 on GET too.
  Admin-only areas check `require_admin`.
- Teachers fail closed: every view refuses them (403, GET included) unless it is
  marked `for_teachers` (their school's roster pages) or is their own account's.
  What they may do there is decided by crunch.rosters.staff.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, abort, current_app, g, has_request_context, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import event, select

from crunch import tenancy
from crunch.database import begin_write
from crunch.extensions import db, login_manager
from crunch.models import Revision, Role, User

F = TypeVar("F", bound=Callable)

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the email is unknown, so a wrong email costs as much
    time as a wrong password and does not reveal which accounts exist."""
    return _hasher.hash("not a password of anyone")


PASSWORD_MIN = 10
PASSWORD_MAX = 200
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
USER_KEY = "crunch.user"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    return user is not None


def password_problem(password: str) -> str | None:
    """Why a new password is refused, or None."""
    if len(password) < PASSWORD_MIN:
        return f"Use at least {PASSWORD_MIN} characters."
    if len(password) > PASSWORD_MAX:
        return f"Use at most {PASSWORD_MAX} characters."
    return None


def normal_email(email: str) -> str:
    return email.strip().lower()


def user_by_email(email: str) -> User | None:
    """For logging in: before a login there is no scope, so this one lookup bypasses it."""
    return db.session.scalar(
        select(User)
        .where(User.email == normal_email(email))
        .execution_options(**{tenancy.BYPASS: True})
    )


def _mark(name: str, doc: str) -> Callable[[F], F]:
    """A decorator that marks a view for `_guard` (read back with `_marked`)."""

    def mark(view: F) -> F:
        setattr(view, f"crunch_{name}", True)
        return view

    mark.__name__, mark.__doc__ = name, doc
    return mark


def _marked(view, *names: str) -> bool:
    return any(getattr(view, f"crunch_{name}", False) for name in names)


public = _mark("public", "Reachable without a login (the login page).")
reads_only = _mark("reads_only", "A POST that changes nothing (a preview): viewers may use it too.")
own_account = _mark(
    "own_account", "A change to the user's own account (logout, password): allowed to every role."
)
for_teachers = _mark(
    "for_teachers", "Open to teachers too; every view without this mark refuses them with 403."
)


def require_editor() -> None:
    """For a page that exists only to make a change (an import, next year's scenario),
    once its school is known to be the user's: a viewer is refused it, GET included,
    rather than shown a form that would refuse them on submit."""
    if not (current_user.is_authenticated and current_user.can_edit):
        abort(403)


def require_child_editor() -> None:
    """For the page of one roster child: planners, admins and teachers (whose class,
    if any, the view checks with crunch.rosters.staff)."""
    if not (current_user.is_authenticated and current_user.can_edit_children):
        abort(403)


def require_admin() -> None:
    """For an admin-only blueprint's before_request."""
    if not (current_user.is_authenticated and current_user.is_admin):
        abort(403)


def refresh_scope() -> None:
    """Compute the request's tenancy scope again from its user. The scope holds the
    schools that existed when the request began; a check made under the write lock
    (a school name being free) must also see the schools committed since."""
    user = request.environ.get(USER_KEY)
    tenancy.set_request_scope(tenancy.for_user(db.session, user))


def end_sessions(user_id: int, **changes) -> User:
    """Under the write lock, bump the user's session version, so every cookie issued
    before stops working, and make the changes (a password hash, `active`) with it."""
    begin_write()
    user = db.session.scalar(select(User).where(User.id == user_id))
    if user is None:
        abort(404)
    user.session_version += 1
    for name, value in changes.items():
        setattr(user, name, value)
    db.session.commit()
    return user


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Log in to continue."
    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)
    if not event.contains(Revision, "before_insert", _set_author):
        event.listen(Revision, "before_insert", _set_author)
    app.before_request(_guard)
    app.context_processor(lambda: {"Role": Role})


def _load_user(login_id: str) -> User | None:
    user_id, _, version = login_id.partition(":")
    if not (user_id.isascii() and user_id.isdigit() and version.isascii() and version.isdigit()):
        return None
    user = db.session.scalar(
        select(User)
        .where(User.id == int(user_id))
        .execution_options(**{tenancy.BYPASS: True}, populate_existing=True)
    )
    if user is None or not user.active or user.session_version != int(version):
        return None
    return user


def _unauthorized():
    if request.path.startswith("/api/") or request.headers.get("HX-Request") == "true":
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def identify() -> User | None:
    """The request's user, with the request's tenancy scope set from them.

    `_guard` calls it first thing; an error handler calls it for a request
    stopped before `_guard` ran (by the CSRF check finding the body too large).
    """
    if tenancy.ENVIRON_KEY in request.environ:
        return request.environ.get(USER_KEY)
    # Load the user from this request's cookie, never from a cached earlier one
    # (an app context, and with it `g`, may outlive one request).
    g.pop("_login_user", None)  # Flask-Login's cache
    g.pop("csrf_token", None)  # Flask-WTF's: the session holds the token, maybe a new one
    user = current_user._get_current_object() if current_user.is_authenticated else None
    tenancy.set_request_scope(tenancy.for_user(db.session, user))
    request.environ[USER_KEY] = user
    return user


def _guard():
    """Runs before every view: login, tenancy scope, the teachers' short list of
    pages and the viewers' read-only rule."""
    user = identify()
    if request.endpoint is None:
        return None  # 404 / 405: nothing to protect
    view = current_app.view_functions.get(request.endpoint)
    if request.endpoint == "static" or _marked(view, "public"):
        return None
    if user is None:
        return login_manager.unauthorized()
    if user.is_teacher:
        if _marked(view, "for_teachers", "own_account"):
            return None
        abort(403)
    if request.method in SAFE_METHODS or user.can_edit:
        return None
    if _marked(view, "reads_only", "own_account"):
        return None
    abort(403)


def _set_author(_mapper, _connection, revision: Revision) -> None:
    """Every revision saved in a request records who saved it, whichever service saves it."""
    if revision.author_id is None and has_request_context():
        user = request.environ.get(USER_KEY)
        if user is not None:
            revision.author_id = user.id
