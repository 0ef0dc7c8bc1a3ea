"""Children from a student information system's export: which column holds what
(guessed from the headers, then chosen by the user), and the rows read into
roster children with one clear message per bad row.

The file is read by crunch.files.importing.read_rows, within the same limits
as every other import. Nothing here saves anything: a file with any bad row
gives no children at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from crunch.files.importing import BadFile, Limits, grade_key, read_rows
from crunch.rosters import children as roster_children
from crunch.solver.placement.data import MAX_SCORE

IGNORE = ""
KINDS: tuple[tuple[str, str], ...] = (
    (IGNORE, "Not imported"),
    ("id", "Id"),
    ("name", "Name"),
    ("first_name", "First name"),
    ("last_name", "Last name"),
    ("grade", "Grade"),
    ("gender", "Gender"),
    ("category", "Other category (named by the column)"),
    ("score", "Score (named by the column)"),
    ("tags", "Tags"),
    ("friend", "Friend"),
    ("apart", "Keep apart from"),
    ("together", "Keep together with"),
    ("not_classes", "Not in class"),
    ("class", "Fixed in class"),
    ("composite", "Suits a composite class"),
    ("notes", "Notes"),
)
KIND_NAMES = {k for k, _ in KINDS}
# Kinds that one column at most may hold.
SINGLE = ("id", "name", "first_name", "last_name", "grade", "gender", "class", "composite", "notes")
REFS = (("id", "by id"), ("name", "by name"))

HEADERS = {
    "id": ("id", "student id", "student number", "student no", "id number", "pupil id", "sis id"),
    "name": ("name", "student name", "full name", "student", "child", "pupil name"),
    "first_name": ("first name", "given name", "firstname", "forename", "preferred name"),
    "last_name": ("last name", "surname", "family name", "lastname"),
    "grade": ("grade", "grade level", "year level", "level", "year group", "class year", "year"),
    "gender": ("gender", "sex"),
    "tags": ("tags", "needs", "support needs", "flags"),
    "apart": ("apart", "keep apart", "separate from", "not with", "keep apart from"),
    "together": ("together", "keep together", "keep together with"),
    "not_classes": ("not classes", "not class", "not in class", "not in classes"),
    "class": ("class", "fixed class", "fixed in class"),
    "composite": ("composite", "composite suitable", "suits composite", "composite ok"),
    "notes": ("notes", "note", "comments", "comment"),
}
FRIEND = re.compile(r"^(friends?|friend requests?|preferred friends?|requests?)\s*#?\s*\d*$")
YES = {"yes", "y", "true", "1", "suited", "suitable"}
NO = {"no", "n", "false", "0", "not suited", "unsuitable"}
MAX_MESSAGES = 50


@dataclass
class Table:
    """The file's header and its rows (with their row numbers in the file)."""

    header: list[str]
    rows: list[tuple[int, list[str]]]

    def examples(self, column: int, most: int = 3) -> list[str]:
        values = [_cell(r, column) for _, r in self.rows]
        return [v for v in values if v][:most]


@dataclass
class Mapping:
    """What each column holds (a kind of KINDS per column) and how the friend,
    apart and together columns name children."""

    kinds: list[str]
    refs: str = "id"


@dataclass
class Result:
    children: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    mapping_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.mapping_errors


def table(rows: list[list[str]]) -> Table:
    start = next((i for i, r in enumerate(rows) if any(c for c in r)), None)
    if start is None:
        raise BadFile("The file is empty.")
    header = [h.strip() for h in rows[start]]
    body = [
        (number, row)
        for number, row in enumerate(rows[start + 1 :], start=start + 2)
        if any(c.strip() for c in row)
    ]
    if not body:
        raise BadFile("The file has a header row but no children under it.")
    return Table(header, body)


def read_file(data: bytes, filename: str, limits: Limits) -> Table:
    """The file's table, read within the import limits (BadFile, or TooLarge, if not)."""
    return table(read_rows(data, filename, limits))


def preview(
    tab: Table, posted: Any | None, grades: list[str], year: int
) -> tuple[Mapping, Result | None]:
    """The mapping step: the guessed mapping and no result when nothing is `posted`
    yet; else the mapping the form chose and the children it reads (or the problems)."""
    if posted is None:
        return guess(tab), None
    choice = mapping_from_form(posted, len(tab.header))
    return choice, read(tab, choice, grades, year)


def note(before: list[dict[str, Any]], children: list[dict[str, Any]], filename: str) -> str:
    """The imported revision's note: how many from which file, and what changed when the
    roster had children before."""
    text = f"Imported {len(children)} children from {filename}."
    if before:
        changes = roster_children.describe_changes(before, children)
        text += f" Changes: {roster_children.summary(changes)}."
    return text


