"""Import grade counts from a file; export a scenario as CSV and .xlsx; the round trip."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from crunch import tenancy
from crunch.extensions import db
from crunch.models import Revision, Scenario
from tests import upload_files
from tests.conftest import (
    HX,
    LIVE,
    VIEWER,
    form_data,
    login,
    school_app,
)


def upload(client, editor_url, data: bytes, filename="counts.csv", base="1"):
    return client.post(
        f"{editor_url}/import",
        data={"file": (io.BytesIO(data), filename), "base_revision": base},
        content_type="multipart/form-data",
    )


def current(scenario_id) -> Revision:
    db.session.expire_all()
    return db.session.get(Scenario, scenario_id).current_revision


def test_the_import_page_and_its_link(client, editor_url):
    page = client.get(f"{editor_url}/import")
    assert page.status_code == 200
    assert 'type="file"' in page.text and 'enctype="multipart/form-data"' in page.text
    assert "At most 2 MB, 20,000 rows and 200 columns" in page.text
    assert f"{editor_url}/import" in client.get(editor_url).text


def test_importing_counts_saves_a_new_revision(client, editor_url, scenario):
    response = upload(client, editor_url, b"Grade,Count\nK,40\n1,50\n2,20\n")
    assert response.status_code == 303
    revision = current(scenario.id)
    assert revision.number == 2
    assert [g["students"] for g in revision.inputs["grades"]] == [40, 50, 20]
    assert revision.note == "Grade counts imported from counts.csv."
    assert revision.allocation is not None
    page = client.get(editor_url).text
    assert "Imported counts.csv as revision 2: Grade K: 32 -&gt; 40 children" in page


def test_importing_a_student_list(client, editor_url, scenario):
    rows = ["ID,Name,Grade"] + [f"{i},Child {i},K" for i in range(30)]
    rows += [f"{i},Child {i},Grade 2" for i in range(30, 52)]
    assert upload(client, editor_url, "\n".join(rows).encode()).status_code == 303
    revision = current(scenario.id)
    assert [g["students"] for g in revision.inputs["grades"]] == [30, 57, 22]
    assert "Not in the file, left as they were: grade 1." in client.get(editor_url).text


def test_a_bad_file_is_a_message_beside_the_field_and_nothing_is_saved(
    client, editor_url, scenario
):
    cases = [
        (b"Name,Count\nK,3\n", "no Grade column"),
        (b"Grade,Count\nK,lots\n", "is not a whole number"),
        (b"Grade,Count\n9,20\n", "grades this scenario does not have: 9"),
        (b"", "The file is empty."),
        (b"\x00\x01\x02garbage", "not a CSV file"),
        (b"PK\x03\x04broken", "could not be opened"),
        (b"Grade,Count\nK,32\n1,57\n2,21\n", "the same numbers as the current revision"),
        (
            b"Grade,Children,Smallest class,Largest class\nK,30,20,10\n",
            "do not make a valid scenario",
        ),
    ]
    for data, message in cases:
        response = upload(client, editor_url, data)
        assert response.status_code == 422, (data, response.status_code)
        html = response.get_data(as_text=True)
        start = html.index('id="err-file"')
        assert message in html[start : start + 400], (data, html[start : start + 400])
    no_file = client.post(f"{editor_url}/import", data={}, content_type="multipart/form-data")
    assert no_file.status_code == 422 and "Choose a file" in no_file.text
    assert current(scenario.id).number == 1


def test_a_file_too_large_is_a_message_too(client, editor_url):
    response = upload(client, editor_url, b"Grade,Count\n" + b"K,1\n" * 700_000)
    assert response.status_code == 413
    assert "larger than 2 MB" in response.text and 'id="err-file"' in response.text


def test_import_from_a_stale_page_is_refused(client, editor_url, editor_form, scenario):
    editor_form["teachers"] = "5"
    client.post(f"{editor_url}/revisions", data=editor_form)
    response = upload(client, editor_url, b"Grade,Count\nK,40\n", base="1")
    assert response.status_code == 409
    assert "Not imported: revision 2 was saved" in response.text
    assert current(scenario.id).number == 2


def test_scenario_csv_export(client, editor_url):
    response = client.get(f"{editor_url}/scenario.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert (
        'filename="hillside-primary-2027-plan-a-r1.csv"' in response.headers["Content-Disposition"]
    )
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[:4] == [
        ["Grade", "Children", "Smallest class", "Largest class"],
        ["K", "32", "15", "22"],
        ["1", "57", "15", "25"],
        ["2", "21", "15", "25"],
    ]
    assert ["Teachers", "6"] in rows
    assert ["K/1", "auto", "auto", "auto"] in rows
    assert ["1/2", "auto", "24", "auto"] in rows
    header = rows.index(["Class", "Grade K", "Grade 1", "Grade 2", "Size", "Kind"])
    classes = rows[header + 1 : header + 7]
    assert sum(int(r[4]) for r in classes) == 110
    assert client.get(f"{editor_url}/scenario.csv?revision=5").status_code == 404
    assert client.get(f"{editor_url}/scenario.csv?revision=x").status_code == 404


def test_exports_and_the_revision_page_use_the_words_of_the_screen(client, editor_url):
    text = client.get(f"{editor_url}/scenario.csv").get_data(as_text=True)
    assert "Answer,proved best" in text and "optimal" not in text
    assert "Use as many teachers as possible, then" in text
    assert "classes, composites, balance" not in text
    page = client.get(f"{editor_url}/revisions/1").get_data(as_text=True)
    assert "proved best" in page and "classes, composites, balance" not in page
    assert "Use as many teachers as possible" in page


def test_xlsx_export(client, editor_url):
    response = client.get(f"{editor_url}/scenario.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Grades", "Rules", "Classes", "By grade"]
    assert [list(r) for r in book["Grades"].iter_rows(values_only=True)][1] == ["K", 32, 15, 22]
    classes = list(book["Classes"].iter_rows(values_only=True))
    assert len(classes) == 7 and sum(r[4] for r in classes[1:]) == 110


def test_export_then_import_gives_the_same_inputs(client, editor_url, editor_form, scenario):
    """Export revision 1, change the grades, import the export: revision 1's inputs again."""
    first = dict(current(scenario.id).inputs)
    exports = {
        "csv": client.get(f"{editor_url}/scenario.csv").data,
        "xlsx": client.get(f"{editor_url}/scenario.xlsx").data,
    }
    base = 1
    for extension, data in exports.items():
        form = form_data(client.get(editor_url).text)
        form["grades-0-students"] = "44"
        form["grades-1-max_size"] = "27"
        assert client.post(f"{editor_url}/revisions", data=form).status_code == 303
        base += 1
        assert current(scenario.id).inputs != first
        response = upload(client, editor_url, data, f"plan.{extension}", base=str(base))
        assert response.status_code == 303, response.text
        base += 1
        assert current(scenario.id).inputs == first


