"""A teacher's day at a phone's width: log in, land on their school's roster with
their class only, edit a child of their class, and be refused another class's
child; axe-core on each page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from crunch.extensions import db
from crunch.models import District, Role, School
from crunch.rosters import children as roster_children
from crunch.rosters import store
from tests.browser.axe import assert_accessible
from tests.conftest import HILLSIDE, PASSWORD, add_user, save_scenario

pytestmark = pytest.mark.browser
EMAIL = "browser.teacher@test.example"
YEAR = 2033


def teacher_school(app) -> int:
    """A school of its own (other browser tests add rosters to the shared one), with
    a plan for its grades and a roster of two classes; the teacher teaches 1B."""
    with app.app_context():
        school = School(district=db.session.scalar(db.select(District)), name="Teacher School")
        db.session.add(school)
        db.session.commit()
        save_scenario(school, "Plan A", HILLSIDE, year=YEAR)
        mine = {"gender": "F", "from": "1B"}
        theirs = {"gender": "M", "from": "2A"}
        store.save(
            school,
            YEAR,
            [
                roster_children.child(id="T1", name="Ava Chen", grade="1", categories=mine),
                roster_children.child(id="T2", name="Ben Other", grade="1", categories=theirs),
            ],
            "First list.",
        )
        teacher = add_user(EMAIL, Role.TEACHER, [school])
        teacher.name, teacher.class_label = "Ms Lee", "1B"
        db.session.commit()
        school_id = school.id
        db.session.remove()
        db.engine.dispose()
    return school_id


def test_a_teacher_edits_their_class_at_390_px(app, browser, console, live_server):
    school_id = teacher_school(app)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    page.goto(live_server.url("/login"))
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    roster = live_server.url(f"/schools/{school_id}/rosters/{YEAR}")
    page.wait_for_url(roster)
    table = page.locator("table.roster")
    expect(table).to_contain_text("Ava Chen")
    expect(table).not_to_contain_text("Ben Other")
    expect(page.get_by_role("link", name="District overview")).to_have_count(0)
    expect(page.get_by_role("link", name="Add a child")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page, "teacher's roster at 390 px")

    page.get_by_role("link", name="T1").click()
    assert_accessible(page, "teacher's child form at 390 px")
    page.locator("#tags").fill("EAL; IEP")
    page.get_by_role("button", name="Save as a new revision").click()
    page.wait_for_url(roster)
    expect(page.get_by_role("status")).to_contain_text("Saved as revision 2")
    expect(page.locator("table.roster td.changed")).to_contain_text("Ms Lee")

    page.goto(live_server.url(f"/schools/{school_id}/rosters/{YEAR}/children/T2"))
    expect(page.locator("main")).to_contain_text("changes the children of 1B only")
    expect(page.locator("main")).not_to_contain_text("Ben Other")
    assert_accessible(page, "teacher refused another class at 390 px")
    page.goto(live_server.url("/district"))
    expect(page.locator("h1")).to_contain_text("Not available to your account")
    context.close()
