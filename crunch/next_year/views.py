"""Next year's scenario from this one: children move up a grade, the entry grade's
count is entered (with a suggestion), the rules carry over."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import Length, StopValidation

from crunch.accounts.auth import require_editor
from crunch.editor.forms import WholeNumberField
from crunch.next_year import service as rollforward
from crunch.schools import store

bp = Blueprint(
    "next_year", __name__, url_prefix="/schools/<id:school_id>/scenarios/<id:scenario_id>"
)

TEMPLATE = "next_year/new.html"
MAX_ENTRY = 10_000


class NextYearForm(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect covers every POST

    name = StringField("Name", validators=[Length(max=80, message="Use at most 80 characters.")])
    entry = WholeNumberField("New children in the entry grade")

    def validate_name(self, field) -> None:
        field.data = (field.data or "").strip()
        if not field.data:
            raise StopValidation("Give the scenario a name, such as Plan A.")
        if any(not ch.isprintable() for ch in field.data):
            raise StopValidation("Use letters, digits, spaces and punctuation only.")

    def validate_entry(self, field: WholeNumberField) -> None:
        if field.number is not None and not 0 <= field.number <= MAX_ENTRY:
            raise StopValidation(f"Enter a number from 0 to {MAX_ENTRY:,}.")


@bp.route("/next-year", methods=["GET", "POST"])
def create(school_id: int, scenario_id: int):
    source = store.scenario_or_404(school_id, scenario_id)
    require_editor()
    suggested, reason = rollforward.suggest_entry(source)
    if request.method == "GET":
        form = NextYearForm(formdata=None, name=source.name, entry=str(suggested))
        return _page(source, form, suggested, reason, 200)
    form = NextYearForm(formdata=request.form)
    if form.validate():
        try:
            scenario = rollforward.start_next_year(source, form.name.data, form.entry.number)
        except store.NameTaken as taken:
            form.name.errors = [str(taken)]
        else:
            url = url_for("editor.editor", school_id=school_id, scenario_id=scenario.id)
            return redirect(url, 303)
    return _page(source, form, suggested, reason, 422)


def _page(source, form: NextYearForm, suggested: int, reason: str, status: int):
    inputs = source.current_revision.inputs
    entry = form.entry.number if form.entry.number is not None else suggested
    body = render_template(
        TEMPLATE,
        school=source.school,
        scenario=source,
        form=form,
        suggested=suggested,
        reason=reason,
        moves=rollforward.moves(inputs, entry),
        dropped_fixed=bool(inputs.get("locked")),
    )
    return body, status
