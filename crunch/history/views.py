"""A scenario's history: every revision, the changes between any two in words,
an old revision read-only, and restoring one (as a new revision)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from crunch.editor.presenting import class_chart, grade_summary
from crunch.history import service as history
from crunch.schools import store
from crunch.tables import saved_table
from crunch.web.htmx import page_or_block

bp = Blueprint("history", __name__, url_prefix="/schools/<id:school_id>/scenarios/<id:scenario_id>")


@bp.get("/history")
def index(school_id: int, scenario_id: int):
    scenario = store.scenario_or_404(school_id, scenario_id)
    numbers = [r.number for r in scenario.revisions]
    current = scenario.current_revision.number
    before = history.parse_number(request.args.get("from"))
    after = history.parse_number(request.args.get("to"))
    # By default: the current revision against the one saved before it.
    after = after if after in numbers else current
    if before not in numbers:
        earlier = [n for n in numbers if n < after]
        before = max(earlier) if earlier else after
    old = store.revision_or_404(scenario, before)
    new = store.revision_or_404(scenario, after)
    context = {
        "school": scenario.school,
        "scenario": scenario,
        "entries": history.entries(scenario),
        "numbers": sorted(numbers),
        "old": old,
        "new": new,
        "changes": history.describe_changes(old.inputs, new.inputs),
    }
    return page_or_block("history/index.html", "diff", **context)


@bp.get("/revisions/<id:number>")
def show(school_id: int, scenario_id: int, number: int):
    scenario = store.scenario_or_404(school_id, scenario_id)
    revision = store.revision_or_404(scenario, number)
    table = saved_table(revision)
    current = scenario.current_revision
    return render_template(
        "history/revision.html",
        school=scenario.school,
        scenario=scenario,
        revision=revision,
        author=history.author_of(revision),
        table=table,
        summary=grade_summary(table) if table else [],
        chart=class_chart(table) if table else None,
        is_current=revision.id == current.id,
        since=history.describe_changes(revision.inputs, current.inputs),
    )


@bp.post("/revisions/<id:number>/restore")
def restore(school_id: int, scenario_id: int, number: int):
    scenario = store.scenario_or_404(school_id, scenario_id)
    old = store.revision_or_404(scenario, number)
    base = history.parse_number(request.form.get("base_revision"))
    editor = url_for("editor.editor", school_id=school_id, scenario_id=scenario_id)
    try:
        saved = history.restore(scenario, old, base)
    except store.StaleRevision as stale:
        flash(
            f"Not restored: revision {stale.current.number} was saved while this page was "
            f"open. Look at it below, then restore again if you still want revision {number}."
        )
        return redirect(
            url_for(
                ".index",
                school_id=school_id,
                scenario_id=scenario_id,
                **{"from": number, "to": stale.current.number},
            ),
            303,
        )
    flash(f"Revision {number} restored as revision {saved.number}; nothing was deleted.")
    return redirect(editor, 303)
