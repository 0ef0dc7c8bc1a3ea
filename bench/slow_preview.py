"""How long the editor holds a web worker for inputs that are slow to solve.

A K-12 school at its fewest workable teachers is never proved best within the
preview's limit. Its requests are timed three ways, with the default settings
(PREVIEW_TIME_LIMIT 3 s, JOBS_SLOW_PREVIEW_SECONDS 1 s):

- opening the editor on a revision saved unproved (known slow: short solve);
- typing in that scenario (the server knows it is slow: short solve);
- typing the same inputs into a scenario saved proved, which the server does not
  know to be slow: the whole preview limit in the request.

Solves go through the warm pool of solving processes, as on a server
(SOLVER_POOL_SIZE as in crunch/config.py).

In the first two cases the page then carries on with a job (not timed here: see
bench/jobs_speed.py for what a job costs).

    .venv/bin/python bench/slow_preview.py [--requests N]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5)
    args = parser.parse_args(argv)

    from crunch.config import Defaults
    from crunch.extensions import db
    from crunch.models import School
    from crunch.schools import store
    from tests.conftest import (
        LIVE,
        AuthActions,
        add_school,
        add_users,
        form_data,
        make_app,
        save_scenario,
    )
    from tests.jobs_support import K12_FEWEST

    folder = tempfile.mkdtemp(prefix="slow-preview-")
    app = make_app(
        Path(folder) / "bench.sqlite",
        PREVIEW_TIME_LIMIT=Defaults.PREVIEW_TIME_LIMIT,
        SOLVER_POOL_SIZE=Defaults.SOLVER_POOL_SIZE,
    )
    with app.app_context():
        db.create_all()
        add_users(add_school())
        school = db.session.scalar(db.select(School))
        quick = f"/schools/{school.id}/scenarios/{store.scenarios_of(school, 2027)[0].id}"
        scenario = save_scenario(school, "K-12 at fewest teachers", K12_FEWEST)
        url = f"/schools/{school.id}/scenarios/{scenario.id}"
        status = scenario.current_revision.status
        client = app.test_client()
        AuthActions(client).login()

        def timed(request) -> tuple[float, object]:
            started = time.perf_counter()
            response = request()
            return time.perf_counter() - started, response

        opened = []
        for _ in range(args.requests):
            seconds, response = timed(lambda: client.get(url))
            opened.append(seconds)
        form = form_data(response.get_data(as_text=True))
        base = int(form["grades-0-students"])

        def typing(into: str) -> list[float]:
            timings = []
            for i in range(args.requests):
                form["grades-0-students"] = str(base + (i % 3) - 1)
                seconds, response = timed(
                    lambda: client.post(f"{into}/edit", data=form, headers=LIVE)
                )
                assert response.status_code == 200, response.status_code
                timings.append(seconds)
            return timings

        marked = typing(url)
        unmarked = typing(quick)

    load = os.getloadavg()[0]
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; load average {load:.1f}"
    )
    print(f"K-12 school at its fewest teachers (saved as {status}), {args.requests} requests each:")
    rows = [
        ("Open the editor (revision saved unproved)", opened),
        ("Typing in it (known slow)", marked),
        ("Typing the same into a scenario saved proved: the whole limit", unmarked),
    ]
    for label, timings in rows:
        print(f"  {label}: median {statistics.median(timings):.2f} s, max {max(timings):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
