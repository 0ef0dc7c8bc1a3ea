"""The app compresses nothing: a page that carries the CSRF token beside input the
user typed, compressed, leaks the token byte by byte (BREACH). The reverse proxy
gzips the static files only (docs/deployment.md)."""

from __future__ import annotations

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_pages_are_sent_uncompressed_to_a_browser_that_accepts_gzip(client):
    response = client.get("/login", headers=GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert "Accept-Encoding" not in response.headers.get("Vary", "")
    assert response.get_data().startswith(b"<!doctype html>")


def test_static_files_are_left_to_the_proxy(client):
    response = client.get("/static/app.css", headers=GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response.headers
    assert b"{" in response.get_data()
    response.close()
