"""History: the list, the changes in words, an old revision read-only, restore, and
two people saving the same scenario (the second save of a stale revision is refused)."""

from __future__ import annotations

import pytest

from crunch.extensions import db
from crunch.history.service import author_of
from crunch.models import Revision, Scenario
from tests import conftest
from tests.conftest import EDITOR, HX, form_data


def another_client(app):
    """A second browser, logged in like `client` where the app has logins."""
    other = app.test_client()
    login = getattr(conftest, "login", None)
    if login is not None:
        login(other)
    return other


def numbers(scenario_id):
    return list(
        db.session.scalars(
            db.select(Revision.number)
            .where(Revision.scenario_id == scenario_id)
            .order_by(Revision.number)
        )
    )


def save(client, editor_url, form, **changes):
    for key, value in changes.items():
        form[key] = value
    return client.post(f"{editor_url}/revisions", data=form)


def test_history_lists_every_revision_with_its_changes(client, editor_url, editor_form):
    save(client, editor_url, editor_form, **{"grades-1-students": "60", "note": "More in 1"})
    page = client.get(f"{editor_url}/history")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "More in 1" in html and "Test plan." in html
    assert "Grade 1: 57 -&gt; 60 children" in html
    assert "2 (current)" in html
    assert "First revision" in html
    assert "—" in html  # the first revision was saved outside any request: no author
    # The editor links to it.
    assert f"{editor_url}/history" in client.get(editor_url).get_data(as_text=True)


def test_changes_between_any_two_revisions(client, editor_url, editor_form):
    save(client, editor_url, editor_form, teachers="5")
    form = form_data(client.get(editor_url).get_data(as_text=True))
    save(client, editor_url, form, **{"grades-0-students": "30"})
    html = client.get(f"{editor_url}/history?from=1&to=3").get_data(as_text=True)
    assert "From revision 1 to revision 3" in html
    assert "Grade K: 32 -&gt; 30 children" in html
    assert "teachers 6 -&gt; 5" in html
    # As an htmx fragment: the diff block only.
    fragment = client.get(f"{editor_url}/history?from=3&to=2", headers=HX)
    body = fragment.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="diff"')
    assert "Grade K: 30 -&gt; 32 children" in body and "teachers" not in body
    assert "HX-Request" in fragment.headers["Vary"]
    # Odd or missing numbers fall back to the current revision and the one before.
    for query in ("from=x&to=99", "from=&to=", "from=-1", "to=1&from=1"):
        assert client.get(f"{editor_url}/history?{query}").status_code == 200


def test_an_old_revision_opens_read_only(client, editor_url, editor_form):
    save(client, editor_url, editor_form, teachers="5")
    response = client.get(f"{editor_url}/revisions/1")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Read only" in html
    assert "<form" in html  # only the restore button's form
    assert 'name="teachers"' not in html and "Save as a new revision" not in html
    assert "teachers 6 -&gt; 5" in html  # what the current revision changed since
    assert html.count('<tr class="composite">') + html.count("<tr>") > 6
    assert "lock:" not in html and 'visually-hidden">Fix' not in html  # no Fix column
    assert "Restore revision 1" in html
    assert client.get(f"{editor_url}/revisions/2").status_code == 200
    assert "Restore revision 2" not in client.get(f"{editor_url}/revisions/2").text
    assert client.get(f"{editor_url}/revisions/9").status_code == 404


def test_restore_saves_a_new_revision_and_deletes_nothing(client, editor_url, editor_form):
    first = db.session.scalar(db.select(Revision).where(Revision.number == 1))
    first_inputs, first_allocation = dict(first.inputs), first.allocation
    save(client, editor_url, editor_form, teachers="5")
    response = client.post(f"{editor_url}/revisions/1/restore", data={"base_revision": "2"})
    assert response.status_code == 303
    scenario_id = first.scenario_id
    db.session.expire_all()
    assert numbers(scenario_id) == [1, 2, 3]
    scenario = db.session.get(Scenario, scenario_id)
    current = scenario.current_revision
    assert current.number == 3
    assert current.inputs == first_inputs
    assert current.allocation == first_allocation
    assert current.note == "Restored revision 1."
    assert "Revision 1 restored as revision 3" in client.get(editor_url).text
    assert form_data(client.get(editor_url).text)["teachers"] == "6"


