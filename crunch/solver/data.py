"""The solver's input: frozen dataclasses, and the parser that builds them from JSON.

Parsing never raises anything but `InvalidScenario`, whose `errors` name the field
(`grades[1].max_size`) and say what is wrong in words a principal understands. The
format is the contract in `docs/scenario.md`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

PRIORITIES = ("classes", "composites", "balance")

MAX_GRADES = 40
MAX_STUDENTS = 10_000
MAX_TEACHERS = 1_000
MAX_COMPOSITES = 200
MAX_CLASS_SIZE = 10_000
SIZE_LABELS = {
    "min_size": "Minimum size",
    "max_size": "Maximum size",
    "min_subclass_size": "The minimum subclass size",
}


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class InvalidScenario(ValueError):
    """The input breaks the format; `errors` says where and why."""

    def __init__(self, errors: list[FieldError]):
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in errors))
        self.errors = errors

    def to_dict(self) -> dict[str, Any]:
        return {"status": "invalid", "errors": [e.to_dict() for e in self.errors]}


@dataclass(frozen=True)
class Grade:
    name: str
    students: int
    min_size: int
    max_size: int


@dataclass(frozen=True)
class Composite:
    """An allowed multi-grade class; limits left as None take the default of the spec."""

    grades: tuple[str, ...]
    min_size: int | None = None
    max_size: int | None = None
    min_subclass_size: int | None = None


@dataclass(frozen=True)
class ClassSpec:
    """Children of each grade in one class, in school order, zero counts dropped."""

    grades: tuple[tuple[str, int], ...]

    @property
    def size(self) -> int:
        return sum(n for _, n in self.grades)

    @property
    def grade_names(self) -> tuple[str, ...]:
        return tuple(g for g, _ in self.grades)

    @property
    def composite(self) -> bool:
        return len(self.grades) > 1

    def count(self, grade: str) -> int:
        return dict(self.grades).get(grade, 0)


@dataclass(frozen=True)
class Kind:
    """A kind of class (one grade, or an allowed composite) with its effective limits."""

    grades: tuple[str, ...]
    min_size: int
    max_size: int
    min_subclass_size: int

    @property
    def composite(self) -> bool:
        return len(self.grades) > 1

    @property
    def label(self) -> str:
        return "/".join(self.grades)


@dataclass(frozen=True)
class Scenario:
    teachers: int
    grades: tuple[Grade, ...]
    composites: tuple[Composite, ...] = ()
    min_subclass_size: int = 1
    locked: tuple[ClassSpec, ...] = ()
    priorities: tuple[str, ...] = PRIORITIES
    name: str = ""
    _index: dict[str, int] = field(default=None, init=False, repr=False, compare=False)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {g.name: i for i, g in enumerate(self.grades)})

    def grade(self, name: str) -> Grade:
        return self.grades[self._index[name]]

    def order(self, name: str) -> int:
        return self._index[name]

    def kind_of(self, grade_names: tuple[str, ...] | list[str]) -> Kind | None:
        """The effective limits for a class holding these grades, or None if not allowed."""
        names = tuple(sorted(grade_names, key=self.order))
        if len(names) == 1:
            g = self.grade(names[0])
            return Kind(names, g.min_size, g.max_size, 1)
        for comp in self.composites:
            if comp.grades == names:
                return composite_kind(self, comp)
        return None

    def kinds(self) -> list[Kind]:
        """Every kind of class that may be opened: grades with children, then composites."""
        pure = [Kind((g.name,), g.min_size, g.max_size, 1) for g in self.grades if g.students]
        comps = [
            composite_kind(self, c)
            for c in self.composites
            if all(self.grade(n).students for n in c.grades)
        ]
        return pure + comps


def composite_kind(scenario: Scenario, comp: Composite) -> Kind:
    members = [scenario.grade(n) for n in comp.grades]
    return Kind(
        comp.grades,
        comp.min_size if comp.min_size is not None else max(g.min_size for g in members),
        comp.max_size if comp.max_size is not None else min(g.max_size for g in members),
        comp.min_subclass_size
        if comp.min_subclass_size is not None
        else scenario.min_subclass_size,
    )


# ---------------------------------------------------------------- parsing


class Errors:
    """The problems found while parsing, in order, each at its field's path; the
    readers below add one and return None (or empty) so the parse goes on."""

    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, path: str, message: str) -> None:
        self.items.append(FieldError(path, message))

    def integer(
        self,
        obj: Mapping[str, Any],
        key: str,
        path: str,
        *,
        low: int,
        high: int,
        label: str,
        default: int | None = None,
        required: bool = True,
    ) -> int | None:
        if key not in obj or obj[key] is None:
            if required and default is None:
                self.add(path, f"{label} is required.")
            return default
        return self.whole(obj[key], path, low=low, high=high, label=label)

    def sizes(
        self, obj: Mapping[str, Any], path: str, *keys: str, required: bool = True
    ) -> list[int | None]:
        """The class sizes `keys` (of SIZE_LABELS) of the grade or composite at `path`."""
        return [
            self.integer(
                obj,
                key,
                f"{path}.{key}",
                low=1,
                high=MAX_CLASS_SIZE,
                label=SIZE_LABELS[key],
                required=required,
            )
            for key in keys
        ]

    def listed(self, value: Any, path: str, label: str, limit: int) -> list[Any]:
        """A list of at most `limit` items (none given: empty), or empty with the problem."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(path, f"{label} must be a list.")
            return []
        if len(value) > limit:
            self.add(path, f"At most {limit} {label.lower()} are allowed.")
            return []
        return value

    def whole(self, value: Any, path: str, *, low: int, high: int, label: str) -> int | None:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, f"{label} must be a whole number.")
            return None
        if value < low:
            self.add(path, f"{label} must be at least {low}.")
            return None
        if value > high:
            self.add(path, f"{label} must be at most {high:,}.")
            return None
        return value


