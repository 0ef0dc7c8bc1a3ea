"""Whatever arrives in the editor's POST, the answer is a page or a message, never a 500."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import EDITOR, LIVE

KEYS = [
    "teachers",
    "min_subclass_size",
    *(f"grades-{i}-{f}" for i in range(4) for f in ("name", "students", "min_size", "max_size")),
    *(f"composites-{j}-{f}" for j in range(3) for f in ("members", "enabled", "max_size")),
    *(f"locked-{k}-counts-{g}" for k in range(2) for g in range(3)),
    *(f"priorities-{p}" for p in range(3)),
    "picked",
    "shown",
    "action",
    "combine",
    "note",
]
VALUES = st.one_of(
    st.integers(-5, 200).map(str),
    st.sampled_from(
        [
            "",
            "0",
            "1",
            "-1",
            "K",
            "1",
            "2",
            "0,1",
            "1,2",
            "0,2",
            "y",
            "classes",
            "balance",
            "composites",
            "grade-add",
            "lock:0",
            "apply:0",
            "pick:1",
            "grade-remove:0",
            "locked-add",
            "composite-add",
            "9" * 12,
            "1e3",
        ]
    ),
    st.text(max_size=12),
)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=8), live=st.booleans())
def test_editor_post_never_fails(client, editor_url, editor_form, changes, live):
    form = editor_form.copy()
    for key, value in changes.items():
        form[key] = value
    response = client.post(f"{editor_url}/edit", data=form, headers=LIVE if live else EDITOR)
    assert response.status_code in (200, 422), response.get_data(as_text=True)[:500]
