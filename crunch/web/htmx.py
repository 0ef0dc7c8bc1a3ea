"""The few htmx helpers the views need.

The same URL answers with a whole page or, for htmx, with one named block of
that page's template (jinja2-fragments' `render_block`), so the page and its
fragment are rendered by the same template code and cannot drift apart.
"""

from __future__ import annotations

from flask import Response, make_response, redirect, render_template, request
from jinja2_fragments.flask import render_block

__all__ = ["go_to", "is_htmx", "page_or_block", "render_block", "target", "trigger", "varying"]


def is_htmx() -> bool:
    """An htmx request that wants a fragment (a history restore wants the whole page)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def target() -> str:
    return request.headers.get("HX-Target", "")


def trigger() -> str:
    """The id of the element whose request this is (htmx's `HX-Trigger`)."""
    return request.headers.get("HX-Trigger", "")


def varying(body: str, status: int = 200) -> Response:
    """A response whose body depends on HX-Request (a page or one of its blocks), and
    says so: `Vary: HX-Request`, so no cache hands a fragment to a full page load."""
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def page_or_block(template_name: str, block: str, status: int = 200, **context) -> Response:
    """The page for a normal request, the block for htmx; either way Vary: HX-Request."""
    if is_htmx():
        return varying(render_block(template_name, block, **context), status)
    return varying(render_template(template_name, **context), status)


def go_to(url: str) -> Response:
    """After a change: the page at `url`. htmx would follow a redirect and swap its
    answer in place, so it is told where to go instead (HX-Redirect)."""
    if is_htmx():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, 303)
