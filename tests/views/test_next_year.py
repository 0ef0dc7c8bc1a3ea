"""Next year's scenario from this year's, through the web form."""

from __future__ import annotations

import copy

from crunch.extensions import db
from crunch.models import Scenario
from crunch.schools import store
from tests.conftest import HILLSIDE, save_scenario


def with_entry(count):
    inputs = copy.deepcopy(HILLSIDE)
    inputs["grades"][0]["students"] = count
    return inputs


def test_the_form_suggests_the_trend_and_shows_the_moves(client, school, editor_url):
    save_scenario(school, "Adopted", with_entry(28), year=2025)
    save_scenario(school, "Adopted", with_entry(30), year=2026)
    page = client.get(f"{editor_url}/next-year")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # 2025: 28, 2026: 30, 2027: 32 -> 34 for 2028.
    assert 'value="34"' in html
    assert "From the trend of 2025: 28, 2026: 30, 2027: 32." in html
    assert "32 children move from grade K to grade 1" in html
    assert "21 children of grade 2 leave" in html
    assert f"{editor_url}/next-year" in client.get(editor_url).text


def test_without_earlier_years_the_suggestion_is_this_years(client, editor_url):
    html = client.get(f"{editor_url}/next-year").get_data(as_text=True)
    assert 'value="32"' in html and "Same as 2027: 32." in html


def test_creating_next_years_scenario(client, school, scenario, editor_url):
    response = client.post(f"{editor_url}/next-year", data={"name": "Plan A", "entry": "35"})
    assert response.status_code == 303
    created = store.scenarios_of(school, 2028)
    assert [s.name for s in created] == ["Plan A"]
    new = created[0]
    assert response.headers["Location"].endswith(f"/scenarios/{new.id}")
    revision = new.current_revision
    assert [g["students"] for g in revision.inputs["grades"]] == [35, 32, 57]
    assert revision.inputs["composites"] == scenario.current_revision.inputs["composites"]
    assert revision.status in ("optimal", "feasible", "infeasible")
    assert "Next year from 2027 - Plan A, revision 1" in revision.note
    # The source is untouched.
    db.session.expire_all()
    assert db.session.get(Scenario, scenario.id).current_revision.number == 1


def test_bad_input_is_shown_beside_the_field(client, school, editor_url):
    for data, field, message in [
        ({"name": "Plan A", "entry": "many"}, "err-entry", "Enter a whole number"),
        ({"name": "Plan A", "entry": "-3"}, "err-entry", "Enter a number from 0 to 10,000."),
        ({"name": "Plan A", "entry": ""}, "err-entry", "Enter a number."),
        ({"name": " ", "entry": "30"}, "err-name", "Give the scenario a name"),
        ({}, "err-entry", "Enter a number."),
    ]:
        response = client.post(f"{editor_url}/next-year", data=data)
        assert response.status_code == 422, data
        html = response.get_data(as_text=True)
        start = html.index(f'id="{field}"')
        assert message in html[start : start + 200], (data, html[start : start + 200])
    assert store.scenarios_of(school, 2028) == []


def test_a_taken_name_is_a_message(client, school, editor_url):
    save_scenario(school, "Plan A", HILLSIDE, year=2028)
    response = client.post(f"{editor_url}/next-year", data={"name": "Plan A", "entry": "30"})
    assert response.status_code == 422
    assert "2028 already has a scenario called Plan A." in response.text


def test_another_schools_scenario_is_404(client, school, scenario):
    assert (
        client.get(f"/schools/{school.id + 1}/scenarios/{scenario.id}/next-year").status_code == 404
    )
