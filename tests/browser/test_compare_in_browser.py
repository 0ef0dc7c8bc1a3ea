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
    # htmx binds the menus once the page has loaded; a choice made before is not sent
    page.wait_for_load_state("load")
    expect(page.locator("#diff")).to_contain_text("teachers 6 -> 5")
    page.locator("#to").select_option("1")
    expect(page.locator("#diff")).to_contain_text("Pick two different revisions")
    page.locator("#from").select_option("2")
    expect(page.locator("#diff")).to_contain_text("teachers 5 -> 6")
    page.get_by_role("button", name="Restore").click()
    expect(page.locator("#flash")).to_contain_text("Revision 1 restored as revision 3")
    expect(page.locator("#teachers")).to_have_value("6")


def open_editor(page, url):
    page.goto(url)
    # The staffing curve loads after the page: wait so it cannot race the test.
    expect(page.locator("#staffing table")).to_be_visible()


def test_a_stale_save_is_refused_with_the_other_change_one_click_away(browser, page, editor):
    # A second browser with the same cookies: the same user, where the app has logins.
    other = browser.new_context(storage_state=page.context.storage_state()).new_page()
    open_editor(page, editor)
    open_editor(other, editor)

    other.locator("#teachers").fill("5")
    expect(other.locator("#results .badge.unsaved")).to_be_visible()
    other.get_by_role("button", name="Save as a new revision").click()
    expect(other.locator("#flash")).to_contain_text("Saved as revision 2.")
    other.context.close()

    page.locator("#grades-0-students").fill("34")
    expect(page.locator("#results .badge.unsaved")).to_be_visible()
    page.get_by_role("button", name="Save as a new revision").click()
    conflict = page.locator("#conflict")
    expect(conflict).to_contain_text("Revision 2 was saved while you were editing revision 1.")
    expect(page.locator("#results .status")).to_contain_text("Not saved: revision 2 was saved")
    expect(page.locator("#grades-0-students")).to_have_value("34")  # the typing is kept
    link = conflict.get_by_role("link", name="See what revision 2 changed")
    assert "from=1&to=2" in (link.get_attribute("href") or "")

    # Saving again, knowingly, puts these inputs on top as revision 3.
    page.get_by_role("button", name="Save as a new revision").click()
    expect(page.locator("#flash")).to_contain_text("Saved as revision 3.")


def test_a_bad_import_file_is_a_message_beside_the_field(page, editor):
    page.goto(f"{editor}/import")
    page.locator("#file").set_input_files(
        {"name": "counts.csv", "mimeType": "text/csv", "buffer": b"Name,Count\nK,3\n"}
    )
    page.get_by_role("button", name="Import and save as a new revision").click()
    expect(page.locator("#err-file")).to_contain_text("The file has no Grade column")
    page.locator("#file").set_input_files(
        {"name": "counts.csv", "mimeType": "text/csv", "buffer": b"Grade,Count\nK,40\n"}
    )
    page.get_by_role("button", name="Import and save as a new revision").click()
    expect(page.locator("#flash")).to_contain_text("Imported counts.csv as revision 2")
    expect(page.locator("#grades-0-students")).to_have_value("40")
