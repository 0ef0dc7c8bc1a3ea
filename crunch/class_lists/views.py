"""The class-list board of a roster and a plan revision: show, place the children,
move, fix, undo and redo, save; the saved lists' history, restore, compare, print and
exports. The draft lives in the page's form (crunch.class_lists.board); every view and
export writes the roster's audit log."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup

from crunch import jobs
from crunch.accounts.auth import require_editor
from crunch.class_lists import board, exports
from crunch.class_lists import store as class_lists
from crunch.files.exports import filename as export_filename
from crunch.models import Job, JobState
from crunch.planning import place_in_request
from crunch.pool import SolverUnavailable
from crunch.rosters import children as roster_children
from crunch.rosters import store
from crunch.schools import store as schools
from crunch.solver.data import InvalidScenario
from crunch.solver.placement import broken_rules, placement_metrics
from crunch.web.download import CSV, XLSX, download
from crunch.web.htmx import is_htmx, varying

bp = Blueprint("class_lists", __name__, url_prefix="/schools/<id:school_id>/rosters/<id:year>")


def _context(school_id: int, year: int, revision_id: int):
    school = schools.school_or_404(school_id)
    found = store.roster_or_404(school, year)
    revision = class_lists.plan_or_404(school, year, revision_id)
    return school, found, revision


@bp.route("/board/<id:revision_id>", methods=["GET", "POST"])
def show(school_id: int, year: int, revision_id: int):
    school, found, revision = _context(school_id, year, revision_id)
    blind = request.values.get("blind") == "1"
    classes = board.board_classes(revision.allocation)
    children = found.current_revision.children
    try:
        problem = board.placement_input(classes, children, blind=blind)
    except InvalidScenario as error:
        return _page(
            school,
            found,
            revision,
            classes,
            None,
            None,
            blind,
            [],
            [e.message for e in error.errors],
            200,
        )
    lines: list[str] = []
    errors: list[str] = []
    status = 200
    if request.method == "GET":
        saved = class_lists.latest_for(found, revision)
        draft = board.Draft(dict(saved.assignment), tuple(saved.fixed)) if saved else board.Draft()
        store.audit(school, year, "viewed", f"class lists of plan revision {revision.number}")
    else:
        require_editor()
        try:
            draft = board.Draft.from_json(request.form.get("draft", ""), problem)
        except board.BadDraft as error:
            draft, errors, status = board.Draft(), [str(error)], 422
        else:
            draft, lines, errors, status = _act(
                school, found, revision, classes, children, problem, draft, blind
            )
            if status == 303:
                return _after_save(url_for(".history", school_id=school.id, year=year))
    return _page(school, found, revision, classes, problem, draft, blind, lines, errors, status)


def _after_save(url: str):
    if is_htmx():  # htmx follows a redirect and swaps its answer: say where to go instead
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)


def _act(school, found, revision, classes, children, problem, draft, blind):
    """One action of the board's form: (draft, what it did in words, errors, status)."""
    action = request.form.get("action", "")
    verb, _, child = action.partition(":")
    before = draft.assignment
    if verb in ("move", "send", "fix") and not problem.has_child(
        child.rsplit("@", 1)[0] if verb == "send" else child
    ):
        return draft, [], ["There is no such child on this board."], 422
    if verb == "move":
        to = request.form.get(f"to:{child}", "")
        if to and not problem.has_class(to):
            return draft, [], ["There is no such class on this board."], 422
        draft = draft.moved(child, to)
        return draft, board.consequences(problem, before, draft.assignment, child), [], 200
    if verb == "send":  # the offered swap: "send:<child>@<label>"
        child, _, to = child.rpartition("@")
        if not problem.has_class(to):
            return draft, [], ["There is no such class on this board."], 422
        draft = draft.moved(child, to)
        return draft, board.consequences(problem, before, draft.assignment, child), [], 200
    if verb == "fix":
        return draft.toggled(child), [], [], 200
    if verb in ("undo", "redo"):
        step = (draft.undo or [None])[-1] if verb == "undo" else (draft.redo or [None])[-1]
        draft = draft.undone() if verb == "undo" else draft.redone()
        lines = board.consequences(problem, before, draft.assignment, step[0]) if step else []
        return draft, lines, [], 200
    if verb in ("place", "rest"):
        fixed = draft.fixed_where() if verb == "rest" else {}
        if len(problem.children) > current_app.config["BOARD_JOB_CHILDREN"]:
            return _start_job(school, found, revision, classes, children, fixed, draft)
        fixed_input = board.placement_input(classes, children, fixed, blind=blind)
        try:
            answer = place_in_request(fixed_input)
        except SolverUnavailable as late:
            return draft, [], [late.message], 200
        if not answer.found:
            return (
                draft,
                [],
                ["No placement was found: " + " ".join(answer.diagnosis or ("the time ran out.",))],
                200,
            )
        draft = draft.placed(answer.assignment)
        return draft, [f"Placed {len(answer.assignment)} children ({answer.status})."], [], 200
    if verb == "job":  # a finished job's placement taken onto the board
        job = class_lists.place_job_or_404(school.id, revision, child)
        if job.state != JobState.DONE or not (job.result or {}).get("placement"):
            return draft, [], ["That search has no placement to use."], 422
        try:
            found_placement = board.Draft.checked(job.result["placement"], problem)
        except board.BadDraft as error:
            return draft, [], [str(error)], 422
        draft = draft.placed(found_placement)
        return draft, [f"Placed {len(found_placement)} children ({job.result['status']})."], [], 200
    if verb == "save":
        problems = board.count_problems(problem, draft.assignment)
        if problems:
            return (
                draft,
                [],
                ["Not saved: the counts must be exact first.", *(r.text for r in problems[:10])],
                422,
            )
        moves = [list(m) for m in draft.undo]
        saved = class_lists.save(
            school,
            found,
            revision,
            draft.assignment,
            list(draft.fixed),
            moves,
            request.form.get("note", "").strip() or f"{len(moves)} moves.",
        )
        flash(f"Class list {saved.number} saved.")
        return draft, [], [], 303
    return draft, [], ["Unknown action."], 422


