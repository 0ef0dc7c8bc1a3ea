"""The JSON API: the spec's format in and out, 422 for invalid input."""

from __future__ import annotations

from tests.conftest import HILLSIDE, login


def test_solve_answers_the_spec_format(client):
    response = client.post("/api/solve?alternatives=2", json=HILLSIDE)
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "optimal"
    assert body["metrics"]["classes"] == 6
    assert sum(c["size"] for c in body["classes"]) == 32 + 57 + 21
    assert len(body["alternatives"]) <= 2


def test_invalid_scenario_answers_422_with_field_errors(client):
    bad = {**HILLSIDE, "grades": [{**HILLSIDE["grades"][0], "max_size": 2}]}
    response = client.post("/api/solve", json=bad)
    assert response.status_code == 422
    body = response.get_json()
    assert body["status"] == "invalid"
    assert body["errors"][0]["field"] == "grades[0].max_size"


def test_not_json_answers_422(client):
    for kwargs in (
        {"data": "teachers=3"},
        {"data": "{", "content_type": "application/json"},
        {"data": "[" * 100_000, "content_type": "application/json"},
        {"data": "[1, 2]", "content_type": "application/json"},
    ):
        response = client.post("/api/solve", **kwargs)
        assert response.status_code == 422
        assert response.get_json()["status"] == "invalid"


def test_odd_alternatives_are_ignored(client):
    for raw in ("x", "-1", "99", "²"):
        assert client.post(f"/api/solve?alternatives={raw}", json=HILLSIDE).status_code == 200


def test_read_a_saved_revision(client, scenario):
    url = f"/api/schools/{scenario.school_id}/scenarios/{scenario.id}/revisions/1"
    body = client.get(url).get_json()
    assert body["number"] == 1 and body["current"] is True
    assert body["inputs"]["teachers"] == 6
    assert len(body["allocation"]["classes"]) == 6


def test_api_errors_are_json(client, scenario):
    url = f"/api/schools/{scenario.school_id}/scenarios/{scenario.id}/revisions/7"
    response = client.get(url)
    assert response.status_code == 404
    assert response.get_json()["status"] == "error"
    assert client.get("/api/solve").status_code == 405


def test_api_needs_no_csrf_token_but_json(tmp_path):
    from tests.conftest import school_app

    with school_app(tmp_path / "api.sqlite", WTF_CSRF_ENABLED=True) as app:
        client = app.test_client()
        assert client.post("/api/solve", json=HILLSIDE).status_code == 401
        assert login(client).status_code == 303
        assert client.post("/api/solve", json=HILLSIDE).status_code == 200
        assert client.post("/api/solve", data="x", content_type="text/plain").status_code == 422
