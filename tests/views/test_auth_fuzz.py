"""Hypothesis fuzzing of every form of the login, account and admin screens: any
input is answered (a page, a redirect, a refusal), never with a server error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from crunch.extensions import db
from crunch.models import Scenario, User
from tests.conftest import ADMIN, PLANNER, AuthActions

# Text of every kind: control characters, astral planes, lone surrogates are
# excluded only because a browser cannot send them in a form.
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300)
VALUE = st.one_of(
    TEXT,
    st.sampled_from(["", " ", "0", "-1", "1" * 30, "admin", "planner", "viewer", "blank", "1"]),
    st.integers().map(str),
)
FIELDS = [
    "email",
    "password",
    "next",
    "name",
    "role",
    "schools",
    "current",
    "new",
    "confirm",
    "archived",
    "active",
    "csrf_token",
]
FORMS = st.dictionaries(st.sampled_from(FIELDS), st.one_of(VALUE, st.lists(VALUE, max_size=4)))
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def admin(app):
    client = app.test_client()
    AuthActions(client).login(ADMIN)
    return client


def admin_routes(app) -> list[str]:
    user_id = db.session.scalar(select(User.id).where(User.email == PLANNER))
    school_id = db.session.scalar(select(Scenario.school_id))
    scenario_id = db.session.scalar(select(Scenario.id))
    return [
        "/admin/schools",
        f"/admin/schools/{school_id}/rename",
        f"/admin/schools/{school_id}/archive",
        "/admin/users",
        f"/admin/users/{user_id}",
        f"/admin/users/{user_id}/password",
        f"/admin/users/{user_id}/active",
        f"/schools/{school_id}/scenarios/{scenario_id}/adopt",
        "/account/password",
    ]


@FUZZ
@given(form=FORMS)
def test_the_login_form_never_fails(anon, form):
    response = anon.post("/login", data=form)
    assert response.status_code in (303, 400, 401, 422)


@FUZZ
@given(form=FORMS, which=st.integers(min_value=0, max_value=8))
def test_every_admin_and_account_form_never_fails(app, admin, form, which):
    response = admin.post(admin_routes(app)[which], data=form)
    assert response.status_code in (303, 400, 403, 404, 422), response.status_code
    # Whatever was posted, the admin can still work: the fuzz never locks them out.
    assert admin.get("/admin/users").status_code == 200


EVERY_FIELD = [
    *FIELDS,
    "year",
    "source",
    "entry",
    "teachers",
    "min_subclass_size",
    "grades-0-name",
    "grades-0-students",
    "grades-0-min_size",
    "grades-0-max_size",
    "composites-0-members",
    "composites-0-enabled",
    "priorities-0",
    "note",
    "base_revision",
    "picked",
    "shown",
    "action",
]


def post_routes(app) -> list[str]:
    """Every POST route of the app (those added later too), with the test school's ids."""
    school_id = db.session.scalar(select(Scenario.school_id))
    scenario_id = db.session.scalar(select(Scenario.id).where(Scenario.school_id == school_id))
    user_id = db.session.scalar(select(User.id).where(User.email == PLANNER))
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "POST" not in rule.methods:
            continue
        values = {}
        for name in rule.arguments:
            if "school" in name:
                values[name] = school_id
            elif "user" in name:
                values[name] = user_id
            elif "scenario" in name:
                values[name] = scenario_id
            else:
                values[name] = 1
        urls.append(app.url_map.bind("localhost").build(rule.endpoint, values))
    return urls


@settings(FUZZ, max_examples=80)
@given(
    form=st.dictionaries(
        st.one_of(st.sampled_from(EVERY_FIELD), TEXT.filter(bool)),
        st.one_of(VALUE, st.lists(VALUE, max_size=3)),
        max_size=12,
    ),
    which=st.integers(min_value=0),
    htmx=st.booleans(),
)
def test_every_post_route_answers_odd_forms_without_a_server_error(app, admin, form, which, htmx):
    urls = post_routes(app)
    url = urls[which % len(urls)]
    if url == "/logout":
        return  # logs the admin out; covered by the auth tests
    headers = {"HX-Request": "true"} if htmx else {}
    response = admin.post(url, data=form, headers=headers)
    assert response.status_code < 500, (url, form)


@FUZZ
@given(query=st.dictionaries(st.sampled_from(["year", "next"]), VALUE))
def test_pages_with_odd_query_strings_never_fail(anon, admin, query):
    assert admin.get("/district", query_string=query).status_code == 200
    assert anon.get("/login", query_string=query).status_code == 200
