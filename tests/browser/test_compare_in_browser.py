"""The compare and history pages in a real browser under the real CSP."""

from __future__ import annotations

import copy
import itertools

import pytest
from playwright.sync_api import expect

from crunch.extensions import db
from crunch.models import School
from tests.conftest import HILLSIDE, save_scenario

pytestmark = pytest.mark.browser
_names = itertools.count(1)


@pytest.fixture
def two_plans(app, live_server):
    """Two new scenarios of the test school: the second has one teacher fewer and
    five more children in grade 1."""
    other = copy.deepcopy(HILLSIDE)
    other["teachers"] = 5
    other["grades"][1]["students"] = 62
    n = next(_names)
    with app.app_context():
        school = db.session.scalar(db.select(School))
        first = save_scenario(school, f"Compare A{n}", HILLSIDE, year=2030 + n)
        second = save_scenario(school, f"Compare B{n}", other, year=2030 + n)
        ids = (school.id, first.id, second.id, first.title, second.title)
        db.session.remove()
        db.engine.dispose()
    return ids


def test_compare_page_shows_two_scenarios_and_their_differences(page, live_server, two_plans):
    school_id, first_id, second_id, first_title, second_title = two_plans
    page.goto(live_server.url(f"/schools/{school_id}/compare?s={first_id}"))
    expect(page.locator("#comparison table.compare")).to_have_count(0)

    page.get_by_label(second_title).check()
    page.get_by_role("button", name="Compare").click()

    table = page.locator("#comparison table.compare")
    expect(table).to_be_visible()
    header = table.locator("thead th")
    expect(header.nth(1)).to_contain_text(first_title)
    expect(header.nth(2)).to_contain_text(second_title)
    teachers = table.locator("tr", has=page.locator("th", has_text="Teachers"))
    expect(teachers.locator("td").nth(0)).to_have_text("6")
    expect(teachers.locator("td").nth(1)).to_have_text("5")
    expect(teachers.locator("td.differs")).to_have_count(1)
    changes = table.locator("td.changes-cell")
    expect(changes).to_contain_text("Grade 1: 57 -> 62 children")
    expect(changes).to_contain_text("teachers 6 -> 5")
    expect(page.locator("#comparison figure.chart svg")).to_have_count(2)
    # The address names the scenarios, so the comparison can be bookmarked or shared.
    assert f"s={first_id}" in page.url and f"s={second_id}" in page.url


def test_compare_asks_for_a_second_scenario(page, live_server, two_plans):
    school_id, first_id, *_ = two_plans
    page.goto(live_server.url(f"/schools/{school_id}/compare?s={first_id}"))
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("#err-s")).to_have_text("Pick at least two scenarios to compare.")


def test_history_shows_the_changes_between_picked_revisions(page, editor):
    page.goto(editor)
    # The staffing curve loads after the page: wait so it cannot race the save.
    expect(page.locator("#staffing table")).to_be_visible()
    page.locator("#teachers").fill("5")
    expect(page.locator("#results .badge.unsaved")).to_be_visible()
    page.locator("#note").fill("One fewer")
    page.get_by_role("button", name="Save as a new revision").click()
    expect(page.locator("#flash")).to_contain_text("Saved as revision 2.")
    page.get_by_role("link", name="History: what changed, open or restore a revision").click()
    expect(page.locator("#diff")).to_contain_text("teachers 6 -> 5")
    page.locator("#to").select_option("1")
    expect(page.locator("#diff")).to_contain_text("Pick two different revisions")
    page.locator("#from").select_option("2")
    expect(page.locator("#diff")).to_contain_text("teachers 5 -> 6")
    page.get_by_role("button", name="Restore").click()
    expect(page.locator("#flash")).to_contain_text("Revision 1 restored as revision 3")
    expect(page.locator("#teachers")).to_have_value("6")
