"""Grade counts from a file saved as a scenario's next revision (crunch.files.grade_import),
without a request: each refusal's message and status, and what a saved import says."""

from __future__ import annotations

import pytest

from crunch.files import grade_import
from crunch.files.upload_limits import DEFAULT_LIMITS

LIMITS = DEFAULT_LIMITS


def test_counts_are_saved_and_said_with_the_grades_left_out(app, scenario):
    done = grade_import.import_grade_counts(
        scenario, b"Grade,Count\nK,30\n1,50\n", "counts.csv", LIMITS, base=1
    )
    assert done.revision.number == 2 and scenario.current_revision.id == done.revision.id
    assert done.revision.note == "Grade counts imported from counts.csv."
    assert done.lines == [
        "Imported counts.csv as revision 2: Grade K: 32 -> 30 children; "
        "Grade 1: 57 -> 50 children.",
        "Not in the file, left as they were: grade 2.",
    ]


@pytest.mark.parametrize(
    ("data", "base", "status", "message"),
    [
        (b"", 1, 422, "The file is empty"),
        (b"Grade,Count\nK,32\n1,57\n2,21\n", 1, 422, "the same numbers"),
        (b"Grade,Children,Smallest class,Largest class\nK,30,20,10\n", 1, 422, "not make a valid"),
        (b"Grade,Count\nK,30\n", 0, 409, "revision 1 was saved while this page was open"),
    ],
)
def test_a_refusal_says_why_and_saves_nothing(app, scenario, data, base, status, message):
    with pytest.raises(grade_import.NotImported) as refused:
        grade_import.import_grade_counts(scenario, data, "counts.csv", LIMITS, base=base)
    assert refused.value.status == status and message in refused.value.message
    assert scenario.current_revision.number == 1
