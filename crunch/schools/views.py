"""Schools and their school years: pick a year, see its scenarios, start a new one."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from crunch import words
from crunch.accounts.auth import for_teachers
from crunch.editor.forms import NewScenarioForm, ScenarioNameForm
from crunch.rosters import store as roster_store
from crunch.schools import store
from crunch.web.errors import error_response
from crunch.web.htmx import page_or_block

bp = Blueprint("schools", __name__)


@bp.get("/")
@for_teachers
def index():
    if current_user.is_teacher:
        return _teachers_home()
    return render_template("schools/index.html", schools=store.all_schools())


def _teachers_home():
    """A teacher lands on their school's latest roster (they see no plans)."""
    mine = store.all_schools()
    if not mine:
        message = "Your account has no school yet. Ask your district admin to give it one."
        return error_response(403, message, "No school yet")
    rosters = roster_store.rosters_of(mine[0])
    if not rosters:
        return redirect(url_for("rosters.index", school_id=mine[0].id))
    return redirect(url_for("rosters.show", school_id=mine[0].id, year=rosters[0].year))


@bp.get("/glossary")
@for_teachers
def glossary():
    """What the words on the screens mean (linked from beside them)."""
    return render_template("glossary.html", terms=words.glossary())


@bp.get("/schools/<id:school_id>")
def show(school_id: int):
    school = store.school_or_404(school_id)
    years = store.years_of(school)
    year = _year_arg(years)
    form = _new_scenario_form(school, year)
    return page_or_block("schools/show.html", "year", **_context(school, years, year, form))


@bp.post("/schools/<id:school_id>/scenarios")
def create(school_id: int):
    school = store.school_or_404(school_id)
    years = store.years_of(school)
    form = _new_scenario_form(school, None, request.form)
    if form.validate():
        try:
            scenario = store.start_scenario(
                school, year=form.year.number, name=form.name.data, source=form.source.data
            )
        except store.NameTaken as taken:
            form.name.errors = [str(taken)]
        else:
            url = url_for("editor.editor", school_id=school.id, scenario_id=scenario.id)
            return redirect(url, 303)
    year = form.year.number if form.year.number in years else _year_arg(years)
    return render_template("schools/show.html", **_context(school, years, year, form)), 422


@bp.post("/schools/<id:school_id>/scenarios/<id:scenario_id>/rename")
def rename(school_id: int, scenario_id: int):
    scenario = store.scenario_or_404(school_id, scenario_id)
    form = ScenarioNameForm(formdata=request.form)
    if not form.validate():
        flash("Not renamed: " + " ".join(form.name.errors))
    else:
        try:
            store.rename_scenario(scenario, form.name.data)
        except store.NameTaken as taken:
            flash(f"Not renamed: {taken}")
        else:
            flash(f"Renamed to {form.name.data}.")
    return redirect(url_for("editor.editor", school_id=school_id, scenario_id=scenario_id), 303)


@bp.post("/schools/<id:school_id>/scenarios/<id:scenario_id>/duplicate")
def duplicate(school_id: int, scenario_id: int):
    scenario = store.scenario_or_404(school_id, scenario_id)
    try:
        copy = store.duplicate_scenario(scenario)
    except store.NameTaken as taken:
        flash(f"Not copied: {taken} Rename or archive some copies first.")
        return redirect(url_for("editor.editor", school_id=school_id, scenario_id=scenario_id), 303)
    flash(f"This is a copy, {copy.title}: changes here leave the original as it was.")
    return redirect(url_for("editor.editor", school_id=school_id, scenario_id=copy.id), 303)


@bp.post("/schools/<id:school_id>/scenarios/<id:scenario_id>/archive")
def archive(school_id: int, scenario_id: int):
    scenario = store.scenario_or_404(school_id, scenario_id)
    archived = request.form.get("archived", "1") != "0"
    try:
        store.set_archived(scenario, archived)
    except store.CannotArchive as refused:
        flash(str(refused))
        url = url_for("editor.editor", school_id=school_id, scenario_id=scenario_id)
        return redirect(url, 303)
    done = "archived: it is listed under Archived" if archived else "back in the list"
    flash(f"{scenario.title} is {done}.")
    return redirect(url_for(".show", school_id=school_id, year=scenario.year), 303)


def _year_arg(years: list[int]) -> int | None:
    raw = request.args.get("year", "")
    if raw.isascii() and raw.isdigit() and int(raw) in years:
        return int(raw)
    return years[-1] if years else None


def _context(school, years, year, form) -> dict:
    return {
        "school": school,
        "years": years,
        "year": year,
        "scenarios": store.scenarios_of(school, year) if year is not None else [],
        "archived": store.scenarios_of(school, year, archived=True) if year is not None else [],
        "form": form,
    }


def _new_scenario_form(school, year: int | None, formdata=None) -> NewScenarioForm:
    if formdata is not None:
        form = NewScenarioForm(formdata=formdata)
    else:
        # Planning is for the year after the one on screen, or after this one.
        next_year = (year or date.today().year) + 1
        form = NewScenarioForm(formdata=None, year=str(next_year), source="blank")
    choices = [("blank", "Blank: this school's grades, no children yet")]
    choices += [(str(s.id), f"Copy of {s.title}") for s in store.copyable(school)]
    form.source.choices = choices
    return form
