"""The board's form actions without a request (crunch.class_lists.actions): a draft
that does not fit, an unknown action, a save refused until the counts are exact, and
a save that numbers the list; the pages are covered in tests/views/test_class_lists.py."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from crunch.class_lists import actions, board
from crunch.class_lists import store as class_lists
from crunch.extensions import db
from crunch.models import User
from crunch.rosters import demo as demo_roster
from crunch.rosters import store
from tests.conftest import PLANNER


@pytest.fixture
def setting(app, school, scenario):
    revision = scenario.current_revision
    kids = demo_roster.children(demo_roster.grade_totals(revision.allocation), seed=2)
    store.save(school, 2027, kids, "The roster.")
    found = store.roster(school, 2027)
    drawn = board.draw(revision.allocation, kids, blind=False)
    user = db.session.scalar(select(User).where(User.email == PLANNER))
    return school, found, revision, drawn, user


def post(setting, **form):
    school, found, revision, drawn, user = setting
    return actions.act(school, found, revision, drawn, form, user)


def test_a_draft_that_does_not_fit_the_board_is_refused(setting):
    outcome = post(setting, draft='{"a": {"nobody": "Class 1"}}', action="fix:x")
    assert outcome.status == 422 and outcome.draft == board.Draft()
    assert outcome.errors[0].endswith("names children or classes this board does not have.")
    assert post(setting, draft="{", action="save").status == 422


def test_an_unknown_action_is_refused(setting):
    outcome = post(setting, draft="{}", action="shuffle")
    assert (outcome.errors, outcome.status) == (["Unknown action."], 422)


def test_a_list_is_saved_only_with_exact_counts(setting):
    school, found, revision, drawn, _ = setting
    refused = post(setting, draft="{}", action="save")
    assert refused.status == 422 and refused.saved is None
    assert refused.errors[0] == "Not saved: the counts must be exact first."
    assert class_lists.lists_of(found) == []
    exact = {}
    for plan_class in drawn.classes:
        for grade, count in plan_class.grades.items():
            free = [k["id"] for k in drawn.children if k["grade"] == grade and k["id"] not in exact]
            exact |= dict.fromkeys(free[:count], plan_class.label)
    draft = board.Draft(exact).to_json()
    saved = post(setting, draft=draft, action="save", note="  ")
    assert (saved.status, saved.saved) == (303, 1)
    assert class_lists.lists_of(found)[0].note == "0 moves."
    assert actions.opened(school, found, revision).assignment == exact
