"""Blueprints, one per area, and what every response shares (headers, error pages)."""

from __future__ import annotations

import json

from flask import Flask, Response, request
from werkzeug.routing import IntegerConverter

from crunch import words
from crunch.editor import actions
from crunch.web import assets

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


def register(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
    from crunch.accounts import admin
    from crunch.accounts import views as auth
    from crunch.class_lists import views as class_lists
    from crunch.compare import views as compare
    from crunch.editor import api
    from crunch.editor import views as scenarios
    from crunch.files import views as transfer
    from crunch.history import views as history
    from crunch.jobs import views as jobs
    from crunch.next_year import views as nextyear
    from crunch.rosters import views as rosters
    from crunch.schools import district
    from crunch.schools import views as schools
    from crunch.web import errors

    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(district.bp)
    app.register_blueprint(schools.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(scenarios.bp)
    app.register_blueprint(history.bp)
    app.register_blueprint(compare.bp)
    app.register_blueprint(class_lists.bp)
    app.register_blueprint(nextyear.bp)
    app.register_blueprint(transfer.bp)
    app.register_blueprint(jobs.bp)
    app.register_blueprint(rosters.bp)
    app.register_blueprint(rosters.audit_bp)
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