def parse_scenario(obj: Any) -> Scenario:
    """Build a Scenario from decoded JSON, or raise InvalidScenario with every problem found."""
    errors = Errors()
    if not isinstance(obj, Mapping):
        raise InvalidScenario([FieldError("", "The scenario must be a JSON object.")])

    name = obj.get("name", "")
    if not isinstance(name, str):
        errors.add("name", "The name must be text.")
        name = ""

    teachers = errors.integer(
        obj, "teachers", "teachers", low=1, high=MAX_TEACHERS, label="Teachers"
    )
    min_sub = errors.integer(
        obj,
        "min_subclass_size",
        "min_subclass_size",
        low=1,
        high=MAX_CLASS_SIZE,
        label="The minimum subclass size",
        default=1,
    )

    grades = _parse_grades(obj, errors)
    names = {g.name for g in grades}
    composites = _parse_composites(obj, names, errors)
    priorities = _parse_priorities(obj, errors)

    if errors.items:
        raise InvalidScenario(errors.items)
    scenario = Scenario(
        teachers=teachers,  # type: ignore[arg-type]
        grades=tuple(grades),
        composites=tuple(composites),
        min_subclass_size=min_sub,  # type: ignore[arg-type]
        priorities=priorities,
        name=name,
    )
    locked = parse_classes(obj.get("locked"), scenario, "locked", errors)
    if not errors.items:
        _check_locked_fits(scenario, locked, errors)
    if errors.items:
        raise InvalidScenario(errors.items)
    return replace(scenario, locked=tuple(locked))


def _parse_grades(obj: Mapping[str, Any], errors: Errors) -> list[Grade]:
    if "grades" not in obj:
        errors.add("grades", "At least one grade is required.")
        return []
    raw = errors.listed(obj["grades"], "grades", "Grades", MAX_GRADES)
    if isinstance(obj["grades"], list) and not obj["grades"]:
        errors.add("grades", "At least one grade is required.")
    grades: list[Grade] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        path = f"grades[{i}]"
        if not isinstance(item, Mapping):
            errors.add(
                path, "Each grade must be an object with name, students, min_size, max_size."
            )
            continue
        name = item.get("name")
        if isinstance(name, int) and not isinstance(name, bool):
            name = str(name)
        if not isinstance(name, str) or not name.strip():
            errors.add(f"{path}.name", "The grade needs a name.")
            name = None
        else:
            name = name.strip()
            if name in seen:
                errors.add(f"{path}.name", f'Grade "{name}" appears twice.')
                name = None
            seen.add(name or "")
        label = f"Grade {name}" if name else "The grade"
        students = errors.integer(
            item, "students", f"{path}.students", low=0, high=MAX_STUDENTS, label="Children"
        )
        low, high = errors.sizes(item, path, "min_size", "max_size")
        if low is not None and high is not None and low > high:
            errors.add(
                f"{path}.max_size",
                f"{label}: the maximum class size ({high}) is below the minimum ({low}).",
            )
            continue
        if name and students is not None and low is not None and high is not None:
            grades.append(Grade(name, students, low, high))
    return grades


