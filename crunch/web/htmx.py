"""The few htmx helpers the views need.

The same URL answers with a whole page or, for htmx, with one named block of
that page's template, so the page and its fragment are rendered by the same
template code and cannot drift apart.
"""

from __future__ import annotations

from flask import Response, current_app, make_response, render_template, request


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


def render_block(template_name: str, block: str, **context) -> str:
    """Render one `{% block %}` of a template with the normal template context."""
    app = current_app._get_current_object()
    template = app.jinja_env.get_template(template_name)
    app.update_template_context(context)
    rendered = template.blocks[block](template.new_context(context))
    return "".join(rendered)


def page_or_block(template_name: str, block: str, status: int = 200, **context) -> Response:
    """The page for a normal request, the block for htmx; either way Vary: HX-Request."""
    if is_htmx():
        body = render_block(template_name, block, **context)
    else:
        body = render_template(template_name, **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response
