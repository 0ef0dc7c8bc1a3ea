"""Hard limits on solving in a request (issue 10): a hung solver answers with a message
and is replaced, the server (not the browser) decides what runs in the request and
holds it to PREVIEW_TIME_LIMIT, and one user has at most one such solve at a time.

No test asserts a duration: the limits given to the solver are recorded instead, and
the answers must say "not proved" or "carried on as a job".
"""

from __future__ import annotations

import re
import threading
import time
from html import unescape

import pytest

from crunch import pool as solver_pool
from crunch import solving
from crunch.extensions import db
from crunch.models import Job
from crunch.solve_slots import MESSAGE as ALREADY_SOLVING
from crunch.solve_slots import RETRYING
from tests.conftest import (
    EDITOR,
    HILLSIDE,
    HX,
    LIVE,
    VIEWER,
    form_data,
    logged_in,
    save_scenario,
    school_app,
)
from tests.jobs_support import K12_FEWEST
from tests.pool_hooks import HANG, hang_on_request

PREVIEW = 0.5
POOLED = {
    "SOLVER_POOL_SIZE": 1,
    "SOLVER_POOL_MARGIN": 0.3,
    "SOLVER_POOL_INITIALIZER": hang_on_request,
    "PREVIEW_TIME_LIMIT": 2.0,
}


def editor_url_of(scenario) -> str:
    return f"/schools/{scenario.school_id}/scenarios/{scenario.id}"


# -- a solver that hangs, behind the pool ---------------------------------------------


@pytest.fixture(scope="module")
def pooled_dir(tmp_path_factory):
    yield tmp_path_factory.mktemp("pooled")
    solver_pool.shutdown_all()


@pytest.fixture
def pooled(pooled_dir, request):
    path = pooled_dir / f"{request.node.name}.sqlite"
    with school_app(path, **POOLED) as app:
        assert solver_pool.current().ready(120.0)
        yield app


def test_the_api_answers_a_hung_solve_with_a_message_and_the_next_solve_works(pooled):
    client = logged_in(pooled)
    pool = solver_pool.current()
    replaced = pool.replaced
    response = client.post("/api/solve", json={**HILLSIDE, "name": HANG})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "timeout" and body["classes"] == []
    assert body["notes"][0].startswith("The solver did not answer in time")
    assert pool.replaced == replaced + 1
    # the replacement is started in the background, then solves the next request
    assert pool.ready(120.0)
    again = client.post("/api/solve", json=HILLSIDE)
    assert again.status_code == 200 and again.get_json()["status"] == "optimal"


