"""Log in, log out, change one's own password.

Login clears the session first (no value from before the login survives it);
logout and a password change bump the user's session version, so every cookie
issued before stops working (see crunch.accounts.auth). Failed login attempts are limited
per client address (past the limit the answer is 429), and an account that keeps
failing waits a growing moment before its next attempt (crunch.accounts.login_delay).
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user, logout_user

from crunch.accounts import login_delay
from crunch.accounts.auth import (
    check_password,
    end_sessions,
    hash_password,
    own_account,
    public,
    user_by_email,
)
from crunch.accounts.forms import LoginForm, PasswordChangeForm
from crunch.extensions import limiter

bp = Blueprint("auth", __name__)

FAILED = "That email and password do not match an active account."
WAIT = "Too many failed attempts for this account. Wait {seconds} second{s}, then try again."


def _failed(response) -> bool:
    """Only refused logins count towards the limits; a colleague logging in often is fine."""
    return response.status_code != 303


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    scope="login-address",
    deduct_when=_failed,
)
def login():
    if request.method != "POST":
        return _login_page()
    form = LoginForm(formdata=request.form)
    if not form.validate():
        return render_template("auth/login.html", form=form), 422
    wait = login_delay.seconds_to_wait(form.email.data)
    if wait:
        return _too_soon(form, wait)
    user = user_by_email(form.email.data)
    if check_password(user, form.password.data) and user.active:
        login_delay.record_success(form.email.data)
        destination = _safe_next(form.next.data)
        session.clear()
        login_user(user)
        return redirect(destination, 303)
    login_delay.record_failure(form.email.data)
    form.password.errors = [FAILED]
    return render_template("auth/login.html", form=form), 401


def _login_page():
    """The login form; reached by a link from another site, a page without a session."""
    if _from_another_site():
        destination = _safe_next(request.args.get("next"))
        return render_template("auth/arrived.html", destination=destination, no_session=True)
    form = LoginForm(formdata=None, next=request.args.get("next", ""))
    return render_template("auth/login.html", form=form)


def _from_another_site() -> bool:
    """A link on another site led here, so the browser kept back the SameSite=Strict
    session cookie even if its user is logged in. The login form would give the
    browser a new session cookie in place of the one it kept back, logging that user
    out everywhere; instead a page without a session offers a link, which, followed
    from this site, carries the cookie (docs/deployment.md#compression)."""
    cookie = current_app.config["SESSION_COOKIE_NAME"]
    return request.headers.get("Sec-Fetch-Site") == "cross-site" and cookie not in request.cookies


def _too_soon(form, seconds: int):
    form.password.errors = [WAIT.format(seconds=seconds, s="" if seconds == 1 else "s")]
    return render_template("auth/login.html", form=form), 429, {"Retry-After": str(seconds)}


@bp.post("/logout")
@own_account
def logout():
    end_sessions(current_user.id)
    logout_user()
    session.clear()
    flash("You are logged out.")
    return redirect(url_for(".login"), 303)


@bp.route("/account/password", methods=["GET", "POST"])
@own_account
def password():
    form = PasswordChangeForm(formdata=request.form if request.method == "POST" else None)
    if request.method == "POST":
        if form.validate():
            if check_password(current_user, form.current.data):
                user = end_sessions(current_user.id, password_hash=hash_password(form.new.data))
                # Every other session of this user ends; this one continues afresh.
                session.clear()
                login_user(user)
                flash("Your password is changed. Other devices will need to log in again.")
                return redirect(url_for("schools.index"), 303)
            form.current.errors = ["That is not your current password."]
        return render_template("auth/password.html", form=form), 422
    return render_template("auth/password.html", form=form)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never another host, even written as //host or \\\\host."""
    target = (target or "").strip()
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and "\\" not in target
        and target.isprintable()
        and target.isascii()
    ):
        return target
    return url_for("schools.index")
