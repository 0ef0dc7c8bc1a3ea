"""Compare two to four scenarios of a school side by side."""

from __future__ import annotations

from flask import Blueprint, abort, request

from crunch.compare import service as comparing
from crunch.schools import store
from crunch.web.htmx import page_or_block

bp = Blueprint("compare", __name__, url_prefix="/schools/<id:school_id>/compare")

TEMPLATE = "compare/index.html"


@bp.get("")
def index(school_id: int):
    school = store.school_or_404(school_id)
    choices = comparing.scenarios_of_school(school)
    raw = request.args.getlist("s")
    context = {
        "school": school,
        "choices": choices,
        "adopted": comparing.adopted_plans(choices),
        "picked": [],
        "comparison": None,
        "error": "",
    }
    if len(raw) < 2 and "go" not in request.args:
        # A link that pre-picks one scenario (from its editor): not yet a mistake.
        context.update(picked=[r for r in raw if r.isascii() and r.isdigit()])
        return page_or_block(TEMPLATE, "comparison", **context)
    try:
        ids = comparing.parse_ids(raw)
    except comparing.PickProblem as problem:
        context.update(error=str(problem), picked=[r for r in raw if r.isdigit()])
        return page_or_block(TEMPLATE, "comparison", 422, **context)
    by_id = {s.id: s for s in choices}
    if any(i not in by_id for i in ids):
        abort(404)  # a scenario of another school, or none at all
    context.update(
        picked=[str(i) for i in ids],
        comparison=comparing.compare([by_id[i] for i in ids]),
    )
    return page_or_block(TEMPLATE, "comparison", **context)
