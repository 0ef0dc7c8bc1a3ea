"""Rosters through the test client: import with a column mapping, each bad row's
message (and nothing saved), one child's form, restore, roll forward, exports,
tenancy, the viewer's limits, the audit log and deletion."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select, text

from crunch.extensions import db
from crunch.models import School
from crunch.rosters import children as roster_children
from crunch.rosters import store
from crunch.rosters.models import Roster, RosterAudit, RosterImport, RosterRevision
from crunch.solver.placement.data import parse_placement
from tests.conftest import ADMIN, VIEWER, AuthActions

# A student information system's export: first and last names, "Year Level",
# friends by name in "Friend 1".."Friend 2", a reading score, a needs column.
SIS = (
    "Student ID,First Name,Surname,Year Level,Sex,Reading,Needs,Friend 1,Friend 2,Keep apart\n"
    "S1,Ava,Chen,Kindergarten,F,3,EAL,Ben Ode,,\n"
    "S2,Ben,Ode,K,M,4,,Ava Chen,,Cara Diaz\n"
    "S3,Cara,Diaz,Grade 1,F,2,EAL;IEP,,,\n"
    "S4,Dan,Ng,1,M,5,,Cara Diaz,Ava Chen,\n"
    "S5,Eve,Ola,2,F,1,,,,\n"
)


def school_id() -> int:
    return db.session.scalar(select(School.id).where(School.name == "Hillside Primary"))


def base(year: int = 2027) -> str:
    return f"/schools/{school_id()}/rosters/{year}"


def upload(client, body: str, name: str = "students.csv", year: int = 2027):
    return client.post(
        f"{base(year)}/import",
        data={"file": (io.BytesIO(body.encode()), name)},
        content_type="multipart/form-data",
    )


def guessed_mapping(client, location: str) -> dict[str, str]:
    """The mapping form as the page guessed it (each select's selected option)."""
    import re

    html = client.get(location).get_data(as_text=True)
    data = {}
    for match in re.finditer(r'<select id="(col\d+)" name="col\d+">(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', match.group(2))
        data[match.group(1)] = chosen.group(1) if chosen else ""
    refs = re.search(r'name="refs" value="(\w+)" checked', html)
    data["refs"] = refs.group(1) if refs else "id"
    return data


def import_file(client, body: str, year: int = 2027, **changes) -> tuple[str, object]:
    response = upload(client, body, year=year)
    assert response.status_code == 303, response.get_data(as_text=True)
    location = response.headers["Location"]
    data = {**guessed_mapping(client, location), **changes}
    preview = client.post(location, data={**data, "action": "preview"})
    return location, preview, data


def rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def current_children(year: int = 2027) -> list[dict]:
    db.session.expire_all()
    roster = db.session.scalar(select(Roster).where(Roster.year == year))
    return roster.current_revision.children


def test_import_guesses_the_mapping_previews_and_saves(client):
    location, preview, data = import_file(client, SIS)
    assert data["col0"] == "id" and data["col1"] == "first_name" and data["col2"] == "last_name"
    assert data["col3"] == "grade" and data["col4"] == "gender" and data["col5"] == "score"
    assert data["col6"] == "tags" and data["col7"] == data["col8"] == "friend"
    assert data["col9"] == "apart" and data["refs"] == "name"
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "5 children, every row valid" in html
    assert rows(Roster) == 0  # the preview saves nothing
    saved = client.post(location, data={**data, "action": "save"})
    assert saved.status_code == 303
    children = current_children()
    ava = next(c for c in children if c["id"] == "S1")
    assert ava["name"] == "Ava Chen" and ava["grade"] == "K"
    assert ava["categories"] == {"gender": "F"} and ava["scores"] == {"Reading": 3}
    assert ava["friends"] == ["S2"] and ava["tags"] == ["EAL"]
    assert next(c for c in children if c["id"] == "S2")["apart"] == ["S3"]
    assert next(c for c in children if c["id"] == "S3")["tags"] == ["EAL", "IEP"]
    assert next(c for c in children if c["id"] == "S4")["friends"] == ["S3", "S1"]
    revision = db.session.scalar(select(RosterRevision))
    assert revision.note == "Imported 5 children from students.csv."
    assert rows(RosterImport) == 0  # the file is gone once saved
    page = client.get(base()).get_data(as_text=True)
    assert "Ava Chen" in page and "Imported 5 children" in page


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (SIS.replace("Ben Ode,,\n", "Zed Park,,\n"), "Row 2: friend “Zed Park” is not the name"),
        (SIS.replace("S5,Eve", "S3,Eve"), "Row 6: the id S3 is also on row 4."),
        (SIS.replace("2,F,1", "7,F,1"), "Row 6: grade 7 is not a grade of the 2027 plan"),
        (
            SIS + "S6,Ben,Ode,2,M,2,,,,\n",
            "Row 2: friend “Ben Ode” is ambiguous: it could be S2 (row 3) or S6 (row 7).",
        ),
        (SIS.replace("F,3,EAL", "F,A,EAL"), "Row 2: Reading “A” is not a whole number"),
        (
            SIS.replace("M,5,,Cara Diaz", "M,5,,Dan Ng"),
            "Row 5: Dan Ng is listed as friend themself.",
        ),
    ],
)  # fmt: skip
def test_each_bad_row_has_its_message_and_nothing_is_saved(client, body, message):
    _, preview, _ = import_file(client, body, col5="score")  # a guess takes "A" as a category
    html = preview.get_data(as_text=True)
    assert preview.status_code == 422
    assert message in html
    assert "Nothing was saved" in html and 'value="save"' not in html
    assert rows(Roster) == 0 and rows(RosterRevision) == 0


