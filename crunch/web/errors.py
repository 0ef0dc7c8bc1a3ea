"""Error answers a person can act on, for pages and for htmx requests alike.

An htmx request that fails gets its message retargeted into the page's flash
area, so nothing fails silently (htmx would otherwise swap nothing on an error).

Before any error page is rendered the request's database session is rolled back:
a failed flush leaves it unusable, and the page (its header shows the signed-in
user, who may need reloading) would otherwise fail in turn and go out as a bare
500 without the security headers. Should rendering fail all the same, a plain
page with the message goes out instead; the headers are added to both.
"""

from __future__ import annotations

from flask import (
    Flask,
    Response,
    current_app,
    jsonify,
    request,
)
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException, InternalServerError

from crunch.extensions import db
from crunch.jobs import TooManyJobs
from crunch.solve_slots import AUTOMATIC, RETRYING, AlreadySolving
from crunch.solve_slots import MESSAGE as ALREADY_SOLVING
from crunch.web.htmx import is_htmx, page_or_block, render_block, target, varying

MESSAGES = {
    400: "The request could not be understood. Reload the page and try again.",
    401: "You are not logged in, or your session has ended. Log in again to continue.",
    403: "Your account cannot make this change. Ask your district admin if you need to.",
    429: "Too many login attempts. Wait a few minutes, then try again.",
    404: "There is no such page. It may belong to another school, or the link is wrong.",
    405: "That address does not accept this kind of request.",
    413: "That is more data than a scenario can hold.",
    500: "Something went wrong on our side. Your saved work is safe; reload the page.",
}

# htmx targets inside the editor's results: a message for them goes beside the
# results (#solver-busy), where the page keeps the inputs as they are.
RESULTS_TARGETS = ("results", "options", "staffing", "solve", "editor")

# Headings in a principal's words where HTTP's own name says little ("Forbidden").
TITLES = {
    403: "Not available to your account",
    404: "Page not found",
    500: "Something went wrong",
}

EXPIRED = (
    "This page has been open too long, so your last change was not accepted. "
    "Reload the page to continue; changes not yet saved will need to be typed again."
)


def register(app: Flask) -> None:
    app.register_error_handler(CSRFError, csrf_error)
    app.register_error_handler(AlreadySolving, already_solving)
    app.register_error_handler(TooManyJobs, too_many_jobs)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected_error)


def csrf_error(error: CSRFError) -> Response:
    return error_response(400, EXPIRED, "Page expired")


def already_solving(error: AlreadySolving) -> Response:
    """429: this user's other solve is still running (crunch.solve_slots). Inside the
    editor the sentence goes beside the results, leaving the inputs as typed."""
    if is_htmx() and target() in RESULTS_TARGETS:
        # asked for without a click (typing, the staffing curve after each preview):
        # the message asks again a second later, so the page catches up by itself
        retry = target() if target() in AUTOMATIC else None
        message = RETRYING if retry else ALREADY_SOLVING
        body = render_block(
            "error.html", "busy", message=message, retry=retry, retry_url=request.path
        )
        response = varying(body, 429)
        response.headers["HX-Retarget"] = "#solver-busy"
        response.headers["HX-Reswap"] = "innerHTML"
    else:
        response = error_response(429, ALREADY_SOLVING, "Still solving")
    response.headers["Retry-After"] = "1"
    return response


def too_many_jobs(error: TooManyJobs) -> Response:
    """A user or school at its cap of jobs in the background (crunch.jobs.start)."""
    return error_response(429, error.message, "Too many searches running")


def http_error(error: HTTPException) -> Response:
    code = error.code or 500
    message = MESSAGES.get(code, error.description or "")
    return error_response(code, message, TITLES.get(code, error.name))


def unexpected_error(error: Exception) -> Response:
    if isinstance(error, HTTPException):
        return http_error(error)
    current_app.logger.exception("Unhandled error", exc_info=error)
    return error_response(500, MESSAGES[500], TITLES.get(500, InternalServerError.name))


def error_response(code: int, message: str, title: str) -> Response:
    _roll_back()
    if request.path.startswith("/api/"):
        response = jsonify({"status": "error", "message": message})
        response.status_code = code
        return response
    try:
        response = _rendered(code, message, title)
    except Exception:
        current_app.logger.exception("The error page for %s could not be rendered", code)
        _roll_back()
        response = varying(_PLAIN.format(title=escape(title), message=escape(message)), code)
    if is_htmx():
        response.headers["HX-Retarget"] = "#flash"
        response.headers["HX-Reswap"] = "innerHTML"
    return response


def _rendered(code: int, message: str, title: str) -> Response:
    return page_or_block("error.html", "message", code, code=code, message=message, title=title)


_PLAIN = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
    '<body><h1>{title}</h1><div class="alert" role="alert"><p>{message}</p></div></body></html>'
)


def _roll_back() -> None:
    """End whatever transaction the failed request left (a failed flush makes every
    later query raise PendingRollbackError until then)."""
    try:
        db.session.rollback()
    except Exception:  # the connection itself is gone: the page needs no database
        current_app.logger.exception("Rollback before an error page failed")
