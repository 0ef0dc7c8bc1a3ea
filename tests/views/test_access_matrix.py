"""The access matrix: every route x every role x ids of another school and of another
district. The figure is the number of answers that leak another tenant's data or
let a change through; it must be 0.

Routes come from `app.url_map`, so routes added later are tried too. Each is
called with every method it accepts, with URL ids (and ids in the query string
and the form) of:

- another school of the same district, which planners and viewers are not assigned;
- a school of another district (for everyone, admins included);
- the own school in the URL with the other school's scenario, and the reverse.

A leak is a foreign name, note or email in the answer (or, for someone not
logged in, any page but the login page). A change is any difference in the
database after the request. Viewers also try every POST route with their own
school's ids and a payload that would succeed for a planner.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial

import pytest
from sqlalchemy import Engine, inspect, select
from werkzeug.datastructures import MultiDict

from crunch.extensions import db
from crunch.models import District, Role, Scenario, School, User
from crunch.rosters import children as roster_children
from crunch.rosters import store as roster_store
from tests import conftest
from tests.conftest import ADMIN, HILLSIDE, HX, LIVE, PASSWORD, PLANNER, VIEWER

# Changes to the requester's own account are the point of these routes.
OWN_ACCOUNT = {"auth.logout", "auth.password"}
TEACHER = "teacher@test.example"
ROLES = ["anonymous", Role.VIEWER, Role.TEACHER, Role.PLANNER, Role.ADMIN]
EMAILS = {Role.VIEWER: VIEWER, Role.TEACHER: TEACHER, Role.PLANNER: PLANNER, Role.ADMIN: ADMIN}
# The only routes a teacher reaches (crunch.accounts.auth.for_teachers); every other one
# refuses them, whatever its ids.
TEACHER_ROUTES = {
    "schools.index",
    "schools.glossary",
    "rosters.index",
    "rosters.show",
    "rosters.edit_child",
    "auth.login",
    *OWN_ACCOUNT,
}
SKIPPED_METHODS = {"HEAD", "OPTIONS"}


@dataclass
class Tenant:
    """One school's ids and the strings that must not leak from it."""

    school_id: int
    scenario_id: int
    user_id: int
    markers: list[str] = field(default_factory=list)
    import_id: int = 0


@dataclass
class Matrix:
    requests: int = 0
    violations: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)


def add_tenant(district: District, school_name: str, email: str, role: str) -> Tenant:
    school = School(district=district, name=school_name)
    db.session.add(school)
    db.session.commit()
    plan = f"{school_name} Secret Plan"
    note = f"note-of-{school_name.lower().replace(' ', '-')}"
    scenario = conftest.save_scenario(school, plan, HILLSIDE, note=note)
    scenario.adopted = True
    user = conftest.add_user(email, role, [school] if role != Role.ADMIN else [], district)
    user.name = f"{school_name} Person"
    db.session.commit()
    child = f"Secretchild {school_name}"
    roster_store.save(school, 2027, [roster_children.child(id="S1", name=child, grade="K")], "")
    pending = roster_store.add_import(
        school, 2027, "pending.csv", f"Id,Name\nS1,{child}".encode(), 3600
    )
    return Tenant(school.id, scenario.id, user.id, [school_name, plan, note, email, child], pending)


@pytest.fixture
def tenants(app):
    """Own (Hillside Primary), a sibling school of the district, a school elsewhere."""
    home = db.session.scalar(select(School).where(School.name == "Hillside Primary"))
    own_scenario = db.session.scalar(select(Scenario.id).where(Scenario.school_id == home.id))
    planner = db.session.scalar(select(User).where(User.email == PLANNER))
    teacher = conftest.add_user(TEACHER, Role.TEACHER, [home])
    teacher.class_label = "1B"
    db.session.commit()
    own = Tenant(home.id, own_scenario, planner.id, [])
    sibling = add_tenant(home.district, "Sibling Hidden School", "sib@test.example", Role.PLANNER)
    elsewhere = District(name="Faraway District")
    db.session.add(elsewhere)
    db.session.commit()
    faraway = add_tenant(elsewhere, "Faraway Hidden School", "far@faraway.example", Role.ADMIN)
    return own, sibling, faraway


