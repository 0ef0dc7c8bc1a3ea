"""Whatever arrives in a roster's forms (one child, a column mapping, a file), the
answer is a page or a message, never a 500, and nothing is saved that the
placement format would refuse."""

from __future__ import annotations

import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from crunch.extensions import db
from crunch.rosters import children as roster_children
from crunch.rosters.models import Roster
from tests.views.test_rosters import SIS, base, child_form, upload

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
VALUE = st.one_of(
    st.sampled_from(["", "S1", "S2", "S1, S9", "K", "1", "2", "yes", "no", "a: b", "r: 101"]),
    st.text(max_size=20),
)
CHILD_FIELDS = list(child_form())
KINDS = ["", "id", "name", "first_name", "grade", "gender", "category", "score", "tags"]
KINDS += ["friend", "apart", "together", "not_classes", "class", "composite", "notes"]


def assert_roster_valid() -> None:
    db.session.expire_all()
    for roster in db.session.scalars(select(Roster)):
        assert roster_children.problems(roster.current_revision.children) == []


@FUZZ
@given(form=st.dictionaries(st.sampled_from(CHILD_FIELDS), VALUE, max_size=8))
def test_the_child_form_never_fails(client, form):
    response = client.post(f"{base()}/children/new", data=child_form(**form))
    assert response.status_code in (303, 409, 422)
    assert_roster_valid()


@FUZZ
@given(
    kinds=st.lists(st.sampled_from(KINDS), min_size=10, max_size=10),
    refs=st.sampled_from(["id", "name", "x"]),
    action=st.sampled_from(["preview", "save", ""]),
)
def test_any_column_mapping_never_fails(client, kinds, refs, action):
    location = upload(client, SIS).headers["Location"]
    data = {f"col{i}": k for i, k in enumerate(kinds)}
    response = client.post(location, data={**data, "refs": refs, "action": action})
    assert response.status_code in (200, 303, 422)
    assert_roster_valid()


@FUZZ
@given(body=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_any_file_is_read_or_refused_with_a_message(client, body):
    response = client.post(
        f"{base()}/import",
        data={"file": (io.BytesIO(body), "f.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (303, 413, 422)
