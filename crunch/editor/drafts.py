"""The editor's inputs as typed, and their way to and from the scenario JSON format.

A `Draft` keeps every value as the text the user typed, so that odd input is
shown back exactly as it was entered, next to its message. Composites and fixed
classes refer to grades by their row in the grade table rather than by name, so
renaming a grade while typing does not orphan them; names are resolved only when
the scenario is built.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import FieldList, FormField

from crunch.editor.forms import ScenarioForm
from crunch.planning import Checked, solver_errors
from crunch.solver import PRIORITIES, InvalidScenario, parse_scenario

GRADE_FIELDS = ("name", "students", "min_size", "max_size")
COMPOSITE_LIMITS = ("min_size", "max_size", "min_subclass_size")


@dataclass
class CompositeRow:
    members: tuple[int, ...]
    enabled: bool = False
    limits: dict[str, str] = field(default_factory=dict)

    @property
    def adjacent(self) -> bool:
        return len(self.members) == 2 and self.members[1] == self.members[0] + 1


@dataclass
class Draft:
    teachers: str = "1"
    min_subclass_size: str = "1"
    grades: list[dict[str, str]] = field(default_factory=list)
    composites: list[CompositeRow] = field(default_factory=list)
    locked: list[list[str]] = field(default_factory=list)
    priorities: list[str] = field(default_factory=lambda: list(PRIORITIES))

    # ------------------------------------------------------------ reading

    @classmethod
    def from_form(cls, form: ScenarioForm) -> Draft:
        grades = [
            {k: _text(getattr(entry.form, k).data) for k in GRADE_FIELDS} for entry in form.grades
        ]
        composites = []
        for entry in form.composites:
            members = _members(entry.form.members.data, len(grades))
            if members:
                limits = {k: _text(getattr(entry.form, k).data) for k in COMPOSITE_LIMITS}
                composites.append(CompositeRow(members, bool(entry.form.enabled.data), limits))
        locked = [[_text(c.data) for c in entry.form.counts] for entry in form.locked]
        return cls(
            teachers=_text(form.teachers.data),
            min_subclass_size=_text(form.min_subclass_size.data),
            grades=grades,
            composites=composites,
            locked=locked,
            # A form without priorities (a hand-made POST) gets the default order.
            priorities=[_text(p.data) for p in form.priorities] or list(PRIORITIES),
        )._normalised()

    @classmethod
    def from_inputs(cls, inputs: dict[str, Any]) -> Draft:
        """A draft from scenario JSON (a saved revision, or one with a suggestion applied)."""
        grades = []
        for item in _list(inputs.get("grades")):
            if isinstance(item, dict):
                grades.append({k: _text(item.get(k)) for k in GRADE_FIELDS})
        index = {}
        for i, g in enumerate(grades):
            index.setdefault(g["name"], i)
        composites = []
        for item in _list(inputs.get("composites")):
            if not isinstance(item, dict):
                continue
            names = [_text(n) for n in _list(item.get("grades"))]
            if names and all(n in index for n in names):
                members = tuple(sorted({index[n] for n in names}))
                limits = {k: _text(item.get(k)) for k in COMPOSITE_LIMITS}
                if len(members) > 1:
                    composites.append(CompositeRow(members, True, limits))
        locked = []
        for item in _list(inputs.get("locked")):
            counts = item.get("grades") if isinstance(item, dict) else None
            if isinstance(counts, dict):
                row = [""] * len(grades)
                for name, n in counts.items():
                    if _text(name) in index:
                        row[index[_text(name)]] = _text(n)
                locked.append(row)
        priorities = [_text(p) for p in _list(inputs.get("priorities"))] or list(PRIORITIES)
        return cls(
            teachers=_text(inputs.get("teachers")),
            min_subclass_size=_text(inputs.get("min_subclass_size", 1)),
            grades=grades,
            composites=composites,
            locked=locked,
            priorities=priorities,
        )._normalised()

    def _normalised(self) -> Draft:
        """Offer every adjacent pair as a composite row; keep other combinations only if allowed."""
        n = len(self.grades)
        rows: dict[tuple[int, ...], CompositeRow] = {}
        for row in self.composites:
            if all(0 <= m < n for m in row.members) and row.members not in rows:
                rows[row.members] = row
        pairs = [rows.get((i, i + 1)) or CompositeRow((i, i + 1)) for i in range(n - 1)]
        others = [r for r in rows.values() if not r.adjacent and r.enabled]
        self.composites = pairs + others
        self.locked = [(row + [""] * n)[:n] for row in self.locked]
        return self

    # ------------------------------------------------------------ writing

    def formdata(self, **extra: str) -> MultiDict:
        """The draft as the POST data of the editor form."""
        data: list[tuple[str, str]] = [
            ("teachers", self.teachers),
            ("min_subclass_size", self.min_subclass_size),
        ]
        for i, grade in enumerate(self.grades):
            data += [(f"grades-{i}-{k}", grade.get(k, "")) for k in GRADE_FIELDS]
        for j, row in enumerate(self.composites):
            data.append((f"composites-{j}-members", ",".join(map(str, row.members))))
            if row.enabled:
                data.append((f"composites-{j}-enabled", "y"))
            data += [(f"composites-{j}-{k}", row.limits.get(k, "")) for k in COMPOSITE_LIMITS]
        for k, row in enumerate(self.locked):
            data += [(f"locked-{k}-counts-{g}", value) for g, value in enumerate(row)]
        data += [(f"priorities-{p}", name) for p, name in enumerate(self.priorities)]
        data += list(extra.items())
        return MultiDict(data)

    def form(self, **extra: str) -> ScenarioForm:
        return ScenarioForm(formdata=self.formdata(**extra))

    def label(self, members: tuple[int, ...]) -> str:
        """A composite's name as shown, e.g. "K/1"."""
        return "/".join(self.grades[m].get("name", "").strip() or "?" for m in members)

    @property
    def grade_names(self) -> list[str]:
        return [g.get("name", "").strip() for g in self.grades]


