"""Screenshots of the main pages at a phone's and a desk's size, from the demo district.

Start the demo first (`make run`, or on another port `flask --app crunch run --port
5057` after `flask db upgrade` and `flask seed-demo`), then:

    .venv/bin/python bench/screens.py [--base http://127.0.0.1:5000] [--out docs/screens]

It logs in as the demo planner (the admin for the admin pages) in Debian's
Chromium, visits each page at 390 x 844 and at 1366 x 768, and writes
`<page>-<phone|desk>.png`. It prints each page's width next to the window's, so a
page wider than the screen shows up in the output too. The README shows two of them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "riverbend-demo"
SIZES = {"phone": (390, 844), "desk": (1366, 768)}


def pages(page, base: str) -> list[tuple[str, str, str]]:
    """(name, account, path) of each page, found from the demo's own links."""
    page.goto(f"{base}/")
    schools = {a.inner_text(): a.get_attribute("href") for a in page.locator("main a").all()}
    hillside = schools["Hillside Primary School"]
    college = schools["Riverbend K-12 College"]
    page.goto(base + hillside)
    plan_a = page.get_by_role("link", name="2027 - Plan A").get_attribute("href")
    school_id = hillside.rsplit("/", 1)[-1]
    compare = f"/schools/{school_id}/compare?" + "&".join(
        f"s={a.get_attribute('href').rsplit('/', 1)[-1]}"
        for a in page.locator("table.list a[href*='/scenarios/']").all()[:3]
    )
    page.goto(base + college)
    k12 = page.locator("table.list a[href*='/scenarios/']").first.get_attribute("href")
    planner = "planner@riverbend.example"
    return [
        ("schools", planner, "/"),
        ("school", planner, hillside),
        ("editor", planner, plan_a),
        ("editor-classes", planner, f"{plan_a}#results"),  # where "See the classes" leads
        ("editor-k12", planner, k12),
        ("history", planner, f"{plan_a}/history"),
        ("compare", planner, compare),
        ("import", planner, f"{plan_a}/import"),
        ("next-year", planner, f"{plan_a}/next-year"),
        ("district", planner, "/district"),
        ("admin", "admin@riverbend.example", "/admin/users"),
    ]


def log_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="http://127.0.0.1:5000")
    parser.add_argument("--out", default="docs/screens")
    parser.add_argument("--wait", type=float, default=2.0, help="seconds for htmx loads")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    base = args.base.rstrip("/")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--headless"]
        )
        for size, (width, height) in SIZES.items():
            contexts = {}
            for name, email, path in _listing(browser, base):
                if email not in contexts:
                    context = browser.new_context(viewport={"width": width, "height": height})
                    contexts[email] = context.new_page()
                    log_in(contexts[email], base, email)
                page = contexts[email]
                page.goto(base + path)
                page.wait_for_timeout(args.wait * 1000)
                wide = page.evaluate("document.documentElement.scrollWidth")
                page.screenshot(path=str(out / f"{name}-{size}.png"))
                print(f"{name:12} {size:6} page {wide} px wide in a {width} px window")
            for page in contexts.values():
                page.context.close()
        browser.close()


def _listing(browser, base: str) -> list[tuple[str, str, str]]:
    context = browser.new_context()
    page = context.new_page()
    log_in(page, base, "planner@riverbend.example")
    found = pages(page, base)
    context.close()
    return found


if __name__ == "__main__":
    main()
