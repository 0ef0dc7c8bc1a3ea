"""Grade counts from a file as a scenario's next revision: the file read within the
import limits (crunch.files.importing), its counts laid over the current revision's
inputs, and the result checked, solved and stored by the one planning path
(crunch.planning). Whatever stops it is a `NotImported` whose message goes beside
the upload field, with the answer's status."""

from __future__ import annotations

from dataclasses import dataclass

from crunch.files import importing
from crunch.history import service as history
from crunch.models import Revision
from crunch.models import Scenario as SavedScenario
from crunch.planning import plan_inputs, save_plan
from crunch.schools import store

MAX_SHOWN_NAME = 60


class NotImported(Exception):
    """Why the file was not imported, in words, and the status of the answer: 413 for
    a file past the limits, 409 when the scenario moved on, else 422."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class GradeImport:
    """A file's grade counts saved as `revision`."""

    revision: Revision
    filename: str
    changes: list[str]
    missing: list[str]  # grades of the scenario the file leaves out

    @property
    def lines(self) -> list[str]:
        """What was done, in words (the editor's flash messages)."""
        name = self.filename[:MAX_SHOWN_NAME]
        summary = history.summary_line(self.changes)
        lines = [f"Imported {name} as revision {self.revision.number}: {summary}."]
        if self.missing:
            lines.append(f"Not in the file, left as they were: grade {', '.join(self.missing)}.")
        return lines


def import_grade_counts(
    scenario: SavedScenario,
    data: bytes,
    filename: str,
    limits: importing.Limits,
    *,
    base: int | None,
) -> GradeImport:
    """The file's counts as the scenario's next revision, if it is still at revision
    `base` (when given); NotImported otherwise, or when the file is unreadable, past
    the limits, makes no valid scenario or changes nothing."""
    current = scenario.current_revision
    try:
        imported = importing.grade_counts(importing.read_rows(data, filename, limits))
        inputs, missing = importing.apply(current.inputs, imported)
    except importing.BadFile as bad:  # TooLarge (413) included
        raise NotImported(str(bad), bad.status) from bad
    checked = plan_inputs(inputs)
    if checked.scenario is None:
        problems = sorted({m for messages in checked.errors.values() for m in messages})
        message = "The file's numbers do not make a valid scenario: " + " ".join(problems)
        raise NotImported(message)
    changes = history.describe_changes(current.inputs, checked.inputs)
    if not changes:
        raise NotImported("The file has the same numbers as the current revision.")
    note = f"Grade counts imported from {filename[:MAX_SHOWN_NAME]}."
    try:
        saved = save_plan(scenario, checked.inputs, base=base, note=note)
    except store.StaleRevision as stale:
        raise NotImported(
            f"Not imported: revision {stale.current.number} was saved while this page was "
            "open. Look at the history, then import again.",
            409,
        ) from stale
    return GradeImport(saved, filename, changes, missing)
