"""Saving revisions from several workers at once: none lost, numbers never repeated."""

from __future__ import annotations

import threading

import pytest

from crunch.extensions import db
from crunch.models import Revision, Scenario
from crunch.schools import store


def test_concurrent_saves_all_commit_with_distinct_numbers(app, scenario):
    scenario_id = scenario.id
    inputs = dict(scenario.current_revision.inputs)
    db.session.remove()
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def save(n: int) -> None:
        try:
            with app.app_context():
                target = db.session.get(Scenario, scenario_id)
                start.wait()
                store.save_revision(
                    target, inputs=inputs, allocation=None, status="optimal", note=f"worker {n}"
                )
                db.session.remove()
        except BaseException as error:  # reported below, in the test's thread
            errors.append(error)

    workers = [threading.Thread(target=save, args=(n,)) for n in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert errors == []
    numbers = sorted(
        db.session.scalars(db.select(Revision.number).where(Revision.scenario_id == scenario_id))
    )
    assert numbers == list(range(1, 10))
    current = db.session.get(Scenario, scenario_id).current_revision
    assert current.number == 9


def _unnamed(inputs: dict) -> dict:
    return {k: v for k, v in inputs.items() if k != "name"}  # the name is the title


def test_a_new_scenario_starts_as_a_copy_or_blank(app, school, scenario):
    source = scenario.current_revision
    copy = store.start_scenario(school, year=2028, name="Copy", source=str(scenario.id))
    first = copy.current_revision
    assert (_unnamed(first.inputs), first.allocation, first.status) == (
        _unnamed(source.inputs),
        source.allocation,
        source.status,
    )
    assert first.note == f"Copied from {scenario.title}, revision {source.number}."
    blank = store.start_scenario(school, year=2028, name="Blank", source="blank")
    assert blank.current_revision.allocation is None
    assert blank.current_revision.status == store.BLANK
    assert _unnamed(blank.current_revision.inputs) == store.blank_inputs(school)
    assert [s.name for s in store.copyable(school)] == ["Blank", "Copy", "Plan A"]


def test_a_new_scenario_refuses_a_taken_name(app, school, scenario):
    with pytest.raises(store.NameTaken):
        store.start_scenario(school, year=2027, name=scenario.name, source="blank")
