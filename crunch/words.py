"""The words a principal reads for the solver's terms, in one place.

The solver speaks of `optimal`, `classes`, `composites` and `balance`; the screens,
exports and history say what those mean.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

STATUS_LABELS = {
    "optimal": "proved best",
    "feasible": "good, not proved best",
    "infeasible": "no allocation fits",
    "timeout": "not found in time",
    "blank": "no children yet",
    "invalid": "inputs need fixing",
}

PRIORITY_LABELS = {
    "classes": "Use as many teachers as possible",
    "composites": "As few composite classes as possible",
    "balance": "Class sizes as even as possible",
}

DEFAULT_PRIORITIES = ("classes", "composites", "balance")

# Short explanations of the terms the screens use, shown beside them and on the
# glossary page.
GLOSSARY = {
    "Proved best": (
        "No allocation is better for your priorities: the solver checked every other "
        "possibility. “Good, not proved best” means the time ran out before that check "
        "finished; the allocation keeps every rule."
    ),
    "Size spread": (
        "How uneven the classes are: for each grade, the largest class its children sit "
        "in minus the smallest, added up over the grades. 0 means every class of a grade "
        "is the same size."
    ),
    "Composite class": "A class with children of two or more grades, such as a 1/2 class.",
    "Fewest children of one grade in a composite class": (
        "A composite class holds at least this many children of each of its grades, so "
        "no child is the only one of their grade in the room."
    ),
    "Fixed class": ("A class kept exactly as typed; the other classes are planned around it."),
    "Suggestion": (
        "When no allocation fits, a change that would make one fit, already checked by "
        "the solver: a class size limit moved by a few children at most (never above the "
        "largest class any grade allows), one more composite class, or, when no single "
        "small change works, a pair of them; more teachers last."
    ),
    "Staffing curve": (
        "What a few teachers fewer or more would mean: classes, composites, average class "
        "and size spread for each number of teachers."
    ),
}


def status_label(status: object) -> str:
    """A solver status in a principal's words."""
    return STATUS_LABELS.get(str(status), str(status))


def priority_label(name: object) -> str:
    return PRIORITY_LABELS.get(str(name), str(name))


def priorities_label(names: Iterable[object] | None) -> str:
    """The priorities, most important first, as a sentence."""
    labels = [priority_label(n) for n in (names or DEFAULT_PRIORITIES)]
    if not labels:
        return ""
    text = ", then ".join([labels[0]] + [label[0].lower() + label[1:] for label in labels[1:]])
    return text + "."


def term_id(term: str) -> str:
    """The glossary's anchor for a term: "Size spread" -> "size-spread"."""
    return "-".join(term.lower().split())


def glossary() -> list[tuple[str, str, str]]:
    """(anchor, term, explanation) for the glossary page."""
    return [(term_id(term), term, text) for term, text in GLOSSARY.items()]


def zone(name: str | None) -> ZoneInfo:
    """The district's time zone by its IANA name (the DISPLAY_TIMEZONE setting); UTC
    when unset or unknown, so a typo shows UTC times rather than failing pages."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(moment: datetime | None, zone_name: str | None) -> str:
    """A stored time (naive UTC) in the district's time zone, e.g. "29 Nov 2026 17:12"."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone(zone_name)).strftime("%d %b %Y %H:%M")


def zone_label(zone_name: str | None) -> str:
    """The zone as column headings show it: "Australia/Melbourne" -> "Melbourne time"."""
    key = zone(zone_name).key
    return "UTC" if key == "UTC" else key.split("/")[-1].replace("_", " ") + " time"
