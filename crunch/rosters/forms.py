"""The form for one child of a roster: what each field must look like.

Lists are typed on one line, separated by ";" (ids also by ","); categories and
scores as "name: value" pairs. Whether the ids exist in the roster is checked by
the view with crunch.rosters.children, beside the field concerned.
"""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, SelectField, StringField
from wtforms.validators import InputRequired, Length, StopValidation, ValidationError

from crunch.solver.placement.data import (
    MAX_APART,
    MAX_FRIENDS,
    MAX_SCORE,
    MAX_SCORE_NAMES,
    MAX_TEXT,
    MAX_TOGETHER,
)

COMPOSITE_CHOICES = [
    ("", "No view"),
    ("yes", "Suited to a composite class"),
    ("no", "Not in a composite class"),
]


def split_list(text: str, *, ids: bool = False) -> list[str]:
    pattern = r"[;,\s]+" if ids else r";"
    return list(dict.fromkeys(p.strip() for p in re.split(pattern, text or "") if p.strip()))


def pairs(text: str) -> list[tuple[str, str]]:
    out = []
    for part in split_list(text):
        name, colon, value = part.partition(":")
        if not colon or not name.strip() or not value.strip():
            raise ValidationError(f"Write “{part[:30]}” as name: value.")
        out.append((name.strip(), value.strip()))
    return out


def _text(label: str, most: int = MAX_TEXT, required: bool = False) -> StringField:
    validators = [Length(max=most, message=f"Use at most {most} characters.")]
    if required:
        validators.insert(0, InputRequired(f"Enter the child's {label.lower()}."))
    return StringField(label, validators=validators)


class ChildForm(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect covers every POST

    child_id = _text("Id", required=True)
    name = _text("Name", required=True)
    grade = SelectField("Grade", coerce=str, validate_choice=False)
    gender = _text("Gender")
    categories = _text("Other categories", 2000)
    scores = _text("Scores", 2000)
    tags = _text("Tags", 2000)
    friends = _text("Friends", 2000)
    apart = _text("Keep apart from", 2000)
    together = _text("Keep together with", 2000)
    not_classes = _text("Not in classes", 2000)
    fixed_class = _text("Fixed in class")
    composite = SelectField("Composite class", choices=COMPOSITE_CHOICES, validate_choice=False)
    notes = _text("Notes", 2000)
    base_revision = HiddenField()

    def validate_child_id(self, field: Field) -> None:
        field.data = (field.data or "").strip()
        if not field.data or any(ch.isspace() or not ch.isprintable() for ch in field.data):
            raise StopValidation("An id is letters and digits without spaces, such as S1001.")

    def validate_name(self, field: Field) -> None:
        field.data = " ".join((field.data or "").split())
        if not field.data:
            raise StopValidation("Enter the child's name.")

    def validate_grade(self, field: Field) -> None:
        if field.data not in [value for value, _ in field.choices]:
            raise StopValidation("Choose one of the plan's grades.")

    def validate_composite(self, field: Field) -> None:
        field.data = field.data or ""
        if field.data not in ("", "yes", "no"):
            raise StopValidation("Choose one of the three.")

    def validate_categories(self, field: Field) -> None:
        pairs(field.data)

    def validate_scores(self, field: Field) -> None:
        found = pairs(field.data)
        if len(found) > MAX_SCORE_NAMES:
            raise ValidationError(f"At most {MAX_SCORE_NAMES} scores.")
        for name, value in found:
            if not (value.isascii() and value.isdigit() and int(value) <= MAX_SCORE):
                raise ValidationError(f"{name}: a whole number from 0 to {MAX_SCORE}.")

    def validate_friends(self, field: Field) -> None:
        if len(split_list(field.data, ids=True)) > MAX_FRIENDS:
            raise ValidationError(f"At most {MAX_FRIENDS} friends.")

    def validate_apart(self, field: Field) -> None:
        if len(split_list(field.data, ids=True)) > MAX_APART:
            raise ValidationError(f"At most {MAX_APART} children.")

    def validate_together(self, field: Field) -> None:
        if len(split_list(field.data, ids=True)) > MAX_TOGETHER:
            raise ValidationError(f"At most {MAX_TOGETHER} children.")

    def child(self) -> dict:
        """The validated form as a roster child (crunch.rosters.children)."""
        categories = dict(pairs(self.categories.data))
        categories.pop("gender", None)
        if self.gender.data.strip():
            categories = {"gender": self.gender.data.strip(), **categories}
        return {
            "id": self.child_id.data,
            "name": self.name.data,
            "grade": self.grade.data,
            "categories": categories,
            "scores": {k: int(v) for k, v in pairs(self.scores.data)},
            "tags": split_list(self.tags.data),
            "friends": split_list(self.friends.data, ids=True),
            "apart": split_list(self.apart.data, ids=True),
            "together": split_list(self.together.data, ids=True),
            "not_classes": split_list(self.not_classes.data),
            "class": self.fixed_class.data.strip() or None,
            "composite": {"yes": True, "no": False}.get(self.composite.data),
            "notes": (self.notes.data or "").strip(),
        }

    def offer_grades(self, grades: list[str], kid: dict | None) -> None:
        """The grade menu: the plan's grades, and the child's own if the plan lacks it."""
        self.grade.choices = [(g, g) for g in grades]
        if kid is not None and kid["grade"] not in grades:
            self.grade.choices.append((kid["grade"], f"{kid['grade']} (not in the plan)"))

    def take_errors(self, errors: dict[str, list[str]]) -> list[str]:
        """Each field's messages (crunch.rosters.children.with_child) beside the field;
        returns those of no field (key "") for the top of the form."""
        general: list[str] = []
        for name, messages in errors.items():
            if name:
                getattr(self, name).errors = list(messages)
            else:
                general += messages
        return general

    @classmethod
    def of(cls, kid: dict, base: int | None) -> ChildForm:
        """The form filled in with a child's values."""
        categories = {k: v for k, v in kid["categories"].items() if k != "gender"}
        return cls(
            formdata=None,
            child_id=kid["id"],
            name=kid["name"],
            grade=kid["grade"],
            gender=kid["categories"].get("gender", ""),
            categories="; ".join(f"{k}: {v}" for k, v in categories.items()),
            scores="; ".join(f"{k}: {v}" for k, v in kid["scores"].items()),
            tags="; ".join(kid["tags"]),
            friends=", ".join(kid["friends"]),
            apart=", ".join(kid["apart"]),
            together=", ".join(kid["together"]),
            not_classes="; ".join(kid["not_classes"]),
            fixed_class=kid["class"] or "",
            composite={True: "yes", False: "no"}.get(kid["composite"], ""),
            notes=kid["notes"],
            base_revision=str(base or ""),
        )