def foreign_rows(engine: Engine, tenants: list[Tenant]) -> list[tuple]:
    """The rows that belong to these tenants (their schools, plans, users and links)."""
    schools = ",".join(str(t.school_id) for t in tenants)
    users = ",".join(str(t.user_id) for t in tenants)
    with engine.connect() as connection:
        rows = []
        for query in (
            f"SELECT * FROM schools WHERE id IN ({schools})",
            "SELECT * FROM districts WHERE id IN"
            f" (SELECT district_id FROM schools WHERE id IN ({schools}))",
            f"SELECT * FROM scenarios WHERE school_id IN ({schools})",
            f"SELECT * FROM revisions WHERE school_id IN ({schools})",
            f"SELECT * FROM rosters WHERE school_id IN ({schools})",
            f"SELECT * FROM roster_revisions WHERE school_id IN ({schools})",
            f"SELECT * FROM roster_imports WHERE school_id IN ({schools})",
            f"SELECT * FROM roster_audit WHERE school_id IN ({schools})",
            f"SELECT * FROM class_lists WHERE school_id IN ({schools})",
            f"SELECT * FROM users WHERE id IN ({users})",
            f"SELECT * FROM user_schools WHERE school_id IN ({schools}) OR user_id IN ({users})",
            # A link from any user to a school of another district is a leak by itself.
            "SELECT u.email, s.name FROM user_schools us JOIN users u ON u.id = us.user_id"
            " JOIN schools s ON s.id = us.school_id WHERE u.district_id != s.district_id",
        ):
            rows.append(_sorted(connection.exec_driver_sql(query)))
        return rows


def snapshot(engine: Engine) -> dict[str, list[tuple]]:
    """Every row of every table, read on a connection of its own beside the app's session
    (raw SQL, so the tenancy filter does not apply)."""
    with engine.connect() as connection:
        tables = sorted(inspect(connection).get_table_names())
        return {t: _sorted(connection.exec_driver_sql(f"SELECT * FROM {t}")) for t in tables}


