"""The placement problem's input: frozen dataclasses, and the parser that builds them.

The format is the contract in `docs/placement.md` (copied to `docs/placement.md`).
Parsing never raises anything but `InvalidScenario` (shared with the plan's parser, so
the command line and the web app report both the same way), with every problem found
at once, each under the field path it belongs to (`children[3].apart[0]`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..data import Errors, FieldError, InvalidScenario

PRIORITIES = ("friends", "needs", "mix", "scores")
OPTIONAL_PRIORITIES = ("composite_fit",)

MAX_CHILDREN = 5_000
MAX_CLASSES = 200
MAX_FRIENDS = 10
MAX_APART = 20
MAX_TOGETHER = 20
MAX_SCORE_NAMES = 20
MAX_CATEGORY_VALUES = 50
MAX_TAGS = 50
MAX_SCORE = 100
MAX_TEXT = 200  # ids, names, labels, tags and category values


@dataclass(frozen=True)
class PlanClass:
    """One class of the plan: how many children of each grade it holds, exactly."""

    label: str
    grades: tuple[tuple[str, int], ...]

    @property
    def composite(self) -> bool:
        return len(self.grades) > 1

    @property
    def size(self) -> int:
        return sum(n for _, n in self.grades)

    def count(self, grade: str) -> int:
        return dict(self.grades).get(grade, 0)


@dataclass(frozen=True)
class Child:
    id: str
    grade: str
    name: str = ""
    categories: tuple[tuple[str, str], ...] = ()
    scores: tuple[tuple[str, int], ...] = ()
    tags: tuple[str, ...] = ()
    friends: tuple[str, ...] = ()
    apart: tuple[str, ...] = ()
    together: tuple[str, ...] = ()
    not_classes: tuple[str, ...] = ()
    fixed: str | None = None  # the `class` field
    composite: bool | None = None

    def score(self, name: str) -> int:
        return dict(self.scores).get(name, 0)


@dataclass(frozen=True)
class PlacementInput:
    classes: tuple[PlanClass, ...]
    children: tuple[Child, ...]
    friends_needed: int = 1
    priorities: tuple[str, ...] = PRIORITIES
    name: str = ""
    _by_id: dict[str, Child] = field(default=None, init=False, repr=False, compare=False)  # type: ignore[assignment]
    _by_label: dict[str, PlanClass] = field(
        default=None,  # type: ignore[assignment]
        init=False,
        repr=False,
        compare=False,
    )

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {c.id: c for c in self.children})
        object.__setattr__(self, "_by_label", {c.label: c for c in self.classes})

    def child(self, child_id: str) -> Child:
        return self._by_id[child_id]

    def has_child(self, child_id: str) -> bool:
        return child_id in self._by_id

    def plan_class(self, label: str) -> PlanClass:
        return self._by_label[label]

    def has_class(self, label: str) -> bool:
        return label in self._by_label

    @property
    def grades(self) -> tuple[str, ...]:
        """Grade names in the order the classes first mention them."""
        seen: dict[str, None] = {}
        for c in self.classes:
            for g, _ in c.grades:
                seen.setdefault(g, None)
        return tuple(seen)

    def apart_pairs(self) -> list[tuple[str, str]]:
        """Each `apart` pair once (either side listing it is enough)."""
        return _pairs(self.children, "apart")

    def together_pairs(self) -> list[tuple[str, str]]:
        return _pairs(self.children, "together")

    def requesting(self) -> list[Child]:
        """Children who asked for at least one friend."""
        return [c for c in self.children if c.friends]

    def friends_needed_by(self, child: Child) -> int:
        return min(self.friends_needed, len(child.friends))


def _pairs(children: tuple[Child, ...], key: str) -> list[tuple[str, str]]:
    seen: set[tuple[str, str]] = set()
    out = []
    for child in children:
        for other in getattr(child, key):
            pair = (child.id, other) if child.id < other else (other, child.id)
            if pair not in seen:
                seen.add(pair)
                out.append(pair)
    return out


# ---------------------------------------------------------------- parsing


class _Errors(Errors):
    """The problems found so far, with the placement's own kind of field: text."""

    def text(self, value: Any, path: str, label: str, *, required: bool = True) -> str | None:
        """A non-empty string (whole numbers are taken as their digits), or None."""
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(path, f"{label} must be non-empty text.")
            return None
        if len(value) > MAX_TEXT:
            self.add(path, f"{label} must be at most {MAX_TEXT} characters.")
            return None
        return value.strip()


