"""The teacher role: their school's roster only (of their class when one is set),
never plans, history or the district; the principal sees who entered what; the
admin creates and edits teacher accounts."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from crunch.extensions import db
from crunch.models import Role, School, User
from crunch.rosters import children as roster_children
from crunch.rosters import store
from crunch.rosters.models import RosterAudit, RosterRevision
from tests.conftest import ADMIN, PLANNER, AuthActions, add_user

TEACHER = "lee@test.example"
YEAR = 2027


def kid(kid_id: str, name: str, grade: str, cls: str, **more) -> dict:
    return roster_children.child(
        id=kid_id, name=name, grade=grade, categories={"gender": "F", "from": cls}, **more
    )


@pytest.fixture
def roster(app, school):
    children = [
        kid("S1", "Ava Chen", "1", "1B", friends=["S3"]),
        kid("S2", "Ben Otherclass", "1", "2A", notes="Note of another class"),
        kid("S3", "Cara Diaz", "1", "1B"),
    ]
    store.save(school, YEAR, children, "First list.")
    return school


def add_teacher(school, class_label: str = "1B") -> User:
    teacher = add_user(TEACHER, Role.TEACHER, [school])
    teacher.name = "Ms Lee"
    teacher.class_label = class_label
    db.session.commit()
    return teacher


def as_user(app, email: str):
    client = app.test_client()
    AuthActions(client).login(email)
    return client


def url(school, rest: str = "") -> str:
    return f"/schools/{school.id}/rosters/{YEAR}{rest}"


def form_of(child_id: str, **values) -> dict:
    form = {
        "child_id": child_id,
        "name": "Ava Chen",
        "grade": "1",
        "gender": "F",
        "categories": "from: 1B",
        "scores": "",
        "tags": "EAL",
        "friends": "S3",
        "apart": "",
        "together": "",
        "not_classes": "",
        "fixed_class": "",
        "composite": "",
        "notes": "",
        "base_revision": "1",
    }
    form.update(values)
    return form


def revisions() -> int:
    return db.session.scalar(select(func.count(RosterRevision.id)))


def test_a_teacher_lands_on_their_schools_roster_and_sees_their_class_only(app, roster):
    add_teacher(roster)
    teacher = as_user(app, TEACHER)
    landing = teacher.get("/")
    assert landing.status_code == 302 and landing.headers["Location"].endswith(url(roster))
    page = teacher.get(url(roster))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Ava Chen" in html and "Cara Diaz" in html
    assert "Ben Otherclass" not in html and "Note of another class" not in html
    assert "shows the children of 1B only" in html
    # Only the children of their class have an edit link; no exports, history, plans.
    assert url(roster, "/children/S1") in html and url(roster, "/children/S2") not in html
    assert "children.csv" not in html and "children.json" not in html
    assert "<h2>History</h2>" not in html and "Restore" not in html
    assert "District overview" not in html and f'/schools/{roster.id}"' not in html
    assert "Import a file" not in html and "Add a child" not in html


def test_a_teacher_edits_a_child_of_their_class_and_the_audit_log_records_it(app, roster):
    teacher_user = add_teacher(roster)
    teacher = as_user(app, TEACHER)
    assert teacher.get(url(roster, "/children/S1")).status_code == 200
    saved = teacher.post(url(roster, "/children/S1"), data=form_of("S1", tags="EAL; IEP"))
    assert saved.status_code == 303
    current = store.roster(roster, YEAR).current_revision
    assert current.number == 2 and current.author_id == teacher_user.id
    assert next(c for c in current.children if c["id"] == "S1")["tags"] == ["EAL", "IEP"]
    # The other children are kept as they were, the other class's included.
    assert next(c for c in current.children if c["id"] == "S2")["notes"] == "Note of another class"
    changed = db.session.scalars(
        select(RosterAudit).where(
            RosterAudit.action == "changed", RosterAudit.user_id == teacher_user.id
        )
    ).all()
    assert [a.detail for a in changed] == ["saved revision 2"]


def test_a_teacher_is_refused_a_child_of_another_class_with_a_message(app, roster):
    add_teacher(roster)
    teacher = as_user(app, TEACHER)
    before = revisions()
    for response in (
        teacher.get(url(roster, "/children/S2")),
        teacher.post(url(roster, "/children/S2"), data=form_of("S2", name="Ben Changed")),
    ):
        html = response.get_data(as_text=True)
        assert response.status_code == 403
        assert "changes the children of 1B only" in html and "Ben Otherclass" not in html
    assert revisions() == before


def test_a_teacher_cannot_move_a_child_out_of_their_class_nor_remove_one(app, roster):
    add_teacher(roster)
    teacher = as_user(app, TEACHER)
    before = revisions()
    moved = teacher.post(url(roster, "/children/S1"), data=form_of("S1", categories="from: 2A"))
    assert moved.status_code == 422
    assert "Children of your class keep" in moved.get_data(as_text=True)
    removed = teacher.post(url(roster, "/children/S1"), data={**form_of("S1"), "action": "remove"})
    assert removed.status_code == 403
    assert "Only the principal removes a child" in removed.get_data(as_text=True)
    assert "Remove Ava Chen" not in teacher.get(url(roster, "/children/S1")).get_data(as_text=True)
    assert revisions() == before


def test_a_teacher_without_a_class_sees_and_edits_every_child(app, roster):
    add_teacher(roster, class_label="")
    teacher = as_user(app, TEACHER)
    assert "Ben Otherclass" in teacher.get(url(roster)).get_data(as_text=True)
    edited = teacher.post(
        url(roster, "/children/S2"),
        data=form_of("S2", name="Ben Otherclass", categories="from: 2A", friends=""),
    )
    assert edited.status_code == 303


def test_a_teacher_sees_no_plan_history_district_or_roster_admin_page(app, roster, editor_url):
    add_teacher(roster)
    teacher = as_user(app, TEACHER)
    refused = [
        editor_url,
        f"{editor_url}/history",
        f"{editor_url}/import",
        f"/schools/{roster.id}",
        "/district",
        "/jobs",
        url(roster, "/children/new"),
        url(roster, "/import"),
        url(roster, "/children.csv"),
        url(roster, "/children.json"),
        url(roster, "/roll-forward"),
        url(roster, "/delete"),
        "/district/roster-audit",
        "/admin/users",
    ]
    for page in refused:
        response = teacher.get(page)
        assert response.status_code in (403, 404), page
        assert "Plan A" not in response.get_data(as_text=True), page
    assert teacher.get(editor_url).status_code == 403
    before = revisions()
    restore = teacher.post(url(roster, "/revisions/1/restore"))
    assert restore.status_code == 403 and revisions() == before
    # Their own account stays theirs.
    assert teacher.get("/account/password").status_code == 200


def test_the_principal_sees_who_entered_what(app, roster):
    add_teacher(roster)
    teacher = as_user(app, TEACHER)
    assert (
        teacher.post(url(roster, "/children/S1"), data=form_of("S1", tags="IEP")).status_code == 303
    )
    principal = as_user(app, PLANNER)
    html = principal.get(url(roster)).get_data(as_text=True)
    table = html.split('<table class="list roster">')[1].split("</table>")[0]
    rows = table.split("</tr>")
    ava = next(row for row in rows if ">S1</a>" in row)
    cara = next(row for row in rows if ">S3</a>" in row)
    # The child the teacher changed names the teacher; the others the first import.
    assert "Ms Lee" in ava.split('class="changed"')[1]
    assert "Ms Lee" not in cara.split('class="changed"')[1]
    # The history says who saved each revision.
    history = html.split("<h2>History</h2>")[1]
    newest = history.split("</tr>")[1]
    assert "Ms Lee" in newest and "Ava Chen" in newest


def test_the_admin_creates_and_edits_a_teacher_account(app, roster):
    admin = as_user(app, ADMIN)
    other = School(district=roster.district, name="Second School")
    db.session.add(other)
    db.session.commit()
    account = {"name": "New Teacher", "role": Role.TEACHER, "schools": [str(roster.id)]}
    data = {
        **account,
        "email": "new.teacher@test.example",
        "class_label": " 1B ",
        "password": "a first password",
    }
    for schools in ([], [str(roster.id), str(other.id)]):
        refused = admin.post("/admin/users", data={**data, "schools": schools})
        assert refused.status_code == 422
        assert "Choose the one school this teacher works at." in refused.get_data(as_text=True)
    assert admin.post("/admin/users", data=data).status_code == 303
    made = db.session.scalar(select(User).where(User.email == "new.teacher@test.example"))
    assert made.role == Role.TEACHER and made.class_label == "1B"
    assert [s.id for s in made.schools] == [roster.id]
    page = admin.get(f"/admin/users/{made.id}").get_data(as_text=True)
    assert 'value="1B"' in page and '<option value="teacher" selected>' in page
    edited = admin.post(f"/admin/users/{made.id}", data={**account, "class_label": "2A"})
    assert edited.status_code == 303
    db.session.refresh(made)
    assert made.class_label == "2A"
    # Another role keeps no class.
    admin.post(
        f"/admin/users/{made.id}",
        data={**account, "role": Role.PLANNER, "class_label": "2A"},
    )
    db.session.refresh(made)
    assert made.role == Role.PLANNER and made.class_label == ""


def test_a_teacher_without_a_school_is_told_so(app, school):
    add_user(TEACHER, Role.TEACHER, [])
    teacher = as_user(app, TEACHER)
    response = teacher.get("/")
    assert response.status_code == 403
    assert "no school yet" in response.get_data(as_text=True)