def test_saving_a_file_with_a_bad_row_saves_nothing(client):
    location, _, data = import_file(client, SIS.replace("2,F,1", "9,F,1"))
    refused = client.post(location, data={**data, "action": "save"})
    assert refused.status_code == 422
    assert rows(Roster) == 0 and rows(RosterRevision) == 0
    assert rows(RosterImport) == 1  # still there to fix the mapping


def test_friends_by_id_and_a_missing_id_column(client):
    body = "Id,Name,Grade,Friend 1\nA1,Al,K,A2\nA2,Bo,K,A9\n"
    location, preview, data = import_file(client, body)
    assert data["refs"] == "id"
    assert "Row 3: friend A9 is not an id in the file." in preview.get_data(as_text=True)
    without_id = client.post(location, data={**data, "col0": "", "action": "preview"})
    assert "Choose the column that holds each child&#39;s id." in without_id.get_data(as_text=True)


def test_cancel_deletes_the_pending_file_and_a_bad_file_is_refused(client):
    response = upload(client, SIS)
    assert rows(RosterImport) == 1
    cancelled = client.post(response.headers["Location"], data={"action": "cancel"})
    assert cancelled.status_code == 303 and rows(RosterImport) == 0
    assert client.get(response.headers["Location"]).status_code == 404
    empty = upload(client, "   ")
    assert empty.status_code == 422 and "The file is empty." in empty.get_data(as_text=True)
    assert rows(RosterImport) == 0


def test_an_expired_pending_import_is_gone(app, client):
    app.config["ROSTER_IMPORT_MAX_AGE_SECONDS"] = 0
    response = upload(client, SIS)
    assert client.get(response.headers["Location"]).status_code == 404
    upload(client, SIS)  # the next upload drops the expired one
    assert rows(RosterImport) == 1
    other = School(district=db.session.get(School, school_id()).district, name="Elsewhere")
    db.session.add(other)
    db.session.commit()
    store.add_import(other, 2027, "theirs.csv", SIS.encode(), 0)
    assert rows(RosterImport) == 1  # another school's upload dropped ours too
    result = app.test_cli_runner().invoke(args=["purge-roster-imports"])
    assert result.exit_code == 0 and "1 expired roster imports deleted." in result.output
    assert rows(RosterImport) == 0


def saved_roster(client) -> str:
    location, _, data = import_file(client, SIS)
    assert client.post(location, data={**data, "action": "save"}).status_code == 303
    return base()


