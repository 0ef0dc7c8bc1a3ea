"""The scenario editor: page and fragments, live preview, messages beside fields."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest

from crunch import solving
from crunch.editor import actions
from crunch.solver.data import scenario_to_dict
from tests.conftest import EDITOR, HX, LIVE, form_data


def class_rows(html: str) -> int:
    """Rows of the class table that hold a class (not the unused-teacher rows)."""
    table = html[html.index('<table class="classes">') :]
    table = table[: table.index("</table>")]
    return len(re.findall(r'<tr(?: class="composite")?>\s*<th scope="row">', table))


def suggestion_buttons(html: str) -> list[tuple[str, str]]:
    """(value, words) of each suggestion's button, in the order shown."""
    found = re.findall(
        r'name="action" value="(apply:[^"]*)" class="small suggestion"\s*>([^<]*)<', html
    )
    return [(unescape(value), unescape(words).strip()) for value, words in found]


def error_text(html: str, field_id: str) -> str:
    match = re.search(rf'id="err-{re.escape(field_id)}"[^>]*>([^<]*)<', html)
    assert match, f"no message element for {field_id}"
    return match.group(1).strip()


def type_in(client, editor_url: str, form):
    """Post the editor form as typing in its inputs does (a live preview)."""
    return client.post(f"{editor_url}/edit", data=form, headers=LIVE)


def test_editor_page_is_a_full_page(client, editor_url):
    response = client.get(editor_url)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.startswith("<!doctype html>")
    assert "Proved best" in html
    assert class_rows(html) == 6
    assert "HX-Request" in response.headers["Vary"]


