"""Slow work in the editor becomes a job: the polling status, its result, cancel, roles."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from crunch import jobs
from crunch.extensions import db
from crunch.models import Job, JobState, Role, Scenario, School, User, utcnow
from tests.conftest import (
    EDITOR,
    HILLSIDE,
    HX,
    LIVE,
    PLANNER,
    VIEWER,
    add_user,
    form_data,
    logged_in,
    save_scenario,
)
from tests.jobs_support import (
    K12_FEWEST,
    add_job,
    fresh,
    job_app,
    process_gone,
    state,
    wait_for,
)


@pytest.fixture
def app(tmp_path):
    with job_app(tmp_path) as app:
        yield app


@pytest.fixture
def school(app):
    return db.session.scalar(db.select(School))


@pytest.fixture
def slow_url(school):
    scenario = save_scenario(school, "Plan K12", K12_FEWEST)
    return f"/schools/{school.id}/scenarios/{scenario.id}"


def editor_url_of(school) -> str:
    scenario = db.session.scalar(db.select(Scenario).where(Scenario.school_id == school.id))
    return f"/schools/{school.id}/scenarios/{scenario.id}"


def mark_slow(school) -> None:
    """As if this school's current plan had been saved unproved: the server then
    knows its inputs are slow (this school itself is quick)."""
    scenario = db.session.scalar(db.select(Scenario).where(Scenario.school_id == school.id))
    scenario.current_revision.status = "feasible"
    db.session.commit()


def editor_form_of(client, url):
    return form_data(client.get(url).get_data(as_text=True))


def last_job() -> Job:
    db.session.commit()
    return db.session.scalar(db.select(Job).order_by(Job.id.desc()))


def poll(client, url: str, **kwargs):
    """A GET as a browser's next request: the test's shared session ends its snapshot."""
    db.session.commit()
    return client.get(url, **kwargs)


def poll_url(html: str) -> str:
    match = re.search(r'hx-get="([^"]+/jobs/\d+)" hx-trigger="every 1s"', html)
    assert match, html
    return match.group(1)


def finish(client, status: str) -> str:
    """Poll the job's status until it is no longer active; the last answer."""
    return wait_for(
        lambda: (b := poll(client, status, headers=HX).get_data(as_text=True))
        and "every 1s" not in b
        and b
    )


def test_a_slow_preview_says_what_carries_on_in_the_background(client, slow_url):
    html = client.get(slow_url).get_data(as_text=True)
    assert 'id="background-note"' in html
    assert 'name="background"' not in html  # the server decides, not a field of the form


def test_a_quick_preview_keeps_options_in_the_request(app, client, school):
    # this school's three other options take a few seconds: time enough for them
    app.config["PREVIEW_TIME_LIMIT"] = 10.0
    url = editor_url_of(school)
    form = editor_form_of(client, url)
    assert "background" not in form
    response = client.post(f"{url}/options", data=form, headers=HX)
    assert response.status_code == 200
    assert "every 1s" not in response.get_data(as_text=True)
    assert last_job() is None


