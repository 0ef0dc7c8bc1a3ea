"""The scenario editor: live preview, structural edits, save, staffing curve, CSV export.

Views stay thin: `crunch.editor.state` decides what the editor shows, and
these functions only choose between the whole page and one block of it.
"""

from __future__ import annotations

import secrets

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    request,
    url_for,
)
from flask_login import current_user

from crunch import jobs
from crunch.accounts.auth import reads_only
from crunch.editor import state as editing
from crunch.editor.drafts import Draft, check
from crunch.editor.forms import ScenarioForm
from crunch.editor.presenting import (
    background_note,
    class_chart,
    grade_summary,
    print_facts,
    staffing_chart,
)
from crunch.files import exports
from crunch.history import service as history
from crunch.jobs import answers as job_answers
from crunch.jobs import results as job_results
from crunch.models import utcnow
from crunch.planning import Solved, inputs_key, make_plan, ran_out, save_plan
from crunch.schools import store
from crunch.solving import is_unproved, staffing_range, staffing_rows
from crunch.tables import posted_labels, saved_table
from crunch.web.download import CSV, download
from crunch.web.htmx import go_to, page_or_block, render_block, varying
from crunch.words import local_time, zone_label

bp = Blueprint("editor", __name__, url_prefix="/schools/<id:school_id>/scenarios")

TEMPLATE = "editor/editor.html"


@bp.get("/<id:scenario_id>")
def editor(school_id: int, scenario_id: int):
    scenario = store.scenario_or_404(school_id, scenario_id)
    state = editing.from_revision(
        scenario.current_revision, scenario.title, slow_limit=_slow_limit()
    )
    return page_or_block(TEMPLATE, "editor", **_context(scenario, state))


@bp.post("/<id:scenario_id>/edit")
@reads_only
def edit(school_id: int, scenario_id: int):
    """Typing and the editor's buttons: the whole editor again (htmx morphs it in)."""
    scenario = store.scenario_or_404(school_id, scenario_id)
    state = editing.from_post(
        request.form, scenario.title, solved=_solved(scenario), time_limit=_preview_limit(scenario)
    )
    if state.inputs is not None:
        jobs.cancel_outdated(scenario, current_user._get_current_object(), inputs_key(state.inputs))
    status = 422 if state.errors or state.refused else 200
    return page_or_block(TEMPLATE, "editor", status, **_context(scenario, state))


@bp.post("/<id:scenario_id>/staffing")
@reads_only
def staffing(school_id: int, scenario_id: int):
    """The staffing curve for the inputs on screen; loaded after each preview."""
    scenario, checked = _posted(school_id, scenario_id)
    if checked.scenario is None:
        body = render_block(TEMPLATE, "staffing_chart", curve=None, rows=[], invalid=True)
        return varying(body, 422)
    if not _known_slow(scenario):
        curve = staffing_rows(checked.scenario)
        if curve.complete:
            chart = staffing_chart(curve.rows, checked.scenario.teachers)
            body = render_block(TEMPLATE, "staffing_chart", curve=chart, rows=curve.rows)
            return varying(body, 200)
    # Slow inputs, or the rows did not all fit in the request's time: the curve is a job.
    first, last = staffing_range(checked.scenario)
    limit = current_app.config["JOBS_STAFFING_TIME_LIMIT"]
    params = {"first": first, "last": last, "time_limit": limit}
    return _job(scenario, jobs.STAFFING, checked.inputs, params)


@bp.post("/<id:scenario_id>/solve")
@reads_only
def keep_solving(school_id: int, scenario_id: int):
    """Carry on, as a job, with a preview that ran out of time before proving its answer.

    The editor's results ask for this on load whenever their solve was unfinished.
    """
    scenario, checked = _posted(school_id, scenario_id)
    if checked.scenario is None:
        return varying("", 422)
    user = current_user._get_current_object()
    running = jobs.active_for(scenario, user, jobs.SOLVE, inputs_key(checked.inputs))
    if running is not None:  # the results were redrawn for the same inputs: keep going
        return job_answers.answer(running)
    params = {"alternatives": 0, "time_limit": current_app.config["JOBS_SOLVE_TIME_LIMIT"]}
    return _job(scenario, jobs.SOLVE, checked.inputs, params)


