"""A roster imported through the browser at a phone's width and a desk's: upload a
CSV, check the guessed columns, preview, then save; and a bad row's message."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from crunch.extensions import db
from crunch.models import School
from tests.browser.axe import assert_accessible
from tests.browser.conftest import log_in
from tests.views.test_rosters import SIS

pytestmark = pytest.mark.browser
SIZES = {"phone": (390, 844, 2031), "desk": (1366, 768, 2032)}


def axe(page, size: str, where: str) -> None:
    """axe-core at both widths."""
    assert_accessible(page, where)


SHOTS = Path(os.environ.get("CRUNCH_SCREENSHOTS", "/tmp/crunch-roster-shots"))


@pytest.mark.parametrize("size", SIZES)
def test_import_a_csv_through_mapping_and_preview(app, browser, console, live_server, size):
    width, height, year = SIZES[size]
    with app.app_context():
        school_id = db.session.scalar(db.select(School.id))
        db.session.remove()
        db.engine.dispose()
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    log_in(page, live_server)
    SHOTS.mkdir(parents=True, exist_ok=True)

    page.goto(live_server.url(f"/schools/{school_id}/rosters/{year}/import"))
    axe(page, size, f"roster upload at {size}")
    bad = SIS.replace("Ben Ode,,\n", "Zed Park,,\n")
    page.locator("#file").set_input_files(
        {"name": "students.csv", "mimeType": "text/csv", "buffer": bad.encode()}
    )
    page.get_by_role("button", name="Upload and choose the columns").click()
    expect(page.locator("#col3")).to_have_value("grade")
    expect(page.locator("#col7")).to_have_value("friend")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("alert")).to_contain_text("Row 2: friend “Zed Park” is not the name")
    page.screenshot(path=str(SHOTS / f"roster-bad-row-{size}.png"), full_page=True)
    axe(page, size, f"roster-bad-row at {size}")
    page.get_by_role("button", name="Cancel and delete the file").click()

    page.goto(live_server.url(f"/schools/{school_id}/rosters/{year}/import"))
    page.locator("#file").set_input_files(
        {"name": "students.csv", "mimeType": "text/csv", "buffer": SIS.encode()}
    )
    page.get_by_role("button", name="Upload and choose the columns").click()
    page.screenshot(path=str(SHOTS / f"roster-mapping-{size}.png"), full_page=True)
    axe(page, size, f"roster-mapping at {size}")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_role("status").filter(has_text="every row valid")).to_contain_text(
        "5 children"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(SHOTS / f"roster-preview-{size}.png"), full_page=True)
    axe(page, size, f"roster-preview at {size}")
    page.get_by_role("button", name=f"Save 5 children as the {year} roster").click()
    expect(page.locator("h1")).to_contain_text(f"children of {year}")
    expect(page.locator("table.roster")).to_contain_text("Ava Chen")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(SHOTS / f"roster-saved-{size}.png"), full_page=True)
    axe(page, size, f"roster-saved at {size}")

    page.get_by_role("link", name="Add a child").click()
    page.get_by_label("Id", exact=True).fill("S9")
    page.get_by_label("Name", exact=True).fill("Mia Rua")
    page.get_by_label("Grade").select_option("1")
    page.get_by_label("Friends").fill("S1, S77")
    page.get_by_role("button", name="Save as a new revision").click()
    expect(page.locator("#err-friends")).to_have_text("No child of this roster has the id S77.")
    expect(page.get_by_label("Friends")).to_have_attribute("aria-invalid", "true")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=str(SHOTS / f"roster-child-{size}.png"), full_page=True)
    axe(page, size, f"roster-child at {size}")
    page.get_by_label("Friends").fill("S1")
    page.get_by_role("button", name="Save as a new revision").click()
    expect(page.locator("#flash")).to_contain_text("Saved as revision 2: added Mia Rua.")
    for page_name in ("roll-forward", "delete"):
        page.goto(live_server.url(f"/schools/{school_id}/rosters/{year}/{page_name}"))
        axe(page, size, f"roster {page_name} at {size}")
    page.goto(live_server.url(f"/schools/{school_id}/rosters"))
    axe(page, size, f"rosters of the school at {size}")
    context.close()