def child_form(**values) -> dict:
    form = {
        "child_id": "S9",
        "name": "Mia Rua",
        "grade": "1",
        "gender": "F",
        "categories": "from: Kinder Blue",
        "scores": "Reading: 4",
        "tags": "EAL",
        "friends": "S1, S3",
        "apart": "",
        "together": "",
        "not_classes": "",
        "fixed_class": "",
        "composite": "yes",
        "notes": "likes drawing",
        "base_revision": "1",
    }
    form.update(values)
    return form


def test_add_and_edit_one_child_make_revisions_with_what_changed(client):
    url = saved_roster(client)
    added = client.post(f"{url}/children/new", data=child_form())
    assert added.status_code == 303
    mia = next(c for c in current_children() if c["id"] == "S9")
    assert mia["categories"] == {"gender": "F", "from": "Kinder Blue"}
    assert mia["friends"] == ["S1", "S3"] and mia["composite"] is True
    assert mia["notes"] == "likes drawing"
    moved = client.post(f"{url}/children/S9", data=child_form(grade="2", base_revision="2"))
    assert moved.status_code == 303
    notes = list(db.session.scalars(select(RosterRevision.note).order_by(RosterRevision.number)))
    assert notes[1] == "Added Mia Rua." and notes[2] == "Moved Mia Rua's grade 1 -> 2."
    removed = client.post(
        f"{url}/children/S2", data={**child_form(base_revision="3"), "action": "remove"}
    )
    assert removed.status_code == 303
    children = current_children()
    assert "S2" not in {c["id"] for c in children}
    assert all("S2" not in c["friends"] for c in children)  # requests naming Ben go too


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"child_id": "S1"}, "child_id", "Another child has the id S1."),
        ({"friends": "S77"}, "friends", "No child of this roster has the id S77."),
        ({"apart": "S9"}, "apart", "A child cannot be listed against themself."),
        ({"scores": "Reading: 400"}, "scores", "Reading: a whole number from 0 to 100."),
        ({"categories": "from"}, "categories", "Write “from” as name: value."),
        ({"grade": "7"}, "grade", "Choose one of the plan&#39;s grades."),
        ({"name": ""}, "name", "Enter the child&#39;s name."),
    ],
)
def test_each_bad_field_has_its_message_beside_it_and_nothing_is_saved(
    client, changes, field, message
):
    url = saved_roster(client)
    response = client.post(f"{url}/children/new", data=child_form(**changes))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="err-{field}">{message}' in html
    assert rows(RosterRevision) == 1


def test_a_stale_edit_is_refused(client):
    url = saved_roster(client)
    client.post(f"{url}/children/new", data=child_form())
    stale = client.post(f"{url}/children/new", data=child_form(child_id="S10", base_revision="1"))
    assert stale.status_code == 409 and "was saved while this page was open" in stale.get_data(
        as_text=True
    )
    assert rows(RosterRevision) == 2


def test_restore_saves_an_old_revision_again(client):
    url = saved_roster(client)
    client.post(f"{url}/children/new", data=child_form())
    restored = client.post(f"{url}/revisions/1/restore")
    assert restored.status_code == 303
    assert "S9" not in {c["id"] for c in current_children()}
    note = db.session.scalar(select(RosterRevision.note).where(RosterRevision.number == 3))
    assert note == "Restored revision 1: removed Mia Rua."


def test_roll_forward_moves_children_up_and_the_top_grade_leaves(client):
    url = saved_roster(client)
    client.post(f"{url}/children/new", data=child_form(friends="S5, S1", grade="1"))
    page = client.get(f"{url}/roll-forward").get_data(as_text=True)
    assert "5 children move up one grade" in page and "1 children of grade 2" in page
    made = client.post(f"{url}/roll-forward")
    assert made.status_code == 303 and made.headers["Location"].endswith("/2028")
    after = {c["id"]: c for c in current_children(2028)}
    assert set(after) == {"S1", "S2", "S3", "S4", "S9"}  # S5 was in grade 2
    assert after["S1"]["grade"] == "1" and after["S3"]["grade"] == "2"
    assert after["S9"]["friends"] == ["S1"]  # S5 left
    assert "from" not in after["S9"]["categories"]  # no class lists saved yet
    again = client.post(f"{url}/roll-forward")
    assert again.status_code == 409 and rows(Roster) == 2