def _key(text: str) -> str:
    return re.sub(r"[\s_\-.:]+", " ", text.strip().lower().lstrip("\ufeff")).strip()


def guess(tab: Table) -> Mapping:
    """A first mapping from the headers (and, for unnamed columns, the values)."""
    kinds: list[str] = []
    for i, header in enumerate(tab.header):
        key = _key(header)
        kind = next((k for k, names in HEADERS.items() if key in names), None)
        if kind is None and FRIEND.match(key):
            kind = "friend"
        if kind in SINGLE and kind in kinds:
            kind = None
        if kind is None:
            values = [_cell(r, i) for _, r in tab.rows]
            filled = [v for v in values if v]
            if filled and all(_score(v) is not None for v in filled):
                kind = "score"
            elif filled and len(set(filled)) <= max(2, len(filled) // 4) and key:
                kind = "category"
            else:
                kind = IGNORE
        kinds.append(kind)
    return Mapping(kinds, _guess_refs(tab, kinds))


def _guess_refs(tab: Table, kinds: list[str]) -> str:
    """By id when the request columns hold the file's ids, else by name."""
    if "id" not in kinds:
        return "name"
    ids = {_cell(r, kinds.index("id")) for _, r in tab.rows}
    refs = [
        part
        for i, kind in enumerate(kinds)
        if kind in ("friend", "apart", "together")
        for _, r in tab.rows
        for part in _split(_cell(r, i), "id")
    ]
    if not refs:
        return "id"
    return "id" if sum(r in ids for r in refs) * 2 >= len(refs) else "name"


def mapping_from_form(form: Any, columns: int) -> Mapping:
    kinds = []
    for i in range(columns):
        kind = form.get(f"col{i}", IGNORE)
        kinds.append(kind if kind in KIND_NAMES else IGNORE)
    refs = form.get("refs", "id")
    return Mapping(kinds, refs if refs in dict(REFS) else "id")


def check_mapping(mapping: Mapping, tab: Table) -> list[str]:
    kinds = mapping.kinds
    errors = []
    if "id" not in kinds:
        errors.append("Choose the column that holds each child's id.")
    if "name" not in kinds and "first_name" not in kinds:
        errors.append("Choose the column that holds each child's name (or first name).")
    if "grade" not in kinds:
        errors.append("Choose the column that holds each child's grade.")
    for kind, words in KINDS:
        if kind in SINGLE and kinds.count(kind) > 1:
            errors.append(f"Only one column can be the {words.lower()}.")
    for i, kind in enumerate(kinds):
        if kind in ("category", "score") and not tab.header[i].strip():
            errors.append(f"Column {i + 1} has no header to name its {kind}.")
    return errors


def read(tab: Table, mapping: Mapping, grades: list[str], year: int) -> Result:
    """The children of the file under `mapping`, or every problem found."""
    result = Result(mapping_errors=check_mapping(mapping, tab))
    if result.mapping_errors:
        return result
    by_key = {grade_key(g): g for g in grades}
    children: list[dict[str, Any]] = []
    rows_of: list[int] = []
    raw_refs: list[dict[str, list[str]]] = []
    first_row: dict[str, int] = {}
    errors: list[str] = []
    for number, row in tab.rows:
        kid, refs, row_errors = _child(tab, mapping, number, row, by_key, grades, year)
        if kid["id"] and kid["id"] in first_row:
            row_errors.append(
                f"Row {number}: the id {kid['id']} is also on row {first_row[kid['id']]}."
            )
        elif kid["id"]:
            first_row[kid["id"]] = number
        errors += row_errors
        children.append(kid)
        rows_of.append(number)
        raw_refs.append(refs)
    if not errors:
        errors += _resolve(children, rows_of, raw_refs, mapping.refs)
    if not errors:
        for index, message in roster_children.problems(children):
            where = f"Row {rows_of[index]}: " if index is not None else ""
            errors.append(where + message)
    result.errors = errors
    result.children = [] if errors else children
    return result


def _child(tab, mapping, number, row, by_key, grades, year):
    kid = roster_children.child()
    refs: dict[str, list[str]] = {"friends": [], "apart": [], "together": []}
    errors: list[str] = []
    first = last = ""
    for i, kind in enumerate(mapping.kinds):
        value = _cell(row, i)
        header = tab.header[i].strip()
        if kind == IGNORE or not value:
            continue
        if kind in ("id", "name", "notes"):
            kid[kind] = value
        elif kind == "first_name":
            first = value
        elif kind == "last_name":
            last = value
        elif kind == "grade":
            grade = by_key.get(grade_key(value))
            if grade is None:
                errors.append(
                    f"Row {number}: grade {value} is not a grade of the {year} plan "
                    f"({', '.join(grades) or 'none yet'})."
                )
            kid["grade"] = grade or value
        elif kind == "gender":
            kid["categories"]["gender"] = value
        elif kind == "category":
            kid["categories"][header] = value
        elif kind == "score":
            score = _score(value)
            if score is None:
                errors.append(
                    f"Row {number}: {header} “{value[:20]}” is not a whole number "
                    f"from 0 to {MAX_SCORE}."
                )
            else:
                kid["scores"][header] = score
        elif kind == "tags":
            kid["tags"] += [t for t in re.split(r"[;,|]", value) if t.strip()]
            kid["tags"] = list(dict.fromkeys(t.strip() for t in kid["tags"]))
        elif kind == "friend":
            refs["friends"] += _split(value, mapping.refs)
        elif kind in ("apart", "together"):
            refs[kind] += _split(value, mapping.refs)
        elif kind == "not_classes":
            kid["not_classes"] += _split(value, "name")
        elif kind == "class":
            kid["class"] = value
        elif kind == "composite":
            word = value.lower()
            if word in YES:
                kid["composite"] = True
            elif word in NO:
                kid["composite"] = False
            else:
                errors.append(f"Row {number}: composite “{value[:20]}” should be yes, no or empty.")
    if not kid["name"]:
        kid["name"] = " ".join(p for p in (first, last) if p)
    if not kid["id"]:
        errors.append(f"Row {number} has no id.")
    if not kid["name"]:
        errors.append(f"Row {number} has no name.")
    if not kid["grade"]:
        errors.append(f"Row {number} has no grade.")
    return kid, refs, errors


def _resolve(children, rows_of, raw_refs, by: str) -> list[str]:
    """Friend, apart and together entries as ids: by id, or by a name that is one
    child's only."""
    ids = {c["id"] for c in children}
    names: dict[str, list[int]] = {}
    for i, kid in enumerate(children):
        names.setdefault(_name_key(kid["name"]), []).append(i)
    words = {"friends": "friend", "apart": "apart from", "together": "together with"}
    errors = []
    for i, (kid, refs) in enumerate(zip(children, raw_refs, strict=True)):
        number = rows_of[i]
        for key, entries in refs.items():
            out: list[str] = []
            for entry in entries:
                if by == "id":
                    if entry not in ids:
                        errors.append(
                            f"Row {number}: {words[key]} {entry} is not an id in the file."
                        )
                        continue
                    found = entry
                else:
                    matches = names.get(_name_key(entry), [])
                    if not matches:
                        errors.append(
                            f"Row {number}: {words[key]} “{entry}” is not the name of a child "
                            "in the file."
                        )
                        continue
                    if len(matches) > 1:
                        which = " or ".join(
                            f"{children[m]['id']} (row {rows_of[m]})" for m in matches[:4]
                        )
                        errors.append(
                            f"Row {number}: {words[key]} “{entry}” is ambiguous: it could be "
                            f"{which}. Give the id instead."
                        )
                        continue
                    found = children[matches[0]]["id"]
                if found == kid["id"]:
                    errors.append(
                        f"Row {number}: {kid['name']} is listed as {words[key]} themself."
                    )
                elif found not in out:
                    out.append(found)
            kid[key] = out
    return errors


def _name_key(name: str) -> str:
    return re.sub(r"\s+", " ", name.strip()).casefold()


def _split(value: str, by: str) -> list[str]:
    # Names may hold commas ("Chen, Ava"): only ids are split on them.
    pattern = r"[;|\n]" if by == "name" else r"[;|,\s]+"
    return [part.strip() for part in re.split(pattern, value) if part.strip()]


def _score(value: str) -> int | None:
    text = value.strip()
    if re.fullmatch(r"[0-9]{1,3}(\.0+)?", text) and int(float(text)) <= MAX_SCORE:
        return int(float(text))
    return None


def _cell(row: list[str], index: int) -> str:
    return row[index].strip() if index < len(row) else ""


def shown(errors: list[str]) -> list[str]:
    """At most MAX_MESSAGES, and how many more there were."""
    if len(errors) <= MAX_MESSAGES:
        return errors
    return [*errors[:MAX_MESSAGES], f"... and {len(errors) - MAX_MESSAGES} more problems."]
