"""Slow work in a real browser under the real CSP: the polling status and Cancel, and a
preview that ran out of time carried on in the background until its answer is shown."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_editor
from tests.jobs_support import K12_FEWEST

pytestmark = pytest.mark.browser


@pytest.fixture
def slow_editor(app, live_server):
    """A K-12 school at its fewest teachers: its preview runs out of time unproved."""
    return new_editor(app, live_server, K12_FEWEST, "Browser K-12")


def cancel_if_running(page, selector: str) -> None:
    button = page.locator(f"{selector} .job-cancel")
    if button.count():
        button.click()
        expect(page.locator(f"{selector} .job-cancel")).to_have_count(0)


def test_a_slow_job_polls_shows_its_progress_and_cancels(page, slow_editor, console):
    page.goto(slow_editor)
    expect(page.locator("#background-note")).to_be_visible(timeout=30_000)
    # The staffing curve of slow inputs is a job of its own: it polls too.
    expect(page.locator("#staffing.job")).to_be_visible()

    page.get_by_role("button", name="Find other options").click()
    status = page.locator("#options.job")
    expect(status).to_contain_text("Working in the background")
    expect(status).to_have_attribute("hx-trigger", "every 1s")
    # Polling replaces the element: the best allocation so far appears while it runs.
    expect(status.locator(".job-best")).to_be_visible(timeout=30_000)

    status.get_by_role("button", name="Cancel").click()
    expect(page.locator("#options")).to_contain_text("Cancelled")
    expect(page.locator("#options .job-best")).to_contain_text("Best allocation found")
    expect(page.locator("#options [hx-trigger]")).to_have_count(0)
    expect(page.locator("#options.job")).not_to_have_attribute("hx-trigger", "every 1s")
    cancel_if_running(page, "#staffing")


def test_an_unfinished_preview_carries_on_and_cancel_keeps_the_table(page, slow_editor, console):
    page.goto(slow_editor)
    status = page.locator("#solve.job")
    expect(status).to_contain_text("Working in the background", timeout=30_000)
    rows = page.locator("#results > .table-wrap table.classes tbody tr").count()
    assert rows > 0
    expect(status.locator(".job-best")).to_be_visible(timeout=30_000)
    status.get_by_role("button", name="Cancel").click()
    expect(page.locator("#solve")).to_contain_text("Cancelled")
    expect(page.locator("#solve [hx-trigger]")).to_have_count(0)
    # The last good answer stays on screen.
    expect(page.locator("#results > .table-wrap table.classes tbody tr")).to_have_count(rows)
    cancel_if_running(page, "#staffing")


def test_the_background_answer_replaces_the_preview_and_fix_takes_its_row(
    page, slow_editor, console
):
    page.goto(slow_editor)
    expect(page.locator("#solve.job")).to_be_visible(timeout=30_000)
    # The job's solver stops at its limit (6 s here); its answer redraws the results.
    expect(page.locator("#solved-note")).to_contain_text(
        "Worked out in the background", timeout=45_000
    )
    expect(page.locator("#solve")).to_have_count(0)  # no second job for that answer
    solved_by = page.locator("#solved-by").get_attribute("value")
    assert solved_by and solved_by.isdigit()
    first_row = page.locator("#results > .table-wrap table.classes tbody tr").first
    counts = [cell.strip() for cell in first_row.locator("td").all_inner_texts()]
    first_row.get_by_role("button", name="Fix").click()
    expect(page.locator(".status .note")).to_contain_text("is fixed (marked Fixed", timeout=30_000)
    fixed = [
        page.locator(f"#locked-0-counts-{i}").input_value()
        for i in range(len(K12_FEWEST["grades"]))
    ]
    assert fixed == counts[: len(fixed)]
    cancel_if_running(page, "#staffing")
    cancel_if_running(page, "#solve")
