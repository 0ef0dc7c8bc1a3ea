"""Schools and school years: the scenario lists and creating scenarios."""

from __future__ import annotations

import pytest

from crunch.extensions import db
from crunch.models import Revision, School
from crunch.schools import store
from tests.conftest import HILLSIDE, HX, LIVE, form_data, save_scenario


def test_index_lists_schools(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "Hillside Primary" in response.get_data(as_text=True)


def test_school_page_shows_the_latest_year(client, school):
    save_scenario(school, "Adopted plan", HILLSIDE, year=2026)
    html = client.get(f"/schools/{school.id}").get_data(as_text=True)
    year = html[html.index('<section id="year"') : html.index("</section>")]
    assert "Scenarios for 2027" in year
    assert "2027 - Plan A" in year and "2026 - Adopted plan" not in year
    assert "Copy of 2026 - Adopted plan" in html  # any year's scenario can be copied


def test_school_year_fragment(client, school):
    save_scenario(school, "Adopted plan", HILLSIDE, year=2026)
    response = client.get(f"/schools/{school.id}?year=2026", headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="year"')
    assert "2026 - Adopted plan" in html and "2027 - Plan A" not in html
    assert "New scenario" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_unknown_year_falls_back_to_the_latest(client, school):
    for year in ("1900", "abc", "-1", ""):
        html = client.get(f"/schools/{school.id}?year={year}").get_data(as_text=True)
        assert "Scenarios for 2027" in html


def test_unknown_school_is_404(client):
    response = client.get("/schools/999")
    assert response.status_code == 404
    assert "There is no such page" in response.get_data(as_text=True)


def test_create_blank_scenario(client, school):
    response = client.post(
        f"/schools/{school.id}/scenarios",
        data={"name": "Plan B", "year": "2028", "source": "blank"},
    )
    assert response.status_code == 303
    created = store.scenarios_of(school, 2028)[0]
    revision = created.current_revision
    assert revision.number == 1 and revision.note == "Started blank."
    # The school's grades and limits; no teachers, no children, nothing planned yet.
    assert [g["name"] for g in revision.inputs["grades"]] == ["K", "1", "2"]
    assert all("students" not in g and g["max_size"] for g in revision.inputs["grades"])
    assert "teachers" not in revision.inputs
    assert revision.status == "blank" and revision.allocation is None
    page = client.get(response.headers["Location"])
    assert page.status_code == 200


def test_a_blank_scenario_opens_as_a_form_that_asks_for_children(client, school):
    response = client.post(
        f"/schools/{school.id}/scenarios",
        data={"name": "Plan B", "year": "2028", "source": "blank"},
    )
    url = response.headers["Location"]
    html = client.get(url).get_data(as_text=True)
    assert "Start here" in html and "how many children each grade" in html
    # Blanks are not mistakes yet, and nothing is planned for nobody.
    assert "Enter a number" not in html and 'aria-invalid="true"' not in html
    assert "Proved best" not in html and "Unused teacher" not in html
    assert 'id="staffing"' not in html
    assert 'id="teachers" name="teachers" value=""' in html
    assert "no children yet" in client.get(f"/schools/{school.id}?year=2028").get_data(as_text=True)
    # Typing the teachers alone still asks for the children; typing children plans.
    data = form_data(html)
    data["teachers"] = "3"
    live = client.post(f"{url}/edit", data=data, headers=LIVE).get_data(as_text=True)
    assert "Start here" in live and "Enter a number" not in live
    for i, n in enumerate(("40", "44", "38")):
        data[f"grades-{i}-students"] = n
    data["teachers"] = "6"
    live = client.post(f"{url}/edit", data=data, headers=LIVE).get_data(as_text=True)
    assert "Start here" not in live and "Proved best" in live
    # Odd input is still marked while the children are blank.
    data = form_data(html)
    data["teachers"] = "abc"
    live = client.post(f"{url}/edit", data=data, headers=LIVE)
    assert live.status_code == 422 and "whole number" in live.get_data(as_text=True)


def test_staffing_curve_of_inputs_without_children_answers(client, school, scenario):
    data = form_data(
        client.get(f"/schools/{school.id}/scenarios/{scenario.id}").get_data(as_text=True)
    )
    for i in range(3):
        data[f"grades-{i}-students"] = "0"
    response = client.post(
        f"/schools/{school.id}/scenarios/{scenario.id}/staffing", data=data, headers=HX
    )
    assert response.status_code == 200
    assert "None" not in response.get_data(as_text=True)


def test_create_copy_keeps_inputs_and_allocation(client, school, scenario):
    source = scenario.current_revision
    response = client.post(
        f"/schools/{school.id}/scenarios",
        data={"name": "Plan A copy", "year": "2027", "source": str(scenario.id)},
    )
    assert response.status_code == 303
    copy = next(s for s in store.scenarios_of(school, 2027) if s.name == "Plan A copy")
    revision = copy.current_revision
    assert {k: v for k, v in revision.inputs.items() if k != "name"} == {
        k: v for k, v in source.inputs.items() if k != "name"
    }
    assert revision.allocation == source.allocation
    assert "Copied from 2027 - Plan A" in revision.note
    assert db.session.scalar(db.select(db.func.count(Revision.id))) == 2


def test_create_rejects_a_taken_name_and_bad_years(client, school):
    url = f"/schools/{school.id}/scenarios"
    response = client.post(url, data={"name": "Plan A", "year": "2027", "source": "blank"})
    assert response.status_code == 422
    assert "already has a scenario called Plan A" in response.get_data(as_text=True)
    for year, message in (("", "Enter a number."), ("abc", "whole number"), ("1999", "between")):
        response = client.post(url, data={"name": "Plan Z", "year": year, "source": "blank"})
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)
    response = client.post(url, data={"name": "  ", "year": "2027", "source": "blank"})
    assert response.status_code == 422
    assert "Give the scenario a name" in response.get_data(as_text=True)
    response = client.post(url, data={"name": "Plan\tQ", "year": "2027", "source": "blank"})
    assert response.status_code == 422
    assert "punctuation only" in response.get_data(as_text=True)
    response = client.post(url, data={"name": "Plan Q", "year": "2027", "source": "424242"})
    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_blank_school_defaults(app):
    from crunch.models import District, School

    district = db.session.scalar(db.select(District))
    empty = School(district=district, name="New School")
    db.session.add(empty)
    db.session.commit()
    inputs = store.blank_inputs(empty)
    assert [g["name"] for g in inputs["grades"]] == ["K", "1", "2", "3", "4", "5", "6"]
    assert "teachers" not in inputs and all("students" not in g for g in inputs["grades"])


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"name": "x" * 5000, "year": "2027", "source": "blank"},
        {"name": "Plan", "year": "99999999999999999999", "source": "blank"},
        {"name": "Plan", "year": "2027.5", "source": "blank"},
        {"name": "\x00", "year": "2027", "source": "blank"},
        {"name": "Plan", "year": "2027", "source": ""},
        {"name": "Plan", "year": "2027", "source": "-1"},
        {"name": "Plan", "year": ["2027", "2028"], "source": "blank"},
    ],
)
def test_odd_new_scenario_input_never_fails(client, school, data):
    response = client.post(f"/schools/{school.id}/scenarios", data=data)
    assert response.status_code in (303, 422)


