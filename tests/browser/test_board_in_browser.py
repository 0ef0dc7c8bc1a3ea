"""The class-list board in the browser at a phone's width and a desk's: place the
children, drag a card to another class, move another with the keyboard menu, see
the warning in words, undo, balance with the offered swap and save."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from crunch.extensions import db
from crunch.models import School
from crunch.rosters import demo as demo_roster
from crunch.rosters import store as roster_store
from tests.browser.axe import assert_accessible
from tests.browser.conftest import log_in
from tests.conftest import HILLSIDE, save_scenario

pytestmark = pytest.mark.browser
SIZES = {"phone": (390, 844, 2041), "desk": (1366, 768, 2042)}
SHOTS = Path(os.environ.get("CRUNCH_SCREENSHOTS", "/tmp/crunch-board-shots"))


def board_url(app, year: int) -> str:
    """A plan of `year` for the test school and a generated roster that fills it."""
    with app.app_context():
        school = db.session.scalar(db.select(School).where(School.name == "Hillside Primary"))
        revision = save_scenario(school, f"Board {year}", HILLSIDE, year=year).current_revision
        kids = demo_roster.children(demo_roster.grade_totals(revision.allocation), seed=year)
        roster_store.save(school, year, kids, "generated")
        url = f"/schools/{school.id}/rosters/{year}/board/{revision.id}"
        db.session.remove()
        db.engine.dispose()
    return url


def drag(page, source, target) -> None:
    """Press on the card's name, move in steps (as a hand does) and drop on the list.
    Playwright's drag_to moves in one step, which SortableJS does not take for a drag."""
    source.scroll_into_view_if_needed()
    box = source.bounding_box()
    page.mouse.move(box["x"] + 5, box["y"] + box["height"] / 2)
    page.mouse.down()
    target.scroll_into_view_if_needed()
    end = target.bounding_box()
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 10, steps=20)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 20, steps=5)
    page.mouse.up()


@pytest.mark.parametrize("size", SIZES)
def test_place_drag_keyboard_move_undo_and_save(app, browser, console, live_server, size):
    width, height, year = SIZES[size]
    url = board_url(app, year)
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
    log_in(page, live_server)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(live_server.url(url))
    expect(page.get_by_role("heading", name="Not placed yet")).to_be_visible()

    page.get_by_role("button", name="Place the children").click()
    expect(page.locator("#moved")).to_contain_text("Placed")
    expect(page.get_by_role("heading", name="Not placed yet")).to_have_count(0)
    page.screenshot(path=str(SHOTS / f"board-placed-{size}.png"), full_page=True)
    page.screenshot(path=str(SHOTS / f"board-placed-{size}-top.png"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert_accessible(page, f"class-list board at {size}")

    # drag the first card of Class 1 into Class 2
    first = page.locator("section[data-label='Class 1'] li.card").first
    child = first.get_attribute("data-child")
    name = first.locator("strong").inner_text()
    drag(page, first.locator("strong"), page.locator("section[data-label='Class 2'] ul.cards"))
    moved = page.locator(f"section[data-label='Class 2'] li[data-child='{child}']")
    expect(moved).to_have_count(1)
    expect(page.locator("#moved")).to_contain_text("Class 2 now has")
    expect(page.locator("#counts")).to_contain_text("children of grade")
    page.screenshot(path=str(SHOTS / f"board-dragged-{size}.png"), full_page=True)

    page.get_by_role("button", name="Undo").click()
    expect(page.locator(f"section[data-label='Class 1'] li[data-child='{child}']")).to_have_count(1)
    expect(page.locator("#counts")).to_have_count(0)

    # the keyboard: the card's "move to" menu and its Move button
    card = page.locator("section[data-label='Class 1'] li.card").nth(1)
    other = card.get_attribute("data-child")
    menu = card.locator("select")
    menu.focus()
    menu.select_option("Class 2")
    card.locator("button[value^='move:']").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"section[data-label='Class 2'] li[data-child='{other}']")).to_have_count(1)
    expect(page.locator("#moved")).to_contain_text("Class 2 now has")

    page.get_by_role("button", name="Save the class lists").click()
    expect(page.get_by_role("alert")).to_contain_text("Not saved: the counts must be exact first")
    page.screenshot(path=str(SHOTS / f"board-refused-{size}.png"), full_page=True)
    page.locator("button[value^='send:']").click()
    expect(page.locator("#counts")).to_have_count(0)
    assert_accessible(page, f"class-list board after moves at {size}")
    page.get_by_role("button", name="Save the class lists").click()
    expect(page.locator("body")).to_contain_text("saved")
    page.screenshot(path=str(SHOTS / f"board-saved-{size}.png"), full_page=True)

    # blind review: codes on the cards, no names; a move still works
    page.goto(live_server.url(url + "?blind=1"))
    expect(page.locator("li.card strong").first).to_have_text(re.compile(r"^Child \d{3}$"))
    assert name not in page.content()
    card = page.locator("section[data-label='Class 1'] li.card").first
    code = card.get_attribute("data-child")
    card.locator("select").select_option("Class 2")
    card.locator("button[value^='move:']").click()
    expect(page.locator(f"section[data-label='Class 2'] li[data-child='{code}']")).to_have_count(1)
    expect(page.locator("#moved")).to_contain_text("Class 2 now has")
    assert name not in page.content()
    page.screenshot(path=str(SHOTS / f"board-blind-{size}.png"))
    context.close()
