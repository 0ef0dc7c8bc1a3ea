"""A live preview as the browser sees it: typing to the table redrawn, step by step.

Serves the demo district on a local port, opens each demo school's editor in
Debian's Chromium (Playwright), types a new count of children into the first grade
again and again, and times in the page (performance.now()):

    wait          from the keystroke to the request (htmx's `delay:300ms`, by design)
    round trip    the request sent to its answer read (the server's whole work,
                  bench/preview_path.py splits it, plus the local network)
    swap          the answer morphed into the editor (idiomorph) and settled

    .venv/bin/python bench/preview_browser.py [--requests N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from bench.preview_speed import demo_editors, signed_in_demo
from crunch.commands import DEMO_PASSWORD, DEMO_USERS
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

# Marks the moments of one update on `window.timings`; Playwright's evaluate is
# not held by the page's Content-Security-Policy.
LISTEN = """() => {
  window.timings = [];
  let current = null;
  // the editor's own update, not the staffing curve it loads after it
  const isEdit = (e) => {
    const path = (e.detail.pathInfo || {}).requestPath || (e.detail.requestConfig || {}).path;
    return typeof path === 'string' && path.endsWith('/edit');
  };
  document.addEventListener('input', () => { current = {typed: performance.now()}; }, true);
  document.body.addEventListener('htmx:beforeRequest', (e) => {
    if (current && isEdit(e)) current.sent = performance.now();
  });
  document.body.addEventListener('htmx:afterRequest', (e) => {
    if (current && current.sent && isEdit(e)) current.answered = performance.now();
  });
  document.body.addEventListener('htmx:afterSettle', (e) => {
    if (current && current.answered && isEdit(e)) {
      current.settled = performance.now();
      window.timings.push(current);
      current = null;
    }
  });
}"""


class Quiet(WSGIRequestHandler):
    def log_request(self, *args) -> None:
        pass


def type_counts(page, requests: int) -> list[dict]:
    field = page.locator("#grades-0-students")
    base = int(field.input_value())
    page.evaluate(LISTEN)
    for i in range(requests):
        field.fill(str(base + (i % 7) - 3 or base + 4))
        deadline = time.monotonic() + 30
        # polled from here: the page's policy refuses wait_for_function's eval
        while page.evaluate("() => window.timings.length") <= i:
            if time.monotonic() > deadline:
                raise SystemExit("no answer within 30 s")
            time.sleep(0.005)
    return page.evaluate("window.timings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=15, help="previews per school")
    args = parser.parse_args()
    with signed_in_demo() as client:
        server = make_server(
            "127.0.0.1", 0, client.application, threaded=True, request_handler=Quiet
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        root = f"http://127.0.0.1:{server.server_port}"
        editors = list(demo_editors())
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            page.goto(f"{root}/login")
            page.locator("#email").fill(DEMO_USERS[0][0])
            page.locator("#password").fill(DEMO_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            page.wait_for_url(f"{root}/")
            print(f"Median ms of a live preview in Chromium, {args.requests} per school:")
            print(f"{'school':<26}{'wait':>8}{'round trip':>12}{'swap':>8}{'in all':>8}")
            for scenario, url in editors:
                page.goto(root + url)
                timings = type_counts(page, args.requests)[1:]  # the first warms up

                def median(start, end, timings=timings):
                    return statistics.median(t[end] - t[start] for t in timings)

                print(
                    f"{scenario.school.name[:25]:<26}{median('typed', 'sent'):>8.0f}"
                    f"{median('sent', 'answered'):>12.0f}{median('answered', 'settled'):>8.0f}"
                    f"{median('typed', 'settled'):>8.0f}"
                )
            browser.close()
        server.shutdown()


if __name__ == "__main__":
    main()