def test_the_words_a_principal_meets_are_explained(client, editor_url):
    glossary = client.get("/glossary").get_data(as_text=True)
    for anchor in (
        "proved-best",
        "size-spread",
        "fewest-children-of-one-grade-in-a-composite-class",
        "suggestion",
    ):
        assert f'id="{anchor}"' in glossary
    assert "0 means every class of a grade is the same size" in glossary
    html = client.get(editor_url).get_data(as_text=True)
    assert 'href="/glossary#proved-best"' in html and 'id="min-subclass-hint"' in html
    assert 'href="/glossary"' in html  # from every page's footer


def test_times_are_shown_in_the_districts_time_zone(tmp_path):
    from datetime import datetime

    from tests.conftest import AuthActions, school_app

    with school_app(tmp_path / "zone.sqlite", DISPLAY_TIMEZONE="Australia/Melbourne") as app:
        school = db.session.scalar(db.select(School))
        revision = store.scenarios_of(school, 2027)[0].current_revision
        revision.created_at = datetime(2026, 11, 29, 6, 30)  # stored in UTC
        db.session.commit()
        client = app.test_client()
        AuthActions(client).login()
        html = client.get(f"/schools/{school.id}").get_data(as_text=True)
        assert "Saved (Melbourne time)" in html and "29 Nov 2026 17:30" in html
        assert "(UTC)" not in html


def test_an_unknown_time_zone_shows_utc():
    from crunch.words import local_time, zone_label

    assert zone_label("Not/AZone") == "UTC" and zone_label(None) == "UTC"
    from datetime import datetime

    assert local_time(datetime(2026, 1, 2, 3, 4), "Not/AZone") == "02 Jan 2026 03:04"


def test_rename_duplicate_and_archive_a_scenario(client, school, scenario, editor_url):
    base = f"/schools/{school.id}/scenarios/{scenario.id}"
    editor = client.get(editor_url).get_data(as_text=True)
    assert "Rename" in editor and "Duplicate" in editor and "Archive" in editor
    assert client.post(f"{base}/rename", data={"name": "Plan Q"}).status_code == 303
    assert "2027 - Plan Q" in client.get(editor_url).get_data(as_text=True)
    # A taken or empty name is refused in words, and nothing changes.
    save_scenario(school, "Plan R", HILLSIDE)
    client.post(f"{base}/rename", data={"name": "Plan R"})
    assert "already has a scenario called Plan R" in client.get(editor_url).get_data(as_text=True)
    client.post(f"{base}/rename", data={"name": "  "})
    assert db.session.get(type(scenario), scenario.id).name == "Plan Q"
    # Duplicate: a new scenario with the same inputs and allocation.
    response = client.post(f"{base}/duplicate")
    assert response.status_code == 303
    copy = next(s for s in store.scenarios_of(school, 2027) if s.name == "Plan Q copy")
    assert copy.current_revision.allocation == scenario.current_revision.allocation
    assert response.headers["Location"].endswith(f"/scenarios/{copy.id}")
    # Archive: off the list, under "Archived", and back again.
    assert client.post(f"/schools/{school.id}/scenarios/{copy.id}/archive").status_code == 303
    page = client.get(f"/schools/{school.id}?year=2027").get_data(as_text=True)
    listed = page[page.index("<main>") : page.index("Archived (1)")]
    assert "Plan Q copy" not in listed and "Plan Q copy" in page
    url = f"/schools/{school.id}/scenarios/{copy.id}/archive"
    client.post(url, data={"archived": "0"})
    assert "Archived (" not in client.get(f"/schools/{school.id}?year=2027").get_data(as_text=True)
    # An adopted plan is not archived.
    db.session.get(type(scenario), scenario.id).adopted = True
    db.session.commit()
    client.post(f"{base}/archive")
    assert db.session.get(type(scenario), scenario.id).archived is False
    assert "adopt another plan before archiving" in client.get(editor_url).get_data(as_text=True)
