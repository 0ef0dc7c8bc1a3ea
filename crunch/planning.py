"""The one path from inputs to a stored revision, and the editor's plan: a solve of its
inputs and the option picked among its answers.

Every writer of a revision (the editor's save, an import, next year's scenario, the
demo and test data) goes through `save_plan` / `start_plan`: the inputs checked by
the solver's own parser (`plan_inputs`), solved, and stored with the solver's status,
or with "invalid" and no allocation when they make no scenario.

Every solve goes through crunch.solving, within the request's time budget.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

from flask import current_app

from crunch.models import Revision, SavedAllocation, School
from crunch.models import Scenario as SavedScenario
from crunch.schools import store
from crunch.solver import (
    Allocation,
    InvalidScenario,
    Scenario,
    Solution,
    Status,
    parse_scenario,
    scenario_to_dict,
)
from crunch.solving import UNPROVED, solve_in_request
from crunch.tables import Table


@dataclass(frozen=True)
class Solved:
    """A solution worked out in the background (a finished job), for the inputs `key`."""

    job_id: int
    key: str
    solution: Solution


@dataclass(frozen=True)
class Plan:
    """One solve of the editor's inputs and the option the user picked among its answers.

    `job_id` names the background job whose answer this is, when it is not the
    request's own solve.
    """

    scenario: Scenario
    solution: Solution
    key: str
    choice: int = 0
    job_id: int | None = None

    @property
    def options(self) -> tuple[Allocation, ...]:
        if self.solution.allocation is None:
            return ()
        return (self.solution.allocation, *self.solution.alternatives)

    @property
    def shown(self) -> Allocation | None:
        options = self.options
        return options[self.choice] if options else None

    @property
    def picked(self) -> str:
        return f"{self.key}:{self.choice}"

    @property
    def table(self) -> Table | None:
        shown = self.shown
        if shown is None:
            return None
        names = tuple(g.name for g in self.scenario.grades)
        return Table(names, self.scenario.teachers, shown.classes)

    @property
    def proved(self) -> bool:
        return self.solution.status is Status.OPTIMAL

    @property
    def unfinished(self) -> bool:
        """The request's own solve ran out of time: carrying on in the background helps."""
        return self.job_id is None and self.solution.status in (Status.FEASIBLE, Status.TIMEOUT)

    def saved_allocation(self, labels: dict[str, str] | None = None) -> dict[str, Any] | None:
        """The picked option as stored in a revision, with the classes' labels by key."""
        shown = self.shown
        if shown is None:
            return None
        named = self.table.with_labels(labels).labels if labels else ()
        return SavedAllocation(self.solution.status, shown, self.choice, named).to_dict()


