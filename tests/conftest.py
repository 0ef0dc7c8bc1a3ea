"""Fixtures for the web app's tests: an app with its own temporary database per test.

Every test app has a district with the school "Hillside Primary" and one user of
each role (`ADMIN`, `PLANNER`, `VIEWER`, password `PASSWORD`; the planner and
the viewer work at Hillside Primary). `client` is logged in as the planner;
`anon` is not logged in; `auth.login(email=...)` / `auth.logout()` switch.

Test code itself runs unrestricted by the tenancy filter, as commands do:
requests are still scoped to their user's schools.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from html import unescape

import pytest
from argon2 import PasswordHasher
from werkzeug.datastructures import MultiDict

from crunch import create_app, tenancy
from crunch.extensions import db
from crunch.models import District, Role, School, User
from crunch.planning import start_plan
from crunch.schools import store
from tests import databases

# The example of docs/scenario.md, small enough to solve in milliseconds.
HILLSIDE = {
    "teachers": 6,
    "min_subclass_size": 5,
    "grades": [
        {"name": "K", "students": 32, "min_size": 15, "max_size": 22},
        {"name": "1", "students": 57, "min_size": 15, "max_size": 25},
        {"name": "2", "students": 21, "min_size": 15, "max_size": 25},
    ],
    "composites": [{"grades": ["K", "1"]}, {"grades": ["1", "2"], "max_size": 24}],
    "priorities": ["classes", "composites", "balance"],
}


ADMIN = "admin@test.example"
PLANNER = "planner@test.example"
VIEWER = "viewer@test.example"
PASSWORD = "correct horse battery"
# Hashed once, with argon2's cheapest settings: verifying reads the settings from
# the hash, so logging in costs the tests next to nothing. The app's own hashes
# use argon2-cffi's defaults.
PASSWORD_HASH = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)


def make_app(database_path, **overrides):
    """A test app with an empty database of its own: the SQLite file `database_path`,
    or a fresh PostgreSQL schema when CRUNCH_TEST_DATABASE_URL is set (tests/databases.py)."""
    config = {
        "TESTING": True,
        "SECRET_KEY": "test secret",
        **databases.config_for(database_path),
        "WTF_CSRF_ENABLED": False,
        "PREVIEW_TIME_LIMIT": 10.0,
        # Solves in the request's thread, so tests can swap the solver in this
        # process; tests/test_pool.py runs the real pool of solving processes.
        "SOLVER_POOL_SIZE": 0,
        # The throttling tests turn it on; elsewhere logins are not counted.
        "RATELIMIT_ENABLED": False,
        **overrides,
    }
    app = create_app(config)
    databases.track(app)
    return app


@pytest.fixture(autouse=True)
def _close_idle_connections():
    """On PostgreSQL, no test leaves pooled connections of its apps open behind it."""
    yield
    databases.close_idle_connections()


def pytest_sessionfinish(session, exitstatus):
    databases.drop_session_database()


def pytest_report_header(config):
    if databases.on_postgres():
        return f"database: PostgreSQL ({databases.make_url(databases.TEST_DATABASE_URL)!r})"
    return "database: SQLite (set CRUNCH_TEST_DATABASE_URL for PostgreSQL)"


# Test set-up and checks see every row, as commands do; requests stay scoped to
# their user. (Set for the whole test process: a plugin's fixtures may build the
# app before any fixture here runs. tests/test_tenancy.py checks the closed default.)
tenancy.see_everything_outside_requests()


def add_user(email: str, role: str, schools=(), district=None, password_hash=PASSWORD_HASH):
    district = district or db.session.scalar(db.select(District))
    user = User(
        district=district,
        email=email,
        name=email.split("@")[0].title(),
        role=role,
        password_hash=password_hash,
    )
    user.schools = list(schools)
    db.session.add(user)
    db.session.commit()
    return user


def add_users(school) -> None:
    """One user of each role: the admin sees the district, the others `school`."""
    add_user(ADMIN, Role.ADMIN, district=school.district)
    add_user(PLANNER, Role.PLANNER, [school])
    add_user(VIEWER, Role.VIEWER, [school])


def csrf_token_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]*)"', html)
    return match.group(1) if match else ""


def login(client, email: str = PLANNER, password: str = PASSWORD):
    """Log `client` in through the login form (with its CSRF token); returns the response."""
    token = csrf_token_of(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email: str = PLANNER, password: str = PASSWORD):
        response = login(self._client, email, password)
        assert response.status_code == 303, response.get_data(as_text=True)
        return response

    def logout(self):
        return self._client.post("/logout")


def add_school(name: str = "Hillside Primary", inputs: dict | None = None, year: int = 2027):
    """A district, a school and one scenario whose first revision is solved."""
    district = db.session.scalar(db.select(District)) or District(name="Test District")
    school = School(district=district, name=name)
    db.session.add(school)
    # The test planner and viewer work at every school added this way.
    for user in db.session.scalars(db.select(User).where(User.email.in_([PLANNER, VIEWER]))):
        user.schools.append(school)
    db.session.commit()
    save_scenario(school, "Plan A", inputs or HILLSIDE, year=year)
    return school


def save_scenario(school, name, inputs, *, year=2027, note="Test plan."):
    return start_plan(school, year=year, name=name, inputs=inputs, note=note)


@contextmanager
def school_app(database_path, **overrides):
    """A test app (make_app) in context, with the test school, its scenario and users;
    its background jobs are stopped and its connections closed afterwards."""
    app = make_app(database_path, **overrides)
    with app.app_context():
        db.create_all()
        add_users(add_school())
        yield app
        stop_jobs(app)
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app(tmp_path):
    with school_app(tmp_path / "test.sqlite") as app:
        yield app


def stop_jobs(app) -> None:
    """Stop the app's background jobs, if a request started any (their threads write)."""
    runner = app.extensions.get("crunch.jobs")
    if runner is not None:
        runner.shutdown()


@pytest.fixture
def anon(app):
    """A client that has not logged in."""
    return app.test_client()


@pytest.fixture
def client(app):
    """A client logged in as the planner of Hillside Primary."""
    client = app.test_client()
    AuthActions(client).login(PLANNER)
    return client


@pytest.fixture
def auth(client):
    """Log `client` in as someone else: `auth.login(email=ADMIN)`, `auth.logout()`."""
    return AuthActions(client)


@pytest.fixture
def school(app):
    return db.session.scalar(db.select(School).where(School.name == "Hillside Primary"))


@pytest.fixture
def scenario(school):
    return store.scenarios_of(school, 2027)[0]


@pytest.fixture
def editor_url(scenario):
    return f"/schools/{scenario.school_id}/scenarios/{scenario.id}"


HX = {"HX-Request": "true"}
LIVE = {"HX-Request": "true", "HX-Target": "results"}
EDITOR = {"HX-Request": "true", "HX-Target": "editor"}


def form_data(html: str) -> MultiDict:
    """The values the editor form would post, read from its HTML as a browser would."""
    start = html.index('<form id="editor"')
    end = html.index("</form>", start)
    data = MultiDict()
    for match in re.finditer(r"<input([^>]*)>", html[start:end]):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(1)))
        name = attrs.get("name")
        if not name or name == "combine":
            continue
        if attrs.get("type") == "checkbox" and not re.search(r"\bchecked\b", match.group(1)):
            continue
        data.add(name, unescape(attrs.get("value", "")))
    return data


@pytest.fixture
def editor_form(client, editor_url):
    """The editor form's current values, as posted by a browser."""
    response = client.get(editor_url)
    assert response.status_code == 200
    return form_data(response.get_data(as_text=True))
