"""Every main page at a phone's width (390 x 844), a desk's (1366 x 768), the 320 px of
WCAG's reflow and a 1280 px screen at 200 % zoom (640 CSS px): nothing
wider than the screen (a wide table scrolls inside its own box), no console error,
and the details of issue 13 that only a browser can see."""

from __future__ import annotations

import copy
import itertools

import pytest
from playwright.sync_api import expect

from crunch.extensions import db
from crunch.models import School
from tests.browser.conftest import log_in
from tests.conftest import ADMIN, HILLSIDE, PASSWORD, PLANNER, VIEWER, save_scenario

pytestmark = pytest.mark.browser
SIZES = {
    "phone": (390, 844),
    "desk": (1366, 768),
    "reflow": (320, 640),  # WCAG 1.4.10: no sideways scrolling at 320 CSS px
    "zoom-200": (640, 400),  # a 1280 x 800 screen at 200 % zoom
}
_names = itertools.count(1)

# A school as wide as a K-12 college: 13 grades, each with its own colour.
WIDE = {
    "teachers": 40,
    "min_subclass_size": 5,
    "grades": [
        {"name": name, "students": 45 + 3 * i, "min_size": 15, "max_size": 25}
        for i, name in enumerate(["K"] + [str(n) for n in range(1, 13)])
    ],
    "composites": [{"grades": ["K", "1"]}],
    "priorities": ["classes", "composites", "balance"],
}


@pytest.fixture(scope="module")
def plans(app, live_server):
    """Three scenarios of the test school, one of them as wide as a K-12 college."""
    other = copy.deepcopy(HILLSIDE)
    other["teachers"] = 5
    n = next(_names)
    with app.app_context():
        school = db.session.scalar(db.select(School))
        ids = [
            save_scenario(school, f"Screens {name}{n}", inputs).id
            for name, inputs in (("A", HILLSIDE), ("B", other), ("Wide", WIDE))
        ]
        school_id = school.id
        db.session.remove()
        db.engine.dispose()
    return school_id, ids


@pytest.fixture
def screen(new_tab, live_server):
    """`screen(size, email, password)`: a tab of that size, logged in (the planner's by
    default); closed when the test ends."""

    def open_screen(size: str, email: str = PLANNER, password: str = PASSWORD):
        width, height = SIZES[size]
        page = new_tab(viewport={"width": width, "height": height})
        log_in(page, live_server, email, password)
        return page

    return open_screen


def assert_fits(page, path: str) -> None:
    width = page.viewport_size["width"]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{path} is {scroll} px wide in a {width} px window"


def main_pages(school_id: int, ids: list[int]) -> list[str]:
    editor = f"/schools/{school_id}/scenarios/{ids[0]}"
    return [
        "/",
        f"/schools/{school_id}",
        editor,
        f"/schools/{school_id}/scenarios/{ids[2]}",  # 13 grades
        f"{editor}/history",
        f"{editor}/revisions/1",
        f"/schools/{school_id}/compare?" + "&".join(f"s={i}" for i in ids),
        f"{editor}/import",
        f"{editor}/next-year",
        "/district",
        "/admin/schools",
        "/admin/users",
        "/account/password",
    ]


@pytest.mark.parametrize("size", SIZES)
def test_every_main_page_fits_the_screen_without_console_errors(
    screen, console, live_server, plans, size
):
    school_id, ids = plans
    page = screen(size, ADMIN)
    for path in main_pages(school_id, ids):
        response = page.goto(live_server.url(path))
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert_fits(page, path)
        errors = [m for m in console if m.startswith(("error", "pageerror"))]
        assert errors == [], path
    # Print media: the class list without navigation, still within the page.
    page.goto(live_server.url(f"/schools/{school_id}/scenarios/{ids[0]}"))
    page.emulate_media(media="print")
    expect(page.locator("header.site")).to_be_hidden()
    assert_fits(page, "print")


def test_on_a_phone_the_header_is_short_and_the_classes_a_tap_away(screen, live_server, plans):
    school_id, ids = plans
    page = screen("phone")
    page.goto(live_server.url(f"/schools/{school_id}/scenarios/{ids[2]}"))
    header = page.locator("header.site").bounding_box()
    assert header["height"] < 120  # two short lines, not five
    expect(page.locator("header.site button.link")).to_be_in_viewport()  # Log out
    page.get_by_role("link", name="See the classes ↓").click()
    expect(page.locator("table.classes caption")).to_be_in_viewport()
    # The Fix button of a class is on screen, not beyond 13 grade columns.
    fix = page.get_by_role("button", name="Fix class 1 and plan the rest around it")
    box = fix.bounding_box()
    assert box["x"] + box["width"] <= 390
    # Number inputs are as tall as text inputs, with a numeric keyboard.
    teachers = page.locator("#teachers")
    expect(teachers).to_have_attribute("inputmode", "numeric")
    name_box = page.locator("#grades-0-name").bounding_box()
    assert abs(teachers.bounding_box()["height"] - name_box["height"]) < 2


def test_compare_of_three_plans_is_not_cut_off_on_a_desk(screen, live_server, plans):
    school_id, ids = plans
    page = screen("desk")
    page.goto(live_server.url(f"/schools/{school_id}/compare?s={ids[0]}&s={ids[1]}&s={ids[2]}"))
    expect(page.locator(".compare-column")).to_have_count(3)
    clipped = page.evaluate(
        """[...document.querySelectorAll('.compare-column .table-wrap')]
             .filter(w => w.scrollWidth > w.clientWidth + 1).length"""
    )
    assert clipped <= 1  # only the 13-grade school's table may scroll in its box
    # The two primary plans' tables fit whole, Kind column and badges included.
    for i in (0, 1):
        wrap = page.locator(".compare-column .table-wrap").nth(i)
        assert wrap.evaluate("w => w.scrollWidth <= w.clientWidth + 1")


def test_a_viewer_sees_no_editing_control_and_a_plain_refusal(screen, console, live_server, plans):
    school_id, ids = plans
    page = screen("phone", VIEWER)
    editor = f"/schools/{school_id}/scenarios/{ids[0]}"
    page.goto(live_server.url(editor))
    expect(page.locator("#read-only")).to_be_visible()
    expect(page.locator("table.classes")).to_be_visible()
    expect(page.locator("#staffing .staffing-chart")).to_be_visible()
    for name in ("Add a grade", "Type in a class", "Update table", "Save as a new revision"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)
    fix = page.get_by_role("button", name="Fix class 1 and plan the rest around it")
    expect(fix).to_have_count(0)
    response = page.goto(live_server.url(f"{editor}/import"))
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("Not available to your account")
    assert_fits(page, "403")
    console.clear()  # the 403 itself is logged by the browser as a failed load


def test_a_blank_scenario_asks_for_teachers_and_children(screen, live_server, plans):
    school_id, _ = plans
    page = screen("phone")
    page.goto(live_server.url(f"/schools/{school_id}"))
    page.locator("#name").fill(f"Blank {next(_names)}")
    page.locator("#source").select_option("blank")
    page.get_by_role("button", name="Create scenario").click()
    expect(page.locator("#start-here")).to_contain_text("how many children each grade")
    expect(page.locator("#staffing")).to_have_count(0)
    expect(page.locator("[aria-invalid=true]")).to_have_count(0)
    children = page.locator("input[id$=-students]")
    page.locator("#teachers").fill(str(children.count()))
    for i in range(children.count()):
        children.nth(i).fill("20")
    expect(page.locator("table.classes")).to_be_visible()
    expect(page.locator("#staffing .staffing-chart")).to_be_visible()
    assert_fits(page, "blank scenario")
