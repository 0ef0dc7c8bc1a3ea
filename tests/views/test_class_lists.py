"""The class-list board through the test client: placing, moves and their warnings in
words, undo and redo, fixed children kept by "place the rest", a save refused while
counts are broken, blind codes, tenancy, the viewer's limits and deletion with the
roster."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from sqlalchemy import func, select

from crunch.class_lists import board
from crunch.extensions import db
from crunch.models import User
from crunch.rosters import demo as demo_roster
from crunch.rosters import store as roster_store
from crunch.rosters.models import ClassList, RosterAudit
from crunch.schools import store
from crunch.web import assets
from tests.conftest import PLANNER, VIEWER, add_school


@pytest.fixture
def plan(school):
    """Hillside's plan revision and a generated roster that fills it exactly."""
    revision = store.scenarios_of(school, 2027)[0].current_revision
    kids = demo_roster.children(demo_roster.grade_totals(revision.allocation), seed=7)
    roster_store.save(school, 2027, kids, "generated")
    return revision


def url(school, revision) -> str:
    return f"/schools/{school.id}/rosters/2027/board/{revision.id}"


def draft_of(html: str) -> str:
    return unescape(re.search(r'name="draft" value="([^"]*)"', html).group(1))


def post(client, school, revision, html: str, action: str, **fields):
    data = {"draft": draft_of(html), "action": action, **fields}
    return client.post(url(school, revision), data=data)


def placed(client, school, revision):
    page = client.get(url(school, revision)).get_data(as_text=True)
    response = post(client, school, revision, page, "place")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def assignment(html: str) -> dict[str, str]:
    return json.loads(draft_of(html))["a"]


def test_board_shows_every_child_unplaced_then_placed(client, school, plan):
    page = client.get(url(school, plan)).get_data(as_text=True)
    children = roster_store.roster(school, 2027).current_revision.children
    assert f"Not placed yet ({len(children)})" in page
    assert "Rules broken" not in page  # an empty board is not a list of broken counts
    html = placed(client, school, plan)
    assert "Not placed yet" not in html
    assert len(assignment(html)) == len(children)
    assert "Rules broken" not in html
    assert "Whole placement: friends" in html
    assert "girls" in html and "average reading" in html
    assert f'integrity="{assets.SORTABLE_INTEGRITY}"' in html


def test_a_move_says_what_it_broke_and_undo_redo_replay_it(client, school, plan):
    html = placed(client, school, plan)
    before = assignment(html)
    child, label = next(iter(before.items()))
    kid = next(
        c for c in roster_store.roster(school, 2027).current_revision.children if c["id"] == child
    )
    other = next(c.label for c in board.board_classes(plan.allocation) if c.label != label)
    moved = post(client, school, plan, html, f"move:{child}", **{f"to:{child}": other})
    raw = moved.get_data(as_text=True)
    text = unescape(raw)
    assert assignment(raw)[child] == other
    assert re.search(rf"{other} now has \d+ girls and \d+ boys\.", text)
    assert re.search(r"'" + other + r"' has \d+ children of grade", text)
    assert "Swap: move" in text
    undone = post(client, school, plan, raw, "undo")
    assert assignment(undone.get_data(as_text=True)) == before
    redone = post(client, school, plan, undone.get_data(as_text=True), "redo")
    assert assignment(redone.get_data(as_text=True))[child] == other
    assert kid["name"] in text  # the card names the child


def test_save_is_refused_while_counts_are_broken_and_the_swap_balances_them(client, school, plan):
    html = placed(client, school, plan)
    child, label = next(iter(assignment(html).items()))
    other = next(c.label for c in board.board_classes(plan.allocation) if c.label != label)
    moved = post(client, school, plan, html, f"move:{child}", **{f"to:{child}": other})
    refused = post(client, school, plan, moved.get_data(as_text=True), "save")
    assert refused.status_code == 422
    assert "Not saved: the counts must be exact first." in unescape(refused.get_data(as_text=True))
    assert db.session.scalar(select(func.count()).select_from(ClassList)) == 0
    text = moved.get_data(as_text=True)
    swap = re.search(r'name="action" value="(send:[^"]+)"', text).group(1)
    balanced = post(client, school, plan, text, unescape(swap))
    assert "Rules broken" not in balanced.get_data(as_text=True) or "has " not in unescape(
        re.search(r'id="counts">(.*?)</div>', balanced.get_data(as_text=True), re.S).group(1)
    )
    saved = post(client, school, plan, balanced.get_data(as_text=True), "save", note="by hand")
    assert saved.status_code == 303
    row = db.session.scalar(select(ClassList))
    assert row.note == "by hand" and row.moves[-2][0] == child
    assert row.assignment == assignment(balanced.get_data(as_text=True))
    # the saved list is what the board opens with next time
    assert assignment(client.get(url(school, plan)).get_data(as_text=True)) == row.assignment


