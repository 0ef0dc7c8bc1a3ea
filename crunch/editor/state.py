"""What the scenario editor shows after a request: the inputs, their messages, the plan.

One function per way into the editor: from a saved revision, or from a POST of
the form (typing, or a button that names an action).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict

from crunch.editor import actions
from crunch.editor.drafts import Checked, Draft, check
from crunch.editor.forms import ScenarioForm
from crunch.history.service import describe_changes, summary_line
from crunch.models import Revision
from crunch.planning import Plan, Solved, inputs_key, make_plan
from crunch.solver.data import scenario_to_dict
from crunch.solver.patch import merge_patch
from crunch.solving import is_unproved
from crunch.tables import Table, posted_labels, saved_table, table_from_json


@dataclass
class Editor:
    """Everything the editor template needs; `table` may be stale (from `shown`)."""

    draft: Draft
    form: ScenarioForm
    errors: dict[str, list[str]]
    inputs: dict[str, Any] | None = None
    plan: Plan | None = None
    table: Table | None = None
    stale: bool = False
    saved: Revision | None = None
    notes: list[str] = field(default_factory=list)
    picked: str = ""
    # The id of the input to put the cursor in after a button added its row.
    focus: str = ""
    # No children typed in yet (a blank scenario): the editor asks for them
    # instead of planning classes for nobody.
    empty: bool = False
    # Why the button pressed changed nothing (a suggestion no longer offered):
    # answered 422 with the inputs as posted.
    refused: str = ""

    @property
    def valid(self) -> bool:
        return not self.errors

    @property
    def shown_json(self) -> str:
        return self.table.to_json() if self.table else ""


def from_revision(revision: Revision, title: str, *, slow_limit: float | None = None) -> Editor:
    """The editor as saved: the revision's inputs and the allocation chosen then.

    A revision saved unproved is known to be slow to solve: with `slow_limit` its
    preview gets that shorter time in the request (the page carries on in the
    background), so opening it does not wait the whole preview limit.
    """
    draft = Draft.from_inputs(revision.inputs)
    checked = check(draft.form(), draft, title)
    if awaits_children(draft):
        return _empty(draft, checked.errors, draft.form(note=""), saved=revision)
    saved = revision.saved_allocation
    choice = saved.choice if saved else 0
    picked = f"{inputs_key(checked.inputs)}:{choice}" if checked.inputs else ""
    limit = slow_limit if is_unproved(revision.status) else None
    plan = (
        make_plan(checked.scenario, checked.inputs, picked, time_limit=limit)
        if checked.scenario
        else None
    )
    table = saved_table(revision)
    if table is None and plan is not None:
        table = plan.table
    return Editor(
        draft,
        draft.form(note=""),
        checked.errors,
        checked.inputs,
        plan,
        table,
        saved=revision,
        picked=plan.picked if plan else "",
    )


def from_post(
    formdata: MultiDict,
    title: str,
    *,
    solved: Solved | None = None,
    time_limit: float | None = None,
) -> Editor:
    """The editor after a POST: apply the button's action, check the inputs, solve.

    `solved` is an answer worked out in the background that the page showed (used
    instead of solving again while the inputs are the same); `time_limit` shortens
    the request's own solve when these inputs are known to be slow.
    """
    draft = Draft.from_form(ScenarioForm(formdata=formdata))
    raw_action = formdata.get("action", "")
    action, index = actions.parse(raw_action)
    if actions.is_apply(raw_action):
        action = "apply"
    picked = formdata.get("picked", "")
    notes: list[str] = []
    refused = ""
    if action in actions.ACTIONS:
        draft = actions.ACTIONS[action](draft, index, combine=formdata.getlist("combine"))
    checked = check(draft.form(), draft, title)

    if checked.scenario is not None and action in ("lock", "apply"):
        try:
            if action == "lock":
                draft, note = _lock(draft, _on_screen(formdata, draft), index)
            else:
                draft, note = _apply(checked, raw_action)
        except actions.Refused as refusal:
            refused = str(refusal)
        else:
            notes.append(note)
            checked = check(draft.form(), draft, title)
            picked = ""
    elif action == "pick" and checked.inputs is not None and index is not None:
        picked = f"{inputs_key(checked.inputs)}:{index}"

    if awaits_children(draft):
        form = draft.form(note=formdata.get("note", ""))
        return _empty(draft, checked.errors, form, notes=notes, focus=_focus_after(action, draft))
    plan = table = None
    if checked.scenario is not None:
        plan = make_plan(
            checked.scenario, checked.inputs, picked, solved=solved, time_limit=time_limit
        )
        table, picked = plan.table, plan.picked
    else:  # the last table that worked stays on screen, marked stale
        table = table_from_json(formdata.get("shown", ""))
    labels = posted_labels(formdata)
    if table is not None and labels:
        # The names typed beside the classes follow them into the new plan (by key).
        table = table.with_labels(labels)
    return Editor(
        draft,
        draft.form(note=formdata.get("note", "")),
        checked.errors,
        checked.inputs,
        plan,
        table,
        stale=plan is None and table is not None,
        notes=notes,
        picked=picked,
        focus=_focus_after(action, draft),
        refused=refused,
    )


NOT_TYPED = "Enter a number."


def may_edit(user) -> bool:
    """Whether the editor offers its inputs and buttons, or shows the plan read-only."""
    return bool(getattr(user, "can_edit", True))


def awaits_children(draft: Draft) -> bool:
    """No grade has any children typed in: there is nothing to plan yet."""
    return all(g.get("students", "").strip() in ("", "0") for g in draft.grades)


def _empty(draft: Draft, errors: dict[str, list[str]], form: ScenarioForm, **extra) -> Editor:
    """The editor of inputs still being started: blanks are not mistakes yet, only
    what was typed wrong is marked."""
    typed = {}
    for key, messages in errors.items():
        kept = [m for m in messages if m != NOT_TYPED]
        if kept:
            typed[key] = kept
    return Editor(draft, form, typed, empty=True, **extra)


def _focus_after(action: str, draft: Draft) -> str:
    """After adding a grade or a fixed class, the cursor goes to its first input."""
    if action == "grade-add" and draft.grades:
        return f"grades-{len(draft.grades) - 1}-name"
    if action == "locked-add" and draft.locked and draft.grades:
        return f"locked-{len(draft.locked) - 1}-counts-0"
    return ""


def _on_screen(formdata: MultiDict, draft: Draft) -> Table | None:
    """The class table the page showed when its button was pressed.

    Fixing a class takes it from there rather than from a new solve, which could
    differ when the solve is not proved best. Trusting the browser is safe here:
    a fixed class is an input like any other, checked against the rules.
    """
    table = table_from_json(formdata.get("shown", ""))
    if table is None or list(table.grade_names) != draft.grade_names:
        return None
    return table


def _lock(draft: Draft, table: Table | None, index: int | None) -> tuple[Draft, str]:
    """Fix one class of the shown allocation, so the rest is planned around it."""
    if table is None or index is None or not 0 <= index < len(table.classes):
        return draft, "That class is no longer on screen; nothing was fixed."
    chosen = table.classes[index]
    names = draft.grade_names
    draft.locked.append([str(chosen.count(n)) if chosen.count(n) else "" for n in names])
    # Named by its children, not its number: numbers follow the new plan's order, so
    # the class fixed as number 1 may be listed under another number now.
    children = " + ".join(f"{n} of grade {g}" for g, n in chosen.grades)
    return draft, (
        f"The class of {children} is fixed (marked Fixed in the table); "
        "the other classes are planned around it."
    )


def _apply(checked: Checked, raw: str) -> tuple[Draft, str]:
    """Apply the suggestion whose button was pressed: its own JSON merge patch.

    The button carries the patch, not the suggestion's place in the list: a fresh
    solve could list the suggestions in another order (a search cut short by the
    time limit), and the change applied must be the one clicked. The patch comes
    from the browser, so it is checked against the posted inputs first
    (`actions.suggestion_patch`, `Refused` otherwise): only a change of the kind
    suggestions make gets through, and the inputs it makes are checked as typed ones.
    """
    patch = actions.suggestion_patch(raw, scenario_to_dict(checked.scenario))
    patched = merge_patch(checked.inputs, patch)
    changes = summary_line(describe_changes(checked.inputs, patched))
    return Draft.from_inputs(patched), f"Applied: {changes}."
