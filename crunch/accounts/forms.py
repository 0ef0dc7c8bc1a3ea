"""Forms of the login, the user's own account and the district admin's screens.

Field format only; whether an email is taken or a school belongs to the
district is decided by the views with the database.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import EqualTo, InputRequired, Length, Regexp, ValidationError

from crunch.accounts.auth import PASSWORD_MAX, PASSWORD_MIN, password_problem
from crunch.models import Role

ROLE_CHOICES = [(role, Role.LABELS[role]) for role in Role.ALL]


class LoginForm(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect covers every POST

    email = StringField("Email", validators=[InputRequired("Enter your email."), Length(max=254)])
    password = PasswordField(
        "Password", validators=[InputRequired("Enter your password."), Length(max=PASSWORD_MAX)]
    )
    next = HiddenField()


def _new_password(form, field) -> None:
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class PasswordChangeForm(FlaskForm):
    class Meta:
        csrf = False

    current = PasswordField(
        "Current password",
        validators=[InputRequired("Enter your current password."), Length(max=PASSWORD_MAX)],
    )
    new = PasswordField(
        f"New password (at least {PASSWORD_MIN} characters)",
        validators=[InputRequired("Enter a new password."), _new_password],
    )
    confirm = PasswordField(
        "New password again",
        validators=[EqualTo("new", message="The two new passwords differ.")],
    )


class SchoolForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField(
        "School name",
        validators=[
            InputRequired("Give the school a name."),
            Length(max=120, message="Use at most 120 characters."),
        ],
        filters=[lambda s: s.strip() if isinstance(s, str) else s],
    )

    def validate_name(self, field) -> None:
        if not field.data or not field.data.isprintable():
            raise ValidationError("Use letters, digits and punctuation only.")


class UserForm(FlaskForm):
    """A new user (with a first password) or an existing one's role and schools."""

    class Meta:
        csrf = False

    email = StringField(
        "Email",
        validators=[
            InputRequired("Enter an email address."),
            Length(max=254),
            Regexp(
                r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
                message="Enter an email address, such as name@school.example.",
            ),
        ],
        filters=[lambda s: s.strip().lower() if isinstance(s, str) else s],
    )
    name = StringField(
        "Name",
        validators=[Length(max=120, message="Use at most 120 characters.")],
        filters=[lambda s: s.strip() if isinstance(s, str) else s],
    )
    role = SelectField("Role", choices=ROLE_CHOICES)
    schools = SelectMultipleField(
        "Schools (planners and viewers; a teacher's one school)", coerce=str
    )
    class_label = StringField(
        "Class taught now (teachers; as in the roster's “from” category, e.g. 1B;"
        " empty: every child of the school)",
        validators=[Length(max=80, message="Use at most 80 characters.")],
        filters=[lambda s: " ".join(s.split()) if isinstance(s, str) else s],
    )
    password = PasswordField(
        f"First password (at least {PASSWORD_MIN} characters)",
        validators=[InputRequired("Enter a first password."), _new_password],
    )

    def validate_name(self, field) -> None:
        if field.data and not field.data.isprintable():
            raise ValidationError("Use letters, digits and punctuation only.")

    def validate_class_label(self, field) -> None:
        if field.data and not field.data.isprintable():
            raise ValidationError("Use letters, digits and punctuation only.")


class UserEditForm(FlaskForm):
    class Meta:
        csrf = False

    name = UserForm.name
    role = UserForm.role
    schools = UserForm.schools
    class_label = UserForm.class_label
    validate_name = UserForm.validate_name
    validate_class_label = UserForm.validate_class_label


class PasswordResetForm(FlaskForm):
    class Meta:
        csrf = False

    password = PasswordField(
        f"New password (at least {PASSWORD_MIN} characters)",
        validators=[InputRequired("Enter a new password."), _new_password],
    )