def test_formula_text_stays_text(client, formula_url):
    text = client.get(f"{formula_url}/scenario.csv").text
    assert not any(c.startswith("=") for row in csv.reader(io.StringIO(text)) for c in row)
    book = load_workbook(io.BytesIO(client.get(f"{formula_url}/scenario.xlsx").data))
    cell = book["Grades"]["A2"]
    assert cell.value == "=1+1" and cell.data_type == "s"


def test_a_large_upload_to_a_missing_scenario_is_404(client, school):
    url = f"/schools/{school.id}/scenarios/999/import"
    big = io.BytesIO(b"Grade,Count\n" + b"K,1\n" * 700_000)
    response = client.post(url, data={"file": (big, "a.csv")}, content_type="multipart/form-data")
    assert response.status_code == 404


def error_beside_the_field(response) -> str:
    html = response.get_data(as_text=True)
    start = html.index('id="err-file"')
    return html[start : start + 400]


def test_a_zip_bomb_is_refused_beside_the_field_and_nothing_is_saved(client, editor_url, scenario):
    response = upload(client, editor_url, upload_files.shared_strings_bomb(200), "big.xlsx")
    assert response.status_code == 413
    assert "The workbook unpacks to more than 10 MB." in error_beside_the_field(response)
    assert current(scenario.id).number == 1