def parse_placement(obj: Any) -> PlacementInput:
    """Build a PlacementInput from decoded JSON, or raise InvalidScenario listing every
    problem found."""
    if not isinstance(obj, Mapping):
        raise InvalidScenario([FieldError("", "The input must be a JSON object.")])
    errors = _Errors()
    name = obj.get("name", "")
    if not isinstance(name, str):
        errors.add("name", "The name must be text.")
        name = ""
    classes = _parse_classes(obj.get("classes"), errors)
    children = _parse_children(obj.get("children"), errors)
    friends_needed = _parse_friends_needed(obj.get("friends_needed", 1), errors)
    priorities = parse_priorities(obj.get("priorities"), errors)
    placement = PlacementInput(
        classes=tuple(classes),
        children=tuple(children),
        friends_needed=friends_needed,
        priorities=priorities,
        name=name,
    )
    well_formed = not errors.items
    _check_references(placement, errors)
    if well_formed:  # counts of a half-read plan would only repeat the errors above
        _check_counts(placement, errors)
    if errors.items:
        raise InvalidScenario(errors.items)
    return placement


def _objects(
    raw: Any,
    field: str,
    what: str,
    limit: int,
    example: str,
    key: str,
    noun: str,
    errors: _Errors,
) -> Iterator[tuple[str, Mapping[str, Any], str | None]]:
    """Each object of a required list with its path and its `key` (None when missing or
    taken by an earlier one); what is wrong is reported under its path."""
    if raw is None:
        errors.add(field, f"The {what.lower()} are required.")
        return
    items = errors.listed(raw, field, what, limit)
    seen: set[str] = set()
    for i, item in enumerate(items):
        path = f"{field}[{i}]"
        if not isinstance(item, Mapping):
            errors.add(path, f"Each {noun} is an object such as {example}.")
            continue
        value = errors.text(item.get(key), f"{path}.{key}", f"The {key}")
        if value is not None and value in seen:
            errors.add(f"{path}.{key}", f'Another {noun} has the {key} "{value}".')
            value = None
        seen.add(value or "")
        yield path, item, value


def _parse_classes(raw: Any, errors: _Errors) -> list[PlanClass]:
    if isinstance(raw, list) and not raw:
        errors.add("classes", "At least one class is required.")
    example = '{"label": "K Lee", "grades": {"K": 16}}'
    out: list[PlanClass] = []
    for path, item, label in _objects(
        raw, "classes", "Classes", MAX_CLASSES, example, "label", "class", errors
    ):
        grades = _parse_counts(item.get("grades"), f"{path}.grades", errors)
        if label is not None and grades:
            out.append(PlanClass(label, grades))
    return out


def _parse_counts(raw: Any, path: str, errors: _Errors) -> tuple[tuple[str, int], ...]:
    if not isinstance(raw, Mapping) or not raw:
        errors.add(path, 'A class maps grade names to children: {"1": 12, "2": 12}.')
        return ()
    counts: list[tuple[str, int]] = []
    for grade, n in raw.items():
        grade = str(grade).strip()
        if isinstance(n, float) and n.is_integer():
            n = int(n)
        if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n <= MAX_CHILDREN:
            errors.add(f"{path}.{grade}", f"Children must be a whole number, 0 to {MAX_CHILDREN}.")
            continue
        if n:
            counts.append((grade, n))
    if not counts and not any(e.field.startswith(path) for e in errors.items):
        errors.add(path, "A class needs at least one child.")
    return tuple(counts)