def test_place_the_rest_keeps_fixed_children_where_they_are(client, school, plan):
    html = placed(client, school, plan)
    first = assignment(html)
    child = next(iter(first))
    fixed = post(client, school, plan, html, f"fix:{child}").get_data(as_text=True)
    assert json.loads(draft_of(fixed))["f"] == [child]
    again = post(client, school, plan, fixed, "rest").get_data(as_text=True)
    assert assignment(again)[child] == first[child]
    assert json.loads(draft_of(again))["f"] == [child]


def test_blind_review_shows_codes_not_names_and_moves_still_work(client, school, plan):
    children = roster_store.roster(school, 2027).current_revision.children
    blind_url = url(school, plan) + "?blind=1"
    page = client.get(blind_url).get_data(as_text=True)
    assert "Child 001" in page
    assert not any(c["name"] in page for c in children)
    data = {"draft": draft_of(page), "action": "place"}
    html = client.post(blind_url, data=data).get_data(as_text=True)
    child, label = next(iter(assignment(html).items()))
    other = next(c.label for c in board.board_classes(plan.allocation) if c.label != label)
    data = {"draft": draft_of(html), "action": f"move:{child}", f"to:{child}": other}
    moved = client.post(blind_url, data=data).get_data(as_text=True)
    assert assignment(moved)[child] == other
    assert not any(c["name"] in moved for c in children)


def test_a_tampered_draft_is_refused_in_words(client, school, plan):
    page = client.get(url(school, plan)).get_data(as_text=True)
    bad = json.dumps({"a": {"nobody": "Class 1"}})
    response = client.post(url(school, plan), data={"draft": bad, "action": "undo"})
    assert response.status_code == 422
    assert "does not have" in unescape(response.get_data(as_text=True))
    response = client.post(url(school, plan), data={"draft": "{not json", "action": "undo"})
    assert response.status_code == 422
    assert draft_of(page)


def test_viewer_sees_the_board_but_cannot_move(client, auth, school, plan):
    auth.login(email=VIEWER)
    page = client.get(url(school, plan))
    assert page.status_code == 200
    assert "Place the children" not in page.get_data(as_text=True)
    response = client.post(url(school, plan), data={"draft": "{}", "action": "place"})
    assert response.status_code == 403


def test_another_schools_board_is_not_found(client, school, plan):
    other = add_school("Elsewhere Primary")
    kids = demo_roster.children(
        demo_roster.grade_totals(store.scenarios_of(other, 2027)[0].current_revision.allocation)
    )
    roster_store.save(other, 2027, kids, "generated")
    revision = store.scenarios_of(other, 2027)[0].current_revision
    planner = db.session.scalar(select(User).where(User.email == PLANNER))
    planner.schools.remove(other)
    db.session.commit()
    assert client.get(f"/schools/{other.id}/rosters/2027/board/{revision.id}").status_code == 404
    # nor another school's plan under the user's own school
    assert client.get(f"/schools/{school.id}/rosters/2027/board/{revision.id}").status_code == 404
    assert client.get(url(school, plan)).status_code == 200


def test_views_are_audited_and_deleting_the_roster_deletes_its_lists(client, school, plan):
    html = placed(client, school, plan)
    assert post(client, school, plan, html, "save").status_code == 303
    actions = db.session.scalars(select(RosterAudit.detail)).all()
    assert any("class lists of plan revision" in a for a in actions)
    assert any("saved class list 1" in a for a in actions)
    found = roster_store.roster(school, 2027)
    counts = roster_store.delete_roster(school, found, "Test")
    assert counts["class_lists"] == 1
    assert db.session.scalar(select(func.count()).select_from(ClassList)) == 0


def saved_list(client, school, plan) -> ClassList:
    html = placed(client, school, plan)
    assert post(client, school, plan, html, "save", note="first").status_code == 303
    return db.session.scalar(select(ClassList).order_by(ClassList.number.desc()))


def test_exports_columns_and_the_parent_safe_one_has_no_needs_scores_or_notes(client, school, plan):
    import csv
    import io

    from openpyxl import load_workbook

    saved = saved_list(client, school, plan)
    base_url = f"/schools/{school.id}/rosters/2027/class-lists/{saved.number}"
    full = list(csv.reader(io.StringIO(client.get(base_url + ".csv").get_data(as_text=True))))
    assert full[0] == ["Class", "Teacher", "Id", "Name", "Grade", "Gender", "Tags", "Scores",
                       "Friends", "Notes"]  # fmt: skip
    assert len(full) - 1 == len(saved.assignment)
    assert any("reading:" in row[7] for row in full[1:])
    response = client.get(base_url + ".csv?parent_safe=1")
    safe = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert safe[0] == ["Class", "Teacher", "Name", "Grade"]
    assert "reading" not in response.get_data(as_text=True)
    assert "EAL" not in response.get_data(as_text=True)
    book = load_workbook(io.BytesIO(client.get(base_url + ".xlsx").data))
    assert book.sheetnames == [c.label for c in board.board_classes(plan.allocation)]
    safe_book = load_workbook(io.BytesIO(client.get(base_url + ".xlsx?parent_safe=1").data))
    assert [c.value for c in safe_book.worksheets[0][1]] == ["Class", "Teacher", "Name", "Grade"]
    listed = client.get(f"/schools/{school.id}/rosters/2027/class-lists").get_data(as_text=True)
    for kind in ("csv", "xlsx"):
        assert f"/class-lists/{saved.number}.{kind}?parent_safe=1" in listed
    details = db.session.scalars(select(RosterAudit.detail)).all()
    assert f"class list {saved.number} as parent-safe csv" in details
    assert f"class list {saved.number} as xlsx" in details


