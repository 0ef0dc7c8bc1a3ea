"""Gzip for text responses, so a page costs its reader a quarter of its size.

A reverse proxy in front of the app may compress instead; it then sees an already
encoded body and leaves it alone.
"""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

COMPRESSIBLE = {
    "text/html",
    "text/css",
    "text/csv",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
}
SMALLEST = 500  # below this the gzip header costs more than it saves


def init_app(app: Flask) -> None:
    app.after_request(compress)


def compress(response: Response) -> Response:
    if (
        response.status_code != 200
        or response.mimetype not in COMPRESSIBLE
        or "Content-Encoding" in response.headers
        or (response.is_streamed and not response.direct_passthrough)
        or "gzip" not in request.accept_encodings
    ):
        return response
    response.direct_passthrough = False  # static files: read the body to compress it
    body = response.get_data()
    if len(body) < SMALLEST:
        return response
    response.set_data(gzip.compress(body, compresslevel=6))
    response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    etag, _ = response.get_etag()
    if etag:  # the same resource, another encoding: no longer byte-for-byte equal
        response.set_etag(etag, weak=True)
    return response
