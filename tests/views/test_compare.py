"""Compare two to four scenarios of a school side by side."""

from __future__ import annotations

import copy
import re

import pytest

from crunch.compare import service as comparing
from crunch.extensions import db
from crunch.models import Scenario
from tests.conftest import HILLSIDE, HX, add_school, save_scenario


def second_plan(school, name="Plan B", year=2027, **edits):
    inputs = copy.deepcopy(HILLSIDE)
    inputs.update(edits)
    return save_scenario(school, name, inputs, year=year)


def test_two_plans_side_by_side_with_differences_marked(client, school, scenario):
    inputs = copy.deepcopy(HILLSIDE)
    inputs["grades"][1]["students"] = 50
    other = save_scenario(school, "Plan B", {**inputs, "teachers": 5})
    url = f"/schools/{school.id}/compare?s={scenario.id}&s={other.id}&go=1"
    response = client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "2027 - Plan A" in html and "2027 - Plan B" in html
    # Teachers differ, and are marked in the second column only.
    row = re.search(r"<th scope=\"row\">Teachers</th>(.*?)</tr>", html, re.S).group(1)
    assert re.findall(r"<td( class=\"differs\")?>(\d+)</td>", row) == [
        ("", "6"),
        (' class="differs"', "5"),
    ]
    assert "Grade 1: 57 -&gt; 50 children" in html
    assert "teachers 6 -&gt; 5" in html
    assert html.count("<svg") == 2  # a chart for each
    assert 'id="chart-1-title"' in html and 'id="chart-2-title"' in html
    assert "Classes of 2027 - Plan B" in html
    assert "By grade" in html
    # In the words of the screens, not the solver's.
    assert '<th scope="row">Size spread</th>' in html and "(balance)" not in html
    assert "proved best" in html and "optimal" not in html
    grade_1 = re.search(r"<th scope=\"row\">Grade 1</th>(.*?)</tr>", html, re.S).group(1)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", grade_1)
    assert cells[0].startswith("57 in ") and cells[1].startswith("50 in ")
    assert re.fullmatch(r"\d+ in \d+ class(es)?: \d+ / [\d.]+ / \d+", cells[0])


def test_plans_of_different_years(client, school, scenario):
    earlier = second_plan(school, "Adopted plan", year=2026, teachers=7)
    response = client.get(f"/schools/{school.id}/compare?s={earlier.id}&s={scenario.id}")
    assert response.status_code == 200
    assert "2026 - Adopted plan" in response.text and "teachers 7 -&gt; 6" in response.text


def test_four_at_most_two_at_least(client, school, scenario):
    ids = [scenario.id] + [second_plan(school, f"Plan {n}").id for n in "BCDE"]
    query = "&".join(f"s={i}" for i in ids)
    response = client.get(f"/schools/{school.id}/compare?{query}&go=1")
    assert response.status_code == 422
    assert "Pick at most 4 scenarios; you picked 5." in response.text
    assert client.get(f"/schools/{school.id}/compare?s={ids[0]}&go=1").status_code == 422
    assert "at least two" in client.get(f"/schools/{school.id}/compare?go=1").text
    four = "&".join(f"s={i}" for i in ids[:4])
    assert client.get(f"/schools/{school.id}/compare?{four}").text.count("<svg") == 4
    # One pre-picked scenario (the editor's link) is not an error yet.
    page = client.get(f"/schools/{school.id}/compare?s={ids[0]}")
    assert (
        page.status_code == 200 and "field-error" in page.text and "Pick at least" not in page.text
    )
    assert f'value="{ids[0]}" checked' in page.text


def test_odd_picks_are_messages_or_404(client, school, scenario):
    base = f"/schools/{school.id}/compare"
    assert client.get(f"{base}?s=x&s=1&go=1").status_code == 422
    assert client.get(f"{base}?s={scenario.id}&s=999999").status_code == 404
    other = add_school("Other School")
    foreign = comparing.scenarios_of_school(other)[0]
    assert client.get(f"{base}?s={scenario.id}&s={foreign.id}").status_code == 404
    assert client.get("/schools/999/compare").status_code == 404