@bp.post("/<id:scenario_id>/options")
@reads_only
def options(school_id: int, scenario_id: int):
    """Other allocations of a different structure, found on request (they take a while)."""
    scenario, checked = _posted(school_id, scenario_id)
    plan = None
    if checked.scenario is not None and not _known_slow(scenario):
        plan = make_plan(
            checked.scenario,
            checked.inputs,
            request.form.get("picked", ""),
            alternatives=current_app.config["PREVIEW_ALTERNATIVES"],
        )
    if checked.scenario is not None and (plan is None or ran_out(plan)):
        # Slow inputs, or the search did not finish in the request's time: a job.
        params = {
            "alternatives": current_app.config["PREVIEW_ALTERNATIVES"],
            "picked": request.form.get("picked", "")[:40],
            "time_limit": current_app.config["JOBS_SOLVE_TIME_LIMIT"],
        }
        return _job(scenario, jobs.OPTIONS, checked.inputs, params)
    body = render_block(
        TEMPLATE, "options", school=scenario.school, scenario=scenario, plan=plan, searched=True
    )
    return varying(body, 200 if plan else 422)


@bp.post("/<id:scenario_id>/revisions")
def save(school_id: int, scenario_id: int):
    """Store the inputs and the picked allocation as a new revision; nothing is overwritten."""
    scenario = store.scenario_or_404(school_id, scenario_id)
    draft = Draft.from_form(ScenarioForm(formdata=request.form))
    form = draft.form(note=request.form.get("note", ""))
    checked = check(form, draft, scenario.title)
    if checked.scenario is None:
        return _not_saved(scenario, checked)
    try:
        revision = save_plan(
            scenario, checked.inputs, note=form.note.data or "", **_posted_choice(scenario)
        )
    except store.StaleRevision as stale:
        return _stale(scenario, stale)
    flash(f"Saved as revision {revision.number}.")
    return go_to(url_for(".editor", school_id=school_id, scenario_id=scenario_id))


def _not_saved(scenario, checked) -> Response:
    state = editing.from_post(request.form, scenario.title)
    state.errors.update(checked.errors)
    state.notes.append("Not saved: fix the marked inputs first.")
    return page_or_block(TEMPLATE, "editor", 422, **_context(scenario, state))


def _posted_choice(scenario) -> dict:
    """What the editor showed when saved: the revision it started from, the option
    picked, the class labels typed, and an answer worked out in the background."""
    return {
        "base": history.parse_number(request.form.get("base_revision")),
        "picked": request.form.get("picked", ""),
        "labels": posted_labels(request.form),
        "solved": _solved(scenario),
    }


@bp.get("/<id:scenario_id>/export.csv")
def export_csv(school_id: int, scenario_id: int):
    """The saved allocation of the current revision (or ?revision=N) as CSV."""
    scenario = store.scenario_or_404(school_id, scenario_id)
    revision = history.revision_asked(scenario, request.args.get("revision", ""))
    table = saved_table(revision)
    if table is None:
        flash(f"Revision {revision.number} has no allocation to export: its inputs have none.")
        return redirect(url_for(".editor", school_id=school_id, scenario_id=scenario_id), 303)
    name = exports.filename(
        scenario.school.name,
        scenario.year,
        scenario.name,
        revision.number,
        "csv",
        what="class list",
    )
    return download(exports.class_list_csv(table), CSV, name)


def _stale(scenario, stale: store.StaleRevision) -> Response:
    """Someone else saved since this editor was opened: keep the typed inputs, say so.

    The form is redrawn on top of the newer revision, so saving again is a
    deliberate choice made after seeing the message and the other change.
    """
    state = editing.from_post(request.form, scenario.title)
    state.notes.append(stale_message(stale))
    context = _context(scenario, state)
    context.update(base_revision=stale.current.number, conflict=stale)
    return page_or_block(TEMPLATE, "editor", 409, **context)


