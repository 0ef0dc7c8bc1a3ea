"""Rosters: a school year's children. Show, import (upload -> column mapping ->
preview -> save), add and edit one child, restore a revision, roll forward to
next year, export (placement JSON, CSV), delete; and the district's audit log.

Every view that shows, exports, changes or deletes a roster writes an audit entry
(crunch.rosters.store). Child data never goes into the audit log or flashes
beyond the page of the roster itself.
"""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from crunch.accounts.auth import (
    for_teachers,
    identify,
    require_admin,
    require_child_editor,
    require_editor,
)
from crunch.class_lists import store as class_lists
from crunch.files import importing
from crunch.files.exports import filename as export_filename
from crunch.history import service as history
from crunch.rosters import children as roster_children
from crunch.rosters import importing as roster_import
from crunch.rosters import staff, store
from crunch.rosters.forms import ChildForm
from crunch.schools import store as schools
from crunch.web.download import CSV, JSON, download
from crunch.web.errors import error_response, http_error

bp = Blueprint("rosters", __name__, url_prefix="/schools/<id:school_id>/rosters")
audit_bp = Blueprint("roster_audit", __name__)


def _limits() -> importing.Limits:
    return importing.Limits.from_config(current_app.config)


def _max_age() -> float:
    return float(current_app.config["ROSTER_IMPORT_MAX_AGE_SECONDS"])


@bp.url_value_preprocessor
def allow_uploads(endpoint, values) -> None:
    # As for grade counts: the file may be larger than the usual request limit.
    if endpoint == "rosters.upload" and request.method == "POST":
        request.max_content_length = _limits().bytes + 64 * 1024


@bp.get("")
@for_teachers
def index(school_id: int):
    school = schools.school_or_404(school_id)
    raw = request.args.get("year", "")
    if raw.isascii() and raw.isdigit() and len(raw) == 4:
        return redirect(url_for(".show", school_id=school_id, year=int(raw)), 303)
    return render_template(
        "rosters/index.html", school=school, rosters=store.rosters_of(school), error=bool(raw)
    )


@bp.get("/<id:year>")
@for_teachers
def show(school_id: int, year: int):
    school = schools.school_or_404(school_id)
    page = store.open_roster(school, year)
    return render_template(
        "rosters/show.html",
        school=school,
        year=year,
        roster=page.roster,
        revision=page.revision,
        children=staff.visible(current_user, page.children),
        class_limit=staff.class_limit(current_user),
        may_edit=lambda kid: staff.may_edit(current_user, kid),
        changed=roster_children.last_changed((r.children, r) for r in page.revisions),
        names=roster_children.names(page.children),
        # The history's notes name children of every class: not for teachers.
        revisions=[] if current_user.is_teacher else page.revisions,
        grades=page.grades,
        plan_year=page.plan_year,
        next_roster=page.next_roster,
        gender=roster_children.gender,
    )


# ---------------------------------------------------------------- one child


@bp.route("/<id:year>/children/new", methods=["GET", "POST"])
def add_child(school_id: int, year: int):
    return _child_page(school_id, year, None)


@bp.route("/<id:year>/children/<path:child_id>", methods=["GET", "POST"])
@for_teachers
def edit_child(school_id: int, year: int, child_id: str):
    return _child_page(school_id, year, child_id)


def _child_page(school_id: int, year: int, child_id: str | None):
    school = schools.school_or_404(school_id)
    found = store.roster(school, store.check_year(year))
    current = found.current_revision if found else None
    children = list(current.children) if current else []
    kid = next((c for c in children if c["id"] == child_id), None)
    if child_id is not None and kid is None:
        abort(404)
    if kid is None:
        require_editor()
    else:
        require_child_editor()
        refused = staff.refusal(current_user, kid)
        if refused:
            return error_response(403, refused, "Not a child of your class")
    grades = store.plan_grades(school, year)
    base = current.number if current else None
    if request.method == "GET":
        form = ChildForm.of(kid, base) if kid else ChildForm(formdata=None, base_revision=base)
    else:
        form = ChildForm(formdata=request.form)
    form.offer_grades(grades, kid)
    general: list[str] = []
    if request.method == "POST" and request.form.get("action") == "remove" and kid is not None:
        if not current_user.can_edit:
            return error_response(403, "Only the principal removes a child.", "Not removed")
        after = roster_children.without(children, child_id)
        return _save_child(school, year, form, after, children, general, grades, kid)
    if request.method == "POST" and form.validate():
        after, errors = roster_children.with_child(children, form.child(), child_id)
        moved = staff.moved_out(current_user, form.child())
        if moved:
            errors = {**errors, "categories": [*errors.get("categories", []), moved]}
        general += form.take_errors(errors)
        if not errors:
            return _save_child(school, year, form, after, children, general, grades, kid)
    status = 200 if request.method == "GET" else 422
    return _child_template(school, year, form, kid, general, grades, status)


