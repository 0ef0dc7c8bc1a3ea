"""Flask-WTF forms: what each field must look like, nothing about what it means.

Whether the numbers make a valid scenario (min <= max, grade names unique,
composites of known grades) is the solver parser's job; its messages are mapped
back onto these fields by `crunch.editor.drafts`.

CSRF is checked for every POST by CSRFProtect (see extensions.py), which also
reads the `X-CSRFToken` header that htmx sends, so the forms themselves do not.
"""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
)
from wtforms.validators import InputRequired, Length, StopValidation
from wtforms.widgets import NumberInput

from crunch.solver.data import MAX_COMPOSITES, MAX_GRADES, MAX_TEACHERS

WHOLE = re.compile(r"[+-]?[0-9]{1,9}")
NAME_LENGTH = 20


class WholeNumberField(StringField):
    """A whole number that re-renders exactly as typed, so odd input stays visible.

    `number` holds the parsed value (None when blank or not a number).
    """

    widget = NumberInput(step=1)

    def __init__(self, label=None, validators=None, *, required: bool = True, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.required = required
        self.number: int | None = None

    def pre_validate(self, form: Form) -> None:
        text = (self.data or "").strip()
        self.number = None
        if not text:
            if self.required:
                raise StopValidation("Enter a number.")
            return
        if not WHOLE.fullmatch(text):
            raise StopValidation("Enter a whole number, such as 12.")
        self.number = int(text)


class GradeForm(Form):
    name = StringField(
        "Grade", validators=[Length(max=NAME_LENGTH, message="Use at most 20 characters.")]
    )
    students = WholeNumberField("Children")
    min_size = WholeNumberField("Smallest class")
    max_size = WholeNumberField("Largest class")


class CompositeForm(Form):
    # The grades of the composite as row numbers of the grade table ("0,1"), so
    # that renaming a grade keeps its composites.
    members = HiddenField()
    enabled = BooleanField("Allowed")
    min_size = WholeNumberField("Smallest", required=False)
    max_size = WholeNumberField("Largest", required=False)
    min_subclass_size = WholeNumberField("Fewest of one grade", required=False)


class LockedClassForm(Form):
    # Children of each grade, by row number of the grade table.
    counts = FieldList(WholeNumberField(required=False), max_entries=MAX_GRADES + 1)


class ScenarioForm(FlaskForm):
    """The editor: every input of one scenario, as one form."""

    class Meta:
        csrf = False  # CSRFProtect covers every POST, htmx ones included

    teachers = WholeNumberField("Teachers")
    min_subclass_size = WholeNumberField("Fewest children of one grade in a composite class")
    grades = FieldList(FormField(GradeForm), max_entries=MAX_GRADES + 1)
    composites = FieldList(FormField(CompositeForm), max_entries=MAX_COMPOSITES + MAX_GRADES)
    locked = FieldList(FormField(LockedClassForm), max_entries=MAX_TEACHERS + 1)
    priorities = FieldList(HiddenField(), max_entries=3)
    # Which of the shown options is picked, as "<inputs key>:<option number>".
    picked = HiddenField()
    # The allocation on screen (JSON), redrawn as stale while the inputs are invalid.
    shown = HiddenField()
    note = StringField(
        "Note for this revision",
        validators=[Length(max=500, message="Keep the note under 500 characters.")],
    )


class ScenarioNameForm(FlaskForm):
    """Naming a scenario, new or renamed."""

    name = StringField(
        "Name",
        validators=[
            InputRequired("Give the scenario a name, such as Plan A."),
            Length(max=80, message="Use at most 80 characters."),
        ],
    )

    def validate_name(self, field: Field) -> None:
        field.data = (field.data or "").strip()
        if not field.data:
            raise StopValidation("Give the scenario a name, such as Plan A.")
        if any(not ch.isprintable() for ch in field.data):
            raise StopValidation("Use letters, digits, spaces and punctuation only.")


class NewScenarioForm(ScenarioNameForm):
    year = WholeNumberField("School year")
    source = SelectField("Start from", coerce=str)

    def validate_year(self, field: WholeNumberField) -> None:
        if field.number is not None and not 2000 <= field.number <= 2100:
            raise StopValidation("Enter a year between 2000 and 2100.")