def inputs_key(inputs: dict[str, Any]) -> str:
    """A short fingerprint of the inputs: a pick is only kept while they are unchanged."""
    relevant = {k: v for k, v in inputs.items() if k != "name"}
    text = json.dumps(relevant, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def make_plan(
    scenario: Scenario,
    inputs: dict[str, Any],
    picked: str = "",
    *,
    alternatives: int | None = None,
    solved: Solved | None = None,
    time_limit: float | None = None,
) -> Plan:
    """Solve the inputs. Alternatives cost a second or more, so only as many are
    sought as the picked option needs, unless `alternatives` asks for more.

    `solved`, an answer already worked out in the background, is used instead of
    solving when it is for these very inputs and holds the option picked.
    """
    config = current_app.config
    key = inputs_key(inputs)
    wanted = choice_from(picked, key, config["PREVIEW_ALTERNATIVES"] + 1)
    if solved is not None and solved.key == key and alternatives is None:
        plan = Plan(scenario, solved.solution, key, job_id=solved.job_id)
        if wanted < len(plan.options):
            return replace(plan, choice=wanted)
    solution = solve_in_request(
        scenario, time_limit=time_limit, alternatives=max(wanted, alternatives or 0)
    )
    plan = Plan(scenario, solution, key)
    return replace(plan, choice=wanted if wanted < len(plan.options) else 0)


def choice_from(picked: str, key: str, count: int) -> int:
    """The option number in `picked` if it was picked for these inputs and exists, else 0."""
    prefix, _, number = (picked or "").partition(":")
    if prefix != key or not number.isascii() or not number.isdigit() or len(number) > 3:
        return 0
    choice = int(number)
    return choice if choice < count else 0


def ran_out(plan: Plan) -> bool:
    """The request's solve stopped at its time limit: unproved, or alternatives cut short."""
    limit = float(current_app.config["PREVIEW_TIME_LIMIT"])
    return plan.unfinished or plan.solution.solve_seconds >= 0.9 * limit


def is_slow(plan: Plan | None) -> bool:
    """Whether more work on these inputs belongs in the background: their preview took
    longer than JOBS_SLOW_PREVIEW_SECONDS, or ran out of time before proving its answer."""
    if plan is None:
        return False
    limit = current_app.config["JOBS_SLOW_PREVIEW_SECONDS"]
    unproved = plan.solution.status in UNPROVED
    return unproved or plan.solution.solve_seconds >= limit


# ------------------------------------------------------------ inputs -> revision

INVALID = "invalid"  # the status of a revision whose inputs make no scenario


@dataclass(frozen=True)
class Checked:
    """Inputs checked: the solver's Scenario and the inputs as stored, or messages.

    `plan_inputs` keys the messages by the format's field paths (`grades[1].max_size`);
    the editor's `drafts.check` by the ids of its form's fields.
    """

    scenario: Scenario | None
    inputs: dict[str, Any] | None
    errors: dict[str, list[str]]


def plan_inputs(inputs: dict[str, Any]) -> Checked:
    """Scenario JSON (a revision's, one rolled forward or imported) checked by the
    solver's parser. Valid inputs come back in the format's own shape (defaults filled
    in, zero counts dropped), as a revision stores them; the name is the scenario's
    title, set when stored, so the one given is not checked."""
    try:
        scenario = parse_scenario({**inputs, "name": ""})
    except InvalidScenario as invalid:
        return Checked(None, dict(inputs), solver_errors(invalid))
    return Checked(scenario, scenario_to_dict(scenario), {})


def solver_errors(invalid: InvalidScenario) -> dict[str, list[str]]:
    """The parser's messages by field path, without echoes: the parser leaves a grade it
    rejected out, so while a grade has a message of its own, "Unknown grade" on the
    composites and fixed classes naming it only repeats that one mistake."""
    errors: dict[str, list[str]] = {}
    for error in invalid.errors:
        errors.setdefault(error.field, []).append(error.message)
    if not any(path.startswith("grades[") for path in errors):
        return errors
    out = {}
    for path, messages in errors.items():
        if path.startswith(("composites[", "locked[")):
            messages = [m for m in messages if not m.startswith("Unknown grade")]
        if messages:
            out[path] = messages
    return out


@dataclass(frozen=True)
class Planned:
    """What a revision stores of its inputs: themselves, the allocation picked, the status."""

    inputs: dict[str, Any]
    allocation: dict[str, Any] | None
    status: str

    def stored(self) -> dict[str, Any]:
        return {"inputs": self.inputs, "allocation": self.allocation, "status": self.status}


def plan_revision(
    inputs: dict[str, Any],
    *,
    picked: str = "",
    labels: dict[str, str] | None = None,
    solved: Solved | None = None,
) -> Planned:
    """Inputs -> parsed scenario -> solution (within the request's limit, through the
    pool): what a revision of them stores. Inputs that make no scenario are kept as
    they are, with no allocation and the status "invalid", to be fixed in the editor."""
    checked = plan_inputs(inputs)
    if checked.scenario is None:
        return Planned(dict(inputs), None, INVALID)
    # `picked` and `solved` name the inputs as the caller had them (see inputs_key).
    plan = make_plan(checked.scenario, inputs, picked, solved=solved)
    return Planned(checked.inputs, plan.saved_allocation(labels), str(plan.solution.status))


def save_plan(
    scenario: SavedScenario,
    inputs: dict[str, Any],
    *,
    note: str,
    base: int | None = None,
    picked: str = "",
    labels: dict[str, str] | None = None,
    solved: Solved | None = None,
) -> Revision:
    """Check, solve and store the inputs as the scenario's next revision; StaleRevision
    when `base` is given and no longer its current revision."""
    planned = plan_revision(inputs, picked=picked, labels=labels, solved=solved)
    return store.save_revision(scenario, base=base, note=note, **planned.stored())


def start_plan(
    school: School, *, year: int, name: str, inputs: dict[str, Any], note: str
) -> SavedScenario:
    """A new scenario whose first revision is the inputs checked, solved and stored;
    NameTaken when the year has a scenario of that name."""
    planned = plan_revision(inputs)
    return store.create_scenario(school, year=year, name=name, note=note, **planned.stored())