def without_jobs(state: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    return {table: rows for table, rows in state.items() if table != "jobs"}


def _sorted(result) -> tuple:
    # Sorted in Python: PostgreSQL cannot order JSON columns, and has no rowid.
    return tuple(sorted((tuple(row) for row in result), key=repr))


def fill(rule, tenant: Tenant, own: Tenant, mix: str) -> dict[str, int]:
    """URL arguments: the tenant's ids, or own school with their scenario (and reverse)."""
    values = {}
    for name in rule.arguments:
        if "school" in name:
            values[name] = own.school_id if mix == "own-school" else tenant.school_id
        elif "user" in name:
            values[name] = tenant.user_id
        elif name in ("number", "revision", "revision_number"):
            values[name] = 1
        elif name == "year":
            values[name] = 2027
        elif name == "import_id":
            values[name] = tenant.import_id
        elif name == "child_id":
            values[name] = "S1"
        else:  # scenario ids and anything added later
            values[name] = own.scenario_id if mix == "own-scenario" else tenant.scenario_id
    return values


def mixes(rule) -> list[str]:
    names = " ".join(rule.arguments)
    if "school" in names and "scenario" in names:
        return ["foreign", "own-school", "own-scenario"]
    if "school" in names and "import" in names:
        return ["foreign", "own-school"]  # own school, another school's pending import
    return ["foreign"]


def payload(base: MultiDict, tenant: Tenant) -> MultiDict:
    """A form that a planner's request would succeed with, carrying the tenant's ids."""
    data = MultiDict(base)
    for key, value in {
        "name": "Matrix Plan",
        "year": "2031",
        "entry": "30",
        "source": str(tenant.scenario_id),
        "email": "matrix@test.example",
        "password": "matrix password 123",
        "role": Role.PLANNER,
        "schools": str(tenant.school_id),
        "archived": "1",
        "active": "0",
        "current": "not the current password",
        "new": "another password 1",
        "confirm": "another password 1",
    }.items():
        data[key] = value
    return data


def query_string(tenant: Tenant) -> str:
    ids = f"{tenant.scenario_id}"
    return f"?year=2027&revision=1&from=1&to=2&s={ids}&s={ids}&go=1&scenario={ids}"


def login_as(app, role: str):
    if role == "anonymous":
        return app.test_client()
    return conftest.logged_in(app, EMAILS[role])


def check(matrix, role, method, url, response, before, after, markers, endpoint, *, own_ids):
    """`before`/`after`: the whole database for requests with another tenant's ids in
    the URL; only that tenant's rows for routes without ids (an admin may add a
    school or a user of their own district there)."""
    matrix.requests += 1
    if role == Role.TEACHER and endpoint not in TEACHER_ROUTES and response.status_code != 403:
        matrix.violations.append(f"{role} {method} {url} -> {response.status_code}: not refused")
    matrix.statuses[response.status_code] = matrix.statuses.get(response.status_code, 0) + 1
    # Files (CSV, xlsx) too: a zipped workbook hides its text, so any success with
    # another tenant's ids counts as well (below).
    body = response.get_data().decode("utf-8", errors="replace")
    where = f"{role} {method} {url} -> {response.status_code}"
    if response.status_code >= 500:
        matrix.violations.append(f"{where}: server error")
    leaked = [m for m in markers if m.lower() in body.lower()]
    if leaked:
        matrix.violations.append(f"{where}: shows {leaked}")
    if role == "anonymous" and response.status_code < 300 and endpoint != "auth.login":
        matrix.violations.append(f"{where}: answered without a login")
    if before != after and endpoint not in OWN_ACCOUNT:
        matrix.violations.append(f"{where}: changed the database")
    if not own_ids and 200 <= response.status_code < 300:
        matrix.violations.append(f"{where}: answered another tenant's id")
    if (
        not own_ids
        and role != "anonymous"
        and method == "GET"
        and (endpoint.split(".")[0] != "admin" or role == Role.ADMIN)
        and response.status_code != 404
        # Teachers are refused every route not opened to them, before any lookup.
        and not (role == Role.TEACHER and endpoint not in TEACHER_ROUTES)
    ):
        matrix.violations.append(f"{where}: another tenant's id should answer 404")


def test_no_role_sees_or_changes_another_schools_or_districts_data(app, tenants, editor_form):
    own, sibling, faraway = tenants
    engine = db.engine
    matrix = Matrix()
    rules = [r for r in app.url_map.iter_rules() if r.endpoint != "static"]
    for role in ROLES:
        client = login_as(app, role)
        foreign = [faraway] if role == Role.ADMIN else [sibling, faraway]
        markers = [m for t in foreign for m in t.markers]
        if role == "anonymous":
            markers += ["Hillside Primary", PLANNER]
        for rule in rules:
            if not rule.arguments:
                targets = [(t, "foreign") for t in foreign]
            else:
                targets = [(t, mix) for t in foreign for mix in mixes(rule)]
            for tenant, mix in targets:
                url = app.url_map.bind("localhost").build(
                    rule.endpoint, fill(rule, tenant, own, mix)
                )
                for method in sorted(rule.methods - SKIPPED_METHODS):
                    state = snapshot if rule.arguments else partial(foreign_rows, tenants=foreign)
                    before = state(engine)
                    if method == "GET":
                        response = client.get(url + query_string(tenant))
                    else:
                        response = client.open(
                            url, method=method, data=payload(editor_form, tenant)
                        )
                    after = state(engine)
                    check(
                        matrix, role, method, url, response, before, after, markers,
                        rule.endpoint, own_ids=not rule.arguments,
                    )  # fmt: skip
                    if rule.endpoint in OWN_ACCOUNT and role != "anonymous":
                        client = login_as(app, role)  # logged out: log in again
    print(
        f"\nAccess matrix: {len(rules)} routes x {len(ROLES)} roles, {matrix.requests} requests;"
        f" answers {dict(sorted(matrix.statuses.items()))};"
        f" {len(matrix.violations)} leaked data or let a change through."
    )
    assert matrix.violations == []
    assert matrix.requests > 4 * len(rules)


def test_viewers_change_nothing_through_any_post_route(app, editor_form, editor_url):
    """Every POST route with the viewer's own school and a payload a planner succeeds with."""
    own_school = db.session.scalar(select(School).where(School.name == "Hillside Primary"))

    scenario_id = db.session.scalar(select(Scenario.id).where(Scenario.school_id == own_school.id))
    own = Tenant(own_school.id, scenario_id, 1)
    engine = db.engine
    viewer, planner = login_as(app, Role.VIEWER), login_as(app, Role.PLANNER)
    refused, tried = [], 0
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in OWN_ACCOUNT:
            continue
        url = app.url_map.bind("localhost").build(rule.endpoint, fill(rule, own, own, "foreign"))
        data = payload(editor_form, own)
        data["source"] = "blank"
        before = without_jobs(snapshot(engine))
        response = viewer.post(url, data=data)
        tried += 1
        if without_jobs(snapshot(engine)) != before:
            refused.append(f"viewer POST {url} -> {response.status_code} changed the database")
        assert response.status_code < 500, url
    assert refused == []
    assert tried >= 8
    # Viewers preview, and a preview may carry on as a job: their own, in their school,
    # are the only rows they can add (the jobs table is compared apart for that reason).
    viewer_id = db.session.scalar(select(User.id).where(User.email == VIEWER))
    with engine.connect() as connection:
        owners = set(connection.exec_driver_sql("SELECT school_id, created_by_id FROM jobs"))
    assert owners <= {(own.school_id, viewer_id)}
    # The same kind of request from a planner does change things: the check can fail.
    before = snapshot(engine)
    created = planner.post(
        f"/schools/{own.school_id}/scenarios",
        data={"name": "Planner's plan", "year": "2031", "source": "blank"},
    )
    assert created.status_code == 303
    assert snapshot(engine) != before
    saved = planner.post(f"{editor_url}/revisions", data=editor_form)
    assert saved.status_code == 303


def test_viewers_may_preview_but_see_no_editing_buttons(app, editor_url, editor_form):
    viewer = login_as(app, Role.VIEWER)
    assert viewer.get(editor_url).status_code == 200
    assert viewer.post(f"{editor_url}/edit", data=editor_form, headers=LIVE).status_code == 200
    assert viewer.post(f"{editor_url}/revisions", data=editor_form).status_code == 403
    editor = viewer.get(editor_url).get_data(as_text=True)
    assert "Save as a new revision" not in editor and 'id="read-only"' in editor
    # No editing control at all: the inputs are shown as facts.
    for control in ("Add a grade", "Type in a class", "Move up", "Allow this combination"):
        assert control not in editor
    assert 'name="action"' not in editor and 'type="text"' not in editor
    assert "Import grade counts" not in editor and "from this plan" not in editor
    assert "<dt>Teachers</dt><dd>6</dd>" in editor
    # The inputs still go with the form: the staffing curve loads for a viewer too.
    data = conftest.form_data(editor)
    staffing = viewer.post(f"{editor_url}/staffing", data=data, headers=HX)
    assert staffing.status_code == 200 and "staffing-chart" in staffing.get_data(as_text=True)
    # The pages that only make a change refuse a viewer before showing their form.
    for page in ("import", "next-year"):
        refused = viewer.get(f"{editor_url}/{page}")
        html = refused.get_data(as_text=True)
        assert refused.status_code == 403
        assert "Not available to your account" in html and "cannot make this change" in html
        assert "<form" not in html.split("<main>")[1]
    planner = login_as(app, Role.PLANNER)
    assert planner.get(f"{editor_url}/import").status_code == 200
    assert 'name="action"' in planner.get(editor_url).get_data(as_text=True)
    school_page = viewer.get(editor_url.split("/scenarios/")[0]).get_data(as_text=True)
    assert "Create scenario" not in school_page
    assert not re.search(r">\s*Adopt\s*<", school_page)


def test_anonymous_login_page_shows_nothing_of_any_school(anon):
    html = anon.get("/login").get_data(as_text=True)
    assert "Hillside" not in html and PASSWORD not in html


def test_teachers_are_refused_every_route_not_opened_to_them(app, editor_form):
    """Fail closed: with their own school's ids (and a child of their own class), a
    teacher gets 403 from every route but the few opened to them, by every method,
    and changes nothing through them."""
    own_school = db.session.scalar(select(School).where(School.name == "Hillside Primary"))
    scenario_id = db.session.scalar(select(Scenario.id).where(Scenario.school_id == own_school.id))
    teacher = conftest.add_user(TEACHER, Role.TEACHER, [own_school])
    teacher.class_label = "1B"
    db.session.commit()
    kid = roster_children.child(id="S1", name="Own Child", grade="1", categories={"from": "1B"})
    roster_store.save(own_school, 2027, [kid], "")
    pending = roster_store.add_import(own_school, 2027, "own.csv", b"Id,Name\nS1,Own", 3600)
    own = Tenant(own_school.id, scenario_id, teacher.id, import_id=pending)
    engine = db.engine
    client = login_as(app, Role.TEACHER)
    refused, opened, tried = [], set(), 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        url = app.url_map.bind("localhost").build(rule.endpoint, fill(rule, own, own, "foreign"))
        for method in sorted(rule.methods - SKIPPED_METHODS):
            before = without_jobs(snapshot(engine))
            if method == "GET":
                response = client.get(url + query_string(own))
            else:
                response = client.open(url, method=method, data=payload(editor_form, own))
            tried += 1
            assert response.status_code < 500, f"{method} {url}"
            if rule.endpoint in TEACHER_ROUTES:
                if response.status_code < 400:
                    opened.add(rule.endpoint)
                if rule.endpoint in OWN_ACCOUNT:
                    client = login_as(app, Role.TEACHER)
                continue
            if response.status_code != 403:
                refused.append(f"{method} {url} -> {response.status_code}")
            if without_jobs(snapshot(engine)) != before:
                refused.append(f"{method} {url} changed the database")
    assert refused == []
    assert tried > 50
    # The routes opened to teachers do answer them (the check above can pass only
    # because the others are refused, not because the teacher reaches nothing).
    assert {"schools.index", "rosters.index", "rosters.show", "rosters.edit_child"} <= opened