def check(form: ScenarioForm, draft: Draft, name: str = "") -> Checked:
    """Validate the form's fields, then the scenario they make, and say what is wrong where.

    Field format comes first: while a number is unreadable, the parser's
    follow-on complaints (an unknown grade in a composite, say) would only add noise.
    """
    form.validate()
    errors = field_errors(form)
    if errors:
        return Checked(None, None, errors)
    inputs, rows = to_inputs(form, draft, name)
    try:
        scenario = parse_scenario(inputs)
    except InvalidScenario as invalid:
        for path, messages in solver_errors(invalid).items():
            errors.setdefault(field_for(path, rows), []).extend(messages)
        return Checked(None, inputs, errors)
    return Checked(scenario, inputs, {})


@dataclass(frozen=True)
class FormRows:
    """The form row that each composite and each locked class of the JSON came from."""

    composites: list[int] = field(default_factory=list)
    locked: list[int] = field(default_factory=list)


def to_inputs(form: ScenarioForm, draft: Draft, name: str) -> tuple[dict[str, Any], FormRows]:
    """The scenario JSON of a format-valid form, and where each of its rows came from.

    A fixed class left entirely blank is one still being typed in: it is left out
    rather than reported, so adding one does not turn the editor red.
    """
    names = draft.grade_names
    grades = []
    for entry in form.grades:
        f = entry.form
        grades.append(
            {
                "name": (f.name.data or "").strip(),
                "students": f.students.number,
                "min_size": f.min_size.number,
                "max_size": f.max_size.number,
            }
        )
    rows = FormRows()
    composites = []
    for j, row in enumerate(draft.composites):
        if not row.enabled:
            continue
        item: dict[str, Any] = {"grades": [names[m] for m in row.members]}
        entry = _composite_entry(form, row.members)
        for key in COMPOSITE_LIMITS:
            number = getattr(entry, key).number if entry is not None else None
            if number is not None:
                item[key] = number
        composites.append(item)
        rows.composites.append(j)
    locked = []
    for k, entry in enumerate(form.locked):
        counts = {}
        for g, count in enumerate(entry.form.counts):
            if count.number is not None and g < len(names):
                counts[names[g]] = count.number
        if counts:
            locked.append({"grades": counts})
            rows.locked.append(k)
    inputs: dict[str, Any] = {
        "name": name,
        "teachers": form.teachers.number,
        "min_subclass_size": form.min_subclass_size.number,
        "grades": grades,
        "composites": composites,
        "priorities": list(draft.priorities),
    }
    if locked:
        inputs["locked"] = locked
    return inputs, rows


def _composite_entry(form: ScenarioForm, members: tuple[int, ...]):
    for entry in form.composites:
        if _members(entry.form.members.data, len(form.grades)) == members:
            return entry.form
    return None


def field_errors(form) -> dict[str, list[str]]:
    """Every field's messages keyed by the id of the element they are shown beside."""
    out: dict[str, list[str]] = {}
    for fld in form:
        if isinstance(fld, FieldList):
            for entry in fld:
                if isinstance(entry, FormField):
                    for key, messages in field_errors(entry.form).items():
                        target = _row_id(key) if fld.name == "locked" else key
                        out.setdefault(target, []).extend(messages)
                elif entry.errors:
                    out.setdefault(entry.id, []).extend(entry.errors)
        elif fld.errors and isinstance(fld.errors, list):
            out.setdefault(fld.id, []).extend(fld.errors)
    return out


def _row_id(field_id: str) -> str:
    """locked-3-counts-1 -> locked-3: a fixed class shows its messages once, for the row."""
    return "-".join(field_id.split("-")[:2])


ROW = re.compile(r"[0-9]{1,3}")
PATH = re.compile(r"(grades|composites|locked)\[(\d+)\](?:\.(\w+))?")


def field_for(path: str, rows: FormRows) -> str:
    """The form element beside which a solver message about `path` is shown."""
    if path in ("teachers", "min_subclass_size", "grades", "composites", "priorities"):
        return path
    if path == "locked":
        return "locked"
    match = PATH.match(path)
    if not match:
        return "form"
    kind, index, sub = match.group(1), int(match.group(2)), match.group(3)
    if kind == "grades":
        return f"grades-{index}-{sub}" if sub in GRADE_FIELDS else f"grades-{index}"
    if kind == "composites":
        if index >= len(rows.composites):
            return "composites"
        row = rows.composites[index]
        return f"composites-{row}-{sub}" if sub in COMPOSITE_LIMITS else f"composites-{row}"
    return f"locked-{rows.locked[index]}" if index < len(rows.locked) else "locked"


def _text(value: Any) -> str:
    if value is None or isinstance(value, bool | dict | list):
        return ""
    return str(value)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _members(raw: Any, grade_count: int) -> tuple[int, ...] | None:
    parts = _text(raw).split(",")
    if not all(ROW.fullmatch(p.strip()) for p in parts):
        return None
    members = tuple(sorted({int(p) for p in parts}))
    if len(members) < 2 or members[-1] >= grade_count:
        return None
    return members
