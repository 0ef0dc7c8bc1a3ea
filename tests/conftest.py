"""Fixtures for the web app's tests: an app with its own temporary database per test.

Every test app has a district with the school "Hillside Primary" and one user of
each role (`ADMIN`, `PLANNER`, `VIEWER`, password `PASSWORD`; the planner and
the viewer work at Hillside Primary). `client` is logged in as the planner;
`anon` is not logged in; `auth.login(email=...)` / `auth.logout()` switch.

Test code itself runs unrestricted by the tenancy filter, as commands do:
requests are still scoped to their user's schools.
"""

from __future__ import annotations

import itertools
import re
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from threading import Barrier

import pytest
from argon2 import PasswordHasher
from werkzeug.datastructures import MultiDict

from crunch import create_app, tenancy
from crunch.extensions import db
from crunch.models import District, Role, School, User
from crunch.planning import start_plan
from crunch.schools import store
from tests import databases
from tests.form_fields import editor_fields

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


def grade(name: str, students: int, low: int = 15, high: int = 25) -> dict:
    """A grade of a scenario's inputs: its children and its class-size limits."""
    return {"name": name, "students": students, "min_size": low, "max_size": high}


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


@pytest.fixture
def app_with(tmp_path):
    """`app_with(**settings)`: a school_app with settings of the test's own, in context
    until the test ends (each call a database of its own)."""
    with ExitStack() as apps:
        made = itertools.count(1)

        def make(**overrides):
            path = tmp_path / f"settings-{next(made)}.sqlite"
            return apps.enter_context(school_app(path, **overrides))

        yield make


@pytest.fixture
def demo(tmp_path):
    """The demo district seeded once by `flask seed-demo`: (app, CLI runner, its result)."""
    app = make_app(tmp_path / "demo.sqlite", PREVIEW_TIME_LIMIT=5.0)
    with app.app_context():
        db.create_all()
        runner = app.test_cli_runner()
        first = runner.invoke(args=["seed-demo"])
        assert first.exit_code == 0, first.output
        yield app, runner, first
        db.session.remove()
        db.engine.dispose()


def stop_jobs(app) -> None:
    """Stop the app's background jobs, if a request started any (their threads write)."""
    runner = app.extensions.get("crunch.jobs")
    if runner is not None:
        runner.shutdown()


@pytest.fixture
def anon(app):
    """A client that has not logged in."""
    return app.test_client()


def logged_in(app, email: str = PLANNER):
    """A new client of `app`, logged in as `email`."""
    client = app.test_client()
    AuthActions(client).login(email)
    return client


def post_at_once(app, email: str, path: str, data: dict, times: int = 8) -> list[int]:
    """`times` users `email` post the same form at the same moment (threads, one client
    each): the sorted answer statuses."""
    clients = [logged_in(app, email) for _ in range(times)]
    start = Barrier(times)

    def post(client):
        start.wait()
        return client.post(path, data=data).status_code

    with ThreadPoolExecutor(times) as pool:
        return sorted(pool.map(post, clients))


@pytest.fixture
def client(app):
    """A client logged in as the planner of Hillside Primary."""
    return logged_in(app)


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


@pytest.fixture
def formula_url(app):
    """The URL of a plan whose grade is named like a spreadsheet formula, "=1+1"."""
    school = add_school("Formula School")
    inputs = {"teachers": 1, "grades": [grade("=1+1", 10, 1, 20)]}
    scenario = save_scenario(school, "Plan F", inputs)
    return f"/schools/{school.id}/scenarios/{scenario.id}"


HX = {"HX-Request": "true"}
# Typing (sent by the inputs' section) and a button (sent by the form): both redraw the editor.
LIVE = {"HX-Request": "true", "HX-Target": "editor", "HX-Trigger": "inputs"}
EDITOR = {"HX-Request": "true", "HX-Target": "editor", "HX-Trigger": "editor"}


def form_data(html: str) -> MultiDict:
    """The values the editor form would post, read from its HTML as a browser would."""
    return MultiDict(editor_fields(html))


@pytest.fixture
def editor_form(client, editor_url):
    """The editor form's current values, as posted by a browser."""
    response = client.get(editor_url)
    assert response.status_code == 200
    return form_data(response.get_data(as_text=True))
