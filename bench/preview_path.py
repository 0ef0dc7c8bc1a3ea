"""Where the time of one live-preview request goes, step by step (docs/architecture.md).

Posts the editor form of each demo school as htmx does while someone types, as
bench/preview_speed.py does, with timers wrapped around each step on the way:

    read the form     the WTForms form and the Draft (the text as typed)
    check             drafts.check (the solver's parser, messages to fields)
    solve             planning.solve_in_request: the warm pool's round trip, of which
      in the solver   the solver's own time (Solution.solve_seconds)
    figures           the class table's summary and chart geometry (presenting)
    render            the template block (jinja2-fragments)
    compress          Flask-Compress on the way out
    the rest          routing, session, sign-in, tenancy, CSRF, headers

and prints the median of each per school, with the whole request's.

    .venv/bin/python bench/preview_path.py [--requests N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import flask_compress

from bench.preview_speed import demo_editors, signed_in_demo
from crunch import planning
from crunch.editor import drafts, state
from crunch.editor import views as editor_views
from crunch.web import htmx
from tests.conftest import LIVE, form_data

SPENT: dict[str, float] = defaultdict(float)


def timed(step: str, function: Callable) -> Callable:
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[step] += time.perf_counter() - started

    return wrapper


def instrument() -> None:
    """Wrap each step where the editor calls it (module attributes, looked up per call)."""
    from_form = drafts.Draft.from_form.__func__
    drafts.Draft.from_form = classmethod(timed("read the form", from_form))
    drafts.Draft.form = timed("read the form", drafts.Draft.form)
    state.ScenarioForm = timed("read the form", state.ScenarioForm)
    state.check = timed("check", state.check)
    solve = planning.solve_in_request

    def solve_and_count(*args, **kwargs):
        solution = solve(*args, **kwargs)
        SPENT["in the solver"] += solution.solve_seconds
        return solution

    planning.solve_in_request = timed("solve", solve_and_count)
    for name in ("grade_summary", "class_chart"):
        setattr(editor_views, name, timed("figures", getattr(editor_views, name)))
    for name in ("render_block", "render_template"):
        setattr(htmx, name, timed("render", getattr(htmx, name)))
    compress = flask_compress.Compress.after_request
    flask_compress.Compress.after_request = timed("compress", compress)


STEPS = ("read the form", "check", "solve", "in the solver", "figures", "render", "compress")


def measure(client, url: str, requests: int) -> dict[str, list[float]]:
    form = form_data(client.get(url).get_data(as_text=True))
    base = int(form["grades-0-students"])
    spent: dict[str, list[float]] = defaultdict(list)
    for i in range(requests):
        form["grades-0-students"] = str(base + (i % 7) - 3)  # as if typing
        SPENT.clear()
        started = time.perf_counter()
        response = client.post(
            f"{url}/edit", data=form, headers={**LIVE, "Accept-Encoding": "gzip, br"}
        )
        whole = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{url}: preview answered {response.status_code}")
        for step in STEPS:
            spent[step].append(SPENT[step])
        counted = sum(SPENT[s] for s in STEPS if s != "in the solver")
        spent["the rest"].append(max(0.0, whole - counted))
        spent["whole request"].append(whole)
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="previews per school")
    args = parser.parse_args()
    instrument()
    with signed_in_demo() as client:
        print(f"Median ms per step of a live preview, {args.requests} requests per school:")
        rows = ("whole request", *STEPS, "the rest")
        columns = []
        for scenario, url in demo_editors():
            measure(client, url, 3)  # warm up: first model, template compile
            columns.append((scenario.school.name[:22], measure(client, url, args.requests)))
        print(f"{'step':<16}" + "".join(f"{name:>24}" for name, _ in columns))
        for row in rows:
            cells = "".join(
                f"{statistics.median(spent[row]) * 1000:>24.1f}" for _, spent in columns
            )
            print(f"{row:<16}{cells}")


if __name__ == "__main__":
    main()
