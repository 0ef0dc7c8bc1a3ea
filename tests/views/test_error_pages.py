"""Every error page, whatever went wrong, is a page with the security headers, and
a failed database write never breaks the error page that reports it."""

from __future__ import annotations

import pytest
from flask import abort, request

from crunch.database import begin_write
from crunch.extensions import db
from crunch.models import Role, User
from tests.conftest import ADMIN, HX, PLANNER, logged_in


def boom():
    raise RuntimeError("boom")


def reads_json():
    return str(request.get_json())


def failed_flush():
    """A write that fails at flush, after a commit expired the loaded user (as
    begin_write does): the error page must still render, not PendingRollbackError."""
    begin_write()
    db.session.add(User(district_id=1, email=PLANNER, role=Role.VIEWER, password_hash="x"))
    db.session.flush()
    return "unreachable"


@pytest.fixture
def error_app(app_with):
    app = app_with(
        RATELIMIT_ENABLED=True,
        LOGIN_LIMIT_PER_ADDRESS="1 per 10 minutes",
        MAX_CONTENT_LENGTH=1024,
    )
    app.add_url_rule("/test/boom", view_func=boom)
    app.add_url_rule("/test/json", view_func=reads_json, methods=["POST"])
    app.add_url_rule("/test/failed-flush", view_func=failed_flush)
    app.add_url_rule("/test/422", view_func=lambda: abort(422))
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def error_answers(app):
    """(name, response) for each kind of error page."""
    client = logged_in(app)
    admin = logged_in(app, ADMIN)
    anon = app.test_client()
    yield "400", client.post("/test/json", data="{", content_type="application/json")
    yield "403", client.get("/admin/users")
    yield "404", client.get("/schools/999999")
    yield "405", client.get("/schools/1/scenarios/1/edit")
    yield "413", client.post("/schools/1/scenarios/1/edit", data={"x": "y" * 5000})
    yield "422", admin.post("/admin/schools", data={"name": ""})
    yield "422 (abort)", client.get("/test/422")
    anon.post("/login", data={"email": "a@b.example", "password": "wrong"})
    yield "429", anon.post("/login", data={"email": "a@b.example", "password": "wrong"})
    yield "500", client.get("/test/boom")
    yield "500 htmx", client.get("/test/boom", headers=HX)
    yield "500 after a failed flush", client.get("/test/failed-flush")
    yield "500 after a failed flush, htmx", client.get("/test/failed-flush", headers=HX)
    yield "401 api", anon.post("/api/solve", json={})


EXPECTED = {
    "400": 400,
    "403": 403,
    "404": 404,
    "405": 405,
    "413": 413,
    "422": 422,
    "422 (abort)": 422,
    "429": 429,
    "500": 500,
    "500 htmx": 500,
    "500 after a failed flush": 500,
    "500 after a failed flush, htmx": 500,
    "401 api": 401,
}


def test_every_error_page_carries_the_security_headers(error_app):
    seen = {}
    for name, response in error_answers(error_app):
        seen[name] = response.status_code
        headers = response.headers
        assert "frame-ancestors 'none'" in headers.get("Content-Security-Policy", ""), name
        assert headers.get("X-Content-Type-Options") == "nosniff", name
        assert headers.get("X-Frame-Options") == "DENY", name
        assert "Traceback" not in response.get_data(as_text=True), name
    assert seen == EXPECTED


def test_the_500_page_after_a_failed_flush_is_the_full_page(error_app):
    client = logged_in(error_app)
    response = client.get("/test/failed-flush")
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "Something went wrong" in html
    assert "planner" in html.lower()  # the page's own header, with the signed-in user
    # The session was rolled back: the next request on the same app works.
    assert client.get("/").status_code == 200


def test_an_error_page_that_cannot_render_falls_back_to_a_plain_page(error_app, monkeypatch):
    from crunch.web import errors

    def broken(*args, **kwargs):
        raise RuntimeError("template broken")

    monkeypatch.setattr(errors, "_rendered", broken)
    client = logged_in(error_app)
    for headers in ({}, HX):
        response = client.get("/test/boom", headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 500
        assert errors.MESSAGES[500] in html and "Traceback" not in html
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["Cache-Control"] == "no-store"
