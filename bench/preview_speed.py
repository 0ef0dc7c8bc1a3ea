"""Server time of one live-preview request, and the editor's page weight.

For the current scenario of each demo school, post the editor form as htmx does
while someone types (validate + solve + render the editor block), changing
one grade's children each time, and print the median and 95th percentile.
Then weigh the editor page: its HTML plus every script and stylesheet it loads, as
sent to a browser that accepts br and gzip (and to one that accepts gzip only).

    .venv/bin/python bench/preview_speed.py [--requests N]

Targets: median under 300 ms and 95th percentile under 1 s; page under 100 KB.
Inputs known to be slow (the demo's K-12 college, saved unproved) are shown apart:
their request solves for at most JOBS_SLOW_PREVIEW_SECONDS and the rest goes to the
background. Solves go through the warm pool of solving processes, as on a server.
"""

from __future__ import annotations

import argparse
import gzip
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import brotli

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask.testing import FlaskClient

from crunch import create_app, tenancy
from crunch.commands import DEMO_PASSWORD, DEMO_USERS, load_demo, load_demo_users
from crunch.config import Defaults
from crunch.extensions import db
from crunch.models import Scenario
from crunch.solving import is_unproved
from tests.conftest import LIVE, form_data


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def time_previews(client, url: str, requests: int) -> list[float]:
    """The server time of each preview."""
    form = form_data(client.get(url).get_data(as_text=True))
    base = int(form["grades-0-students"])
    timings = []
    for i in range(requests):
        form["grades-0-students"] = str(base + (i % 7) - 3)  # as if typing
        started = time.perf_counter()
        response = client.post(f"{url}/edit", data=form, headers=LIVE)
        timings.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise SystemExit(f"{url}: preview answered {response.status_code}")
    return timings


BROWSER = "gzip, deflate, br, zstd"  # what Chromium and Firefox ask for


def page_weight(
    client, url: str, accept: str = BROWSER
) -> tuple[int, int, list[tuple[str, int, int]]]:
    """(bytes sent, bytes uncompressed, per part): the page and its assets, fetched with
    `Accept-Encoding: accept`. The app compresses text answers (Flask-Compress, settings
    in crunch/config.py), so what it sends is the page weight."""
    parts = []
    response = client.get(url, headers={"Accept-Encoding": accept})
    html = decoded(response)
    parts.append(("HTML", len(response.get_data()), len(html)))
    for src in re.findall(rb'(?:src|href)="(/static/[^"]+)"', html):
        asset = client.get(src.decode(), headers={"Accept-Encoding": accept})
        parts.append((src.decode(), len(asset.get_data()), len(decoded(asset))))
        asset.close()
    sent = sum(size for _, size, _ in parts)
    raw = sum(size for _, _, size in parts)
    return sent, raw, parts


def decoded(response) -> bytes:
    data = response.get_data()
    encoding = response.headers.get("Content-Encoding")
    if encoding == "gzip":
        return gzip.decompress(data)
    if encoding == "br":
        return brotli.decompress(data)
    assert encoding is None, encoding
    return data


@contextmanager
def signed_in_demo(**settings) -> Iterator[FlaskClient]:
    """The demo district in a throwaway database, and a client signed in as its admin.

    The benchmark itself sees every school, as a command does; its requests are the
    demo admin's. Prints the machine and its load first."""
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/bench.sqlite",
                "WTF_CSRF_ENABLED": False,
                **settings,
            }
        )
        with app.app_context(), tenancy.unrestricted():
            db.create_all()
            load_demo()
            load_demo_users()
            client = app.test_client()
            admin = {"email": DEMO_USERS[0][0], "password": DEMO_PASSWORD}
            assert client.post("/login", data=admin).status_code == 303
            load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
            print(
                f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
                f"Python {platform.python_version()}; load average before the run: {load}"
            )
            yield client


def demo_editors() -> Iterator[tuple[Scenario, str]]:
    """Each demo school's newest scenario, with its editor's URL."""
    seen = set()
    for scenario in db.session.scalars(db.select(Scenario).order_by(Scenario.year.desc())):
        if scenario.school_id not in seen:
            seen.add(scenario.school_id)
            yield scenario, f"/schools/{scenario.school_id}/scenarios/{scenario.id}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=40, help="previews per school")
    parser.add_argument(
        "--pool-size",
        type=int,
        default=Defaults.SOLVER_POOL_SIZE,
        help="warm solving processes (0: solve in the request's thread, for comparison)",
    )
    args = parser.parse_args()

    with signed_in_demo(SOLVER_POOL_SIZE=args.pool_size) as client:
        where = f"{args.pool_size} warm solving processes" if args.pool_size else "in-thread"
        print(f"Live preview, {args.requests} requests per school (ms), {where}:")
        everything: list[float] = []
        weights = []
        for scenario, url in demo_editors():
            time_previews(client, url, 3)  # warm up: first model, template compile
            timings = time_previews(client, url, args.requests)
            slow = is_unproved(scenario.current_revision.status)  # as the server decides
            if not slow:
                everything += timings
            grades = len(scenario.current_revision.inputs["grades"])
            print(
                f"  {scenario.school.name} ({scenario.title}, {grades} grades, "
                f"{scenario.current_revision.inputs['teachers']} teachers): "
                f"median {statistics.median(timings) * 1000:.0f}, "
                f"p95 {percentile(timings, 0.95) * 1000:.0f}, "
                f"max {max(timings) * 1000:.0f}"
                + ("  [slow inputs: the rest is solved in the background]" if slow else "")
            )
            weights.append((page_weight(client, url), scenario.school.name, url))
        print(
            f"  all schools whose inputs are not slow: "
            f"median {statistics.median(everything) * 1000:.0f}, "
            f"p95 {percentile(everything, 0.95) * 1000:.0f}"
        )
        (sent, raw, parts), name, heaviest = max(weights, key=lambda w: w[0][1])
        print(
            f"Heaviest editor page ({name}): {sent / 1024:.1f} KB as sent "
            f"({raw / 1024:.1f} KB uncompressed)"
        )
        for part, size, uncompressed in parts:
            print(f"  {part}: {size / 1024:.1f} KB ({uncompressed / 1024:.1f} KB)")
        gzip_only = page_weight(client, heaviest, accept="gzip")[0]
        print(f"  to a browser that accepts gzip only: {gzip_only / 1024:.1f} KB")


if __name__ == "__main__":
    main()
