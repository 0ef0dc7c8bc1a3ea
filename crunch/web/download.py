"""A file for the browser to save: the body, its type and its name."""

from __future__ import annotations

from flask import Response, make_response

CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON = "application/json"


def download(body: str | bytes, mimetype: str, filename: str) -> Response:
    """`filename` is ASCII letters, digits and dashes (crunch.files.exports.filename)."""
    response = make_response(body)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
