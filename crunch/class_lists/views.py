"""The class-list board of a roster and a plan revision: show, place the children,
move, fix, undo and redo, save; the saved lists' history, restore, compare, print and
exports. The draft lives in the page's form (crunch.class_lists.board); every view and
export writes the roster's audit log."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from crunch import jobs
from crunch.accounts.auth import require_editor
from crunch.class_lists import actions, board, exports
from crunch.class_lists import store as class_lists
from crunch.files.exports import filename as export_filename
from crunch.models import Job
from crunch.rosters import children as roster_children
from crunch.rosters import store
from crunch.web.download import CSV, XLSX, download
from crunch.web.htmx import go_to, is_htmx, varying

bp = Blueprint("class_lists", __name__, url_prefix="/schools/<id:school_id>/rosters/<id:year>")


def _context(school_id: int, year: int, revision_id: int):
    school, found = store.school_roster_or_404(school_id, year)
    revision = class_lists.plan_or_404(school, year, revision_id)
    return school, found, revision


@bp.route("/board/<id:revision_id>", methods=["GET", "POST"])
def show(school_id: int, year: int, revision_id: int):
    school, found, revision = _context(school_id, year, revision_id)
    blind = request.values.get("blind") == "1"
    drawn = board.draw(revision.allocation, found.current_revision.children, blind=blind)
    if drawn.problem is None:  # the roster does not fit the plan
        outcome = board.Outcome(None, errors=drawn.invalid)
    elif request.method == "GET":
        outcome = board.Outcome(actions.opened(school, found, revision))
    else:
        require_editor()
        user = current_user._get_current_object()
        outcome = actions.act(school, found, revision, drawn, request.form, user)
        if outcome.saved is not None:
            flash(f"Class list {outcome.saved} saved.")
            return go_to(url_for(".history", school_id=school.id, year=year))
    return _page(school, found, revision, drawn, outcome)


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


def _page(school, found, revision, drawn: board.Board, outcome: board.Outcome):
    context = {
        "school": school,
        "year": found.year,
        "roster": found,
        "revision": revision,
        "classes": drawn.classes,
        "draft": outcome.draft,
        "blind": drawn.blind,
        "lines": outcome.lines,
        "errors": outcome.errors,
        "names": drawn.names,
    }
    if drawn.problem is not None and outcome.draft is not None:
        context.update(board.shown(drawn, outcome.draft))
        latest = class_lists.latest_place_job(revision, current_user.id)
        context.update(_job_context(school, found.year, revision, latest))
    return render_template("class_lists/board.html", **context), outcome.status


# ---------------------------------------------------------------- saved lists


@bp.get("/class-lists")
def history(school_id: int, year: int):
    school, found = store.school_roster_or_404(school_id, year)
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
    school, found = store.school_roster_or_404(school_id, year)
    require_editor()
    saved = class_lists.restore(school, found, class_lists.list_or_404(found, number))
    flash(f"Class list {number} restored as class list {saved.number}.")
    return redirect(url_for(".history", school_id=school_id, year=year), 303)


@bp.get("/class-lists/compare")
def compare(school_id: int, year: int):
    school, found = store.school_roster_or_404(school_id, year)
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
    school, found = store.school_roster_or_404(school_id, year)
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
