"""A small JSON API in the format of docs/scenario.md, for programs rather than people.

`POST /api/solve` solves a scenario sent as JSON, answering the solution, or 422
with `{"status": "invalid", "errors": [...]}` exactly as `crunch solve` prints it.
It changes nothing on the server, so it is exempt from CSRF; it only accepts
`application/json`, which a cross-site form cannot send without the browser
asking first. Saved revisions can be read back in the same format.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from crunch.accounts.auth import reads_only
from crunch.extensions import csrf
from crunch.schools import store
from crunch.solver import InvalidScenario, parse_scenario
from crunch.solving import solve_in_request

bp = Blueprint("api", __name__, url_prefix="/api")
csrf.exempt(bp)

MAX_ALTERNATIVES = 3
NOT_JSON = {
    "status": "invalid",
    "errors": [
        {
            "field": "",
            "message": "Send the scenario as a JSON object with Content-Type: application/json.",
        }
    ],
}


@bp.post("/solve")
@reads_only
def solve_scenario():
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested too deep for the JSON parser
        data = None
    if data is None:
        return jsonify(NOT_JSON), 422
    try:
        scenario = parse_scenario(data)
    except InvalidScenario as invalid:
        return jsonify(invalid.to_dict()), 422
    raw = request.args.get("alternatives", "0")
    alternatives = min(int(raw), MAX_ALTERNATIVES) if raw.isascii() and raw.isdigit() else 0
    # Held to PREVIEW_TIME_LIMIT like every solve in a request: what is not proved by
    # then answers `feasible` (or `timeout`, with a note when the solver was stopped).
    solution = solve_in_request(scenario, alternatives=alternatives)
    return jsonify(solution.to_dict())


@bp.get("/schools/<id:school_id>/scenarios/<id:scenario_id>/revisions/<id:number>")
def revision(school_id: int, scenario_id: int, number: int):
    scenario = store.scenario_or_404(school_id, scenario_id)
    saved = store.revision_or_404(scenario, number)
    return jsonify(
        {
            "scenario": scenario.title,
            "number": saved.number,
            "current": saved.id == scenario.current_revision_id,
            "saved_at": saved.created_at.isoformat() + "Z",
            "note": saved.note,
            "status": saved.status,
            "inputs": saved.inputs,
            "allocation": saved.allocation,
        }
    )