def _start_job(school, found, revision, classes, children, fixed, draft):
    """A big roster is placed in the background. The job's input carries codes, not
    names: the jobs table never holds a child's name."""
    obj = board.placement_obj(classes, children, fixed, blind=True)
    params = {
        "time_limit": current_app.config["BOARD_JOB_TIME_LIMIT"],
        "revision_id": revision.id,
        "year": found.year,
    }
    try:
        jobs.start(revision.scenario, current_user._get_current_object(), jobs.PLACE, obj, params)
    except jobs.TooManyJobs as error:
        return draft, [], [error.message], 429
    return draft, ["Placing the children in the background: the board shows its progress."], [], 200


def _job_context(school, year, revision, job: Job | None) -> dict:
    if job is None or job.params.get("revision_id") != revision.id:
        return {"job": None}
    ids = {"school_id": school.id, "year": year, "revision_id": revision.id, "job_id": job.id}
    progress = (job.progress or {}).get("placement") or {}
    return {
        "job": job,
        "job_elapsed": jobs.elapsed(job),
        "job_placed": len(progress),
        "job_status_url": url_for("class_lists.job_status", **ids),
        "job_cancel_url": url_for("class_lists.job_cancel", **ids),
        "may_cancel": jobs.may_cancel(job, current_user._get_current_object()),
    }


@bp.get("/board/<id:revision_id>/jobs/<id:job_id>")
def job_status(school_id: int, year: int, revision_id: int, job_id: int):
    school, _found, revision = _context(school_id, year, revision_id)
    job = class_lists.place_job_or_404(school.id, revision, str(job_id))
    body = render_template(
        "class_lists/_job.html", **_job_context(school, year, revision, job), fragment=True
    )
    return varying(body)


@bp.post("/board/<id:revision_id>/jobs/<id:job_id>/cancel")
def job_cancel(school_id: int, year: int, revision_id: int, job_id: int):
    school, _found, revision = _context(school_id, year, revision_id)
    job = class_lists.place_job_or_404(school.id, revision, str(job_id))
    user = current_user._get_current_object()
    if not jobs.may_cancel(job, user):
        abort(403)
    jobs.cancel(job, user)
    if is_htmx():
        return job_status(school_id, year, revision_id, job_id)
    return redirect(url_for(".show", school_id=school_id, year=year, revision_id=revision_id), 303)


def _page(school, found, revision, classes, problem, draft, blind, lines, errors, status):
    children = found.current_revision.children
    names = board.codes(children) if blind else roster_children.names(children)
    context = {
        "school": school,
        "year": found.year,
        "roster": found,
        "revision": revision,
        "classes": classes,
        "draft": draft,
        "blind": blind,
        "lines": lines,
        "errors": errors,
        "names": names,
    }
    if problem is not None and draft is not None:
        assignment = draft.assignment
        unmet = {c.id for c in board.unmet_friends(problem, assignment)}
        cards = {c.label: [] for c in classes}
        cards[""] = []
        for kid in children:
            cards[
                assignment.get(kid["id"], "") if assignment.get(kid["id"]) in cards else ""
            ].append(kid)
        broken = broken_rules(problem, assignment)
        count_broken = [r for r in broken if r.rule in ("count", "unplaced")]
        swap = None
        if draft.undo and any(r.rule == "count" for r in broken):
            swap = board.best_swap(problem, assignment, draft.undo[-1][0], draft.fixed)
        latest = class_lists.latest_place_job(revision, current_user.id)
        context.update(_job_context(school, found.year, revision, latest))
        # Each card's "move to" menu, made once per class rather than once per card.
        context["menus"] = {
            current: Markup("").join(
                Markup(
                    "<option selected>{}</option>" if c.label == current else "<option>{}</option>"
                ).format(c.label)
                for c in classes
            )
            for current in ["", *(c.label for c in classes)]
        }
        context.update(
            cards=cards,
            unmet=unmet,
            figures=board.figures(problem, assignment),
            metrics=placement_metrics(problem, assignment).to_dict() if assignment else None,
            # nothing placed yet: the column "Not placed yet" says it all
            broken=[r for r in broken if r.rule != "unplaced"] if assignment else [],
            count_broken=count_broken,
            swap=swap,
            gender=roster_children.gender,
        )
    return render_template("class_lists/board.html", **context), status


