"""Files in and out: import grade counts from a CSV (or .xlsx), export a scenario and
its allocation as CSV or as an .xlsx exports."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    request,
    url_for,
)
from werkzeug.exceptions import HTTPException

from crunch.accounts.auth import identify, require_editor
from crunch.files import exports, grade_import, importing
from crunch.history import service as history
from crunch.schools import store
from crunch.tables import saved_table
from crunch.web.download import CSV, XLSX, download
from crunch.web.errors import http_error
from crunch.web.htmx import go_to, page_or_block

bp = Blueprint("files", __name__, url_prefix="/schools/<id:school_id>/scenarios/<id:scenario_id>")

TEMPLATE = "files/import.html"


def _limits() -> importing.Limits:
    return importing.Limits.from_config(current_app.config)


@bp.url_value_preprocessor
def allow_uploads(endpoint, values) -> None:
    # Runs before CSRFProtect reads the form: a student list may be larger than
    # the app's usual request limit.
    if endpoint == "files.upload" and request.method == "POST":
        request.max_content_length = _limits().bytes + 64 * 1024


@bp.errorhandler(413)
def too_large(error):
    """Beside the upload field, like any other problem with the file.

    The body is found too large when it is first read, which may be by the CSRF
    check, before the login check has set the request's tenancy scope: set it
    here, or no scenario would be found (and the answer would be a 404).
    """
    user = identify()
    if user is None or not user.can_edit or request.endpoint != "files.upload":
        return http_error(error)
    args = request.view_args or {}
    try:
        scenario = store.scenario_or_404(args.get("school_id", 0), args.get("scenario_id", 0))
    except HTTPException as missing:
        return http_error(missing)
    limits = _limits()
    return _page(scenario, f"The file is larger than {limits.size_words(limits.bytes)}.", 413)


@bp.route("/import", methods=["GET", "POST"])
def upload(school_id: int, scenario_id: int):
    scenario = store.scenario_or_404(school_id, scenario_id)
    require_editor()
    if request.method == "GET":
        return _page(scenario, "", 200)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page(scenario, "Choose a file to import.", 422)
    limits = _limits()
    data = upload.read(limits.bytes + 1)
    base = history.parse_number(request.form.get("base_revision"))
    try:
        done = grade_import.import_grade_counts(scenario, data, upload.filename, limits, base=base)
    except grade_import.NotImported as refused:
        return _page(scenario, refused.message, refused.status)
    for line in done.lines:
        flash(line)
    return go_to(url_for("editor.editor", school_id=school_id, scenario_id=scenario_id))


@bp.get("/scenario.csv")
def scenario_csv(school_id: int, scenario_id: int):
    return _scenario_file(school_id, scenario_id, "csv")


@bp.get("/scenario.xlsx")
def scenario_xlsx(school_id: int, scenario_id: int):
    return _scenario_file(school_id, scenario_id, "xlsx")


def _scenario_file(school_id: int, scenario_id: int, kind: str):
    """The scenario and its allocation (the current revision, or ?revision=N) as CSV or
    as an .xlsx workbook."""
    scenario, revision = _revision(school_id, scenario_id)
    write, mimetype = (
        (exports.scenario_csv, CSV) if kind == "csv" else (exports.scenario_xlsx, XLSX)
    )
    body = write(revision.inputs, saved_table(revision), **_meta(scenario, revision))
    return download(body, mimetype, _filename(scenario, revision, kind))


def _revision(school_id: int, scenario_id: int):
    scenario = store.scenario_or_404(school_id, scenario_id)
    return scenario, history.revision_asked(scenario, request.args.get("revision", ""))


def _meta(scenario, revision) -> dict:
    return {"title": scenario.title, "revision": revision.number, "status": revision.status}


def _filename(scenario, revision, extension: str) -> str:
    return exports.filename(
        scenario.school.name, scenario.year, scenario.name, revision.number, extension
    )


def _page(scenario, error: str, status: int):
    return page_or_block(
        TEMPLATE,
        "upload",
        status,
        school=scenario.school,
        scenario=scenario,
        error=error,
        formats=(importing.GRADE_HEADERS, importing.COUNT_HEADERS),
        limits=_limits(),
    )
