"""The rosters' store without a request: a year's page (and its audit entry), an
import saved with its note, and the roll forward to next year."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crunch.extensions import db
from crunch.rosters import children as roster_children
from crunch.rosters import store
from crunch.rosters.models import RosterAudit, RosterImport

AVA = roster_children.child(id="S1", name="Ava", grade="K")
BEN = roster_children.child(id="S2", name="Ben", grade="1")
CARA = roster_children.child(id="S3", name="Cara", grade="2")


def audits(action: str) -> int:
    return db.session.scalar(select(func.count()).where(RosterAudit.action == action))


def test_the_page_of_a_year_without_and_with_a_roster(app, school):
    empty = store.open_roster(school, 2027)
    assert (empty.roster, empty.revision, empty.revisions, empty.children) == (None, None, [], [])
    assert (empty.grades, empty.plan_year, audits("viewed")) == (["K", "1", "2"], 2027, 0)
    store.save(school, 2027, [AVA], "First.")
    store.save(school, 2027, [AVA, BEN], "Second.")
    store.save(school, 2028, [BEN], "Next year.")
    page = store.open_roster(school, 2027)
    assert page.revision.number == 2 and [r.number for r in page.revisions] == [2, 1]
    assert page.children == [AVA, BEN] and page.next_roster.year == 2028
    assert audits("viewed") == 1


def test_an_import_is_saved_with_its_note_and_its_file_deleted(app, school):
    store.save(school, 2027, [AVA], "First.")
    pending_id = store.add_import(school, 2027, "kids.csv", b"...", 3600)
    pending = store.import_or_404(school, 2027, pending_id, 3600)
    saved = store.save_import(school, 2027, pending, [AVA, BEN])
    assert saved.number == 2
    assert saved.note == "Imported 2 children from kids.csv. Changes: added Ben."
    assert db.session.get(RosterImport, pending_id) is None


def test_a_roll_forward_moves_up_a_grade_once(app, school):
    store.save(school, 2027, [AVA, BEN, CARA], "This year.")
    found = store.roster(school, 2027)
    step = store.roll_forward(school, found, {"S1": "Room 4"})
    assert [(c["id"], c["grade"]) for c in step.children] == [("S1", "1"), ("S2", "2")]
    assert step.children[0]["categories"]["from"] == "Room 4"
    assert (step.left, step.exists) == (1, False)
    assert step.note == (
        "Rolled forward from 2027, revision 1: 2 children moved up a grade, 1 left."
    )
    saved = store.save_roll_forward(school, step)
    assert saved.number == 1 and saved.note == step.note
    assert store.roster(school, 2028).current_revision.children == step.children
    assert store.roll_forward(school, found, None).exists


def test_changes_are_saved_in_words_unless_there_are_none(app, school):
    store.save(school, 2027, [AVA], "First.")
    nothing, lines = store.save_changes(school, 2027, [AVA], [AVA], base=1)
    assert (nothing, lines) == (None, [])
    saved, lines = store.save_changes(school, 2027, [AVA], [AVA, BEN], base=1)
    assert (saved.number, saved.note, lines) == (2, "Added Ben.", ["added Ben"])
    with pytest.raises(store.StaleRoster):
        store.save_changes(school, 2027, [AVA, BEN], [BEN], base=1)
    assert store.roster(school, 2027).current_revision.number == 2
