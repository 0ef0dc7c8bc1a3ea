"""The board's form actions, without the request: the draft a board opens with, and
each posted action (an edit by hand, placing the children in the request or as a
background job, taking a finished job's placement, saving the class list) as a
crunch.class_lists.board.Outcome for the view to render."""

from __future__ import annotations

from collections.abc import Mapping

from flask import current_app

from crunch import jobs
from crunch.class_lists import board
from crunch.class_lists import store as class_lists
from crunch.models import JobState, Revision, School, User
from crunch.pool import SolverUnavailable
from crunch.rosters import store
from crunch.rosters.models import Roster
from crunch.solving import place_in_request

Outcome = board.Outcome


def opened(school: School, found: Roster, revision: Revision) -> board.Draft:
    """The draft a board opens with: the newest list saved for this plan and the roster's
    current revision, else nobody placed. Its viewing goes into the audit log."""
    saved = class_lists.latest_for(found, revision)
    draft = board.Draft(dict(saved.assignment), tuple(saved.fixed)) if saved else board.Draft()
    store.audit(school, found.year, "viewed", f"class lists of plan revision {revision.number}")
    return draft


def act(
    school: School,
    found: Roster,
    revision: Revision,
    drawn: board.Board,
    form: Mapping[str, str],
    user: User,
) -> Outcome:
    """The posted `action` applied to the posted `draft` (checked against the board)."""
    try:
        draft = board.Draft.from_json(form.get("draft", ""), drawn.problem)
    except board.BadDraft as error:
        return Outcome(board.Draft(), errors=[str(error)], status=422)
    verb, _, target = form.get("action", "").partition(":")
    if verb in board.EDITS:
        return board.edit(drawn.problem, draft, verb, target, form.get(f"to:{target}", ""))
    if verb in ("place", "rest"):
        fixed = draft.fixed_where() if verb == "rest" else {}
        return _place(found, revision, drawn, draft, fixed, user)
    if verb == "job":  # a finished job's placement taken onto the board
        return _from_job(school, revision, drawn, draft, target)
    if verb == "save":
        return _save(school, found, revision, drawn, draft, form.get("note", ""))
    return Outcome(draft, errors=["Unknown action."], status=422)


def _place(found, revision, drawn: board.Board, draft, fixed: dict[str, str], user) -> Outcome:
    if len(drawn.problem.children) > current_app.config["BOARD_JOB_CHILDREN"]:
        return _start_job(found, revision, drawn, draft, fixed, user)
    fixed_input = board.placement_input(drawn.classes, drawn.children, fixed, blind=drawn.blind)
    try:
        answer = place_in_request(fixed_input)
    except SolverUnavailable as late:
        return Outcome(draft, errors=[late.message])
    if not answer.found:
        why = " ".join(answer.diagnosis or ("the time ran out.",))
        return Outcome(draft, errors=["No placement was found: " + why])
    placed = f"Placed {len(answer.assignment)} children ({answer.status})."
    return Outcome(draft.placed(answer.assignment), [placed])


def _start_job(found, revision, drawn: board.Board, draft, fixed, user) -> Outcome:
    """A big roster is placed in the background. The job's input carries codes, not
    names: the jobs table never holds a child's name."""
    obj = board.placement_obj(drawn.classes, drawn.children, fixed, blind=True)
    params = {
        "time_limit": current_app.config["BOARD_JOB_TIME_LIMIT"],
        "revision_id": revision.id,
        "year": found.year,
    }
    try:
        jobs.start(revision.scenario, user, jobs.PLACE, obj, params)
    except jobs.TooManyJobs as error:
        return Outcome(draft, errors=[error.message], status=429)
    return Outcome(draft, ["Placing the children in the background: the board shows its progress."])


def _from_job(school, revision, drawn: board.Board, draft, job_id: str) -> Outcome:
    job = class_lists.place_job_or_404(school.id, revision, job_id)
    if job.state != JobState.DONE or not (job.result or {}).get("placement"):
        return Outcome(draft, errors=["That search has no placement to use."], status=422)
    try:
        placement = board.Draft.checked(job.result["placement"], drawn.problem)
    except board.BadDraft as error:
        return Outcome(draft, errors=[str(error)], status=422)
    placed = f"Placed {len(placement)} children ({job.result['status']})."
    return Outcome(draft.placed(placement), [placed])


def _save(school, found, revision, drawn: board.Board, draft, note: str) -> Outcome:
    """The draft as the roster's next class list, once every grade's count is exact."""
    problems = board.count_problems(drawn.problem, draft.assignment)
    if problems:
        errors = ["Not saved: the counts must be exact first.", *(r.text for r in problems[:10])]
        return Outcome(draft, errors=errors, status=422)
    moves = [list(m) for m in draft.undo]
    note = note.strip() or f"{len(moves)} moves."
    saved = class_lists.save(
        school, found, revision, draft.assignment, list(draft.fixed), moves, note
    )
    return Outcome(draft, status=303, saved=saved.number)
