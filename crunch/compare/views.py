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
    try:
        pick = comparing.pick(choices, request.args.getlist("s"), "go" in request.args)
    except comparing.NotAChoice:
        abort(404)
    return page_or_block(
        TEMPLATE,
        "comparison",
        pick.status,
        school=school,
        choices=choices,
        adopted=comparing.adopted_plans(choices),
        picked=pick.picked,
        comparison=pick.comparison,
        error=pick.error,
    )
