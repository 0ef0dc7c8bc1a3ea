"""Odd input to history, compare, next year and import: a page or a message, never a 500."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crunch.extensions import db
from crunch.models import Revision

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
WORDS = st.one_of(
    st.text(max_size=12),
    st.integers(-3, 10**20).map(str),
    st.sampled_from(["", "1", "2", "0", "-1", "1e3", "9" * 30, "x", " 1 "]),
)


def revision_count() -> int:
    return db.session.scalar(db.select(db.func.count(Revision.id)))


@FUZZ
@given(before=WORDS, after=WORDS, hx=st.booleans())
def test_history_query(client, editor_url, before, after, hx):
    query = urlencode({"from": before, "to": after})
    headers = {"HX-Request": "true"} if hx else {}
    response = client.get(f"{editor_url}/history?{query}", headers=headers)
    assert response.status_code == 200


@FUZZ
@given(picks=st.lists(WORDS, max_size=6), go=st.booleans())
def test_compare_query(client, school, picks, go):
    query = urlencode([("s", p) for p in picks] + ([("go", "1")] if go else []))
    response = client.get(f"/schools/{school.id}/compare?{query}")
    assert response.status_code in (200, 404, 422)


@FUZZ
@given(name=WORDS, entry=WORDS)
def test_next_year_form(client, editor_url, name, entry):
    response = client.post(f"{editor_url}/next-year", data={"name": name, "entry": entry})
    assert response.status_code in (303, 422), response.get_data(as_text=True)[:300]


@FUZZ
@given(
    content=st.one_of(
        st.binary(max_size=300),
        st.text(max_size=300).map(str.encode),
        st.lists(
            st.lists(
                st.sampled_from(["Grade", "Count", "K", "1", "2", "x", "", "-4", "7"]), max_size=4
            ),
            max_size=6,
        ).map(lambda rows: "\n".join(",".join(r) for r in rows).encode()),
    ),
    filename=st.sampled_from(["a.csv", "a.xlsx", "a.txt", "", "x" * 300]),
)
def test_import_upload(client, editor_url, content, filename):
    before = revision_count()
    response = client.post(
        f"{editor_url}/import",
        data={"file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code in (303, 422), response.get_data(as_text=True)[:300]
    if response.status_code == 422:
        assert revision_count() == before
