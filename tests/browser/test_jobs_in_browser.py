"""Slow work in a real browser under the real CSP: the polling status and Cancel."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from crunch.extensions import db
from crunch.models import School
from tests.conftest import save_scenario
from tests.test_jobs_support import K12_FEWEST

pytestmark = pytest.mark.browser


@pytest.fixture
def slow_editor(app, live_server):
    """A K-12 school at its fewest teachers: its preview runs out of time unproved."""
    with app.app_context():
        school = db.session.scalar(db.select(School))
        scenario = save_scenario(school, "Browser K-12", K12_FEWEST)
        url = live_server.url(f"/schools/{school.id}/scenarios/{scenario.id}")
        db.session.remove()
        db.engine.dispose()
    return url


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
