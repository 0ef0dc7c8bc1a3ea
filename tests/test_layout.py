"""What the layout promises that a test can hold (issue 11): a view reads the request,
calls a service or two and renders a template block, so no view function is longer
than MAX_VIEW_LINES. Decisions belong in the feature's service modules, where they are
tested without a request."""

from __future__ import annotations

import functools
import inspect

MAX_VIEW_LINES = 25


def view_lines(view) -> int:
    """The lines of a function from its `def` to its end: decorators left out, the
    docstring and comments counted."""
    lines, _ = inspect.getsourcelines(view)
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("def "))
    return len(lines) - start


def our_views(app) -> dict[str, object]:
    """Every view function registered on the app, unwrapped from its decorators; Flask's
    own `static` view (a lambda of Flask's) is not ours."""
    views = {name: inspect.unwrap(view) for name, view in app.view_functions.items()}
    return {name: v for name, v in views.items() if v.__module__.startswith("crunch.")}


def _decorated(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return function(*args, **kwargs)

    return wrapper


def test_the_count_leaves_out_decorators_and_keeps_the_docstring():
    @_decorated
    @_decorated
    def short():
        """One line of docstring."""
        return 1

    assert view_lines(inspect.unwrap(short)) == 3


def test_every_blueprint_is_looked_at(app):
    views = our_views(app)
    assert set(app.view_functions) - set(views) == {"static"}
    packages = {v.__module__.split(".")[1] for v in views.values()}
    for package in ("accounts", "schools", "editor", "history", "rosters", "class_lists"):
        assert package in packages


def test_no_view_function_is_longer_than_25_lines(app):
    lengths = {name: view_lines(view) for name, view in our_views(app).items()}
    longer = {name: n for name, n in lengths.items() if n > MAX_VIEW_LINES}
    assert longer == {}