def test_editor_fragment_for_htmx_is_the_editor_block_only(client, editor_url):
    response = client.get(editor_url, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<form id="editor"')
    assert "<html" not in html and "Revisions" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_history_restore_gets_the_whole_page(client, editor_url):
    response = client.get(editor_url, headers={**HX, "HX-History-Restore-Request": "true"})
    assert response.get_data(as_text=True).startswith("<!doctype html>")


def test_typing_redraws_the_whole_editor_to_be_morphed_in(client, editor_url, editor_form):
    editor_form["teachers"] = "5"
    response = client.post(f"{editor_url}/edit", data=editor_form, headers=LIVE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith('<form id="editor"')
    assert 'hx-swap="morph" hx-ext="morph"' in html
    assert 'id="teachers" name="teachers" value="5"' in html  # as typed
    assert class_rows(html) == 5
    # The messages beside the inputs are in place, not sent out of band; only the live
    # region (outside the editor) is.
    assert 'id="err-teachers">' in html
    assert re.findall(r"hx-swap-oob=\"([^\"]*)\"", html) == ["innerHTML:#results-live"]
    assert "HX-Request" in response.headers["Vary"]


def test_every_field_a_message_can_name_has_its_place_in_the_editor(
    client, editor_url, editor_form
):
    editor_form["action"] = "locked-add"
    html = client.post(f"{editor_url}/edit", data=editor_form, headers=EDITOR).get_data(True)
    fields = ("teachers", "grades-2-max_size", "composites-1-min_size", "locked-0", "priorities")
    for field in fields:
        assert f'id="err-{field}"' in html, field


def test_typing_and_a_button_get_the_same_answer(client, editor_url, editor_form):
    def drawn(headers):
        html = client.post(f"{editor_url}/edit", data=editor_form, headers=headers).get_data(True)
        return re.sub(r'(data-drawn|value)="[^"]*"', "", html)

    editor_form["teachers"] = "5"
    assert drawn(LIVE) == drawn(EDITOR)


def test_more_teachers_than_classes_shows_unused_teachers(client, editor_url, editor_form):
    editor_form["teachers"] = "9"
    html = client.post(f"{editor_url}/edit", data=editor_form, headers=LIVE).get_data(True)
    assert "Unused teacher" in html


def test_without_htmx_the_same_post_returns_the_page(client, editor_url, editor_form):
    editor_form["teachers"] = "5"
    response = client.post(f"{editor_url}/edit", data=editor_form)
    assert response.get_data(as_text=True).startswith("<!doctype html>")
    assert "HX-Request" in response.headers["Vary"]


def test_invalid_number_answers_422_beside_the_field_and_keeps_the_table_stale(
    client, editor_url, editor_form
):
    editor_form["teachers"] = "six"
    response = client.post(f"{editor_url}/edit", data=editor_form, headers=LIVE)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert error_text(html, "teachers") == "Enter a whole number, such as 12."
    assert 'class="results stale"' in html
    assert class_rows(html) == 6  # the last good table, still visible
    shown = re.search(r'name="shown" value="([^"]*)"', html).group(1)
    assert json.loads(shown.replace("&#34;", '"'))["teachers"] == 6


@pytest.mark.parametrize(
    ("name", "value", "field", "words"),
    [
        ("grades-1-min_size", "30", "grades-1-max_size", "below the minimum"),
        # a bad grade is not echoed by its composites ("Unknown grade")
        ("grades-1-min_size", "40", "grades-1-max_size", "below the minimum"),
        ("grades-2-name", "1", "grades-2-name", "appears twice"),
    ],
)
def test_a_clash_between_fields_is_reported_on_one_field(
    client, editor_url, editor_form, name, value, field, words
):
    editor_form[name] = value
    response = type_in(client, editor_url, editor_form)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert words in error_text(html, field)
    assert "Unknown grade" not in html


def test_empty_and_negative_values_are_reported(client, editor_url, editor_form):
    editor_form["grades-0-students"] = ""
    editor_form["grades-2-students"] = "-4"
    html = type_in(client, editor_url, editor_form).get_data(True)
    assert error_text(html, "grades-0-students") == "Enter a number."
    # Format errors come first; once the blank is filled, the negative is reported.
    editor_form["grades-0-students"] = "32"
    html = type_in(client, editor_url, editor_form).get_data(True)
    assert "at least 0" in error_text(html, "grades-2-students")


def test_fixing_the_input_clears_the_message(client, editor_url, editor_form):
    editor_form["teachers"] = "0"
    assert error_text(type_in(client, editor_url, editor_form).get_data(True), "teachers")
    editor_form["teachers"] = "6"
    response = type_in(client, editor_url, editor_form)
    assert response.status_code == 200
    assert error_text(response.get_data(True), "teachers") == ""


def test_composite_limits_are_checked_beside_the_composite(client, editor_url, editor_form):
    row = next(
        k.split("-")[1] for k, v in editor_form.items() if k.endswith("members") and v == "0,1"
    )
    editor_form[f"composites-{row}-min_size"] = "20"
    editor_form[f"composites-{row}-max_size"] = "10"
    response = client.post(f"{editor_url}/edit", data=editor_form, headers=LIVE)
    assert response.status_code == 422
    assert "below the minimum" in error_text(response.get_data(True), f"composites-{row}-max_size")


def test_infeasible_input_shows_diagnosis_and_suggestions(client, editor_url, editor_form):
    editor_form["teachers"] = "3"
    response = client.post(f"{editor_url}/edit", data=editor_form, headers=LIVE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "No allocation fits these rules" in html
    assert "Why there is no allocation" in html
    # the button carries the suggestion's own merge patch
    assert suggestion_buttons(html) == [('apply:{"teachers":5}', "Add 2 teachers (5 in all)")]


def test_a_suggestion_button_applies_its_change(client, editor_url, editor_form):
    editor_form["teachers"] = "3"
    html = client.post(f"{editor_url}/edit", data=editor_form, headers=LIVE).get_data(True)
    editor_form["action"] = suggestion_buttons(html)[0][0]
    response = client.post(f"{editor_url}/edit", data=editor_form, headers=EDITOR)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Applied: teachers 3 -&gt; 5." in html
    assert "Proved best" in html
    assert form_data(html)["teachers"] == "5"


def _needs_a_pair(form):
    """K and 1 of 50 (at most 24 a class), 2 of 28, 5 teachers, no composite: raising one
    maximum saves one class, both to 25 save two (tests/solver/test_suggestions.py)."""
    form["teachers"] = "5"
    for i, (students, high) in enumerate([(50, 24), (50, 24), (28, 28)]):
        form[f"grades-{i}-students"] = str(students)
        form[f"grades-{i}-min_size"] = "12"
        form[f"grades-{i}-max_size"] = str(high)
    for key in [k for k in form if k.startswith("composites-") and k.endswith("-enabled")]:
        del form[key]
    return form


def largest_sizes_and_teachers(html: str) -> tuple[list[str], str]:
    """The three grades' maximum class sizes and the teachers, as the form shows them."""
    shown = form_data(html)
    return [shown[f"grades-{i}-max_size"] for i in range(3)], shown["teachers"]


def test_editor_shows_a_pair_when_no_single_small_change_works(client, editor_url, editor_form):
    form = _needs_a_pair(editor_form)
    html = type_in(client, editor_url, form).get_data(True)
    assert "No single small change makes this work." in html
    pair = (
        "Raise grade K&#39;s maximum class size from 24 to 25, "
        "and raise grade 1&#39;s maximum class size from 24 to 25"
    )
    assert pair in html
    assert "(2 changes, made together)" in html
    assert 'href="/glossary#suggestion"' in html
    assert unescape(pair) in [words for _, words in suggestion_buttons(html)]


def test_applying_a_pair_makes_both_changes(client, editor_url, editor_form):
    form = _needs_a_pair(editor_form)
    html = type_in(client, editor_url, form).get_data(True)
    [action] = [v for v, words in suggestion_buttons(html) if words.endswith("24 to 25")]
    form["action"] = action
    response = client.post(f"{editor_url}/edit", data=form, headers=EDITOR)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert (
        "Applied: Grade K: largest class 24 -&gt; 25; Grade 1: largest class 24 -&gt; 25." in html
    )
    assert "Proved best" in html
    assert largest_sizes_and_teachers(html) == (["25", "25", "28"], "5")


def test_applying_a_limit_and_a_composite_makes_both(client, editor_url, editor_form):
    form = _needs_a_pair(editor_form)
    html = type_in(client, editor_url, form).get_data(True)
    [action] = [v for v, words in suggestion_buttons(html) if "composite" in words]
    form["action"] = action
    html = client.post(f"{editor_url}/edit", data=form, headers=EDITOR).get_data(True)
    assert "Applied: Grade K: largest class 24 -&gt; 28; allowed K/1 composite." in html
    applied = form_data(html)
    assert applied["grades-0-max_size"] == "28"
    assert applied["composites-0-members"] == "0,1" and applied["composites-0-enabled"] == "y"


def test_applying_takes_the_clicked_suggestion_whatever_a_new_solve_lists(
    client, editor_url, editor_form, monkeypatch
):
    """A solve cut short by its time limit may list the suggestions in another order
    the next time: the button applies its own change, and nothing re-solves the old
    inputs to find it."""
    form = _needs_a_pair(editor_form)
    html = type_in(client, editor_url, form).get_data(True)
    buttons = suggestion_buttons(html)
    assert len(buttons) == 3
    clicked, words = buttons[0]
    assert words.endswith("from 24 to 25")

    solved = []
    real_solve = solving.solve

    def solve_and_list_backwards(scenario, **kwargs):
        solved.append(scenario_to_dict(scenario))
        solution = real_solve(scenario, **kwargs)
        return solution.__class__(
            **{**solution.__dict__, "suggestions": solution.suggestions[::-1]}
        )

    monkeypatch.setattr(solving, "solve", solve_and_list_backwards)
    # what the page now lists first is another suggestion: the old way (by position)
    # would have applied that one
    html = type_in(client, editor_url, form).get_data(True)
    assert suggestion_buttons(html)[0][1] == "Add 2 teachers (7 in all)"
    posted = solved.pop()

    form["action"] = clicked
    response = client.post(f"{editor_url}/edit", data=form, headers=EDITOR)
    assert response.status_code == 200
    assert largest_sizes_and_teachers(response.get_data(True)) == (["25", "25", "28"], "5")
    assert solved and posted not in solved  # only the changed inputs were solved


def _pair_patch(**grade_changes) -> dict:
    grades = [
        {"name": "K", "students": 50, "min_size": 12, "max_size": 24},
        {"name": "1", "students": 50, "min_size": 12, "max_size": 24},
        {"name": "2", "students": 28, "min_size": 12, "max_size": 28},
    ]
    for key, value in grade_changes.items():
        field, index = key.rsplit("_", 1)
        grades[int(index)][field] = value
    return {"grades": grades}


FORGED = {
    "not json": "apply:{",
    "a list": "apply:[]",
    "empty": "apply:{}",
    "a position, as buttons once had": "apply:0",
    "unknown key": actions.apply_value({"name": "x"}),
    "unlocks fixed classes": actions.apply_value({"locked": None}),
    "fewer teachers": actions.apply_value({"teachers": 4}),
    "teachers as text": 'apply:{"teachers":"7"}',
    "teachers as true": 'apply:{"teachers":true}',
    "absurd teachers": actions.apply_value({"teachers": 10**6}),
    "children changed": actions.apply_value(_pair_patch(students_0=40)),
    "grade renamed": actions.apply_value(_pair_patch(name_0="P")),
    "a grade added": actions.apply_value(
        {"grades": _pair_patch()["grades"] + [{"name": "3", "students": 1}]}
    ),
    "maximum lowered": actions.apply_value(_pair_patch(max_size_0=20)),
    "maximum past the largest": actions.apply_value(_pair_patch(max_size_0=29)),
    "minimum raised": actions.apply_value(_pair_patch(min_size_0=13)),
    "minimum below 1": actions.apply_value(_pair_patch(min_size_0=0)),
    "no change": actions.apply_value(_pair_patch()),
    "three changes": actions.apply_value(
        {**_pair_patch(max_size_0=25, max_size_1=25), "teachers": 6}
    ),
    "composite of grades apart": actions.apply_value({"composites": [{"grades": ["K", "2"]}]}),
    "composite with limits": actions.apply_value(
        {"composites": [{"grades": ["K", "1"], "max_size": 99}]}
    ),
    "composite of unhashable grades": 'apply:{"composites":[{"grades":[[1],{}]}]}',
    "deeply nested": "apply:" + "[" * 30_000,
    "huge": actions.apply_value({"teachers": 7, "pad": "x" * 50_000}),
}


@pytest.mark.parametrize("value", FORGED.values(), ids=FORGED.keys())
@pytest.mark.parametrize("headers", [LIVE, EDITOR], ids=["live", "editor"])
def test_a_forged_suggestion_is_refused_and_changes_nothing(
    client, editor_url, editor_form, value, headers
):
    form = _needs_a_pair(editor_form)
    form["action"] = value
    response = client.post(f"{editor_url}/edit", data=form, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert unescape(html).count(actions.NOT_SUGGESTED) == 1
    assert "Applied:" not in html
    # the inputs as posted, and their plan (still infeasible, with its suggestions)
    assert "No allocation fits these rules" in html
    if headers is EDITOR:
        assert largest_sizes_and_teachers(html) == (["24", "24", "28"], "5")


def test_a_suggestion_made_for_other_inputs_is_refused(client, editor_url, editor_form):
    """Typed after the suggestions were shown: grade 2 has more children now."""
    form = _needs_a_pair(editor_form)
    html = type_in(client, editor_url, form).get_data(True)
    form["action"] = suggestion_buttons(html)[0][0]
    form["grades-2-students"] = "29"
    response = client.post(f"{editor_url}/edit", data=form, headers=EDITOR)
    assert response.status_code == 422
    assert actions.NOT_SUGGESTED in unescape(response.get_data(as_text=True))
    assert form_data(response.get_data(as_text=True))["grades-2-students"] == "29"


def test_the_size_step_setting_bounds_the_suggestions(app, client, editor_url, editor_form):
    app.config["SUGGESTION_MAX_SIZE_STEP"] = 0
    form = _needs_a_pair(editor_form)
    html = type_in(client, editor_url, form).get_data(True)
    assert "Why there is no allocation" in html
    assert "maximum class size" not in html
    assert "Add 2 teachers (7 in all)" in html


def test_staffing_curve(client, editor_url, editor_form):
    response = client.post(f"{editor_url}/staffing", data=editor_form, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<svg" in html and "6 (now)" in html
    assert "HX-Request" in response.headers["Vary"]


def element(html, element_id):
    return re.search(rf'<div id="{element_id}"[^>]*>.*?</div>', html, re.S).group(0)


def test_the_page_draws_the_staffing_and_options_blocks_unloaded(client, editor_url):
    html = client.get(editor_url).get_data(as_text=True)
    staffing = element(html, "staffing")
    assert 'hx-trigger="load"' in staffing and f'hx-post="{editor_url}/staffing"' in staffing
    assert "Working out what each teacher" in staffing
    options = element(html, "options")
    assert "Find other options" in options and f'hx-post="{editor_url}/options"' in options


def test_each_answer_draws_the_staffing_curve_to_load_again(client, editor_url, editor_form):
    # A morph keeps an element htmx already knows when nothing about it changed, and
    # its load trigger would not fire again: each answer draws it anew.
    def drawn():
        html = client.post(f"{editor_url}/edit", data=editor_form, headers=LIVE).get_data(True)
        return re.search(r'id="staffing"[^>]*data-drawn="([0-9a-f]+)"', html).group(1)

    assert drawn() != drawn()


def test_staffing_curve_of_invalid_input(client, editor_url, editor_form):
    editor_form["teachers"] = "x"
    response = client.post(f"{editor_url}/staffing", data=editor_form, headers=HX)
    assert response.status_code == 422
    assert "Fix the marked inputs" in response.get_data(as_text=True)


def test_options_list_and_picking_one(client, editor_url, editor_form):
    response = client.post(f"{editor_url}/options", data=editor_form, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="pick:1"' in html and "Find other options" not in html
    editor_form["action"] = "pick:1"
    html = client.post(f"{editor_url}/edit", data=editor_form, headers=EDITOR).get_data(True)
    assert "Showing option 2." in html
    picked = form_data(html)["picked"]
    assert picked.endswith(":1")
    # Typing something else drops the pick: it belonged to the old inputs.
    changed = form_data(html)
    changed["grades-0-students"] = "33"
    html = client.post(f"{editor_url}/edit", data=changed, headers=LIVE).get_data(True)
    assert "Showing option" not in html


def test_unsaved_changes_are_marked(client, editor_url, editor_form):
    html = client.post(f"{editor_url}/edit", data=editor_form, headers=LIVE).get_data(True)
    assert "Not saved" not in html
    editor_form["grades-0-students"] = "33"
    html = client.post(f"{editor_url}/edit", data=editor_form, headers=LIVE).get_data(True)
    assert "Not saved" in html


def test_another_option_on_screen_is_marked_not_saved(client, editor_url, editor_form):
    client.post(f"{editor_url}/options", data=editor_form, headers=HX)
    editor_form["action"] = "pick:1"
    html = client.post(f"{editor_url}/edit", data=editor_form, headers=EDITOR).get_data(True)
    assert "Showing option 2." in html and "Not saved" in html
    editor_form = form_data(html)
    editor_form["action"] = "pick:0"
    html = client.post(f"{editor_url}/edit", data=editor_form, headers=EDITOR).get_data(True)
    assert "Not saved" not in html


def test_unknown_scenario_and_other_schools_scenario_are_404(client, app, editor_url, scenario):
    from tests.conftest import add_school

    other = add_school("Other School")
    assert client.get(f"/schools/{scenario.school_id}/scenarios/9999").status_code == 404
    assert client.get(f"/schools/{other.id}/scenarios/{scenario.id}").status_code == 404
    response = client.post(f"/schools/{other.id}/scenarios/{scenario.id}/edit", headers=LIVE)
    assert response.status_code == 404
    assert response.headers["HX-Retarget"] == "#flash"


ODD_INPUTS = [
    {},
    {"teachers": "1e9"},
    {"teachers": "99999999999999999999999"},
    {"teachers": "٣"},
    {"teachers": " 7 "},
    {"teachers": "-0"},
    {"teachers": "3.5"},
    {"teachers": "\x00"},
    {"teachers": "<script>alert(1)</script>"},
    {"min_subclass_size": ""},
    {"grades-0-name": ""},
    {"grades-0-name": "x" * 5000},
    {"grades-0-name": "   "},
    {"grades-0-name": "="},
    {"grades-0-students": "10001"},
    {"grades-0-max_size": "0"},
    {"grades-7-name": "Z"},
    {"grades-abc-name": "Z"},
    {"grades-99999999999999-name": "Z"},
    {"composites-0-members": "0,0"},
    {"composites-0-members": "5,9"},
    {"composites-0-members": "a,b"},
    {"composites-0-members": "0,1,2", "composites-0-enabled": "y"},
    {"composites-9-members": "0,2", "composites-9-enabled": "y"},
    {"composites-0-enabled": "maybe", "composites-0-min_size": "-3"},
    {"locked-0-counts-0": "30"},
    {"locked-0-counts-0": "5", "locked-0-counts-1": "5"},
    {"locked-0-counts-9": "5"},
    {"locked-0-counts-0": "0"},
    {"priorities-0": "balance"},
    {"priorities-0": "nonsense", "priorities-5": "x"},
    {"picked": "abc:99999"},
    {"picked": ":"},
    {"shown": "{"},
    {"shown": "[" * 5000},
    {"shown": json.dumps({"teachers": 2, "grades": ["K"], "classes": [{"grades": {"K": "x"}}]})},
    {"shown": json.dumps({"teachers": True, "grades": 1, "classes": None})},
    {"action": "grade-remove:99"},
    {"action": "grade-up:0"},
    {"action": "lock:99"},
    {"action": "apply:99"},
    {"action": "pick:999"},
    {"action": "locked-remove:3"},
    {"action": "priority-up:9"},
    {"action": "composite-add"},
    {"action": "composite-remove:99"},
    {"action": "nonsense"},
    {"action": "grade-up:-1"},
    {"action": ":"},
    {"note": "n" * 10000},
]


@pytest.mark.parametrize("changes", ODD_INPUTS)
@pytest.mark.parametrize("headers", [LIVE, EDITOR, {}], ids=["live", "editor", "page"])
def test_odd_input_never_fails(client, editor_url, editor_form, changes, headers):
    for key, value in changes.items():
        editor_form[key] = value
    response = client.post(f"{editor_url}/edit", data=editor_form, headers=headers)
    assert response.status_code in (200, 422)
    assert "<form" in response.get_data(as_text=True) or headers is LIVE


@pytest.mark.parametrize("changes", ODD_INPUTS[:12])
def test_odd_input_to_the_side_panels_never_fails(client, editor_url, editor_form, changes):
    for key, value in changes.items():
        editor_form[key] = value
    for path in ("staffing", "options"):
        response = client.post(f"{editor_url}/{path}", data=editor_form, headers=HX)
        assert response.status_code in (200, 422)


def test_an_empty_post_never_fails(client, editor_url):
    for path in ("edit", "staffing", "options", "revisions"):
        response = client.post(f"{editor_url}/{path}", data={})
        assert response.status_code in (200, 422), path


def test_too_much_data_is_refused_politely(client, editor_url):
    response = client.post(f"{editor_url}/edit", data={"note": "x" * 300_000}, headers=LIVE)
    assert response.status_code == 413
    assert "more data than a scenario can hold" in response.get_data(as_text=True)


def test_fragment_is_the_same_markup_as_in_the_page(client, editor_url):
    def without_tokens(html):
        html = re.sub(r'data-drawn="[^"]*"', 'data-drawn=""', html)
        return re.sub(r'value="[^"]*\.[^"]*\.[^"]*"', 'value=""', html)

    page = without_tokens(client.get(editor_url).get_data(as_text=True))
    fragment = without_tokens(client.get(editor_url, headers=HX).get_data(as_text=True))
    assert fragment.strip() in page


def test_element_ids_are_unique_for_out_of_band_swaps(client, editor_url, editor_form):
    editor_form["action"] = "lock:0"
    html = client.post(f"{editor_url}/edit", data=editor_form).get_data(as_text=True)
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    live = client.post(f"{editor_url}/edit", data=form_data(html), headers=LIVE).get_data(True)
    for oob in re.findall(r'id="([^"]+)" hx-swap-oob="true"', live):
        assert f'id="{oob}"' in html, oob