def test_options_of_slow_inputs_become_a_job_that_polling_sees_done(client, school):
    url = editor_url_of(school)
    scenario = db.session.scalar(db.select(Scenario).where(Scenario.school_id == school.id))
    mark_slow(school)
    form = editor_form_of(client, url)
    response = client.post(f"{url}/options", data=form, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'hx-trigger="every 1s"' in html and 'id="options"' in html
    assert "Cancel" in html
    status = poll_url(html)
    job = last_job()
    assert job.kind == jobs.OPTIONS and job.scenario_id == scenario.id
    assert job.revision_id == scenario.current_revision_id
    done = finish(client, status)
    assert 'id="options"' in done and "Show this option" in done
    assert fresh(job.id).state == JobState.DONE
    page = client.get(status).get_data(as_text=True)  # without htmx: a page
    assert "<html" in page and "Show this option" in page


def test_the_staffing_curve_of_slow_inputs_becomes_a_job(client, school):
    url = editor_url_of(school)
    mark_slow(school)
    form = editor_form_of(client, url)
    html = client.post(f"{url}/staffing", data=form, headers=HX).get_data(as_text=True)
    assert 'id="staffing"' in html and "every 1s" in html
    done = finish(client, poll_url(html))
    assert "staffing-chart" in done


def start_slow(client, slow_url) -> tuple[Job, str]:
    form = editor_form_of(client, slow_url)
    html = client.post(f"{slow_url}/options", data=form, headers=HX).get_data(as_text=True)
    return last_job(), html


def test_cancel_from_the_page_stops_the_job(app, client, slow_url):
    job, html = start_slow(client, slow_url)
    wait_for(lambda: fresh(job.id).pid and state(job.id) == JobState.RUNNING)
    pid = fresh(job.id).pid
    cancel = re.search(r'hx-post="([^"]+/cancel)"', html).group(1)
    response = client.post(cancel, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Cancelled" in body and "every 1s" not in body
    wait_for(lambda: process_gone(pid))
    assert state(job.id) == JobState.CANCELLED
    # Polling a finished job says the same and stops.
    again = poll(client, poll_url(html), headers=HX).get_data(as_text=True)
    assert "Cancelled" in again and "every 1s" not in again


def test_while_running_the_status_shows_elapsed_time_and_the_best_so_far(client, slow_url):
    job, html = start_slow(client, slow_url)
    status = poll_url(html)
    wait_for(lambda: fresh(job.id).progress is not None)
    body = poll(client, status, headers=HX).get_data(as_text=True)
    if state(job.id) == JobState.RUNNING:
        assert "Working in the background" in body and " s." in body
        assert "Best allocation found so far" in body
    client.post(f"{status}/cancel", headers=HX)
    wait_for(lambda: state(job.id) == JobState.CANCELLED)
    assert "Best allocation found" in poll(client, status, headers=HX).get_data(as_text=True)


def test_viewers_run_previews_but_cannot_cancel_others_jobs(app, client, slow_url):
    job, html = start_slow(client, slow_url)
    status = poll_url(html)
    viewer = logged_in(app, VIEWER)
    seen = viewer.get(status, headers=HX).get_data(as_text=True)
    assert "job-cancel" not in seen
    assert viewer.post(f"{status}/cancel", headers=HX).status_code == 403
    assert state(job.id) in JobState.ACTIVE
    # Their own preview they may stop.
    own, own_html = start_slow(viewer, slow_url)
    assert own.created_by_id != job.created_by_id
    assert viewer.post(f"{poll_url(own_html)}/cancel", headers=HX).status_code == 200
    assert state(own.id) == JobState.CANCELLED
    client.post(f"{status}/cancel", headers=HX)


def test_another_schools_job_answers_404_and_cannot_be_cancelled(app, client, school):
    other = School(district=school.district, name="Elsewhere School")
    db.session.add(other)
    db.session.commit()
    scenario = save_scenario(other, "Their plan", K12_FEWEST)
    add_user("else@test.example", Role.PLANNER, [other])
    # beating as a live runner's (polls sweep heartbeat-less jobs away)
    job_id = add_job(scenario, JobState.QUEUED, inputs=K12_FEWEST, heartbeat_at=utcnow())
    for school_id in (other.id, school.id):
        url = f"/schools/{school_id}/jobs/{job_id}"
        assert client.get(url).status_code == 404
        assert client.get(url, headers=HX).status_code == 404
        assert client.post(f"{url}/cancel", headers=HX).status_code == 404
    assert state(job_id) == JobState.QUEUED
    db.session.delete(fresh(job_id))
    db.session.commit()


def test_typing_keeps_the_background_note_in_the_results_block(client, slow_url):
    form = editor_form_of(client, slow_url)
    html = client.post(f"{slow_url}/edit", data=form, headers=LIVE).get_data(as_text=True)
    assert 'id="background-note"' in html


# A preview that runs out of time carries on as a job, and its answer is used.


def solve_url_of(html: str) -> str:
    match = re.search(r'<div id="solve"[^>]*hx-post="([^"]+/solve)"[^>]*hx-trigger="load"', html)
    assert match, html
    return match.group(1)


def solved_job_of(html: str) -> int:
    match = re.search(r"""hx-vals='\{"solved_by": "(\d+)"\}'""", html)
    assert match, html
    return int(match.group(1))


def no_solving(monkeypatch):
    """From here on, any solve in the request fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("solved again in the request")

    monkeypatch.setattr("crunch.solving.solve", refuse)


def test_an_unfinished_preview_carries_on_as_a_job_with_cancel(client, slow_url):
    html = client.get(slow_url).get_data(as_text=True)
    assert "the search carries on in the background" in html
    solve_url = solve_url_of(html)
    form = form_data(html)
    response = client.post(solve_url, data=form, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="solve"' in body and 'hx-trigger="every 1s"' in body and "job-cancel" in body
    # Inside the editor's form, polling and Cancel sync on themselves: inheriting the
    # form's "replace" would abort the editor's own request (a Fix) in flight.
    assert body.count('hx-sync="this:drop"') == 2
    job = last_job()
    assert job.kind == jobs.SOLVE and job.params["alternatives"] == 0
    wait_for(lambda: fresh(job.id).pid and state(job.id) == JobState.RUNNING)
    client.post(f"{poll_url(body)}/cancel", headers=HX)
    assert state(job.id) == JobState.CANCELLED


def test_a_proved_preview_does_not_carry_on(client, school):
    html = client.get(editor_url_of(school)).get_data(as_text=True)
    assert "Proved best" in html
    assert 'id="solve"' not in html
    assert 'name="solved_by" id="solved-by" value=""' in html


def test_keep_solving_refuses_invalid_inputs_plainly(client, school):
    url = editor_url_of(school)
    form = editor_form_of(client, url)
    form["teachers"] = "many"
    response = client.post(f"{url}/solve", data=form, headers=HX)
    assert response.status_code == 422
    assert last_job() is None


def run_solve_job(client, url) -> tuple[int, str]:
    """A solve job for the editor's inputs, polled to its end: (job id, final answer)."""
    form = editor_form_of(client, url)
    html = client.post(f"{url}/solve", data=form, headers=HX).get_data(as_text=True)
    done = finish(client, poll_url(html))
    return last_job().id, done


def test_a_finished_solve_redraws_the_results_with_its_answer(client, school, monkeypatch):
    url = editor_url_of(school)
    job_id, done = run_solve_job(client, url)
    assert fresh(job_id).state == JobState.DONE
    # The finished job's element posts the form back, naming itself: the editor is redrawn.
    assert f'hx-post="{url}/edit"' in done and 'hx-target="#editor" hx-swap="morph"' in done
    assert 'hx-trigger="load"' in done and solved_job_of(done) == job_id
    form = editor_form_of(client, url)
    form["solved_by"] = str(job_id)
    no_solving(monkeypatch)
    response = client.post(f"{url}/edit", data=form, headers=LIVE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="solved-note"' in html and "Worked out in the background" in html
    assert f'name="solved_by" id="solved-by" value="{job_id}"' in html
    assert "Proved best" in html
    assert 'id="solve"' not in html  # an answer from a job never starts another


def test_a_background_answer_is_used_only_for_the_same_inputs(client, school):
    url = editor_url_of(school)
    job_id, _ = run_solve_job(client, url)
    form = editor_form_of(client, url)
    form["solved_by"] = str(job_id)
    form["teachers"] = str(int(form["teachers"]) + 1)
    html = client.post(f"{url}/edit", data=form, headers=LIVE).get_data(as_text=True)
    assert "solved-note" not in html
    assert 'name="solved_by" id="solved-by" value=""' in html


def test_another_scenarios_job_is_never_used(client, school):
    url = editor_url_of(school)
    job_id, _ = run_solve_job(client, url)
    other = save_scenario(school, "Plan C", fresh(job_id).inputs)
    other_url = f"/schools/{school.id}/scenarios/{other.id}"
    form = editor_form_of(client, other_url)
    form["solved_by"] = str(job_id)
    html = client.post(f"{other_url}/edit", data=form, headers=LIVE).get_data(as_text=True)
    assert "solved-note" not in html


def test_saving_keeps_the_allocation_worked_out_in_the_background(client, school):
    """The job's answer is saved as shown, even where a new solve would differ."""
    url = editor_url_of(school)
    scenario = db.session.scalar(db.select(Scenario).where(Scenario.school_id == school.id))
    job_id, _ = run_solve_job(client, url)
    job = fresh(job_id)
    # Rearrange the job's answer into a different, equally valid allocation: swap
    # the order of its classes, which a new solve would not reproduce.
    reordered = dict(job.result, classes=list(reversed(job.result["classes"])))
    job.result = reordered
    db.session.commit()
    form = editor_form_of(client, url)
    form["solved_by"] = str(job_id)
    response = client.post(f"{url}/revisions", data=form, headers=HX)
    assert response.status_code == 204
    db.session.commit()
    saved = db.session.get(Scenario, scenario.id).current_revision.allocation
    assert saved["classes"] == reordered["classes"]


def test_show_this_option_after_background_options_does_not_solve_again(
    client, school, monkeypatch
):
    url = editor_url_of(school)
    mark_slow(school)
    form = editor_form_of(client, url)
    html = client.post(f"{url}/options", data=form, headers=HX).get_data(as_text=True)
    done = finish(client, poll_url(html))
    job = last_job()
    assert job.kind == jobs.OPTIONS and job.state == JobState.DONE
    # The finished options name their job in the form, out of band.
    assert f'id="solved-by" value="{job.id}" hx-swap-oob="true"' in done
    form["solved_by"] = str(job.id)
    form["action"] = "pick:1"
    no_solving(monkeypatch)
    response = client.post(f"{url}/edit", data=form, headers=EDITOR)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Showing option 2" in page
    # The table shown is the job's second option, as the hidden `shown` field records.
    second = [{"grades": c["grades"]} for c in job.result["alternatives"][0]["classes"]]
    assert '"classes":' + json.dumps(second, separators=(",", ":")) in unescape(page)


def test_typing_cancels_the_users_jobs_for_other_inputs(client, slow_url):
    html = client.get(slow_url).get_data(as_text=True)
    form = form_data(html)
    client.post(solve_url_of(html), data=form, headers=HX)
    job = last_job()
    # The same inputs again (a note typed, say): the job carries on.
    form["note"] = "Still thinking."
    client.post(f"{slow_url}/edit", data=form, headers=LIVE)
    assert state(job.id) in JobState.ACTIVE
    # Different inputs: the job for the old ones is stopped.
    form["teachers"] = str(int(form["teachers"]) + 1)
    client.post(f"{slow_url}/edit", data=form, headers=LIVE)
    stopped = fresh(job.id)
    assert stopped.state == JobState.CANCELLED
    assert "inputs changed" in stopped.message


def test_results_redrawn_for_the_same_inputs_keep_the_same_solve_job(client, slow_url):
    html = client.get(slow_url).get_data(as_text=True)
    form = form_data(html)
    first = client.post(solve_url_of(html), data=form, headers=HX).get_data(as_text=True)
    job = last_job()
    again = client.post(solve_url_of(html), data=form, headers=HX).get_data(as_text=True)
    assert last_job().id == job.id and state(job.id) in JobState.ACTIVE
    assert poll_url(again) == poll_url(first)
    client.post(f"{poll_url(first)}/cancel", headers=HX)


def test_other_options_take_over_from_the_users_solve_job(client, slow_url):
    html = client.get(slow_url).get_data(as_text=True)
    form = form_data(html)
    client.post(solve_url_of(html), data=form, headers=HX)
    solving = last_job()
    options = client.post(f"{slow_url}/options", data=form, headers=HX).get_data(as_text=True)
    assert last_job().kind == jobs.OPTIONS
    replaced = fresh(solving.id)
    assert replaced.state == JobState.CANCELLED and "Replaced" in replaced.message
    client.post(f"{poll_url(options)}/cancel", headers=HX)


def solve_limits(monkeypatch) -> list[float]:
    """The time limits of the solves made in requests from here on."""
    from crunch import solving

    limits: list[float] = []
    real = solving.solve

    def recording(*args, **kwargs):
        limits.append(kwargs["time_limit"])
        return real(*args, **kwargs)

    monkeypatch.setattr(solving, "solve", recording)
    return limits


def test_inputs_known_to_be_slow_get_a_short_solve_in_the_request(
    app, client, school, slow_url, monkeypatch
):
    app.config["JOBS_SLOW_PREVIEW_SECONDS"] = 0.2
    limits = solve_limits(monkeypatch)
    # A revision saved unproved, opened: known to be slow.
    html = client.get(slow_url).get_data(as_text=True)
    assert limits == [0.2]
    # Typing in the inputs of a scenario the server knows to be slow.
    client.post(f"{slow_url}/edit", data=form_data(html), headers=LIVE)
    assert limits == [0.2, 0.2]
    # A quick school's revision was proved: its preview has the whole limit (what is
    # left of it once the request has begun: a moment less).
    client.get(editor_url_of(school))
    assert 0.2 < limits[-1] <= app.config["PREVIEW_TIME_LIMIT"]


# What the job's box says: no second table beside the editor's, no contradictions.


def test_the_box_of_a_solve_beside_the_editors_table_sums_it_up(client, slow_url):
    html = client.get(slow_url).get_data(as_text=True)
    form = form_data(html)
    form["shown"] = '{"teachers": 93, "grades": ["K"], "classes": []}'  # a table on screen
    body = client.post(solve_url_of(html), data=form, headers=HX).get_data(as_text=True)
    assert """hx-vals='{"beside": "table"}'""" in body
    job = last_job()
    wait_for(lambda: fresh(job.id).progress is not None)
    beside = poll(client, poll_url(body), headers=HX, query_string={"beside": "table"})
    text = beside.get_data(as_text=True)
    if state(job.id) == JobState.RUNNING:
        assert "Best allocation found so far" in text
    assert '<table class="classes">' not in text
    # Without a table on screen (no allocation found in the request), the box shows it,
    # and while the search goes on the status line above says so.
    alone = poll(client, poll_url(body), headers=HX).get_data(as_text=True)
    assert '<table class="classes">' in alone
    if "every 1s" in alone:
        assert '<span id="solve-progress" hx-swap-oob="true"><strong>Found a good' in alone
    client.post(f"{poll_url(body)}/cancel", data=form, headers=HX)


def test_a_cancelled_solve_no_longer_says_it_is_still_solving(client, slow_url):
    html = client.get(slow_url).get_data(as_text=True)
    assert 'id="solve-progress"><strong>Still searching:</strong>' in html
    form = form_data(html)
    body = client.post(solve_url_of(html), data=form, headers=HX).get_data(as_text=True)
    assert "Still solving" in body
    job = last_job()
    wait_for(lambda: state(job.id) == JobState.RUNNING)
    cancelled = client.post(f"{poll_url(body)}/cancel", data=form, headers=HX)
    text = cancelled.get_data(as_text=True)
    assert "Cancelled" in text and "Still solving" not in text
    # The editor's status line is corrected out of band.
    assert '<span id="solve-progress" hx-swap-oob="true"><strong>Search cancelled</strong>' in text


def test_background_note_names_no_options_when_there_is_no_allocation(app):
    from crunch.editor.presenting import background_note
    from crunch.planning import Plan
    from crunch.solver import Solution, Status, parse_scenario
    from tests.jobs_support import K12_FEWEST

    scenario = parse_scenario(K12_FEWEST)
    slow_none = Plan(scenario, Solution(Status.INFEASIBLE, None, solve_seconds=4.0), "k")
    note = background_note(slow_none)
    assert "staffing curve" in note and "options" not in note
    assert background_note(Plan(scenario, Solution(Status.INFEASIBLE, None), "k")) is None


def test_a_staffing_job_stopped_early_shows_the_rows_it_worked_out(client, school):
    scenario = db.session.scalar(db.select(Scenario).where(Scenario.school_id == school.id))
    metrics = {"classes": 6, "composites": 0, "balance": 2}
    row = {"status": "optimal", "metrics": metrics, "average_size": 22.5}
    unproved = {"status": "feasible", "metrics": metrics, "average_size": 22.5}
    job_id = add_job(
        scenario,
        JobState.TIMED_OUT,
        jobs.STAFFING,
        inputs=scenario.current_revision.inputs,
        params={"first": 4, "last": 7},
        progress={"rows": [{"teachers": 4, **row}, {"teachers": 5, **unproved}]},
        message="Stopped after 60 seconds, the time limit for work in the background.",
    )
    url = f"/schools/{school.id}/jobs/{job_id}"
    body = poll(client, url, headers=HX).get_data(as_text=True)
    assert 'id="staffing"' in body and "staffing-chart" in body
    assert "Stopped: it ran out of time. Shown: the 2 of 4 numbers of teachers" in body
    assert body.count("Not found in time") == 2 and "(not proved best)" in body
    page = poll(client, url).get_data(as_text=True)  # the job's own page says the same
    assert "<html" in page and "staffing-chart" in page


def test_a_staffing_job_reports_each_row_as_it_is_worked_out(app):
    from crunch.jobs.worker import STAFFING, compute

    sent = []
    params = {"first": 14, "last": 16, "time_limit": 2.0}
    result = compute(STAFFING, HILLSIDE, params, lambda tag, payload: sent.append((tag, payload)))
    assert [tag for tag, _ in sent] == ["progress"] * 3
    assert [len(p["rows"]) for _, p in sent] == [1, 2, 3]
    assert sent[-1][1] == result


def planner_jobs_running(school, count: int) -> None:
    """`count` active jobs of the planner's, beating now (on another scenario)."""
    planner = db.session.scalar(db.select(User).where(User.email == PLANNER))
    scenario = save_scenario(school, "Plan busy", HILLSIDE)
    for _ in range(count):
        add_job(
            scenario,
            JobState.RUNNING,
            jobs.STAFFING,
            created_by_id=planner.id,
            heartbeat_at=utcnow(),
        )


SECURITY_HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options")
AT_THE_CAP = "You have 3 searches running; wait for one to finish or cancel it."


def test_past_the_cap_a_new_job_is_refused_429_with_the_message_in_the_flash_area(client, school):
    planner_jobs_running(school, 3)
    url = editor_url_of(school)
    mark_slow(school)  # its options and staffing curve are jobs
    form = editor_form_of(client, url)
    before = db.session.scalar(db.select(db.func.count(Job.id)))
    response = client.post(f"{url}/options", data=form, headers=HX)
    body = response.get_data(as_text=True)
    assert response.status_code == 429
    assert AT_THE_CAP in body and "<html" not in body
    assert response.headers["HX-Retarget"] == "#flash"
    assert all(name in response.headers for name in SECURITY_HEADERS)
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(Job.id))) == before
    # Without htmx (a plain form post): a page that says the same.
    page = client.post(f"{url}/staffing", data=form)
    assert page.status_code == 429
    assert AT_THE_CAP in page.get_data(as_text=True) and "<html" in page.get_data(as_text=True)
    assert all(name in page.headers for name in SECURITY_HEADERS)


def test_the_api_answers_a_refused_job_in_json(app):
    with app.test_request_context("/api/scenarios/1/solve", method="POST"):
        response = app.process_response(app.handle_user_exception(jobs.TooManyJobs(AT_THE_CAP)))
    assert response.status_code == 429
    assert response.get_json() == {"status": "error", "message": AT_THE_CAP}
    assert all(name in response.headers for name in SECURITY_HEADERS)