def test_exports_placement_json_that_parses_and_csv_that_imports_back(client):
    url = saved_roster(client)
    client.post(f"{url}/children/new", data=child_form())
    exported = client.get(f"{url}/children.json")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    children = json.loads(exported.get_data(as_text=True))["children"]
    assert all("notes" not in c for c in children)
    counts = {}
    for c in children:
        counts[c["grade"]] = counts.get(c["grade"], 0) + 1
    classes = [{"label": f"C{g}", "grades": {g: n}} for g, n in counts.items()]
    placement = parse_placement({"classes": classes, "children": children})
    assert placement.child("S9").friends == ("S1", "S3")
    assert placement.child("S9").composite is True
    csv_text = client.get(f"{url}/children.csv").get_data(as_text=True)
    assert csv_text.startswith("Id,Name,Grade,Gender,from,Reading,Tags,Friend 1,Friend 2,")
    location, preview, data = import_file(client, csv_text, year=2030)
    assert preview.status_code == 200, preview.get_data(as_text=True)
    client.post(location, data={**data, "action": "save"})
    back = {c["id"]: c for c in current_children(2030)}
    original = {c["id"]: c for c in current_children(2027)}
    assert back == original


def test_another_schools_roster_is_404_and_a_viewer_cannot_change_one(app, client):
    url = saved_roster(client)
    other = School(district=db.session.get(School, school_id()).district, name="Other School")
    db.session.add(other)
    db.session.commit()
    store_url = url.replace(f"/schools/{school_id()}/", f"/schools/{other.id}/")
    assert client.get(store_url).status_code == 404
    assert client.get(f"{store_url}/children.json").status_code == 404
    viewer = app.test_client()
    AuthActions(viewer).login(VIEWER)
    assert viewer.get(url).status_code == 200
    for page in ("/children/new", "/children/S1", "/import", "/roll-forward", "/delete"):
        assert viewer.get(url + page).status_code == 403, page
    assert viewer.post(f"{url}/children/new", data=child_form()).status_code == 403
    assert viewer.post(f"{url}/revisions/1/restore").status_code == 403
    assert viewer.post(f"{url}/delete", data={"confirm": "2027"}).status_code == 403
    assert rows(RosterRevision) == 1 and rows(Roster) == 1
    assert viewer.get("/district/roster-audit").status_code == 403
    assert client.get("/district/roster-audit").status_code == 403


def test_views_exports_and_changes_are_audited_and_the_admin_reads_them(app, client):
    url = saved_roster(client)
    client.get(url)
    client.get(f"{url}/children.csv")
    actions = list(db.session.scalars(select(RosterAudit.action).order_by(RosterAudit.id)))
    assert actions == ["changed", "viewed", "exported"]
    details = " ".join(db.session.scalars(select(RosterAudit.detail)))
    assert "Ava" not in details and "S1" not in details  # no child data in the log
    admin = app.test_client()
    AuthActions(admin).login(ADMIN)
    page = admin.get("/district/roster-audit").get_data(as_text=True)
    assert "exported" in page and "Hillside Primary" in page and "Planner" in page


def test_delete_needs_the_year_typed_and_removes_every_row(client):
    url = saved_roster(client)
    client.post(f"{url}/children/new", data=child_form())
    upload(client, SIS)  # a pending import of the same year
    client.get(url)
    wrong = client.post(f"{url}/delete", data={"confirm": "2026"})
    assert wrong.status_code == 422 and rows(Roster) == 1
    assert "Type 2027 or the school" in wrong.get_data(as_text=True)
    deleted = client.post(f"{url}/delete", data={"confirm": " hillside  primary "})
    assert deleted.status_code == 303
    with db.engine.connect() as connection:  # the tables themselves, past any filter
        for table in ("rosters", "roster_revisions", "roster_imports"):
            assert connection.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar() == 0
        audit = connection.execute(text("SELECT action, detail FROM roster_audit")).all()
    assert audit == [("deleted", "roster deleted by Planner")]
    assert client.get(url).status_code == 200  # the year is empty again
    assert "No roster for 2027 yet" in client.get(url).get_data(as_text=True)


