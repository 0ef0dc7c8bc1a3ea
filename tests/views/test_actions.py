"""The editor's buttons: rows added, removed and moved; classes fixed by hand."""

from __future__ import annotations

import json

from tests.conftest import EDITOR, form_data


def press(client, editor_url, form, action, **extra):
    form["action"] = action
    for key, values in extra.items():
        form.setlist(key, values)
    response = client.post(f"{editor_url}/edit", data=form, headers=EDITOR)
    assert response.status_code in (200, 422)
    html = response.get_data(as_text=True)
    return html, form_data(html)


def grade_names(form):
    return [form[f"grades-{i}-name"] for i in range(40) if f"grades-{i}-name" in form]


def composites(form):
    """Allowed composites as grade-name tuples."""
    names = grade_names(form)
    out = set()
    for key, value in form.items():
        if key.endswith("-members"):
            row = key.split("-")[1]
            if form.get(f"composites-{row}-enabled") == "y":
                out.add(tuple(names[int(m)] for m in value.split(",")))
    return out


def test_add_grade_guesses_the_next_name_and_copies_limits(client, editor_url, editor_form):
    html, form = press(client, editor_url, editor_form, "grade-add")
    assert grade_names(form) == ["K", "1", "2", "3"]
    assert form["grades-3-students"] == "0"
    assert form["grades-3-max_size"] == form["grades-2-max_size"]
    assert "Proved best" in html


def test_remove_grade_drops_its_composites(client, editor_url, editor_form):
    assert composites(editor_form) == {("K", "1"), ("1", "2")}
    _, form = press(client, editor_url, editor_form, "grade-remove:0")
    assert grade_names(form) == ["1", "2"]
    assert composites(form) == {("1", "2")}


def test_move_grade_keeps_composites_by_grade(client, editor_url, editor_form):
    _, form = press(client, editor_url, editor_form, "grade-down:0")
    assert grade_names(form) == ["1", "K", "2"]
    assert composites(form) == {("1", "K"), ("1", "2")}
    _, form = press(client, editor_url, form, "grade-up:1")
    assert grade_names(form) == ["K", "1", "2"]


def test_any_other_combination_can_be_allowed_and_removed(client, editor_url, editor_form):
    _, form = press(client, editor_url, editor_form, "composite-add", combine=["0", "2"])
    assert ("K", "2") in composites(form)
    row = next(k.split("-")[1] for k, v in form.items() if k.endswith("members") and v == "0,2")
    _, form = press(client, editor_url, form, f"composite-remove:{row}")
    assert ("K", "2") not in composites(form)
    assert not any(v == "0,2" for k, v in form.items() if k.endswith("members"))


def test_adjacent_pairs_are_always_offered(client, editor_url, editor_form):
    _, form = press(client, editor_url, editor_form, "grade-add")
    members = [v for k, v in form.items() if k.endswith("members")]
    assert members == ["0,1", "1,2", "2,3"]


def test_priorities_reorder(client, editor_url, editor_form):
    _, form = press(client, editor_url, editor_form, "priority-up:2")
    assert form.getlist("priorities-1") == ["balance"]
    assert [form[f"priorities-{i}"] for i in range(3)] == ["classes", "balance", "composites"]


def test_fix_a_class_and_plan_the_rest_around_it(client, editor_url, editor_form):
    first = json.loads(editor_form["shown"])["classes"][0]["grades"]
    html, form = press(client, editor_url, editor_form, "lock:0")
    assert "is fixed (marked Fixed in the table)" in html
    # Named by its children: its number in the new plan may differ.
    named = " + ".join(f"{n} of grade {g}" for g, n in first.items())
    assert f"The class of {named} is fixed" in html
    assert form["locked-0-counts-0"] != ""
    assert 'class="badge fixed"' in html
    assert "Proved best" in html


def test_fix_takes_the_class_from_the_table_on_screen(client, editor_url, editor_form):
    """The class fixed is the row the user saw, even where a new solve would differ."""
    shown = json.loads(editor_form["shown"])
    classes = shown["classes"]
    other = next(i for i, c in enumerate(classes) if c["grades"] != classes[0]["grades"])
    second = dict(classes[other]["grades"])
    classes[0], classes[other] = classes[other], classes[0]
    editor_form["shown"] = json.dumps(shown)
    html, form = press(client, editor_url, editor_form, "lock:0")
    assert "is fixed (marked Fixed in the table)" in html
    fixed = {
        name: int(form[f"locked-0-counts-{i}"] or 0)
        for i, name in enumerate(grade_names(form))
        if form[f"locked-0-counts-{i}"]
    }
    assert fixed == second


def test_fix_without_the_table_fixes_nothing(client, editor_url, editor_form):
    del editor_form["shown"]
    html, form = press(client, editor_url, editor_form, "lock:0")
    assert "no longer on screen; nothing was fixed" in html
    assert "locked-0-counts-0" not in form


def test_type_in_a_class_by_hand(client, editor_url, editor_form):
    html, form = press(client, editor_url, editor_form, "locked-add")
    assert "locked-0-counts-0" in form
    assert "Proved best" in html  # a blank fixed class is one still being typed in
    form["locked-0-counts-0"] = "0"
    html, form = press(client, editor_url, form, "")
    assert "A class needs at least one child" in html
    form["locked-0-counts-1"] = "12"
    form["locked-0-counts-2"] = "12"
    html, form = press(client, editor_url, form, "")
    assert "Proved best" in html
    assert '<span class="badge fixed">Fixed</span>' in html
    assert "1/2 composite" in html
    # A class that breaks the limits is reported on its row.
    form["locked-0-counts-1"] = "40"
    html, _ = press(client, editor_url, form, "")
    assert 'id="err-locked-0"' in html and "more than the" in html
    _, form = press(client, editor_url, form, "locked-remove:0")
    assert "locked-0-counts-0" not in form