def test_the_comparison_is_an_htmx_block(client, school, scenario):
    other = second_plan(school, teachers=5)
    response = client.get(f"/schools/{school.id}/compare?s={scenario.id}&s={other.id}", headers=HX)
    assert response.text.lstrip().startswith('<section id="comparison"')
    assert "HX-Request" in response.headers["Vary"]


def test_links_to_compare(client, school, scenario, editor_url):
    second_plan(school)
    page = client.get(f"/schools/{school.id}").text
    assert f"/schools/{school.id}/compare?s=" in page
    assert f"/schools/{school.id}/compare?s={scenario.id}" in client.get(editor_url).text


def test_the_picker_lists_earlier_years_first(client, school, scenario):
    earlier = second_plan(school, "Adopted plan", year=2026)
    page = client.get(f"/schools/{school.id}/compare").text
    assert page.index(f'value="{earlier.id}"') < page.index(f'value="{scenario.id}"')


def test_rows_mark_only_what_differs_from_the_first():
    row = comparing._row("x", [1, 1, 2, None])
    assert [c.differs for c in row.cells] == [False, False, True, True]
    assert [c.text for c in row.cells] == ["1", "1", "2", comparing.NONE]


def test_the_adopted_plans_of_different_years(client, school, scenario):
    if not hasattr(Scenario, "adopted"):
        pytest.skip("scenarios do not record adoption yet")
    earlier = second_plan(school, "Adopted plan", year=2026, teachers=7)
    second_plan(school, "Plan B")
    for adopted in (earlier, scenario):
        db.session.get(Scenario, adopted.id).adopted = True
    db.session.commit()
    page = client.get(f"/schools/{school.id}/compare").text
    link = f"/schools/{school.id}/compare?s={earlier.id}&amp;s={scenario.id}"
    assert link in page and "Compare the adopted plans of 2026, 2027" in page
    response = client.get(link.replace("&amp;", "&"))
    assert "2026 - Adopted plan" in response.text and "teachers 7 -&gt; 6" in response.text


def test_a_plan_without_an_allocation_compares_too(client, school, scenario):
    stuck = second_plan(school, "No answer", teachers=2)
    assert stuck.current_revision.allocation is None
    response = client.get(f"/schools/{school.id}/compare?s={scenario.id}&s={stuck.id}")
    assert response.status_code == 200
    html = response.text
    assert "No allocation was saved: these inputs have none." in html
    assert "no allocation fits" in html
    row = re.search(r"<th scope=\"row\">Classes</th>(.*?)</tr>", html, re.S).group(1)
    assert f'<td class="differs">{comparing.NONE}</td>' in row
    assert html.count("<svg") == 1


def test_a_pick_needs_two_unless_the_form_was_sent(app, school, scenario):
    choices = comparing.scenarios_of_school(school)
    # One pre-picked from the editor's link: ticked, no comparison, no message.
    one = comparing.pick(choices, [str(scenario.id)], go=False)
    assert (one.picked, one.comparison, one.error, one.status) == (
        [str(scenario.id)],
        None,
        "",
        200,
    )
    assert comparing.pick(choices, ["x"], go=False).picked == []
    sent = comparing.pick(choices, [str(scenario.id)], go=True)
    assert sent.status == 422 and sent.error == "Pick at least two scenarios to compare."
    assert sent.picked == [str(scenario.id)]


def test_a_pick_compares_the_choices_it_names_and_refuses_others(app, school, scenario):
    other = second_plan(school, teachers=5)
    choices = comparing.scenarios_of_school(school)
    both = comparing.pick(choices, [str(other.id), str(scenario.id), str(other.id)], go=False)
    assert both.picked == [str(other.id), str(scenario.id)] and both.status == 200
    assert [c.scenario.id for c in both.comparison.columns] == [other.id, scenario.id]
    with pytest.raises(comparing.NotAChoice):
        comparing.pick(choices[:1], [str(scenario.id), str(other.id)], go=True)
