"""What a teacher may see and change of a roster.

A teacher works with the children of their school's rosters. When an admin has
set the class they teach now (`User.class_label`), only the children whose
`from` category is that class: they see only those on the roster page, may edit
only those, and may not move a child out of their class. Planners and admins see
and edit every child of their schools; viewers edit none.

Nothing here touches the database or Flask: the views pass the user and the
children in.
"""

from __future__ import annotations

from typing import Any

from crunch.models import User

FROM = "from"  # the category that names a child's class of this year


def class_of(kid: dict[str, Any]) -> str:
    return str((kid.get("categories") or {}).get(FROM, ""))


def class_limit(user: User) -> str | None:
    """The class a teacher is limited to, or None (every child of the school)."""
    if user.is_teacher and user.class_label:
        return user.class_label
    return None


def visible(user: User, children: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The children the user may see on the roster page."""
    limit = class_limit(user)
    if limit is None:
        return children
    return [c for c in children if class_of(c) == limit]


def may_edit(user: User, kid: dict[str, Any]) -> bool:
    if not user.can_edit_children:
        return False
    limit = class_limit(user)
    return limit is None or class_of(kid) == limit


def refusal(user: User, kid: dict[str, Any]) -> str | None:
    """Why the user may not edit this child (a sentence for the 403 page), or None."""
    if may_edit(user, kid):
        return None
    limit = class_limit(user)
    if limit is not None:
        return (
            f"Your account changes the children of {limit} only, and this child is in "
            "another class. Ask the principal or your district admin if the child is yours."
        )
    return "Your account cannot change the children of this roster."


def moved_out(user: User, after: dict[str, Any]) -> str | None:
    """A message for the categories field when a teacher's edit would take the child
    out of their class (they could then no longer see it), else None."""
    limit = class_limit(user)
    if limit is None or class_of(after) == limit:
        return None
    return f"Children of your class keep “{FROM}: {limit}”; ask the principal to move a child."