def test_restore_from_a_stale_page_is_refused(client, editor_url, editor_form, scenario):
    save(client, editor_url, editor_form, teachers="5")
    response = client.post(f"{editor_url}/revisions/1/restore", data={"base_revision": "1"})
    assert response.status_code == 303
    assert "from=1&to=2" in response.headers["Location"]
    assert numbers(scenario.id) == [1, 2]
    assert "Not restored" in client.get(response.headers["Location"]).text
    assert client.post(f"{editor_url}/revisions/7/restore").status_code == 404


def test_two_people_saving_the_same_revision(app, client, editor_url, scenario):
    """Two browsers open revision 1; the second save is refused, not an overwrite."""
    alice, bob = client, another_client(app)
    alice_form = form_data(alice.get(editor_url).text)
    bob_form = form_data(bob.get(editor_url).text)
    assert alice_form["base_revision"] == bob_form["base_revision"] == "1"

    assert save(alice, editor_url, alice_form, teachers="5", note="Alice").status_code == 303
    refused = save(bob, editor_url, bob_form, **{"grades-0-students": "40", "note": "Bob"})
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "Not saved: revision 2 was saved" in html  # by whom, where revisions say
    assert "while you were editing revision 1. Your changes are still here." in html
    assert f"{editor_url}/history?from=1&amp;to=2" in html  # the way to see Alice's change
    assert numbers(scenario.id) == [1, 2]
    db.session.expire_all()
    assert db.session.get(Scenario, scenario.id).current_revision.note == "Alice"

    # Bob's typing is still on screen; saving again is a deliberate choice on top of 2.
    again = form_data(html)
    assert again["grades-0-students"] == "40" and again["base_revision"] == "2"
    assert bob.post(f"{editor_url}/revisions", data=again).status_code == 303
    assert numbers(scenario.id) == [1, 2, 3]
    db.session.expire_all()
    kept = db.session.get(Scenario, scenario.id).current_revision
    assert kept.note == "Bob" and kept.inputs["grades"][0]["students"] == 40


def test_stale_htmx_save_redraws_the_editor_with_the_message(app, client, editor_url, scenario):
    first, second = client, another_client(app)
    form_one = form_data(first.get(editor_url).text)
    form_two = form_data(second.get(editor_url).text)
    save(first, editor_url, form_one, teachers="5")
    response = second.post(f"{editor_url}/revisions", data=form_two, headers=EDITOR)
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<form id="editor"')
    assert 'id="conflict"' in body


def test_an_edit_keeps_the_revision_it_started_from(client, editor_url, editor_form):
    editor_form["teachers"] = "5"
    html = client.post(f"{editor_url}/edit", data=editor_form, headers=EDITOR).text
    assert form_data(html)["base_revision"] == "1"


def test_the_author_of_a_revision_is_shown(client, editor_url, editor_form, scenario):
    if not hasattr(Revision, "author"):
        pytest.skip("revisions do not record their author yet")
    save(client, editor_url, editor_form, teachers="5")
    db.session.expire_all()
    saved = db.session.get(Scenario, scenario.id).current_revision
    assert saved.author is not None
    name = author_of(saved)
    assert name != "—"
    assert f"<td>{name}</td>" in client.get(f"{editor_url}/history").text


def test_an_old_revision_without_an_allocation(client, editor_url, editor_form):
    save(client, editor_url, editor_form, teachers="2")
    html = client.get(f"{editor_url}/revisions/2").text
    assert "No allocation was saved" in html and "(current)" in html
    assert "scenario.xlsx?revision=2" in html
    restored = client.post(f"{editor_url}/revisions/1/restore", data={"base_revision": "2"})
    assert restored.status_code == 303
    assert "Revision 1 restored as revision 3" in client.get(editor_url).text