def test_the_preview_of_a_hung_solve_says_so_and_carries_on(pooled):
    from crunch.models import School

    school = db.session.scalar(db.select(School))
    pooled.config["SOLVER_POOL_SIZE"] = 0  # saved without the pool (and its hang)
    scenario = save_scenario(school, HANG, HILLSIDE)
    pooled.config["SOLVER_POOL_SIZE"] = 1
    client = logged_in(pooled)
    url = editor_url_of(scenario)
    form = form_data(client.get(url).get_data(as_text=True))  # quick: not a hung name yet
    form["teachers"] = "7"
    response = client.post(f"{url}/edit", data=form, headers=LIVE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The solver did not answer in time" in html
    assert "the search carries on in the background" in html  # a job takes over
    assert solver_pool.current().ready(120.0)
    api = client.post("/api/solve", json=HILLSIDE)
    assert api.get_json()["status"] == "optimal"


def test_placing_a_board_whose_solver_hangs_says_so_and_the_pool_recovers(pooled):
    from crunch.models import School
    from crunch.rosters import demo as demo_roster
    from crunch.rosters import store as roster_store

    school = db.session.scalar(db.select(School))
    pooled.config["SOLVER_POOL_SIZE"] = 0  # saved without the pool (and its hang)
    revision = save_scenario(school, "Board plan", HILLSIDE).current_revision
    pooled.config["SOLVER_POOL_SIZE"] = 1
    kids = demo_roster.children(demo_roster.grade_totals(revision.allocation), seed=3)
    kids[0] = {**kids[0], "name": HANG}
    roster_store.save(school, revision.scenario.year, kids, "generated")
    client = logged_in(pooled)
    board = f"/schools/{school.id}/rosters/{revision.scenario.year}/board/{revision.id}"
    page = client.get(board).get_data(as_text=True)
    draft = unescape(re.search(r'name="draft" value="([^"]*)"', page).group(1))
    pool = solver_pool.current()
    replaced = pool.replaced
    response = client.post(board, data={"draft": draft, "action": "place"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The solver did not answer in time" in html
    assert f"Not placed yet ({len(kids)})" in html
    assert pool.replaced == replaced + 1
    assert pool.ready(120.0)


# -- the server decides what runs in the request ----------------------------------------


@pytest.fixture
def app(app_with):
    return app_with(PREVIEW_TIME_LIMIT=PREVIEW)


@pytest.fixture
def limits(monkeypatch):
    """The time limits every solve in a request is given (pool off: this process)."""
    seen: list[tuple[str, float]] = []
    real_solve, real_staffing = solving.solve, solving.staffing

    def solve(scenario, **kwargs):
        seen.append(("solve", kwargs["time_limit"]))
        return real_solve(scenario, **kwargs)

    def staffing(scenario, first, last, **kwargs):
        seen.append(("staffing", kwargs["total_time_limit"]))
        assert kwargs["time_limit"] <= 1.0  # each row, within the total
        return real_staffing(scenario, first, last, **kwargs)

    monkeypatch.setattr(solving, "solve", solve)
    monkeypatch.setattr(solving, "staffing", staffing)
    return seen


def quick_scenario():
    from crunch.models import Scenario

    return db.session.scalar(db.select(Scenario).order_by(Scenario.id))


def post_large_inputs(client, limits, action: str) -> str:
    """The slow K-12 school's inputs typed into a quick scenario's editor (saved proved:
    nothing tells the server it is slow), posted to its `action`; the answer's HTML."""
    quick = quick_scenario()
    slow = save_scenario(quick.school, "K12 typed", K12_FEWEST)
    form = form_data(client.get(editor_url_of(slow)).get_data(as_text=True))
    assert "background" not in form  # the browser no longer says what runs where
    limits.clear()
    response = client.post(f"{editor_url_of(quick)}/{action}", data=form, headers=HX)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def last_job() -> Job | None:
    db.session.commit()
    return db.session.scalar(db.select(Job).order_by(Job.id.desc()))


def test_options_of_large_inputs_stay_within_the_limit_and_carry_on_as_a_job(app, client, limits):
    html = post_large_inputs(client, limits, "options")
    assert 'hx-trigger="every 1s"' in html and 'id="options"' in html  # carried on as a job
    assert limits and all(limit <= PREVIEW for _, limit in limits)
    assert last_job().kind == "options"


def test_the_staffing_curve_of_large_inputs_stays_within_the_limit_in_total(app, client, limits):
    html = post_large_inputs(client, limits, "staffing")
    assert 'id="staffing"' in html and "every 1s" in html  # the rest is a job
    # one task for all the rows together, within the request's limit (not per row)
    assert [kind for kind, _ in limits] == ["staffing"] and limits[0][1] <= PREVIEW
    assert last_job().kind == "staffing"


def test_a_background_field_sent_by_the_browser_changes_nothing(app, client, limits):
    app.config["PREVIEW_TIME_LIMIT"] = 30.0  # time enough for a quick school's curve
    quick = quick_scenario()
    url = editor_url_of(quick)
    form = form_data(client.get(url).get_data(as_text=True))
    form["background"] = "1"  # as an old page (or anyone) might send it
    response = client.post(f"{url}/staffing", data=form, headers=HX)
    assert response.status_code == 200
    assert "staffing-chart" in response.get_data(as_text=True)  # answered in the request
    assert last_job() is None


def test_the_options_of_a_scenario_saved_unproved_go_straight_to_a_job(app, client, limits):
    from crunch.models import School

    slow = save_scenario(db.session.scalar(db.select(School)), "K12 saved", K12_FEWEST)
    assert slow.current_revision.status in ("feasible", "timeout")
    url = editor_url_of(slow)
    form = form_data(client.get(url).get_data(as_text=True))
    limits.clear()
    html = client.post(f"{url}/options", data=form, headers=HX).get_data(as_text=True)
    assert "every 1s" in html
    assert limits == []  # nothing solved in the request


def test_the_api_holds_a_large_solve_to_the_preview_limit(client, limits):
    response = client.post("/api/solve?alternatives=3", json=K12_FEWEST)
    assert response.status_code == 200
    assert response.get_json()["status"] in ("feasible", "timeout")  # not proved
    assert [kind for kind, _ in limits] == ["solve"] and limits[0][1] <= PREVIEW


def test_two_solves_of_one_request_share_the_preview_limit(app):
    with app.test_request_context("/"):
        first = solving.request_limit()
        time.sleep(0.05)  # as if the first solve took this long
        second = solving.request_limit()
        assert solving.request_limit(0.01) == 0.01  # a shorter limit asked for stands
    assert first <= PREVIEW
    assert second <= first - 0.05
    with app.test_request_context("/"):  # the next request has its own
        assert solving.request_limit() > second


# -- one solve in a request at a time per user ------------------------------------------


@pytest.fixture
def blocked_solve(monkeypatch):
    """Once armed, the next solve in a request blocks until released; others run as usual."""
    armed, entered, release = threading.Event(), threading.Event(), threading.Event()
    real = solving.solve

    def solve(scenario, **kwargs):
        if armed.is_set() and not entered.is_set():
            entered.set()
            release.wait(60)
        return real(scenario, **kwargs)

    monkeypatch.setattr(solving, "solve", solve)
    return armed, entered, release


def test_a_second_concurrent_solve_of_one_user_answers_429(app, blocked_solve):
    armed, entered, release = blocked_solve
    first, second, other = logged_in(app), logged_in(app), logged_in(app, VIEWER)
    url = editor_url_of(quick_scenario())
    form = form_data(second.get(url).get_data(as_text=True))
    armed.set()
    answers = {}
    thread = threading.Thread(
        target=lambda: answers.update(first=first.post("/api/solve", json=HILLSIDE))
    )
    thread.start()
    try:
        assert entered.wait(60)
        busy = second.post("/api/solve", json=HILLSIDE)
        assert busy.status_code == 429
        assert busy.get_json() == {"status": "error", "message": ALREADY_SOLVING}
        # the editor's live preview: the message goes beside the results
        typed = second.post(f"{url}/edit", data=form, headers=LIVE)
        assert typed.status_code == 429
        assert typed.headers["HX-Retarget"] == "#solver-busy"
        body = typed.get_data(as_text=True)
        assert RETRYING in body
        # ...and asks again by itself a second later, for the inputs then on screen
        assert (
            f'hx-post="{url}/edit" hx-trigger="load delay:1s" hx-target="#editor" hx-swap="morph"'
            in body
        )
        # another user is not held up
        assert other.post("/api/solve", json=HILLSIDE).status_code == 200
    finally:
        release.set()
        thread.join(60)
    assert answers["first"].status_code == 200
    assert second.post("/api/solve", json=HILLSIDE).status_code == 200


def test_a_click_waits_for_the_users_other_solve_instead_of_429(app, blocked_solve):
    armed, entered, release = blocked_solve
    first, second = logged_in(app), logged_in(app)
    url = editor_url_of(quick_scenario())
    form = form_data(second.get(url).get_data(as_text=True))
    form["action"] = "grade-add"  # a button of the editor: a person's own click
    armed.set()
    answers = {}
    typing = threading.Thread(
        target=lambda: answers.update(first=first.post(f"{url}/edit", data=form, headers=LIVE))
    )
    typing.start()
    assert entered.wait(60)
    click = threading.Thread(
        target=lambda: answers.update(second=second.post(f"{url}/edit", data=form, headers=EDITOR))
    )
    click.start()
    click.join(0.3)
    assert click.is_alive()  # waiting for the other solve, not refused
    release.set()
    typing.join(60)
    click.join(60)
    assert answers["first"].status_code == 200
    assert answers["second"].status_code == 200
