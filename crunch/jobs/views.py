"""Jobs in the background: their status (polled by htmx every second) and cancel.

An active job's status element replaces itself every second; a finished one is
replaced by its result (the editor's `options` or `staffing_chart` block; for a
preview carried on in the background, an element that redraws the editor with
the job's answer), or says plainly that it failed, was cancelled or
ran out of time.
"""

from __future__ import annotations

from flask import Blueprint, abort, redirect, url_for
from flask_login import current_user

from crunch import jobs
from crunch.accounts.auth import reads_only
from crunch.jobs import answers
from crunch.models import Job
from crunch.web.htmx import is_htmx

bp = Blueprint("jobs", __name__, url_prefix="/schools/<id:school_id>/jobs")


@bp.get("/<id:job_id>")
def status(school_id: int, job_id: int):
    job = jobs.job_or_404(school_id, job_id)
    return answers.answer(job)


@bp.post("/<id:job_id>/cancel")
@reads_only  # viewers may stop the previews they started themselves (checked below)
def cancel(school_id: int, job_id: int):
    job = jobs.job_or_404(school_id, job_id)
    user = current_user._get_current_object()
    if not jobs.may_cancel(job, user):
        abort(403)
    jobs.cancel(job, user)
    if is_htmx():
        return answers.answer(job)
    return redirect(url_for(".status", school_id=school_id, job_id=job_id), 303)


@bp.app_template_global("job_element_id")
def _job_element_id(job: Job) -> str:
    return answers.element_id(job)
