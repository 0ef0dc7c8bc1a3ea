"""The app factory, its instance folder, and the demo district command."""

from __future__ import annotations

import pytest

from crunch import create_app
from crunch.class_lists import board
from crunch.class_lists import store as class_lists
from crunch.config import ensure_instance_config
from crunch.extensions import db
from crunch.models import Revision, Scenario, School
from crunch.rosters.models import Roster, RosterRevision


def test_instance_config_is_created_once_with_a_secret_key(tmp_path):
    instance = tmp_path / "instance"
    ensure_instance_config(instance)
    first = (instance / "config.py").read_text()
    assert "SECRET_KEY = '" in first
    ensure_instance_config(instance)
    assert (instance / "config.py").read_text() == first
    assert oct((instance / "config.py").stat().st_mode & 0o777) == "0o600"


def test_factory_refuses_to_run_without_a_secret_key(tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})


def roster_school(roster):
    return db.session.get(School, roster.school_id)


def test_seed_demo_is_idempotent(demo):
    _, runner, first = demo
    counts = (
        db.session.query(School).count(),
        db.session.query(Scenario).count(),
        db.session.query(Revision).count(),
    )
    assert counts[0] == 4 and counts[1] >= 6 and counts[2] > counts[1]
    assert "Demo roster: Hillside Primary School" in first.output
    # the demo roster fills its plan exactly, so the board can be drawn at once
    roster = db.session.query(Roster).one()
    plan = class_lists.plans_of(roster_school(roster), roster.year)[0][1]
    kids = roster.current_revision.children
    assert board.placement_input(board.board_classes(plan.allocation), kids).children
    assert any(k["friends"] for k in kids) and any(k["apart"] for k in kids)
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0
    assert "0 scenarios added" in again.output
    assert db.session.query(RosterRevision).count() == 1
    assert (
        db.session.query(School).count(),
        db.session.query(Scenario).count(),
        db.session.query(Revision).count(),
    ) == counts
    current = {s.name: s.current_revision.status for s in db.session.query(Scenario)}
    # The K-12 college's plan is slow to prove best: the editor carries it on.
    assert current.pop("Fewest teachers") in ("feasible", "optimal")
    assert set(current.values()) == {"optimal"}
    # The first draft of one plan had too few teachers: its history shows it.
    assert "infeasible" in {r.status for r in db.session.query(Revision)}
