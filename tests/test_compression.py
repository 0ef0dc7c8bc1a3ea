"""Text responses are gzipped for browsers that accept it; nothing else changes."""

from __future__ import annotations

import gzip

from flask import Response

from crunch.compression import SMALLEST, compress

GZIP = {"Accept-Encoding": "gzip, deflate"}


def test_a_page_is_gzipped_for_a_browser_that_accepts_it(client):
    response = client.get("/", headers=GZIP)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    page = gzip.decompress(response.get_data())
    assert page.startswith(b"<!doctype html>")
    assert len(response.get_data()) < len(page)


def test_static_files_are_gzipped_with_a_weak_etag(client):
    plain = client.get("/static/vendor/htmx-2.0.11.min.js")
    zipped = client.get("/static/vendor/htmx-2.0.11.min.js", headers=GZIP)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.get_data()) == plain.get_data()
    assert len(zipped.get_data()) < len(plain.get_data()) / 2
    assert zipped.headers["ETag"].startswith("W/")


def test_no_gzip_without_accept_encoding(client):
    response = client.get("/static/app.css")
    assert "Content-Encoding" not in response.headers
    assert b"{" in response.get_data()


def test_errors_tiny_bodies_and_other_types_are_left_alone(app, client):
    missing = client.get("/no-such-page", headers=GZIP)
    assert missing.status_code == 404
    assert "Content-Encoding" not in missing.headers
    with app.test_request_context(headers=GZIP):
        tiny = compress(Response("x" * (SMALLEST - 1), mimetype="text/html"))
        png = compress(Response(b"\x89PNG" + b"0" * 5000, mimetype="image/png"))
        big = compress(Response("x" * 5000, mimetype="text/html"))
    assert "Content-Encoding" not in tiny.headers
    assert "Content-Encoding" not in png.headers
    assert big.headers["Content-Encoding"] == "gzip"
