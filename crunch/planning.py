"""Running the solver for the editor, within the request's time budget, and the one
path from inputs to a stored revision.

Every writer of a revision (the editor's save, an import, next year's scenario, the
demo and test data) goes through `save_plan` / `start_plan`: the inputs checked by
the solver's own parser (`plan_inputs`), solved, and stored with the solver's status,
or with "invalid" and no allocation when they make no scenario.

Every solve made in a request goes through `solve_in_request` / `staffing_rows`:
to a warm process of crunch.pool, which answers within PREVIEW_TIME_LIMIT plus
SOLVER_POOL_MARGIN whatever the solver does (or in this thread when the pool is
off, SOLVER_POOL_SIZE 0). Nothing in a request may ask for more time than
PREVIEW_TIME_LIMIT in total.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, replace
from typing import Any

from flask import current_app, has_request_context, request

from crunch import pool as solver_pool
from crunch.models import Revision, SavedAllocation, School
from crunch.models import Scenario as SavedScenario
from crunch.schools import store
from crunch.solve_slots import one_at_a_time
from crunch.solver import (
    Allocation,
    Class,
    InvalidScenario,
    Scenario,
    Solution,
    StaffingRow,
    Status,
    parse_scenario,
    scenario_to_dict,
    solve,
    staffing,
)
from crunch.solver.placement import place

MAX_SHOWN_CLASSES = 1000
# The least a solve is given once a request's time is used up: enough to answer
# `timeout` (or a trivial scenario) rather than to skip the solver.
MIN_SOLVE = 0.05
DEADLINE = "crunch.solve_deadline"  # in the request's environ: when its solving time ends


MAX_LABEL = 40


@dataclass(frozen=True)
class Table:
    """What the class table, the summary and the chart are drawn from.

    `labels` are the names a principal gave the classes (a teacher, a room), by
    position; see `keys` for how they follow a class from one plan to the next.
    """

    grade_names: tuple[str, ...]
    teachers: int
    classes: tuple[Class, ...]
    labels: tuple[str, ...] = ()

    @property
    def unused(self) -> int:
        return max(self.teachers - len(self.classes), 0)

    @property
    def keys(self) -> tuple[str, ...]:
        """A name for each class that survives re-planning while the structure holds:
        its kind (grades, fixed or not) and its place among the classes of that kind.
        A label is kept under this key, so "Ms Lee" stays on the second 1/2 class
        however the classes are numbered, as long as there still is one."""
        seen: dict[str, int] = {}
        keys = []
        for c in self.classes:
            kind = ("fixed " if c.locked else "") + "/".join(c.grade_names)
            seen[kind] = seen.get(kind, 0) + 1
            keys.append(f"{kind}#{seen[kind]}")
        return tuple(keys)

    def label(self, index: int) -> str:
        return self.labels[index] if index < len(self.labels) else ""

    def label_map(self) -> dict[str, str]:
        return {k: self.label(i) for i, k in enumerate(self.keys) if self.label(i)}

    def with_labels(self, labels: dict[str, str]) -> Table:
        """The same classes, labelled from `labels` (by key); others unlabelled."""
        named = tuple(clean_label(labels.get(k, "")) for k in self.keys)
        return replace(self, labels=named if any(named) else ())

    def to_json(self) -> str:
        return json.dumps(
            {
                "teachers": self.teachers,
                "grades": list(self.grade_names),
                # Only what table_from_json reads back: sizes and badges follow from it.
                "classes": [
                    {
                        "grades": dict(c.grades),
                        **({"locked": True} if c.locked else {}),
                        **({"label": self.label(i)} if self.label(i) else {}),
                    }
                    for i, c in enumerate(self.classes)
                ],
            },
            separators=(",", ":"),
        )


def clean_label(raw: Any) -> str:
    """A label as kept: text, one line, at most MAX_LABEL characters."""
    if not isinstance(raw, str):
        return ""
    return " ".join(raw.split())[:MAX_LABEL]


LABEL_FIELD = "label-"


def posted_labels(formdata) -> dict[str, str]:
    """The labels typed in the class table (fields `label-<key>`), by class key."""
    return {
        key[len(LABEL_FIELD) :]: clean_label(value)
        for key, value in formdata.items()
        if key.startswith(LABEL_FIELD) and len(key) < 200
    }


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


def staffing_range(scenario: Scenario) -> tuple[int, int]:
    """The numbers of teachers the staffing curve shows: a few either side of now."""
    span = current_app.config["STAFFING_SPAN"]
    return max(1, len(scenario.locked), scenario.teachers - span), scenario.teachers + span


def request_limit(time_limit: float | None = None) -> float:
    """The seconds a solve in a request may take: `time_limit` if shorter, and never
    more than what is left of PREVIEW_TIME_LIMIT for the whole request (a request
    that solves more than once shares it)."""
    left = float(current_app.config["PREVIEW_TIME_LIMIT"])
    if has_request_context():
        deadline = request.environ.setdefault(DEADLINE, time.monotonic() + left)
        left = max(MIN_SOLVE, deadline - time.monotonic())
    return left if not time_limit else min(float(time_limit), left)


def solve_in_request(
    scenario: Scenario, *, time_limit: float | None = None, alternatives: int = 0
) -> Solution:
    """solve(), held to the request's limit; a solver that does not answer in time
    gives a `timeout` answer whose note says so (the editor then carries on as a job)."""
    limit = request_limit(time_limit)
    step = current_app.config["SUGGESTION_MAX_SIZE_STEP"]
    pool = solver_pool.current()
    with one_at_a_time():
        if pool is None:
            return solve(scenario, time_limit=limit, alternatives=alternatives, max_size_step=step)
        try:
            return pool.run("solve", (scenario, alternatives, step), time_limit=limit)
        except solver_pool.SolverUnavailable as late:
            return Solution(Status.TIMEOUT, notes=(late.message,), solve_seconds=limit)


def place_in_request(placement_input, *, diagnose: bool = True):
    """place(), held to the request's limit like solve_in_request; a solver that does
    not answer in time raises SolverUnavailable, whose message says so."""
    limit = request_limit()
    pool = solver_pool.current()
    with one_at_a_time():
        if pool is None:
            return place(placement_input, time_limit=limit, diagnose=diagnose)
        return pool.run("place", (placement_input, diagnose), time_limit=limit)


@dataclass(frozen=True)
class Curve:
    """The staffing rows worked out in a request; `complete` when every number of
    teachers in the range was reached in time (a solver that did not answer gives none)."""

    rows: list[StaffingRow]
    complete: bool


def staffing_rows(scenario: Scenario) -> Curve:
    """The staffing curve around the current number of teachers, nearest first, every
    row together within the request's limit."""
    first, last = staffing_range(scenario)
    row_limit = current_app.config["STAFFING_TIME_LIMIT"]
    limit = request_limit()
    pool = solver_pool.current()
    with one_at_a_time():
        if pool is None:
            rows = staffing(
                scenario,
                first,
                last,
                time_limit=row_limit,
                total_time_limit=limit,
                around=scenario.teachers,
            )
        else:
            try:
                rows = pool.run("staffing", (scenario, first, last, row_limit), time_limit=limit)
            except solver_pool.SolverUnavailable:
                return Curve([], False)
    return Curve(rows, len(rows) == last - first + 1)


