"""Slow work in the editor becomes a job: the polling status, its result, cancel, roles."""

from __future__ import annotations

import re

import pytest

from crunch import jobs
from crunch.extensions import db
from crunch.models import Job, JobState, Role, Scenario, School
from tests.conftest import (
    HX,
    LIVE,
    VIEWER,
    AuthActions,
    add_user,
    form_data,
    save_scenario,
)
from tests.test_jobs_support import (
    K12_FEWEST,
    fresh,
    job_app_factory,
    process_gone,
    set_up,
    state,
    tear_down,
    wait_for,
)


@pytest.fixture
def app(tmp_path):
    app = job_app_factory(tmp_path)
    with app.app_context():
        set_up(app)
        yield app
        tear_down(app)


@pytest.fixture
def school(app):
    return db.session.scalar(db.select(School))


@pytest.fixture
def client(app):
    client = app.test_client()
    AuthActions(client).login()
    return client


@pytest.fixture
def slow_url(school):
    scenario = save_scenario(school, "Plan K12", K12_FEWEST)
    return f"/schools/{school.id}/scenarios/{scenario.id}"


def editor_url_of(school) -> str:
    scenario = db.session.scalar(db.select(Scenario).where(Scenario.school_id == school.id))
    return f"/schools/{school.id}/scenarios/{scenario.id}"


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


def test_a_slow_preview_marks_its_inputs_for_the_background(client, slow_url):
    html = client.get(slow_url).get_data(as_text=True)
    assert 'name="background" value="1"' in html
    assert 'id="background-note"' in html


def test_a_quick_preview_keeps_options_in_the_request(client, school):
    url = editor_url_of(school)
    form = editor_form_of(client, url)
    assert form["background"] == ""
    response = client.post(f"{url}/options", data=form, headers=HX)
    assert response.status_code == 200
    assert "every 1s" not in response.get_data(as_text=True)
    assert last_job() is None


def test_options_of_slow_inputs_become_a_job_that_polling_sees_done(client, school):
    url = editor_url_of(school)
    scenario = db.session.scalar(db.select(Scenario).where(Scenario.school_id == school.id))
    form = editor_form_of(client, url)
    form["background"] = "1"  # as if the preview had been slow: this school is quick
    response = client.post(f"{url}/options", data=form, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'hx-trigger="every 1s"' in html and 'id="options"' in html
    assert "Cancel" in html
    status = poll_url(html)
    job = last_job()
    assert job.kind == jobs.OPTIONS and job.scenario_id == scenario.id
    assert job.revision_id == scenario.current_revision_id

    def polled_done():
        body = poll(client, status, headers=HX).get_data(as_text=True)
        return body if "every 1s" not in body else None

    done = wait_for(polled_done)
    assert 'id="options"' in done and "Show this option" in done
    assert fresh(job.id).state == JobState.DONE
    page = client.get(status).get_data(as_text=True)  # without htmx: a page
    assert "<html" in page and "Show this option" in page


def test_the_staffing_curve_of_slow_inputs_becomes_a_job(client, school):
    url = editor_url_of(school)
    form = editor_form_of(client, url)
    form["background"] = "1"
    html = client.post(f"{url}/staffing", data=form, headers=HX).get_data(as_text=True)
    assert 'id="staffing"' in html and "every 1s" in html
    status = poll_url(html)
    done = wait_for(
        lambda: (b := poll(client, status, headers=HX).get_data(as_text=True))
        and "every 1s" not in b
        and b
    )
    assert "staffing-chart" in done


def start_slow(client, slow_url) -> tuple[Job, str]:
    form = editor_form_of(client, slow_url)
    assert form["background"] == "1"
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
    viewer = app.test_client()
    AuthActions(viewer).login(VIEWER)
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
    job = Job(
        school_id=other.id,
        scenario_id=scenario.id,
        kind=jobs.OPTIONS,
        state=JobState.QUEUED,
        inputs=K12_FEWEST,
        params={},
    )
    db.session.add(job)
    db.session.commit()
    for school_id in (other.id, school.id):
        url = f"/schools/{school_id}/jobs/{job.id}"
        assert client.get(url).status_code == 404
        assert client.get(url, headers=HX).status_code == 404
        assert client.post(f"{url}/cancel", headers=HX).status_code == 404
    assert state(job.id) == JobState.QUEUED
    db.session.delete(fresh(job.id))
    db.session.commit()


def test_typing_keeps_the_background_mark_in_the_results_block(client, slow_url):
    form = editor_form_of(client, slow_url)
    html = client.post(f"{slow_url}/edit", data=form, headers=LIVE).get_data(as_text=True)
    assert 'name="background" value="1"' in html
