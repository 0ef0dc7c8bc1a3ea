"""Saving: every save is a new immutable revision; CSV export of the saved allocation."""

from __future__ import annotations

import csv
import io
import json

from crunch.extensions import db
from crunch.models import Revision, Scenario
from tests.conftest import HX, LIVE, form_data


def revisions(scenario_id):
    return list(
        db.session.scalars(
            db.select(Revision).where(Revision.scenario_id == scenario_id).order_by(Revision.number)
        )
    )


def test_save_adds_a_revision_and_keeps_the_old_one(client, editor_url, editor_form, scenario):
    first = revisions(scenario.id)[0]
    first_inputs = dict(first.inputs)
    editor_form["teachers"] = "5"
    editor_form["note"] = "One teacher fewer"
    response = client.post(f"{editor_url}/revisions", data=editor_form)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(editor_url)

    db.session.expire_all()
    saved = revisions(scenario.id)
    assert [r.number for r in saved] == [1, 2]
    assert saved[0].inputs == first_inputs  # untouched
    assert saved[1].inputs["teachers"] == 5
    assert saved[1].note == "One teacher fewer"
    assert saved[1].status == "optimal"
    assert len(saved[1].allocation["classes"]) == 5
    assert db.session.get(Scenario, scenario.id).current_revision_id == saved[1].id

    page = client.get(editor_url).get_data(as_text=True)
    assert "Saved as revision 2." in page
    assert "One teacher fewer" in page
    assert "Saved in revision 2." in page
    assert form_data(page)["teachers"] == "5"


def test_saving_the_picked_option_stores_that_option(client, editor_url, editor_form, scenario):
    editor_form["action"] = "pick:1"
    html = client.post(f"{editor_url}/edit", data=editor_form, headers=HX).get_data(True)
    picked_form = form_data(html)
    response = client.post(f"{editor_url}/revisions", data=picked_form)
    assert response.status_code == 303
    saved = revisions(scenario.id)[-1]
    assert saved.allocation["choice"] == 1
    page = client.get(editor_url).get_data(as_text=True)
    assert "Showing option 2." in page


def test_invalid_input_is_not_saved(client, editor_url, editor_form, scenario):
    editor_form["grades-0-max_size"] = "2"
    response = client.post(f"{editor_url}/revisions", data=editor_form)
    assert response.status_code == 422
    assert "Not saved" in response.get_data(as_text=True)
    assert len(revisions(scenario.id)) == 1


def test_too_long_note_is_not_saved(client, editor_url, editor_form, scenario):
    editor_form["note"] = "n" * 501
    response = client.post(f"{editor_url}/revisions", data=editor_form)
    assert response.status_code == 422
    assert "under 500 characters" in response.get_data(as_text=True)
    assert len(revisions(scenario.id)) == 1


def test_htmx_save_redirects_the_whole_page(client, editor_url, editor_form):
    response = client.post(f"{editor_url}/revisions", data=editor_form, headers=HX)
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == editor_url


def test_infeasible_inputs_can_be_saved_without_an_allocation(
    client, editor_url, editor_form, scenario
):
    editor_form["teachers"] = "2"
    assert client.post(f"{editor_url}/revisions", data=editor_form).status_code == 303
    saved = revisions(scenario.id)[-1]
    assert saved.status == "infeasible" and saved.allocation is None
    response = client.get(f"{editor_url}/export.csv")
    assert response.status_code == 303
    assert "no allocation to export" in client.get(editor_url).get_data(as_text=True)


def test_csv_export_of_the_saved_allocation(client, editor_url):
    response = client.get(f"{editor_url}/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    # Not the name of the scenario's CSV download, which it would overwrite.
    name = 'filename="hillside-primary-2027-plan-a-r1-class-list.csv"'
    assert name in response.headers["Content-Disposition"]
    other = client.get(f"{editor_url}/scenario.csv").headers["Content-Disposition"]
    assert other != response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == [
        "Class",
        "Grade K",
        "Grade 1",
        "Grade 2",
        "Size",
        "Composite",
        "Fixed",
        "Teacher or room",
    ]
    assert len(rows) == 7
    assert sum(int(r[1]) + int(r[2]) + int(r[3]) for r in rows[1:]) == 32 + 57 + 21
    assert all(int(r[4]) == int(r[1]) + int(r[2]) + int(r[3]) for r in rows[1:])


def test_csv_export_of_an_older_revision(client, editor_url, editor_form):
    editor_form["teachers"] = "5"
    client.post(f"{editor_url}/revisions", data=editor_form)
    rows = list(csv.reader(io.StringIO(client.get(f"{editor_url}/export.csv?revision=1").text)))
    assert len(rows) == 7
    assert client.get(f"{editor_url}/export.csv?revision=9").status_code == 404
    assert client.get(f"{editor_url}/export.csv?revision=x").status_code == 404


def test_csv_cells_cannot_become_formulas(client, formula_url):
    text = client.get(f"{formula_url}/export.csv").text
    header = next(csv.reader(io.StringIO(text)))
    assert header[1] == "Grade =1+1"
    assert not any(cell.startswith("=") for line in csv.reader(io.StringIO(text)) for cell in line)


def test_csv_safe_quotes_formula_text():
    from crunch.files.cells import safe_cell as _safe

    assert _safe("=SUM(A1)") == "'=SUM(A1)"
    assert _safe("@cmd") == "'@cmd"
    assert _safe("Grade 1") == "Grade 1"
    assert _safe(-3) == -3


def test_the_printout_says_which_revision_who_prepared_it_and_when(client, editor_url, editor_form):
    html = client.get(editor_url).get_data(as_text=True)
    facts = html[html.index('class="print-only print-facts"') :]
    facts = facts[: facts.index("</div>")]
    assert "Revision 1, saved " in facts and "Note: Test plan." in facts
    assert "Prepared by Planner, printed " in facts
    # Typing: the results (and their printout) say the classes are not saved.
    editor_form["teachers"] = "5"
    live = client.post(f"{editor_url}/edit", data=editor_form, headers=LIVE)
    assert "Not saved: the classes below differ from revision 1" in live.get_data(as_text=True)


def test_class_labels_follow_their_class_through_edits_and_are_saved(
    client, editor_url, editor_form, scenario
):
    table = json.loads(editor_form["shown"])
    kinds = ["/".join(c["grades"]) for c in table["classes"]]
    first = f"{kinds[0]}#1"
    assert f'name="label-{first}"' in client.get(editor_url).get_data(as_text=True)
    editor_form[f"label-{first}"] = "Ms Lee, room 4"
    # An edit that keeps the structure (a note) keeps the label on the same class.
    editor_form["note"] = "Labelled."
    live = client.post(f"{editor_url}/edit", data=editor_form, headers=LIVE)
    html = live.get_data(as_text=True)
    assert f'name="label-{first}" value="Ms Lee, room 4"' in html
    assert "Not saved" in html  # a new label is something to save
    # Saved with the revision, shown read-only there, and in the class list CSV.
    assert client.post(f"{editor_url}/revisions", data=editor_form).status_code == 303
    saved = revisions(scenario.id)[-1].allocation["classes"]
    assert saved[0]["label"] == "Ms Lee, room 4" and "label" not in saved[1]
    page = client.get(f"{editor_url}/revisions/{revisions(scenario.id)[-1].number}")
    assert "Ms Lee, room 4" in page.get_data(as_text=True)
    text = client.get(f"{editor_url}/export.csv").get_data(as_text=True)
    assert "Ms Lee, room 4" in text
    reopened = client.get(editor_url).get_data(as_text=True)
    assert f'name="label-{first}" value="Ms Lee, room 4"' in reopened
