"""Browser tests: Debian's Chromium driven by Playwright against a live server.

pytest-flask's `live_server` is session-scoped and runs the app in a forked
process, so the app here is session-scoped too, and its database connections
are closed before the fork (a forked SQLite connection is not safe to share).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from crunch.extensions import db
from crunch.models import School
from tests.conftest import (
    HILLSIDE,
    PASSWORD,
    PLANNER,
    add_school,
    add_users,
    make_app,
    save_scenario,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser
_names = itertools.count(1)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    path = tmp_path_factory.mktemp("browser") / "browser.sqlite"
    # A short solver limit inside jobs: a K-12 preview carried on in the background
    # then finishes (unproved) within the test's patience.
    app = make_app(path, WTF_CSRF_ENABLED=True, JOBS_SOLVE_TIME_LIMIT=6.0)
    with app.app_context():
        db.create_all()
        add_users(add_school())
        db.session.remove()
        db.engine.dispose()
    return app


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    # Generous waits for a busy two-core CI machine; a passing run waits far less.
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def console(browser):
    """Console messages of the page; no test may end with a CSP violation among them."""
    messages: list[str] = []
    yield messages
    violations = [m for m in messages if "Content Security Policy" in m or "Refused to" in m]
    assert violations == []
    # htmx's own trouble: a swap whose target is missing. (A request cut short by
    # leaving the page is logged too, and is harmless.)
    problems = ("oobErrorNoTarget", "targetError", "swapError", "onLoadError")
    assert [m for m in messages if any(p in m for p in problems)] == []


def log_in(page, live_server, email: str = PLANNER, password: str = PASSWORD) -> None:
    """Log in through the login form, as a person would."""
    page.goto(live_server.url("/login"))
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live_server.url("/"))


@pytest.fixture
def new_tab(browser, console):
    """`new_tab(**context_options)`: a browser tab of its own whose messages go to
    `console`; closed when the test ends."""
    contexts = []

    def open_tab(**options):
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda message: console.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: console.append(f"pageerror: {error}"))
        return page

    yield open_tab
    for context in contexts:
        context.close()


@pytest.fixture
def anonymous_page(new_tab):
    """A browser tab that has not logged in."""
    return new_tab()


@pytest.fixture
def page(anonymous_page, live_server):
    """A browser tab logged in as the planner of Hillside Primary."""
    log_in(anonymous_page, live_server)
    return anonymous_page


def new_editor(app, live_server, inputs: dict, name: str = "Browser plan") -> str:
    """The editor URL of a new scenario of its own, so tests do not see each other's saves."""
    with app.app_context():
        school = db.session.scalar(db.select(School))
        scenario = save_scenario(school, f"{name} {next(_names)}", inputs)
        url = live_server.url(f"/schools/{school.id}/scenarios/{scenario.id}")
        db.session.remove()
        db.engine.dispose()
    return url


@pytest.fixture
def editor(app, live_server):
    return new_editor(app, live_server, HILLSIDE)