def test_print_has_one_section_per_class_with_names(client, school, plan):
    saved = saved_list(client, school, plan)
    html = client.get(f"/schools/{school.id}/rosters/2027/class-lists/{saved.number}/print")
    text = html.get_data(as_text=True)
    assert text.count('class="print-class"') == len(board.board_classes(plan.allocation))
    kid = roster_store.roster(school, 2027).current_revision.children[0]
    assert kid["name"] in unescape(text)


def test_history_compare_and_restore(client, school, plan):
    first = saved_list(client, school, plan)
    html = client.get(url(school, plan)).get_data(as_text=True)
    child, label = next(iter(assignment(html).items()))
    other = next(c.label for c in board.board_classes(plan.allocation) if c.label != label)
    moved = post(client, school, plan, html, f"move:{child}", **{f"to:{child}": other})
    swap = re.search(r'name="action" value="(send:[^"]+)"', moved.get_data(as_text=True)).group(1)
    balanced = post(client, school, plan, moved.get_data(as_text=True), unescape(swap))
    assert post(client, school, plan, balanced.get_data(as_text=True), "save").status_code == 303
    history_url = f"/schools/{school.id}/rosters/2027/class-lists"
    page = unescape(client.get(history_url).get_data(as_text=True))
    name = roster_store.roster(school, 2027).current_revision.children
    moved_name = next(c["name"] for c in name if c["id"] == child)
    assert f"{moved_name}: {label} -> {other}" in page
    compared = client.get(f"{history_url}/compare?n={first.number}&n={first.number + 1}")
    text = unescape(compared.get_data(as_text=True))
    assert "2 children are in a different class" in text and moved_name in text
    assert client.get(f"{history_url}/compare?n=1").status_code == 422
    restored = client.post(f"{history_url}/{first.number}/restore")
    assert restored.status_code == 303
    newest = db.session.scalar(select(ClassList).order_by(ClassList.number.desc()))
    assert newest.number == 3 and newest.assignment == first.assignment


def test_a_big_roster_is_placed_by_a_job_in_the_background(app, client, school, plan):
    from crunch.models import Job, JobState
    from tests.jobs_support import fresh, wait_for

    app.config["BOARD_JOB_CHILDREN"] = 10
    app.config["BOARD_JOB_TIME_LIMIT"] = 5.0
    page = client.get(url(school, plan)).get_data(as_text=True)
    started = post(client, school, plan, page, "place").get_data(as_text=True)
    assert "Placing the children in the background" in started
    assert 'id="place-job"' in started
    job = db.session.scalar(select(Job))
    assert job.kind == "place" and job.params["revision_id"] == plan.id
    names = [c["name"] for c in roster_store.roster(school, 2027).current_revision.children]
    assert not any(name in json.dumps(job.inputs) for name in names)  # codes, not names
    wait_for(lambda: fresh(job.id).state not in JobState.ACTIVE, timeout=60)
    assert fresh(job.id).state == JobState.DONE
    status = client.get(f"{url(school, plan)}/jobs/{job.id}").get_data(as_text=True)
    assert "Use this placement" in status
    used = post(client, school, plan, started, f"job:{job.id}").get_data(as_text=True)
    assert len(assignment(used)) == len(names)
    # the generic job page sends a placement job to its board
    assert client.get(f"/schools/{school.id}/jobs/{job.id}").status_code == 303
    # a job of another board is not found from this one
    assert post(client, school, plan, started, "job:999999").status_code == 404
    # deleting the roster deletes the year's placement jobs too
    counts = roster_store.delete_roster(school, roster_store.roster(school, 2027), "Test")
    assert counts["jobs"] == 1
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_roll_forward_sets_from_to_the_saved_class(client, school, plan):
    saved = saved_list(client, school, plan)
    response = client.post(f"/schools/{school.id}/rosters/2027/roll-forward")
    assert response.status_code == 303
    grades = [g["name"] for g in plan.inputs["grades"]]
    rolled = roster_store.roster(school, 2028).current_revision.children
    assert rolled and all(kid["grade"] in grades[1:] for kid in rolled)
    teachers = {c.label: c.teacher or c.label for c in board.board_classes(plan.allocation)}
    assert all(kid["categories"]["from"] == teachers[saved.assignment[kid["id"]]] for kid in rolled)
