"""Logging in and out, the overview and the admin screens in a real browser, with no
Content-Security-Policy violation on any of them (the `console` fixture checks)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import log_in
from tests.conftest import ADMIN, PASSWORD, PLANNER

pytestmark = pytest.mark.browser


def test_login_logout_and_a_page_after_logout(anonymous_page, live_server):
    from playwright.sync_api import expect

    page = anonymous_page
    page.goto(live_server.url("/"))
    expect(page.locator("h1")).to_have_text("Log in")
    page.locator("#email").fill(PLANNER)
    page.locator("#password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".field-error")).to_contain_text("do not match an active account")
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("h1")).to_have_text("Schools")
    page.get_by_role("button", name="Log out").click()
    expect(page.locator("#flash")).to_contain_text("You are logged out.")
    page.go_back()
    page.reload()
    expect(page.locator("h1")).to_have_text("Log in")


def test_admin_screens_and_the_overview(anonymous_page, live_server):
    from playwright.sync_api import expect

    page = anonymous_page
    log_in(page, live_server, ADMIN, PASSWORD)
    page.get_by_role("link", name="District overview").click()
    expect(page.locator("h1")).to_contain_text("District overview")
    page.get_by_role("link", name="Schools and users").click()
    expect(page.locator("h1")).to_contain_text("Schools of")
    page.get_by_role("link", name="Users and roles").click()
    expect(page.locator("h1")).to_contain_text("Users of")
    expect(page.locator("table.list")).to_contain_text(PLANNER)


def test_a_link_from_another_site_keeps_the_user_logged_in(page, live_server):
    """The session cookie is SameSite=Strict: Chromium keeps it back when another site's
    link starts the visit. The page it lands on must not replace it (that would log the
    user out); its link, followed from this site, carries it."""
    from playwright.sync_api import expect

    app_url = live_server.url("/")
    page.route(
        "http://other-site.test/**",
        lambda route: route.fulfill(
            content_type="text/html", body=f'<p><a href="{app_url}">Our plans</a></p>'
        ),
    )
    page.goto("http://other-site.test/mail")
    page.get_by_role("link", name="Our plans").click()
    expect(page.locator("h1")).to_have_text("Class Cruncher")
    page.get_by_role("link", name="Open Class Cruncher").click()
    expect(page.locator("h1")).to_have_text("Schools")
    page.goto(app_url)  # typed or bookmarked: the cookie is sent
    expect(page.locator("h1")).to_have_text("Schools")
