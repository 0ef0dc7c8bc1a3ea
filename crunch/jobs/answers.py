"""How a job answers a request: its status element (htmx) or a page with it while it
runs; once finished, its result drawn as the editor's own block (`options`,
`staffing_chart`) or, for a preview carried on in the background, an element that
redraws the editor with the job's answer; or plainly that it failed, was cancelled
or ran out of time. Used by the jobs' pages and by the editor, which answers with a
job when a solve outgrows the request."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from crunch import jobs
from crunch.editor.presenting import job_title, staffing_chart, stopped_staffing_note
from crunch.extensions import db
from crunch.jobs import results
from crunch.models import Job, JobState, Scenario
from crunch.planning import choice_from, inputs_key
from crunch.tables import Table
from crunch.web.htmx import is_htmx, render_block, varying

TEMPLATE = "jobs/status.html"
EDITOR = "editor/editor.html"


def answer(job: Job):
    """The job's status element (htmx), or a page with it; a finished job's result."""
    if job.kind == jobs.PLACE:  # class lists: shown on their board
        return redirect(
            url_for(
                "class_lists.job_status",
                school_id=job.school_id,
                year=job.params.get("year", 0),
                revision_id=job.params.get("revision_id", 0),
                job_id=job.id,
            ),
            303,
        )
    context = context_of(job)
    done = job.state == JobState.DONE
    if job.kind == jobs.STAFFING and not job.active and not done and job.progress:
        # Stopped before the end: the rows it did work out, the rest marked as such.
        body = partial_staffing(job)
        if not is_htmx():
            context["result"] = body
            body = render_template(TEMPLATE, **context)
        return varying(body)
    if is_htmx():
        body = result_block(job, context) if done else render_block(TEMPLATE, "job", **context)
    else:
        if done and job.kind != jobs.SOLVE:  # a solve's page shows its answer as "best"
            context["result"] = result_block(job, context)
        body = render_template(TEMPLATE, **context)
    return varying(body)


def context_of(job: Job) -> dict:
    scenario = db.session.scalar(select(Scenario).where(Scenario.id == job.scenario_id))
    names = [g.get("name", "") for g in job.inputs.get("grades", []) if isinstance(g, dict)]
    best = results.allocation(job.progress)
    if job.state == JobState.DONE and job.kind in (jobs.OPTIONS, jobs.SOLVE):
        best = results.allocation(job.result)
    beside = beside_a_table()
    teachers = job.inputs.get("teachers")
    done, total = results.staffing_progress(job)
    return {
        "job": job,
        "school": scenario.school,
        "scenario": scenario,
        "title": job_title(job.kind, job.active),
        "elapsed": jobs.elapsed(job),
        "best": best,
        # The editor's own class table is on screen: the box sums the best allocation
        # up rather than repeat a table of every class beside it.
        "best_table": None
        if best is None or beside
        else Table(tuple(names), teachers if isinstance(teachers, int) else 0, best.classes),
        "in_editor": is_htmx(),
        "grade_names": names,
        "may_cancel": jobs.may_cancel(job, current_user._get_current_object()),
        "beside_table": beside,
        # A staffing curve's progress: numbers of teachers worked out of those asked for.
        "rows_done": done,
        "rows_total": total,
        "status_url": url_for("jobs.status", school_id=job.school_id, job_id=job.id),
        "cancel_url": url_for("jobs.cancel", school_id=job.school_id, job_id=job.id),
        "edit_url": url_for("editor.edit", school_id=job.school_id, scenario_id=job.scenario_id),
    }


def beside_a_table() -> bool:
    """Whether the job's box sits in the editor beside a class table of its own.

    The editor's requests post its form, whose `shown` holds the table on screen;
    the box's polls carry the answer on (`hx-vals`).
    """
    if not is_htmx():
        return False  # the job's own page: nothing else shows the allocation
    if request.method == "POST":
        return bool(request.form.get("shown"))
    return request.args.get("beside") == "table"


def result_block(job: Job, context: dict) -> str:
    if job.kind == jobs.SOLVE:
        return render_block(TEMPLATE, "solved", **context)
    if job.kind == jobs.STAFFING:
        rows = results.staffing_rows(job.result or {})
        chart = staffing_chart(rows, int(job.inputs.get("teachers", 0)))
        return render_block(EDITOR, "staffing_chart", curve=chart, rows=rows)
    key = inputs_key(job.inputs)
    choice = choice_from(str(job.params.get("picked", "")), key, 1000)
    plan = results.options(job.result or {}, choice, job.id)
    return render_block(
        EDITOR,
        "options",
        school=context["school"],
        scenario=context["scenario"],
        plan=plan,
        searched=True,
    )


def partial_staffing(job: Job) -> str:
    first, last = int(job.params.get("first", 0)), int(job.params.get("last", -1))
    rows = results.staffing_rows(job.progress or {}, first, last)
    chart = staffing_chart(rows, int(job.inputs.get("teachers", 0)))
    note = stopped_staffing_note(job.state, rows)
    return render_block(EDITOR, "staffing_chart", curve=chart, rows=rows, note=note)


def element_id(job: Job) -> str:
    return job.kind if job.kind in jobs.KINDS else "job"