def _save_child(school, year, form, after, before, general, grades, kid):
    base = history.parse_number(form.base_revision.data)
    try:
        saved, lines = store.save_changes(school, year, before, after, base=base)
    except store.StaleRoster as stale:
        general.append(
            f"Not saved: revision {stale.current} was saved while this page was open. "
            "Open the roster again, then make the change."
        )
        return _child_template(school, year, form, kid, general, grades, 409)
    if saved is None:
        flash("Nothing changed.")
    else:
        flash(f"Saved as revision {saved.number}: {roster_children.summary(lines)}.")
    return redirect(url_for(".show", school_id=school.id, year=year), 303)


def _child_template(school, year, form, kid, general, grades, status):
    page = {"school": school, "year": year, "form": form, "kid": kid}
    return render_template("rosters/child.html", general=general, grades=grades, **page), status


# ---------------------------------------------------------------- import


@bp.errorhandler(413)
def too_large(error):
    """Beside the upload field, as for grade counts (see crunch/files/views.py)."""
    user = identify()
    args = request.view_args or {}
    if user is None or not user.can_edit or request.endpoint != "rosters.upload":
        return http_error(error)
    try:
        school = schools.school_or_404(args.get("school_id", 0))
    except HTTPException as missing:
        return http_error(missing)
    limits = _limits()
    message = f"The file is larger than {limits.size_words(limits.bytes)}."
    return _upload_page(school, args.get("year", 0), message, 413)


@bp.route("/<id:year>/import", methods=["GET", "POST"])
def upload(school_id: int, year: int):
    school = schools.school_or_404(school_id)
    store.check_year(year)
    require_editor()
    if request.method == "GET":
        return _upload_page(school, year, "", 200)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _upload_page(school, year, "Choose a file to import.", 422)
    limits = _limits()
    data = upload.read(limits.bytes + 1)
    try:
        roster_import.read_file(data, upload.filename, limits)
    except importing.BadFile as bad:  # TooLarge (413) included
        return _upload_page(school, year, str(bad), bad.status)
    pending = store.add_import(school, year, upload.filename, data, _max_age())
    return redirect(url_for(".mapping", school_id=school_id, year=year, import_id=pending), 303)


def _upload_page(school, year, error: str, status: int):
    return (
        render_template(
            "rosters/upload.html",
            school=school,
            year=year,
            error=error,
            limits=_limits(),
            grades=store.plan_grades(school, year),
            plan_year=store.grades_and_plan_year(school, year)[1],
        ),
        status,
    )


@bp.route("/<id:year>/imports/<id:import_id>", methods=["GET", "POST"])
def mapping(school_id: int, year: int, import_id: int):
    """The column mapping, then the preview, then save (or cancel)."""
    school = schools.school_or_404(school_id)
    pending = store.import_or_404(school, store.check_year(year), import_id, _max_age())
    require_editor()
    action = request.form.get("action", "")
    if action == "cancel":
        store.drop_import(pending.id)
        flash("Import cancelled: the file was deleted.")
        return redirect(url_for(".show", school_id=school_id, year=year), 303)
    try:
        tab = roster_import.read_file(pending.data, pending.filename, _limits())
    except importing.BadFile as bad:  # the limits may have been lowered since
        store.drop_import(pending.id)
        return _upload_page(school, year, str(bad), bad.status)
    grades, plan_year = store.grades_and_plan_year(school, year)
    posted = request.form if request.method == "POST" else None
    choice, result = roster_import.preview(tab, posted, grades, plan_year or year)
    if result is not None and result.ok and action == "save":
        saved = store.save_import(school, year, pending, result.children)
        flash(f"Saved as revision {saved.number}: {saved.note}")
        return redirect(url_for(".show", school_id=school_id, year=year), 303)
    return _mapping_page(school, year, pending, tab, choice, result, grades)


