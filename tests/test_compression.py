"""Text answers are compressed by Flask-Compress for browsers that ask (settings in
crunch/config.py). That is safe from BREACH because the session cookie is
SameSite=Strict: no request another site starts carries a login
(docs/deployment.md#compression)."""

from __future__ import annotations

import gzip

import brotli

from tests.conftest import HX, login, make_app

GZIP = {"Accept-Encoding": "gzip"}


def test_a_page_is_gzipped_when_asked_and_says_it_varies(client, editor_url):
    plain = client.get(editor_url)
    zipped = client.get(editor_url, headers=GZIP)
    assert zipped.status_code == 200
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    page = gzip.decompress(zipped.get_data())
    assert page.startswith(b"<!doctype html>")
    assert len(zipped.get_data()) < len(page) / 3
    assert int(zipped.headers["Content-Length"]) == len(zipped.get_data())
    # the same page, only encoded: a cache must keep the two apart
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    assert len(plain.get_data()) == len(page)


def test_a_fragment_varies_on_htmx_and_on_the_encoding(client, editor_url):
    response = client.get(editor_url, headers={**HX, **GZIP})
    assert response.headers["Content-Encoding"] == "gzip"
    vary = {part.strip() for part in response.headers["Vary"].split(",")}
    assert {"HX-Request", "Accept-Encoding"} <= vary


def test_brotli_when_the_browser_prefers_it(client, editor_url):
    response = client.get(editor_url, headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert response.headers["Content-Encoding"] == "br"
    assert brotli.decompress(response.get_data()).startswith(b"<!doctype html>")


def test_an_export_is_gzipped_too(client, editor_url):
    response = client.get(f"{editor_url}/scenario.csv", headers=GZIP)
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.get_data()).startswith(b"Grade,Children")


def test_static_files_are_gzipped_with_their_own_etag(client):
    url = "/static/vendor/htmx-2.0.11.min.js"
    plain = client.get(url)
    zipped = client.get(url, headers=GZIP)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    assert len(zipped.get_data()) < len(plain.get_data()) / 2
    assert zipped.headers["ETag"] != plain.headers["ETag"]
    plain.close()
    zipped.close()


def test_errors_and_other_encodings_are_left_alone(client):
    missing = client.get("/no-such-page", headers=GZIP)
    assert missing.status_code == 404
    assert "Content-Encoding" not in missing.headers
    identity = client.get("/static/app.css", headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in identity.headers
    assert b"{" in identity.get_data()
    identity.close()


def test_the_session_cookie_that_makes_it_safe_is_strict(anon):
    cookie = login(anon).headers["Set-Cookie"]
    assert cookie.startswith("session=")
    assert "SameSite=Strict" in cookie


def test_compression_can_be_left_to_a_proxy(tmp_path):
    """CRUNCH_COMPRESS_REGISTER=false (docs/deployment.md#compression)."""
    app = make_app(tmp_path / "proxy.sqlite", COMPRESS_REGISTER=False)
    response = app.test_client().get("/static/app.css", headers=GZIP)
    assert "Content-Encoding" not in response.headers
    assert b"{" in response.get_data()
    response.close()