def _parse_composites(obj: Mapping[str, Any], names: set[str], errors: Errors) -> list[Composite]:
    raw = errors.listed(obj.get("composites"), "composites", "Composites", MAX_COMPOSITES)
    order = {n: i for i, n in enumerate(_grade_names_in_order(obj))}
    composites: list[Composite] = []
    seen: set[tuple[str, ...]] = set()
    for i, item in enumerate(raw):
        path = f"composites[{i}]"
        if not isinstance(item, Mapping):
            errors.add(path, 'Each composite must be an object such as {"grades": ["1", "2"]}.')
            continue
        members = item.get("grades")
        if not isinstance(members, list) or not all(
            isinstance(m, str | int) and not isinstance(m, bool) for m in members
        ):
            errors.add(f"{path}.grades", "A composite lists its grades by name.")
            continue
        members = [str(m).strip() for m in members]
        unknown = [m for m in members if m not in names]
        if unknown:
            errors.add(f"{path}.grades", f"Unknown grade {', '.join(unknown)}.")
            continue
        if len(set(members)) != len(members):
            errors.add(f"{path}.grades", "A composite names each grade once.")
            continue
        if len(members) < 2:
            errors.add(f"{path}.grades", "A composite class combines two or more grades.")
            continue
        key = tuple(sorted(members, key=order.__getitem__))
        if key in seen:
            errors.add(f"{path}.grades", f"The {'/'.join(key)} composite is listed twice.")
            continue
        seen.add(key)
        low, high, sub = errors.sizes(
            item, path, "min_size", "max_size", "min_subclass_size", required=False
        )
        if low is not None and high is not None and low > high:
            errors.add(
                f"{path}.max_size", f"The maximum size ({high}) is below the minimum ({low})."
            )
            continue
        composites.append(Composite(key, low, high, sub))
    return composites


def _grade_names_in_order(obj: Mapping[str, Any]) -> list[str]:
    out: list[str] = []
    raw = obj.get("grades")
    for item in raw if isinstance(raw, list) else []:
        name = item.get("name") if isinstance(item, Mapping) else None
        valid = isinstance(name, int | str) and not isinstance(name, bool)
        if valid and str(name).strip() and str(name).strip() not in out:
            out.append(str(name).strip())
    return out


def _parse_priorities(obj: Mapping[str, Any], errors: Errors) -> tuple[str, ...]:
    raw = obj.get("priorities")
    if raw is None:
        return PRIORITIES
    expected = ", ".join(f'"{p}"' for p in PRIORITIES)
    if (
        not isinstance(raw, list)
        or sorted(map(str, raw)) != sorted(PRIORITIES)
        or not all(isinstance(p, str) for p in raw)
    ):
        errors.add("priorities", f"Priorities must list {expected}, each once, in any order.")
        return PRIORITIES
    return tuple(raw)


