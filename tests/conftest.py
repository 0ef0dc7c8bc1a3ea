"""Fixtures for the web app's tests: an app with its own temporary database per test."""

from __future__ import annotations

import re
from html import unescape

import pytest
from werkzeug.datastructures import MultiDict

from crunch import create_app
from crunch.extensions import db
from crunch.models import District, School
from crunch.services import scenarios as store
from crunch.services.drafts import Draft, check
from crunch.services.planning import make_plan

# The example of spec/scenario.md, small enough to solve in milliseconds.
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


def make_app(database_path, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database_path}",
        "WTF_CSRF_ENABLED": False,
        "PREVIEW_TIME_LIMIT": 10.0,
        **overrides,
    }
    return create_app(config)


def add_school(name: str = "Hillside Primary", inputs: dict | None = None, year: int = 2027):
    """A district, a school and one scenario whose first revision is solved."""
    district = db.session.scalar(db.select(District)) or District(name="Test District")
    school = School(district=district, name=name)
    db.session.add(school)
    db.session.commit()
    save_scenario(school, "Plan A", inputs or HILLSIDE, year=year)
    return school


def save_scenario(school, name, inputs, *, year=2027, note="Test plan."):
    draft = Draft.from_inputs(inputs)
    checked = check(draft.form(), draft)
    plan = make_plan(checked.scenario, checked.inputs) if checked.scenario else None
    return store.create_scenario(
        school,
        year=year,
        name=name,
        inputs=checked.inputs or inputs,
        allocation=plan.saved_allocation() if plan else None,
        status=str(plan.solution.status) if plan else "invalid",
        note=note,
    )


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path / "test.sqlite")
    with app.app_context():
        db.create_all()
        add_school()
        yield app
        db.session.remove()
        db.engine.dispose()


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
