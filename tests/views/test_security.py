"""Headers, CSRF, the vendored htmx and the rules that keep the strict CSP workable."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest

from crunch.web import assets
from tests.conftest import HX, LIVE, form_data, login

STATIC = Path(__file__).resolve().parents[2] / "static"
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_vendored_htmx_matches_its_integrity_hash():
    data = (STATIC / assets.HTMX_PATH).read_bytes()
    digest = base64.b64encode(hashlib.sha384(data).digest()).decode()
    assert f"sha384-{digest}" == assets.HTMX_INTEGRITY
    assert b'version:"2.0.11"' in data


def test_pages_load_htmx_with_integrity_and_no_cdn(client, editor_url):
    html = client.get(editor_url).get_data(as_text=True)
    assert f'integrity="{assets.HTMX_INTEGRITY}"' in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert scripts and all('src="/static/' in s for s in scripts)


def test_htmx_config_is_safe_for_the_csp(client, editor_url):
    html = client.get(editor_url).get_data(as_text=True)
    raw = re.search(r'<meta name="htmx-config" content="([^"]*)"', html).group(1)
    config = json.loads(raw.replace("&#34;", '"'))
    assert config["allowEval"] is False
    assert config["includeIndicatorStyles"] is False
    assert {"code": "422", "swap": True} in config["responseHandling"]


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.rglob("*.html")))
def test_templates_have_no_inline_script_style_or_eval(template):
    text = next(TEMPLATES.rglob(template)).read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)", text)
    assert "style=" not in text and "<style" not in text
    assert "hx-on" not in text and "js:" not in text
    assert not re.search(r'hx-trigger="[^"]*\[', text)  # trigger filters need eval


def test_csp_and_security_headers_on_pages_fragments_errors_and_files(
    client, editor_url, editor_form
):
    responses = [
        client.get("/"),
        client.get(editor_url),
        client.post(f"{editor_url}/edit", data=editor_form, headers=LIVE),
        client.get("/schools/999"),
        client.get("/static/app.css"),
    ]
    for response in responses:
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "style-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.fixture
def csrf_app(app_with):
    return app_with(WTF_CSRF_ENABLED=True)


def test_csrf_token_travels_in_the_htmx_header(csrf_app):
    client = csrf_app.test_client()
    login(client)
    html = client.get("/schools/1/scenarios/1").get_data(as_text=True)
    headers = json.loads(re.search(r"hx-headers='([^']*)'", html).group(1))
    data = form_data(html)
    del data["csrf_token"]
    response = client.post("/schools/1/scenarios/1/edit", data=data, headers={**LIVE, **headers})
    assert response.status_code == 200


def test_missing_or_expired_csrf_token_says_so(csrf_app):
    client = csrf_app.test_client()
    login(client)
    html = client.get("/schools/1/scenarios/1").get_data(as_text=True)
    data = form_data(html)
    data["csrf_token"] = "expired-or-forged"
    response = client.post("/schools/1/scenarios/1/edit", data=data, headers=LIVE)
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#flash"
    assert "open too long" in response.get_data(as_text=True)
    page = client.post("/schools/1/scenarios/1/revisions", data=data)
    assert page.status_code == 400
    assert "open too long" in page.get_data(as_text=True)


def test_unexpected_errors_answer_with_a_message_not_a_trace(app, client, monkeypatch, editor_url):
    from crunch.editor import state as editor

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(editor, "from_revision", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get(editor_url)
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    response = client.get(editor_url, headers=HX)
    assert response.headers["HX-Retarget"] == "#flash"


def test_wrong_method_answers_with_a_message(client, editor_url):
    response = client.get(f"{editor_url}/edit")
    assert response.status_code == 405
    assert "does not accept this kind of request" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "url",
    [
        "/schools/99999999999999999999999",
        "/schools/1/scenarios/99999999999999999999999",
        "/schools/99999999999999999999999/scenarios/1/export.csv",
        "/schools/-1",
        "/schools/1/scenarios/1/export.csv?revision=99999999999999999999",
    ],
)
def test_absurd_ids_are_not_found(app, client, url):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.get(url).status_code == 404


def test_no_store_on_pages_fragments_api_exports_and_errors_but_not_static_files(
    client, anon, editor_url, editor_form
):
    private = {
        "page": client.get(editor_url),
        "fragment": client.post(f"{editor_url}/edit", data=editor_form, headers=LIVE),
        "api": client.post("/api/solve", json={}),
        "csv export": client.get(f"{editor_url}/scenario.csv"),
        "xlsx export": client.get(f"{editor_url}/scenario.xlsx"),
        "error": client.get("/schools/999999"),
        "login page": anon.get("/login"),
    }
    assert private["csv export"].status_code == private["xlsx export"].status_code == 200
    for name, response in private.items():
        assert response.status_code < 500, name
        assert response.headers.get("Cache-Control") == "no-store", name
    static = client.get("/static/app.css")
    assert static.status_code == 200
    assert "no-store" not in static.headers.get("Cache-Control", "")


def test_vendored_idiomorph_matches_its_integrity_hash():
    data = (STATIC / assets.IDIOMORPH_PATH).read_bytes()
    digest = base64.b64encode(hashlib.sha384(data).digest()).decode()
    assert f"sha384-{digest}" == assets.IDIOMORPH_INTEGRITY
    assert data.startswith(b"var Idiomorph=") and b'htmx.defineExtension("morph"' in data


def test_the_editor_loads_idiomorph_with_integrity_after_htmx(client, editor_url):
    html = client.get(editor_url).get_data(as_text=True)
    assert f'integrity="{assets.IDIOMORPH_INTEGRITY}"' in html
    assert html.index(assets.HTMX_PATH) < html.index(assets.IDIOMORPH_PATH)


def test_vendored_sortable_matches_its_integrity_hash():
    data = (STATIC / assets.SORTABLE_PATH).read_bytes()
    digest = base64.b64encode(hashlib.sha384(data).digest()).decode()
    assert f"sha384-{digest}" == assets.SORTABLE_INTEGRITY
    assert data.startswith(b"/*! Sortable 1.15.6")