def parse_classes(raw: Any, scenario: Scenario, key: str, errors: Errors) -> list[ClassSpec]:
    """Parse a list of classes (`locked`, or `classes` for rebalancing) against a scenario."""
    classes: list[ClassSpec] = []
    for i, item in enumerate(errors.listed(raw, key, "Classes", MAX_TEACHERS)):
        path = f"{key}[{i}]"
        counts = item.get("grades") if isinstance(item, Mapping) else None
        if not isinstance(counts, Mapping):
            errors.add(f"{path}.grades", 'A class maps grade names to children: {"1": 12}.')
            continue
        parsed: dict[str, int] = {}
        for grade_name, n in counts.items():
            grade_name = str(grade_name).strip()
            if grade_name not in scenario._index:
                errors.add(f"{path}.grades", f"Unknown grade {grade_name}.")
                continue
            value = errors.whole(
                n, f"{path}.grades.{grade_name}", low=0, high=MAX_STUDENTS, label="Children"
            )
            if value:
                parsed[grade_name] = value
        if not parsed:
            if not any(e.field.startswith(path) for e in errors.items):
                errors.add(f"{path}.grades", "A class needs at least one child.")
            continue
        ordered = tuple(sorted(parsed.items(), key=lambda kv: scenario.order(kv[0])))
        spec = ClassSpec(ordered)
        kind = scenario.kind_of(spec.grade_names)
        if kind is None:
            errors.add(f"{path}.grades", f"A {'/'.join(spec.grade_names)} class is not allowed.")
            continue
        problem = class_limit_problem(spec, kind)
        if problem:
            errors.add(f"{path}.grades", problem)
            continue
        classes.append(spec)
    return classes


def class_limit_problem(spec: ClassSpec, kind: Kind) -> str | None:
    """Why this class breaks its kind's limits, or None."""
    label = "Grade " + kind.label if not kind.composite else f"A {kind.label} class"
    if spec.size > kind.max_size:
        return f"{spec.size} children is more than the {kind.max_size} allowed ({label})."
    if spec.size < kind.min_size:
        return f"{spec.size} children is fewer than the {kind.min_size} required ({label})."
    if kind.composite:
        for g, n in spec.grades:
            if n < kind.min_subclass_size:
                return (
                    f"{n} of grade {g} is fewer than the {kind.min_subclass_size} "
                    "allowed in a composite class."
                )
    return None


def _check_locked_fits(scenario: Scenario, locked: list[ClassSpec], errors: Errors) -> None:
    if len(locked) > scenario.teachers:
        errors.add(
            "locked", f"{len(locked)} fixed classes need more than {scenario.teachers} teachers."
        )
    for grade in scenario.grades:
        placed = sum(c.count(grade.name) for c in locked)
        if placed > grade.students:
            errors.add(
                "locked",
                f"The fixed classes hold {placed} children of grade {grade.name}, "
                f"but it has {grade.students}.",
            )


def parse_allocation(obj: Mapping[str, Any], scenario: Scenario) -> list[ClassSpec]:
    """The `classes` key of a rebalance input; each class must be allowed and within limits."""
    errors = Errors()
    if "classes" not in obj:
        raise InvalidScenario(
            [FieldError("classes", "A list of classes to rebalance is required.")]
        )
    classes = parse_classes(obj["classes"], scenario, "classes", errors)
    if not errors.items:
        if len(classes) > scenario.teachers:
            errors.add(
                "classes", f"{len(classes)} classes need more than {scenario.teachers} teachers."
            )
        for grade in scenario.grades:
            placed = sum(c.count(grade.name) for c in classes)
            if placed != grade.students:
                errors.add(
                    "classes",
                    f"The classes hold {placed} children of grade {grade.name}, "
                    f"but it has {grade.students}.",
                )
    if errors.items:
        raise InvalidScenario(errors.items)
    return classes


def scenario_to_dict(s: Scenario) -> dict[str, Any]:
    """The scenario in the spec's JSON format (a round trip of parse_scenario)."""
    out: dict[str, Any] = {
        "name": s.name,
        "teachers": s.teachers,
        "min_subclass_size": s.min_subclass_size,
        "grades": [
            {"name": g.name, "students": g.students, "min_size": g.min_size, "max_size": g.max_size}
            for g in s.grades
        ],
        "composites": [],
        "priorities": list(s.priorities),
    }
    for c in s.composites:
        item: dict[str, Any] = {"grades": list(c.grades)}
        for key in ("min_size", "max_size", "min_subclass_size"):
            if getattr(c, key) is not None:
                item[key] = getattr(c, key)
        out["composites"].append(item)
    if s.locked:
        out["locked"] = [{"grades": dict(c.grades)} for c in s.locked]
    return out