def test_grades_come_from_the_years_plan(client):
    assert store.plan_grades(db.session.get(School, school_id()), 2027) == ["K", "1", "2"]
    page = client.get(f"{base()}/import").get_data(as_text=True)
    assert "Grades of the 2027 plan: K, 1, 2." in page


def sis_workbook() -> bytes:
    from xml.sax.saxutils import escape

    from tests.upload_files import workbook

    rows = []
    for number, line in enumerate(SIS.strip().split("\n"), start=1):
        cells = "".join(
            f'<c t="inlineStr"><is><t>{escape(value)}</t></is></c>' for value in line.split(",")
        )
        rows.append(f'<row r="{number}">{cells}</row>'.encode())
    return workbook(rows)


def test_an_xlsx_workbook_imports_like_its_csv(client):
    response = client.post(
        f"{base()}/import",
        data={"file": (io.BytesIO(sis_workbook()), "students.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    location = response.headers["Location"]
    data = guessed_mapping(client, location)
    assert client.post(location, data={**data, "action": "save"}).status_code == 303
    assert {c["id"] for c in current_children()} == {"S1", "S2", "S3", "S4", "S5"}


def test_the_import_limits_hold_and_are_said_beside_the_field(app, client):
    from tests.upload_files import sheet_bomb

    bomb = client.post(
        f"{base()}/import",
        data={"file": (io.BytesIO(sheet_bomb(20)), "big.xlsx")},
        content_type="multipart/form-data",
    )
    assert bomb.status_code == 413 and 'id="err-file"' in bomb.get_data(as_text=True)
    app.config["IMPORT_MAX_BYTES"] = 100
    large = upload(client, SIS)
    html = large.get_data(as_text=True)
    assert large.status_code == 413 and "The file is larger than 1 KB." in html
    assert 'id="err-file"' in html
    assert rows(RosterImport) == 0


def test_every_roster_post_needs_the_csrf_token(tmp_path):
    from tests.conftest import login, school_app
    from tests.views.test_access_matrix import snapshot

    with school_app(tmp_path / "csrf.sqlite", WTF_CSRF_ENABLED=True) as app:
        school = db.session.get(School, school_id())
        store.save(school, 2027, [roster_children.child(id="S1", name="Al", grade="K")], "")
        pending = store.add_import(school, 2027, "f.csv", SIS.encode(), 3600)
        client = app.test_client()
        login(client)
        values = {"school_id": school.id, "year": 2027, "import_id": pending}
        values.update({"child_id": "S1", "number": 1})
        tried = 0
        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("rosters.") or "POST" not in rule.methods:
                continue
            url = app.url_map.bind("localhost").build(
                rule.endpoint, {k: values[k] for k in rule.arguments}
            )
            before = snapshot(db.engine)
            response = client.post(url, data={**child_form(), "confirm": "2027", "action": "save"})
            assert response.status_code == 400, url
            assert "open too long" in response.get_data(as_text=True)
            assert snapshot(db.engine) == before, url
            tried += 1
        assert tried == 7


def test_a_file_too_large_for_another_school_or_a_viewer_is_a_plain_refusal(app, client):
    app.config["IMPORT_MAX_BYTES"] = 100
    response = client.post(
        "/schools/999/rosters/2027/import",
        data={"file": (io.BytesIO(SIS.encode()), "s.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code in (404, 413) and "Ava" not in response.get_data(as_text=True)
    viewer = app.test_client()
    AuthActions(viewer).login(VIEWER)
    refused = upload(viewer, SIS)
    assert refused.status_code in (403, 413) and 'id="err-file"' not in refused.get_data(
        as_text=True
    )