# ---------------------------------------------------------------- saved lists


@bp.get("/class-lists")
def history(school_id: int, year: int):
    school = schools.school_or_404(school_id)
    found = store.roster_or_404(school, year)
    store.audit(school, year, "viewed", "class lists")
    names = roster_children.names(found.current_revision.children)
    saved = class_lists.lists_of(found)
    return render_template(
        "class_lists/history.html",
        school=school,
        year=year,
        roster=found,
        plans=class_lists.plans_of(school, year),
        saved=saved,
        moves={s.number: class_lists.moves_in_words(s, names) for s in saved},
    )


@bp.post("/class-lists/<id:number>/restore")
def restore(school_id: int, year: int, number: int):
    school = schools.school_or_404(school_id)
    found = store.roster_or_404(school, year)
    require_editor()
    saved = class_lists.restore(school, found, class_lists.list_or_404(found, number))
    flash(f"Class list {number} restored as class list {saved.number}.")
    return redirect(url_for(".history", school_id=school_id, year=year), 303)


@bp.get("/class-lists/compare")
def compare(school_id: int, year: int):
    school = schools.school_or_404(school_id)
    found = store.roster_or_404(school, year)
    numbers = [int(n) for n in request.args.getlist("n") if n.isascii() and n.isdigit()][:2]
    if len(numbers) != 2 or len(str(max(numbers))) > 9:
        return render_template(
            "class_lists/compare.html", school=school, year=year, rows=None,
            error="Choose two class lists to compare.",
        ), 422  # fmt: skip
    a, b = (class_lists.list_or_404(found, n) for n in numbers)
    store.audit(school, year, "viewed", f"class lists {a.number} and {b.number} compared")
    names = roster_children.names(found.current_revision.children)
    rows = [(names.get(i, i), x, y) for i, x, y in board.different(a.assignment, b.assignment)]
    return render_template(
        "class_lists/compare.html", school=school, year=year, a=a, b=b, rows=rows, error=""
    )


def _saved(school_id: int, year: int, number: int):
    school = schools.school_or_404(school_id)
    found = store.roster_or_404(school, year)
    saved = class_lists.list_or_404(found, number)
    revision = class_lists.plan_or_404(school, year, saved.revision_id)
    return school, saved, board.board_classes(revision.allocation)


@bp.get("/class-lists/<id:number>/print")
def print_lists(school_id: int, year: int, number: int):
    school, saved, classes = _saved(school_id, year, number)
    store.audit(school, year, "viewed", f"class list {number} printed")
    children = saved.roster_revision.children
    members = {
        c.label: [k for k in children if saved.assignment.get(k["id"]) == c.label] for c in classes
    }
    return render_template(
        "class_lists/print.html", school=school, year=year, saved=saved, classes=classes,
        members=members,
    )  # fmt: skip


@bp.get("/class-lists/<id:number>.csv")
def export_csv(school_id: int, year: int, number: int):
    return _export(school_id, year, number, "csv")


@bp.get("/class-lists/<id:number>.xlsx")
def export_xlsx(school_id: int, year: int, number: int):
    return _export(school_id, year, number, "xlsx")


def _export(school_id: int, year: int, number: int, kind: str):
    school, saved, classes = _saved(school_id, year, number)
    parent_safe = request.args.get("parent_safe") == "1"
    what = "parent-safe " if parent_safe else ""
    store.audit(school, year, "exported", f"class list {number} as {what}{kind}")
    table = exports.rows(
        classes, saved.roster_revision.children, saved.assignment, parent_safe=parent_safe
    )
    suffix = "parents" if parent_safe else "class-lists"
    name = export_filename(school.name, year, suffix, number, kind)
    if kind == "csv":
        return download(exports.to_csv(table), CSV, name)
    return download(exports.to_xlsx(table), XLSX, name)