def _parse_children(raw: Any, errors: _Errors) -> list[Child]:
    example = '{"id": "S1001", "grade": "K"}'
    out: list[Child] = []
    for path, item, child_id in _objects(
        raw, "children", "Children", MAX_CHILDREN, example, "id", "child", errors
    ):
        grade = errors.text(item.get("grade"), f"{path}.grade", "The grade")
        child_name = item.get("name")
        if child_name is not None and not isinstance(child_name, str):
            errors.add(f"{path}.name", "The name must be text.")
        child = Child(
            id=child_id or "",
            grade=grade or "",
            name=child_name if isinstance(child_name, str) else "",
            categories=_parse_categories(item.get("categories"), f"{path}.categories", errors),
            scores=_parse_scores(item.get("scores"), f"{path}.scores", errors),
            tags=_parse_texts(item.get("tags"), f"{path}.tags", "Tags", MAX_TAGS, errors),
            friends=_parse_texts(
                item.get("friends"), f"{path}.friends", "Friends", MAX_FRIENDS, errors
            ),
            apart=_parse_texts(item.get("apart"), f"{path}.apart", "Apart ids", MAX_APART, errors),
            together=_parse_texts(
                item.get("together"), f"{path}.together", "Together ids", MAX_TOGETHER, errors
            ),
            not_classes=_parse_texts(
                item.get("not_classes"), f"{path}.not_classes", "Classes", MAX_CLASSES, errors
            ),
            fixed=errors.text(item.get("class"), f"{path}.class", "The class", required=False),
            composite=_parse_composite(item.get("composite"), f"{path}.composite", errors),
        )
        if child_id is not None and grade is not None:
            out.append(child)
    return out


def _parse_texts(raw: Any, path: str, label: str, limit: int, errors: _Errors) -> tuple[str, ...]:
    out: list[str] = []
    for j, value in enumerate(errors.listed(raw, path, label, limit)):
        text = errors.text(value, f"{path}[{j}]", "Each entry")
        if text is not None and text not in out:
            out.append(text)
    return tuple(out)


def _known_entries(
    raw: Any, path: str, errors: _Errors, shape: str, most: tuple[int, str] | None = None
) -> list[tuple[Any, Any]]:
    """The (name, value) entries of the mapping at `path` whose value is known (not null).

    None given: none. Not a mapping (`shape` shows one), or more names than `most`
    allows (its number, and what they are called): none, and the problem at `path`.
    """
    if raw is None:
        return []
    if not isinstance(raw, Mapping):
        errors.add(path, shape)
        return []
    if most is not None and len(raw) > most[0]:
        errors.add(path, f"At most {most[0]} {most[1]} are allowed.")
        return []
    return [(key, value) for key, value in raw.items() if value is not None]


def _parse_categories(raw: Any, path: str, errors: _Errors) -> tuple[tuple[str, str], ...]:
    out = []
    shape = 'Categories map a name to a value: {"gender": "F"}.'
    for key, value in _known_entries(raw, path, errors, shape):
        text = errors.text(value, f"{path}.{key}", f"The {key}")
        name = errors.text(key, f"{path}.{key}", "A category name")
        if text is not None and name is not None:
            out.append((name, text))
    return tuple(out)


def _parse_scores(raw: Any, path: str, errors: _Errors) -> tuple[tuple[str, int], ...]:
    out = []
    shape = 'Scores map a name to a whole number: {"reading": 3}.'
    for key, value in _known_entries(raw, path, errors, shape, (MAX_SCORE_NAMES, "scores")):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SCORE:
            errors.add(f"{path}.{key}", f"A score must be a whole number from 0 to {MAX_SCORE}.")
            continue
        name = errors.text(key, f"{path}.{key}", "A score name")
        if name is not None:
            out.append((name, value))
    return tuple(out)


def _parse_composite(raw: Any, path: str, errors: _Errors) -> bool | None:
    if raw is None or isinstance(raw, bool):
        return raw
    errors.add(path, "Composite must be true, false or null.")
    return None


