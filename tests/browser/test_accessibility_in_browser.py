"""WCAG 2.2 AA (issue 16), checked by axe-core on every page and every state of the
editor's fragments: no violation of impact serious or critical anywhere."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.axe import describe, violations
from tests.browser.conftest import log_in, new_editor
from tests.conftest import ADMIN, HILLSIDE, PASSWORD, VIEWER
from tests.jobs_support import K12_FEWEST

pytestmark = pytest.mark.browser

CLASS_ROWS = "#results table.classes tbody tr:not(.unused)"


class Sweep:
    """Runs axe on each state and gathers every failure, so one run lists them all."""

    def __init__(self, page):
        self.page = page
        self.failures: list[str] = []

    def check(self, where: str) -> None:
        found = violations(self.page)
        if found:
            self.failures.append(f"{where}:\n{describe(found)}")

    def visit(self, url: str, where: str) -> None:
        self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        self.check(where)

    def done(self) -> None:
        assert not self.failures, "\n\n".join(self.failures)


def open_editor(page, url: str) -> None:
    page.goto(url)
    expect(page.locator(CLASS_ROWS).first).to_be_visible()
    expect(page.locator("#staffing table")).to_be_visible()


def test_login_and_error_pages(anonymous_page, live_server):
    page = anonymous_page
    sweep = Sweep(page)
    sweep.visit(live_server.url("/login"), "login")
    page.locator("#email").fill("nobody@test.example")
    page.locator("#password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".field-error")).not_to_have_text("")
    sweep.check("login with an error")
    log_in(page, live_server)
    page.goto(live_server.url("/schools/999999"))
    sweep.check("404 page")
    sweep.done()


def test_the_editor_in_each_state(page, editor):
    sweep = Sweep(page)
    open_editor(page, editor)
    sweep.check("editor with results and staffing curve")

    page.get_by_role("button", name="Find other options").click()
    expect(page.get_by_role("button", name="Show this option").first).to_be_visible()
    sweep.check("editor with other options")

    page.locator("#teachers").fill("five")
    expect(page.locator("#err-teachers")).not_to_have_text("")
    sweep.check("editor with an error beside a field")

    page.locator("#teachers").fill("3")
    expect(page.locator("button.suggestion").first).to_be_visible()
    expect(page.locator("#staffing table")).to_be_visible()
    sweep.check("editor with an infeasible answer and its suggestions")

    page.locator("button.suggestion").first.click()
    expect(page.locator(".status .note")).to_contain_text("Applied:")
    page.get_by_role("button", name=re.compile("^Fix class 1")).click()
    expect(page.locator("#results .badge.fixed")).to_have_count(1)
    sweep.check("editor with a fixed class")

    page.get_by_role("button", name="Save as a new revision").click()
    expect(page.locator("#flash")).to_contain_text("Saved as revision")
    sweep.check("editor after a save")

    page.emulate_media(media="print")
    sweep.check("editor printed")
    page.emulate_media(media="screen")
    sweep.done()


def test_a_running_and_a_cancelled_job(page, app, live_server):
    sweep = Sweep(page)
    page.goto(new_editor(app, live_server, K12_FEWEST, "Axe K-12"))
    # The staffing curve of a K-12 school at its fewest teachers is a long job.
    # (Queued behind other tests' jobs, or running: either way it has a Cancel button.)
    cancel = page.locator("#staffing.job .job-cancel")
    expect(cancel).to_be_visible(timeout=30_000)
    sweep.check("editor with a running job")
    cancel.click()
    expect(page.locator("#staffing")).to_contain_text("Cancelled")
    sweep.check("editor with a cancelled job")
    button = page.locator("#solve .job-cancel")
    if button.count():
        button.click()
        expect(page.locator("#solve .job-cancel")).to_have_count(0)
    sweep.done()


def test_every_other_page_of_a_planner(page, app, live_server):
    sweep = Sweep(page)
    first = new_editor(app, live_server, HILLSIDE, "Axe A")
    other = dict(HILLSIDE, teachers=5)
    second = new_editor(app, live_server, other, "Axe B")
    school = first.split("/scenarios/")[0]
    ids = [url.rsplit("/", 1)[-1] for url in (first, second)]
    pages = {
        "schools": live_server.url("/"),
        "school": school,
        "history": f"{first}/history",
        "revision": f"{first}/revisions/1",
        "compare": f"{school}/compare?s={ids[0]}&s={ids[1]}",
        "next year": f"{first}/next-year",
        "import": f"{first}/import",
        "district overview": live_server.url("/district"),
        "password": live_server.url("/account/password"),
        "glossary": live_server.url("/glossary"),
    }
    for where, url in pages.items():
        sweep.visit(url, where)

    page.goto(f"{school}/compare?s={ids[0]}&go=1")
    expect(page.locator("#err-s")).not_to_have_text("")
    sweep.check("compare with an error")

    page.goto(f"{first}/import")
    page.locator("#file").set_input_files(
        files=[{"name": "counts.csv", "mimeType": "text/csv", "buffer": b"nothing,here\n"}]
    )
    page.get_by_role("button", name="Import and save as a new revision").click()
    expect(page.locator("#err-file")).not_to_have_text("")
    sweep.check("import with an error")

    page.goto(f"{first}/next-year")
    page.locator("form button[type=submit]").last.click()
    page.wait_for_load_state("networkidle")
    sweep.check("next year, submitted")
    sweep.done()


def test_admin_and_viewer_pages(anonymous_page, live_server, app):
    page = anonymous_page
    first = new_editor(app, live_server, HILLSIDE, "Axe admin")
    sweep = Sweep(page)
    log_in(page, live_server, ADMIN, PASSWORD)
    sweep.visit(live_server.url("/admin/schools"), "admin schools")
    sweep.visit(live_server.url("/admin/users"), "admin users")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#err-email")).not_to_have_text("")
    sweep.check("admin users with errors")
    page.locator("table.list a[href*='/admin/users/']").first.click()
    page.wait_for_load_state("networkidle")
    sweep.check("admin user")
    page.get_by_role("button", name="Log out").click()
    log_in(page, live_server, VIEWER, PASSWORD)
    open_editor(page, first)
    sweep.check("editor of a viewer")
    sweep.done()


def test_main_pages_at_a_phones_width(page, app, live_server):
    """The same rules at 390 px, where the header wraps and targets shrink (2.5.8)."""
    page.set_viewport_size({"width": 390, "height": 844})
    sweep = Sweep(page)
    first = new_editor(app, live_server, HILLSIDE, "Axe phone")
    school = first.split("/scenarios/")[0]
    pages = {
        "schools": live_server.url("/"),
        "school": school,
        "history": f"{first}/history",
        "import": f"{first}/import",
        "rosters": f"{school}/rosters",
        "glossary": live_server.url("/glossary"),
    }
    for where, url in pages.items():
        sweep.visit(url, f"{where} at 390 px")
    open_editor(page, first)
    sweep.check("editor at 390 px")
    page.get_by_role("button", name="Log out").click()
    sweep.visit(live_server.url("/login"), "login at 390 px")
    sweep.done()