def _mapping_page(school, year, pending, tab, choice, result, grades):
    return (
        render_template(
            "rosters/mapping.html",
            school=school,
            year=year,
            pending=pending,
            table=tab,
            mapping=choice,
            kinds=roster_import.KINDS,
            refs=roster_import.REFS,
            result=result,
            errors=roster_import.shown(result.errors) if result else [],
            names=roster_children.names(result.children if result else []),
            grades=grades,
            gender=roster_children.gender,
        ),
        200 if result is None or result.ok else 422,
    )


# ---------------------------------------------------------------- history


@bp.post("/<id:year>/revisions/<id:number>/restore")
def restore(school_id: int, year: int, number: int):
    school, found = store.school_roster_or_404(school_id, year)
    revision = store.revision_or_404(found, number)
    if revision.id == found.current_revision_id:
        flash(f"Revision {number} is the current one.")
    else:
        saved = store.restore(school, found, revision)
        flash(f"Revision {number} restored as revision {saved.number}.")
    return redirect(url_for(".show", school_id=school_id, year=year), 303)


# ---------------------------------------------------------------- exports


@bp.get("/<id:year>/children.json")
def export_json(school_id: int, year: int):
    school, found = store.school_roster_or_404(school_id, year)
    revision = found.current_revision
    store.audit(school, year, "exported", f"revision {revision.number} as JSON")
    body = json.dumps(
        {
            "name": f"{school.name} {year}: roster revision {revision.number}",
            "children": roster_children.placement_children(revision.children),
        },
        indent=1,
        ensure_ascii=False,
    )
    name = export_filename(school.name, year, "roster", revision.number, "json")
    return download(body, JSON, name)


@bp.get("/<id:year>/children.csv")
def export_csv(school_id: int, year: int):
    school, found = store.school_roster_or_404(school_id, year)
    revision = found.current_revision
    store.audit(school, year, "exported", f"revision {revision.number} as CSV")
    name = export_filename(school.name, year, "roster", revision.number, "csv")
    return download(roster_children.to_csv(revision.children), CSV, name)


# ---------------------------------------------------------------- next year


@bp.route("/<id:year>/roll-forward", methods=["GET", "POST"])
def roll_forward(school_id: int, year: int):
    school, found = store.school_roster_or_404(school_id, year)
    require_editor()
    # `from`: each child's class in the year's newest saved class list, if any.
    step = store.roll_forward(school, found, class_lists.latest_classes(found))
    if request.method == "POST" and not step.exists:
        store.save_roll_forward(school, step)
        flash(step.note)
        return redirect(url_for(".show", school_id=school_id, year=year + 1), 303)
    return (
        render_template(
            "rosters/roll_forward.html",
            school=school,
            year=year,
            grades=step.grades,
            moving=len(step.children),
            left=step.left,
            exists=step.exists,
        ),
        409 if step.exists and request.method == "POST" else 200,
    )


# ---------------------------------------------------------------- delete


@bp.route("/<id:year>/delete", methods=["GET", "POST"])
def delete(school_id: int, year: int):
    school, found = store.school_roster_or_404(school_id, year)
    require_editor()
    error = ""
    if request.method == "POST":
        typed = " ".join(request.form.get("confirm", "").split())
        if typed.casefold() in (str(year), school.name.casefold()):
            who = current_user.name or current_user.email
            store.delete_roster(school, found, who)
            flash(f"The {year} roster of {school.name} was deleted, with all its revisions.")
            return redirect(url_for(".index", school_id=school_id), 303)
        error = f"Type {year} or the school's name to delete the roster."
    revision = found.current_revision
    return (
        render_template(
            "rosters/delete.html",
            school=school,
            year=year,
            children=len(revision.children),
            revisions=revision.number,
            error=error,
        ),
        422 if error else 200,
    )


# ---------------------------------------------------------------- audit log


@audit_bp.get("/district/roster-audit")
def audit_log():
    require_admin()
    return render_template("rosters/audit.html", entries=store.audit_entries())