def _parse_friends_needed(raw: Any, errors: _Errors) -> int:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_FRIENDS:
        errors.add(
            "friends_needed", f"Friends needed must be a whole number from 1 to {MAX_FRIENDS}."
        )
        return 1
    return raw


def parse_priorities(raw: Any, errors: _Errors) -> tuple[str, ...]:
    if raw is None:
        return PRIORITIES
    known = set(PRIORITIES) | set(OPTIONAL_PRIORITIES)
    names = ", ".join(f'"{p}"' for p in PRIORITIES)
    if (
        not isinstance(raw, list)
        or not all(isinstance(p, str) for p in raw)
        or len(set(raw)) != len(raw)
        or not set(PRIORITIES) <= set(raw) <= known
    ):
        errors.add(
            "priorities",
            f'Priorities must list {names}, each once, in any order; "composite_fit" may be added.',
        )
        return PRIORITIES
    return tuple(raw)


def _check_references(placement: PlacementInput, errors: _Errors) -> None:
    grades = set(placement.grades)
    indexed = {c.id: i for i, c in enumerate(placement.children)}
    category_values: dict[str, set[str]] = {}
    tags: set[str] = set()
    for i, child in enumerate(placement.children):
        path = f"children[{i}]"
        if child.grade not in grades:
            errors.add(f"{path}.grade", f"No class holds grade {child.grade}.")
        for key in ("friends", "apart", "together"):
            for j, other in enumerate(getattr(child, key)):
                if other == child.id:
                    errors.add(f"{path}.{key}[{j}]", f"{child.id} cannot be listed against itself.")
                elif other not in indexed:
                    errors.add(f"{path}.{key}[{j}]", f"No child has the id {other}.")
        for j, label in enumerate(child.not_classes):
            if not placement.has_class(label):
                errors.add(f"{path}.not_classes[{j}]", f'No class is labelled "{label}".')
        if child.fixed is not None:
            if not placement.has_class(child.fixed):
                errors.add(f"{path}.class", f'No class is labelled "{child.fixed}".')
            elif not placement.plan_class(child.fixed).count(child.grade):
                errors.add(
                    f"{path}.class", f'"{child.fixed}" holds no children of grade {child.grade}.'
                )
        for name, value in child.categories:
            category_values.setdefault(name, set()).add(value)
        tags.update(child.tags)
    for name, values in category_values.items():
        if len(values) > MAX_CATEGORY_VALUES:
            errors.add(
                "children",
                f'The category "{name}" has {len(values)} values; at most '
                f"{MAX_CATEGORY_VALUES} are allowed.",
            )
    if len(tags) > MAX_TAGS:
        errors.add(
            "children", f"The children have {len(tags)} tags; at most {MAX_TAGS} are allowed."
        )


def _check_counts(placement: PlacementInput, errors: _Errors) -> None:
    children: dict[str, int] = {}
    for child in placement.children:
        children[child.grade] = children.get(child.grade, 0) + 1
    for grade in placement.grades:
        places = sum(c.count(grade) for c in placement.classes)
        have = children.get(grade, 0)
        if places != have:
            errors.add(
                "children",
                f"Grade {grade} has {have} children, but the classes hold {places} "
                f"of grade {grade}.",
            )


PLACEMENT_KEYS = ("children", "friends_needed")


def plan_then_place_input(obj: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Split a scenario plus children into (the scenario, the placement input less its
    classes). `priorities` goes to whichever format's names it lists."""
    scenario = {k: v for k, v in obj.items() if k not in PLACEMENT_KEYS}
    placement = {k: obj[k] for k in PLACEMENT_KEYS if k in obj}
    placement["name"] = obj.get("name", "") if isinstance(obj.get("name", ""), str) else ""
    raw = obj.get("priorities")
    known = set(PRIORITIES) | set(OPTIONAL_PRIORITIES)
    if isinstance(raw, list) and raw and all(isinstance(p, str) and p in known for p in raw):
        placement["priorities"] = scenario.pop("priorities")
    if "children" not in placement:
        placement["children"] = None  # reported as missing by the parser
    return scenario, placement