def test_the_limits_are_settings(app, client, editor_url, scenario):
    app.config["IMPORT_MAX_CELLS"] = 1_000
    response = upload(client, editor_url, upload_files.many_cells(20, 60), "wide.xlsx")
    assert response.status_code == 413
    assert "The file has more than 1,000 cells." in error_beside_the_field(response)
    app.config["IMPORT_MAX_BYTES"] = 100_000
    response = upload(client, editor_url, b"Grade,Count\n" + b"K,1\n" * 30_000)
    assert response.status_code == 413
    assert "The file is larger than 97 KB." in error_beside_the_field(response)
    assert current(scenario.id).number == 1


SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options")
OVERSIZED_FILE = b"Grade,Count\n" + b"K,1\n" * 800_000  # 3.2 MB


@pytest.fixture
def production_scope(tmp_path):
    """An app that checks CSRF tokens, and whose requests see nothing until their
    user's scope is set, as in production (the tests' own code sees everything)."""
    with school_app(tmp_path / "csrf.sqlite", WTF_CSRF_ENABLED=True) as app:
        tenancy.see_everything_outside_requests(False)
        try:
            yield app
        finally:
            tenancy.see_everything_outside_requests(True)


def post_file(client, url, data: bytes, headers=None):
    return client.post(
        url,
        data={"file": (io.BytesIO(data), "list.csv")},
        content_type="multipart/form-data",
        headers=headers or {},
    )


def test_an_oversized_upload_is_413_beside_the_field_even_before_the_csrf_check(
    production_scope,
):
    client = production_scope.test_client()
    login(client)
    url = "/schools/1/scenarios/1/import"
    for headers in ({}, HX):
        response = post_file(client, url, OVERSIZED_FILE, headers)
        assert response.status_code == 413, response.status_code
        assert "The file is larger than 2 MB." in error_beside_the_field(response)
        assert all(name in response.headers for name in SECURITY_HEADERS)
    assert post_file(client, "/schools/1/scenarios/999/import", OVERSIZED_FILE).status_code == 404
    with tenancy.unrestricted():
        assert current(1).number == 1


def test_an_oversized_body_is_413_on_every_route_signed_in_or_not(production_scope):
    anonymous = production_scope.test_client()
    viewer = production_scope.test_client()
    login(viewer, VIEWER)
    planner = production_scope.test_client()
    login(planner)
    big_form = {"note": "x" * 300_000}  # over MAX_CONTENT_LENGTH (256 KB)
    cases = [
        (anonymous, "/schools/1/scenarios/1/import", None),
        (viewer, "/schools/1/scenarios/1/import", None),
        (anonymous, "/login", big_form),
        (anonymous, "/schools/1/scenarios/1/edit", big_form),
        (planner, "/schools/1/scenarios/1/edit", big_form),
        (planner, "/schools/1/scenarios/1/revisions", big_form),
    ]
    for client, url, form in cases:
        for headers in ({}, LIVE):
            if form is None:
                response = post_file(client, url, OVERSIZED_FILE, headers)
            else:
                response = client.post(url, data=form, headers=headers)
            assert response.status_code == 413, (url, headers, response.status_code)
            text = response.get_data(as_text=True)
            assert "more data than" in text, (url, text[:300])
            assert 'id="err-file"' not in text  # no form for those who may not import
            assert all(name in response.headers for name in SECURITY_HEADERS)
            if headers:
                assert response.headers["HX-Retarget"] == "#flash"
