"""What a principal does in the editor, in a real browser under the real CSP."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CLASS_ROWS = "#results table.classes tbody tr:not(.unused)"


def open_editor(page, url):
    page.goto(url)
    expect(page.locator(CLASS_ROWS)).to_have_count(6)
    # The staffing curve loads after the page: wait so it cannot race the test.
    expect(page.locator("#staffing table")).to_be_visible()


def test_typing_changes_the_table_and_keeps_the_cursor(page, editor, console):
    open_editor(page, editor)
    teachers = page.locator("#teachers")
    teachers.click()
    teachers.press("End")
    teachers.press("Backspace")
    teachers.type("5")
    expect(page.locator(CLASS_ROWS)).to_have_count(5)
    expect(teachers).to_be_focused()
    expect(teachers).to_have_value("5")

    # Invalid input: a message beside the field, the old table kept but marked stale.
    teachers.fill("five")
    expect(page.locator("#err-teachers")).to_have_text("Enter a whole number, such as 12.")
    expect(page.locator("#results")).to_have_class(re.compile(r"\bstale\b"))
    expect(page.locator(CLASS_ROWS)).to_have_count(5)
    expect(teachers).to_be_focused()

    teachers.fill("6")
    expect(page.locator("#err-teachers")).to_have_text("")
    expect(page.locator("#results")).not_to_have_class(re.compile(r"\bstale\b"))
    expect(page.locator(CLASS_ROWS)).to_have_count(6)

    # A composite checkbox posts on change, like typing.
    expect(page.locator("#results .badge.unsaved")).to_have_count(0)
    page.locator("#composites-1-enabled").uncheck()
    expect(page.locator("#results .badge.unsaved")).to_be_visible()
    page.locator("#composites-1-enabled").check()
    expect(page.locator("#results .badge.unsaved")).to_have_count(0)


def test_an_update_is_morphed_in_keeping_the_elements_on_screen(page, editor, console):
    open_editor(page, editor)
    page.evaluate("for (const id of ['teachers', 'results']) document.getElementById(id).kept = 1")
    page.locator("#teachers").fill("5")
    expect(page.locator(CLASS_ROWS)).to_have_count(5)
    # The same elements, morphed: not replaced by new ones, and no form inside the form.
    assert page.evaluate("['teachers', 'results'].map(id => document.getElementById(id).kept)") == [
        1,
        1,
    ]
    expect(page.locator("#editor #editor")).to_have_count(0)


def test_a_field_changed_while_an_answer_is_on_its_way_keeps_its_value(page, editor, console):
    open_editor(page, editor)
    held = []

    def hold_the_first(route):
        if held:
            route.continue_()
        else:
            held.append((route, route.fetch()))

    # Hold the answer to the first update until another field has been typed in.
    page.route("**/edit", hold_the_first)
    page.locator("#teachers").fill("5")
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    page.locator("#grades-0-students").fill("31")
    route, response = held[0]
    route.fulfill(response=response)
    expect(page.locator("#grades-0-students")).to_have_value("31")
    # ...and the next update sends it: the table is for 31 children in grade K.
    children_of_k = page.locator("#results table.summary tbody tr").first.locator("td").first
    expect(children_of_k).to_have_text("31")
    expect(page.locator("#grades-0-students")).to_have_value("31")
    expect(page.locator("#teachers")).to_have_value("5")


def test_save_and_reload_shows_the_saved_revision(page, editor):
    open_editor(page, editor)
    page.locator("#grades-0-students").fill("34")
    expect(page.locator("#results .badge.unsaved")).to_be_visible()
    page.locator("#note").fill("Two more in Kindergarten")
    page.get_by_role("button", name="Save as a new revision").click()
    expect(page.locator("#flash")).to_contain_text("Saved as revision 2.")

    page.reload()
    expect(page.locator("#grades-0-students")).to_have_value("34")
    expect(page.locator("#results")).to_contain_text("Saved in revision 2.")
    expect(page.locator("table.list tr.current")).to_contain_text("Two more in Kindergarten")
    expect(page.locator("#results .badge.unsaved")).to_have_count(0)


def test_infeasible_input_shows_the_diagnosis_and_a_suggestion_fixes_it(page, editor):
    open_editor(page, editor)
    page.locator("#teachers").fill("3")
    expect(page.locator(".diagnosis")).to_contain_text("Why there is no allocation")
    suggestion = page.locator("button.suggestion").first
    expect(suggestion).to_be_visible()
    suggestion.click()
    expect(page.locator(".status .note")).to_contain_text("Applied:")
    expect(page.locator("#results")).to_contain_text("Proved best")
    expect(page.locator(".diagnosis")).to_have_count(0)
    expect(page.locator("#teachers")).not_to_have_value("3")


def test_options_fix_a_class_and_add_a_grade(page, editor):
    open_editor(page, editor)
    page.get_by_role("button", name="Find other options").click()
    page.get_by_role("button", name="Show this option").first.click()
    expect(page.locator("#options")).to_contain_text("Showing option 2.")

    page.get_by_role("button", name=re.compile("^Fix class 1")).click()
    expect(page.locator("#results .badge.fixed")).to_have_count(1)
    expect(page.locator("input[name^='locked-0-counts-']")).to_have_count(3)

    page.get_by_role("button", name="Add a grade").click()
    expect(page.locator("#grades-3-name")).to_have_value("3")
    expect(page.locator("#comp-label-2")).to_have_text("2/3")
    page.locator("#grades-3-name").fill("Three")
    expect(page.locator("#comp-label-2")).to_have_text("2/Three")


def test_school_page_and_new_scenario(page, editor, live_server):
    page.goto(live_server.url("/"))
    page.get_by_role("link", name="Hillside Primary").click()
    expect(page.locator("h1")).to_have_text("Hillside Primary")
    page.locator("#name").fill("Plan from the browser")
    page.locator("#year-input").fill("2028")
    page.get_by_role("button", name="Create scenario").click()
    expect(page.locator("h1")).to_contain_text("2028 - Plan from the browser")
    # A blank start asks for the teachers and children rather than planning for none.
    expect(page.locator("#results")).to_contain_text("Start here")


def test_an_expired_session_says_so_instead_of_failing_silently(page, editor):
    open_editor(page, editor)
    # What a token from a session that has since ended looks like to the server.
    page.evaluate(
        """() => {
            document.body.setAttribute('hx-headers', JSON.stringify({'X-CSRFToken': 'stale'}));
            for (const i of document.querySelectorAll('input[name=csrf_token]')) i.value = 'stale';
        }"""
    )
    page.locator("#teachers").fill("5")
    expect(page.locator("#flash")).to_contain_text("open too long")
    expect(page.locator(CLASS_ROWS)).to_have_count(6)  # nothing changed behind the message


def test_print_shows_the_class_list_without_navigation_or_inputs(page, editor):
    open_editor(page, editor)
    page.emulate_media(media="print")
    expect(page.locator("table.classes")).to_be_visible()
    expect(page.locator("table.summary")).to_be_visible()
    for hidden in (
        "header.site",
        "section.inputs",
        "section.save",
        "#staffing",
        "section.revisions",
    ):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("button").first).to_be_hidden()
    expect(page.locator("h1")).to_contain_text("Hillside Primary: 2027 - Browser plan")


def test_a_new_row_gets_the_cursor(page, editor):
    open_editor(page, editor)
    page.get_by_role("button", name="Add a grade").click()
    expect(page.locator("#grades-3-name")).to_be_focused()
    page.get_by_role("button", name="Type in a class").click()
    expect(page.locator("#locked-0-counts-0")).to_be_focused()