def stale_message(stale: store.StaleRevision) -> str:
    by = history.author_of(stale.current)
    who = "" if by == history.NO_AUTHOR else f" by {by}"
    return (
        f"Not saved: revision {stale.current.number} was saved{who} "
        f"while you were editing revision {stale.base}. Your changes are still here. "
        "See what the other save changed, then save again to keep yours on top of it."
    )


def _context(scenario, state: editing.Editor) -> dict:
    table = state.table
    return {
        "base_revision": _base_revision(scenario, state),
        "conflict": None,
        "school": scenario.school,
        "scenario": scenario,
        "revisions": scenario.revisions,
        "state": state,
        "form": state.form,
        "draft": state.draft,
        "errors": state.errors,
        "plan": state.plan,
        "table": table,
        "summary": grade_summary(table) if table else [],
        "chart": class_chart(table) if table else None,
        "unsaved": _unsaved(scenario, state),
        "background_note": None if state.stale else background_note(state.plan),
        "keep_solving": not state.stale and state.plan is not None and state.plan.unfinished,
        # New on every answer: the elements that load themselves (staffing curve, the
        # solve carried on) are then new to htmx after a morph, so they load again.
        "drawn": secrets.token_hex(4),
        "editable": editing.may_edit(current_user),
        "print_facts": _print_facts(scenario, state),
    }


def _print_facts(scenario, state: editing.Editor) -> list[str]:
    revision = scenario.current_revision
    zone = current_app.config["DISPLAY_TIMEZONE"]
    user = current_user._get_current_object()
    return print_facts(
        revision.number,
        local_time(revision.created_at, zone),
        history.author_of(revision),
        revision.note,
        unsaved=_unsaved(scenario, state),
        printed_at=f"{local_time(utcnow(), zone)} ({zone_label(zone)})",
        preparer=getattr(user, "name", "") or getattr(user, "email", "") or "—",
    )


def _base_revision(scenario, state: editing.Editor) -> int:
    """The revision the form's edits started from: saving checks it is still current."""
    if state.saved is not None:
        return state.saved.number
    posted = history.parse_number(request.form.get("base_revision"))
    return posted if posted is not None else scenario.current_revision.number


def _unsaved(scenario, state: editing.Editor) -> bool:
    current = scenario.current_revision
    if state.inputs is None or current is None:
        return False
    if inputs_key(state.inputs) != inputs_key(current.inputs):
        return True
    # Same inputs, another allocation on screen (another option, or one worked out
    # in the background since): saving would store something new too.
    saved = saved_table(current)
    if None in (saved, state.table):
        return False
    return saved.classes != state.table.classes or saved.label_map() != state.table.label_map()


def _posted(school_id: int, scenario_id: int):
    """The scenario, and the editor's posted inputs checked (the form as it stands)."""
    scenario = store.scenario_or_404(school_id, scenario_id)
    draft = Draft.from_form(ScenarioForm(formdata=request.form))
    return scenario, check(draft.form(), draft)


def _solved(scenario) -> Solved | None:
    """The answer worked out in the background that the page shows, if it names one."""
    job = jobs.finished_solve(scenario, request.form.get("solved_by"))
    return job_results.solved(job) if job is not None else None


def _preview_limit(scenario) -> float | None:
    """Inputs known to be slow get a short solve in the request, then carry on as a job."""
    return _slow_limit() if _known_slow(scenario) else None


def _slow_limit() -> float:
    config = current_app.config
    return min(config["PREVIEW_TIME_LIMIT"], config["JOBS_SLOW_PREVIEW_SECONDS"])


def _known_slow(scenario) -> bool:
    """Decided here, never by the browser: the scenario's current revision was saved
    unproved (its solve ran out of time), so its options and staffing curve go
    straight to jobs. Other inputs are tried in the request, within the preview's
    limit, and become a job when that was not enough."""
    revision = scenario.current_revision
    return revision is not None and is_unproved(revision.status)


def _job(scenario, kind: str, inputs: dict, params: dict) -> Response:
    params = {"max_size_step": current_app.config["SUGGESTION_MAX_SIZE_STEP"], **params}
    job = jobs.start(scenario, current_user._get_current_object(), kind, inputs, params)
    return job_answers.answer(job)
