"""Every feature's blueprints, and what every response shares (headers, error pages,
template filters)."""

from __future__ import annotations

import json

from flask import Blueprint, Flask, Response, request
from werkzeug.routing import IntegerConverter

from crunch import words
from crunch.accounts import admin
from crunch.accounts import views as accounts
from crunch.class_lists import views as class_lists
from crunch.compare import views as compare
from crunch.editor import actions, api
from crunch.editor import views as editor
from crunch.files import views as files
from crunch.history import views as history
from crunch.jobs import views as jobs
from crunch.next_year import views as next_year
from crunch.rosters import views as rosters
from crunch.schools import overview
from crunch.schools import views as schools
from crunch.web import assets, errors

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)


class IdConverter(IntegerConverter):
    """A row id: at most 18 digits, so an absurd id is a 404, not a database overflow."""

    regex = r"[0-9]{1,18}"


def blueprints() -> list[Blueprint]:
    """Every feature's blueprints, in the order their routes are matched."""
    return [
        accounts.bp,
        admin.bp,
        overview.bp,
        schools.bp,
        api.bp,
        editor.bp,
        history.bp,
        compare.bp,
        class_lists.bp,
        next_year.bp,
        files.bp,
        jobs.bp,
        rosters.bp,
        rosters.audit_bp,
    ]


def register(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
    for blueprint in blueprints():
        app.register_blueprint(blueprint)
    errors.register(app)
    app.after_request(security_headers)
    app.after_request(no_store)
    app.jinja_env.filters["status_label"] = words.status_label
    app.jinja_env.filters["apply_value"] = actions.apply_value
    app.jinja_env.filters["priority_label"] = words.priority_label
    app.jinja_env.filters["priorities_label"] = words.priorities_label
    app.jinja_env.filters["local_time"] = lambda moment: words.local_time(
        moment, app.config["DISPLAY_TIMEZONE"]
    )
    app.context_processor(lambda: {"zone_label": words.zone_label(app.config["DISPLAY_TIMEZONE"])})
    app.jinja_env.globals.update(
        htmx_path=assets.HTMX_PATH,
        htmx_integrity=assets.HTMX_INTEGRITY,
        idiomorph_path=assets.IDIOMORPH_PATH,
        idiomorph_integrity=assets.IDIOMORPH_INTEGRITY,
        sortable_path=assets.SORTABLE_PATH,
        sortable_integrity=assets.SORTABLE_INTEGRITY,
        htmx_config=json.dumps(assets.HTMX_CONFIG, separators=(",", ":")),
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True


def security_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    return response


def no_store(response: Response) -> Response:
    """Pages, fragments, the API and exports hold a school's plans and its users' names:
    no browser or proxy keeps a copy (after logout, on a shared computer). The vendored
    static files hold nothing private and may be cached."""
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    return response
