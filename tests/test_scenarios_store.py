"""Saving revisions from several workers at once: none lost, numbers never repeated."""

from __future__ import annotations

import threading

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