UNPROVED = (Status.FEASIBLE, Status.TIMEOUT)


def is_unproved(status: str | Status) -> bool:
    """A status (or a revision's stored one) whose solve ran out of time."""
    return str(status) in {str(s) for s in UNPROVED}


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


def table_from_json(raw: Any) -> Table | None:
    """A table from stored or posted JSON; None when it does not look like one.

    Posted JSON comes from the browser, so nothing in it is trusted beyond its shape.
    """
    if isinstance(raw, str):
        if len(raw) > 200_000:
            return None
        try:
            raw = json.loads(raw)
        except (ValueError, RecursionError):
            return None
    if not isinstance(raw, dict):
        return None
    teachers = raw.get("teachers")
    names = raw.get("grades")
    items = raw.get("classes")
    if not isinstance(names, list) or not isinstance(items, list):
        return None
    if not isinstance(teachers, int) or isinstance(teachers, bool) or not 0 <= teachers <= 1000:
        return None
    names = [n for n in names[:40] if isinstance(n, str)]
    classes = []
    labels = []
    for item in items[:MAX_SHOWN_CLASSES]:
        counts = item.get("grades") if isinstance(item, dict) else None
        if not isinstance(counts, dict):
            return None
        labels.append(clean_label(item.get("label", "")))
        grades = tuple(
            (str(g)[:40], n)
            for g, n in counts.items()
            if isinstance(n, int) and not isinstance(n, bool) and 0 < n <= 10_000
        )
        classes.append(Class(grades, locked=item.get("locked") is True))
    return Table(tuple(names), teachers, tuple(classes), tuple(labels) if any(labels) else ())


def saved_table(revision: Revision) -> Table | None:
    """The table of a saved revision."""
    saved = revision.saved_allocation
    if saved is None:
        return None
    inputs = revision.inputs
    names = [g.get("name") for g in inputs.get("grades", []) if isinstance(g, dict)]
    names = [n for n in names[:40] if isinstance(n, str)]
    return Table(tuple(names), inputs.get("teachers", 0), saved.classes, saved.labels)


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
