"""The editor with a keyboard and a screen reader (issue 16): a whole plan made with
keys alone, focus always visible and never lost, and one short announcement per update."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_accessible

pytestmark = pytest.mark.browser

CLASS_ROWS = "#results table.classes tbody tr:not(.unused)"

# Where focus is, and whether it shows: an outline of at least 2 px.
FOCUS = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  return {
    what: `${e.tagName} ${e.id} ${(e.getAttribute('aria-label') || e.textContent).slice(0, 40)}`,
    visible: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2,
  };
}"""


def is_focused(page, selector: str) -> bool:
    return page.evaluate("s => !!document.activeElement?.matches(s)", selector)


def tab_to(page, selector: str, key: str = "Tab", limit: int = 250) -> None:
    """Press Tab (or Shift+Tab) until `selector` has focus; each stop must show its focus."""
    page.wait_for_load_state()
    for _ in range(limit):
        page.keyboard.press(key)
        where = page.evaluate(FOCUS)
        assert where is None or where["visible"], f"focus not visible on {where['what']}"
        if is_focused(page, selector):
            return
    raise AssertionError(f"{key} never reached {selector}")


def open_editor(page, url: str) -> None:
    page.goto(url)
    expect(page.locator(CLASS_ROWS)).to_have_count(6)
    expect(page.locator("#staffing table")).to_be_visible()


def test_plan_apply_fix_save_and_compare_with_the_keyboard_alone(page, editor):
    open_editor(page, editor)
    tab_to(page, "#teachers")
    page.keyboard.press("Control+A")
    page.keyboard.type("3")
    expect(page.locator("button.suggestion").first).to_be_visible()
    expect(page.locator("#teachers")).to_be_focused()

    tab_to(page, "button.suggestion")
    page.keyboard.press("Enter")
    expect(page.locator(".status .note")).to_contain_text("Applied:")
    expect(page.locator(".diagnosis")).to_have_count(0)
    # The pressed button is gone: focus waits on the status line, not on the page's body.
    expect(page.locator("#results .status")).to_be_focused()
    # A redraw of the whole editor is announced too, in one line.
    expect(page.locator("#results-live")).to_have_text(re.compile(r"^\d+ classes, proved best\.$"))

    tab_to(page, "#results button[value^='lock:']")
    page.keyboard.press("Space")
    expect(page.locator("#results .badge.fixed")).to_have_count(1)
    expect(page.locator("#editor :focus")).to_have_count(1)  # not lost to the body

    tab_to(page, "button[formaction$='/revisions']")
    page.keyboard.press("Enter")
    expect(page.locator("#flash")).to_contain_text("Saved as revision 2.")

    tab_to(page, "a[href*='/compare']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text("Compare scenarios")
    tab_to(page, "input[name=s]:not(:checked)")
    page.keyboard.press("Space")
    tab_to(page, "button[name=go]")
    page.keyboard.press("Enter")
    expect(page.locator("table.compare")).to_be_visible()
    assert_accessible(page, "comparison reached with the keyboard")


def test_no_keyboard_trap_on_the_editor(page, editor):
    open_editor(page, editor)
    # Forward from the top to the last link of the page, and back to the first one.
    tab_to(page, "footer a", limit=400)
    tab_to(page, "a.skip-link", key="Shift+Tab", limit=400)
    page.keyboard.press("Enter")
    expect(page.locator("#content")).to_be_focused()


def test_typing_is_announced_once_and_keeps_focus_caret_and_errors_tied(page, editor):
    open_editor(page, editor)
    live = page.locator("#results-live")
    expect(live).to_have_attribute("role", "status")
    expect(live).to_have_text("")  # nothing said on page load
    page.evaluate("document.getElementById('results-live').dataset.kept = 'yes'")

    teachers = page.locator("#teachers")
    teachers.focus()
    page.keyboard.press("End")
    page.keyboard.press("Backspace")
    page.keyboard.type("5")
    expect(page.locator(CLASS_ROWS)).to_have_count(5)
    expect(live).to_have_text("5 classes, proved best.")
    expect(teachers).to_be_focused()
    assert teachers.evaluate("e => [e.selectionStart, e.selectionEnd]") == [1, 1]

    # A mistake: the message beside the field, tied to it, and said in a line.
    page.keyboard.press("Home")
    page.keyboard.type("x")
    expect(page.locator("#err-teachers")).not_to_have_text("")
    expect(teachers).to_have_attribute("aria-invalid", "true")
    expect(teachers).to_have_attribute("aria-describedby", "err-teachers")
    expect(live).to_have_text("Some inputs need fixing: see the messages beside them.")
    expect(teachers).to_be_focused()
    assert teachers.evaluate("e => [e.selectionStart, e.selectionEnd]") == [1, 1]

    page.keyboard.press("Delete")
    page.keyboard.press("Backspace")
    page.keyboard.type("3")
    expect(live).to_have_text(re.compile(r"^No allocation fits: \d+ suggestions?\.$"))
    expect(teachers).not_to_have_attribute("aria-invalid", "true")
    # The live region is one element, filled anew, never replaced (a replaced region
    # is often not announced at all); the table itself is not in it.
    assert live.evaluate("e => e.dataset.kept") == "yes"
    assert live.evaluate("e => e.closest('#results')") is None
