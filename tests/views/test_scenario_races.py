"""Two requests giving scenarios one name at once: the one that loses the race gets
the form's own message (422 beside the field, or the rename's refusal), and copies
made at once get names of their own; never a server error."""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from crunch.extensions import db
from crunch.models import Revision, Scenario
from crunch.schools import store
from tests.conftest import PLANNER, post_at_once


def insert_elsewhere(school_id: int, name: str, year: int = 2027) -> None:
    """Commit a scenario and its first revision on a connection of their own, as a
    concurrent writer would."""
    with db.engine.begin() as connection:
        values = {"school_id": school_id, "year": year, "name": name, "archived": False}
        scenario_id = connection.execute(insert(Scenario.__table__), values).inserted_primary_key[0]
        revision = {
            "school_id": school_id,
            "scenario_id": scenario_id,
            "number": 1,
            "inputs": {"name": f"{year} - {name}"},
            "status": store.BLANK,
        }
        revision_id = connection.execute(insert(Revision.__table__), revision).inserted_primary_key[
            0
        ]
        connection.execute(
            update(Scenario.__table__)
            .where(Scenario.__table__.c.id == scenario_id)
            .values(current_revision_id=revision_id)
        )


def count_named(name: str) -> int:
    db.session.rollback()  # a fresh read, not the snapshot of a transaction left open
    return db.session.scalar(select(func.count(Scenario.id)).where(Scenario.name == name))


def lose_the_race(monkeypatch, school_id: int, name: str, *, read) -> None:
    """The next write starts just after another writer committed `name`, and its read
    of the names (`read`: a function of the store) still misses it once, as a writer
    that does not take the write lock could make happen."""
    real_begin, real_read = store.begin_write, getattr(store, read)
    state = {"raced": False, "missed": False}

    def begin_after_the_other():
        if not state["raced"]:
            state["raced"] = True
            insert_elsewhere(school_id, name)
        real_begin()

    def stale_read(*args, **kwargs):
        if not state["missed"]:
            state["missed"] = True
            return set() if read == "_names_in" else False
        return real_read(*args, **kwargs)

    monkeypatch.setattr(store, "begin_write", begin_after_the_other)
    monkeypatch.setattr(store, read, stale_read)


def field_error_of(html: str) -> str:
    start = html.index('class="field-error"')
    return html[start : html.index("<", start + 20)]


def test_a_scenario_created_meanwhile_gets_the_forms_message(client, school, monkeypatch):
    lose_the_race(monkeypatch, school.id, "Plan B", read="_name_taken")
    data = {"name": "Plan B", "year": "2027", "source": "blank"}
    response = client.post(f"/schools/{school.id}/scenarios", data=data)
    assert response.status_code == 422
    message = "2027 already has a scenario called Plan B."
    assert message in field_error_of(response.get_data(as_text=True))
    assert count_named("Plan B") == 1
    # rolled back: the next request works as usual
    assert client.get(f"/schools/{school.id}").status_code == 200


def test_a_rename_to_a_name_taken_meanwhile_is_refused(client, school, scenario, monkeypatch):
    lose_the_race(monkeypatch, school.id, "Plan B", read="_name_taken")
    base = f"/schools/{school.id}/scenarios/{scenario.id}"
    response = client.post(f"{base}/rename", data={"name": "Plan B"})
    assert response.status_code == 303
    page = client.get(base).get_data(as_text=True)
    assert "Not renamed: 2027 already has a scenario called Plan B." in page
    assert count_named("Plan B") == 1
    db.session.expire_all()
    assert db.session.get(Scenario, scenario.id).name == "Plan A"


def test_a_copy_whose_name_was_taken_meanwhile_takes_the_next(
    client, school, scenario, monkeypatch
):
    lose_the_race(monkeypatch, school.id, "Plan A copy", read="_names_in")
    response = client.post(f"/schools/{school.id}/scenarios/{scenario.id}/duplicate")
    assert response.status_code == 303
    copy = db.session.get(Scenario, int(response.headers["Location"].rsplit("/", 1)[1]))
    assert copy.name == "Plan A copy 2"
    assert copy.current_revision.inputs == {
        **scenario.current_revision.inputs,
        "name": "2027 - Plan A copy 2",
    }
    assert count_named("Plan A copy") == 1


def test_an_integrity_error_about_something_else_is_not_hidden(app, school, monkeypatch):
    """Only a refusal of the name, checked again after it, becomes NameTaken."""
    monkeypatch.setattr(store, "_name_taken", lambda *args, **kwargs: False)
    with pytest.raises(IntegrityError):
        store.create_scenario(
            school, year=2027, name="Plan A", inputs={}, allocation=None, status="x", note=""
        )
    assert count_named("Plan A") == 1


def test_eight_simultaneous_new_scenarios_with_one_name(app, school):
    data = {"name": "Plan B", "year": "2027", "source": "blank"}
    statuses = post_at_once(app, PLANNER, f"/schools/{school.id}/scenarios", data)
    assert statuses == [303] + [422] * 7
    assert count_named("Plan B") == 1


def test_eight_simultaneous_copies_get_eight_names(app, school, scenario):
    path = f"/schools/{school.id}/scenarios/{scenario.id}/duplicate"
    assert post_at_once(app, PLANNER, path, {}) == [303] * 8
    db.session.rollback()
    names = {s.name for s in store.scenarios_of(school, 2027)}
    assert names == {"Plan A", "Plan A copy"} | {f"Plan A copy {i}" for i in range(2, 9)}


def test_a_copy_with_every_copy_name_taken_is_refused_in_words(
    client, school, scenario, monkeypatch
):
    taken = {"Plan A", "Plan A copy", *(f"Plan A copy {i}" for i in range(2, 1000))}
    monkeypatch.setattr(store, "_names_in", lambda school_id, year: taken)
    path = f"/schools/{school.id}/scenarios/{scenario.id}"
    response = client.post(f"{path}/duplicate")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(path)
    page = client.get(path).get_data(as_text=True)
    assert "Not copied: 2027 already has a scenario called Plan A copy 999." in page
    assert count_named("Plan A copy") == 0
