"""What the class-list board of a primary of 690 children costs: the page's size as
rendered and as sent (compressed by the app: gzip, or br where the browser accepts it),
and a move with its warnings through the test client (p50 and p95 of 30 moves, each a
full redraw of the board, compressed as for a browser that accepts br and gzip).

    .venv/bin/python bench/board.py

Uses examples/placement-primary-700.json: its classes become a plan revision's
allocation, its children the year's roster; the solver's placement is the start.
"""

from __future__ import annotations

import json
import platform
import re
import statistics
import sys
import tempfile
import time
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import brotli  # noqa: E402

from crunch.class_lists.board import Draft  # noqa: E402
from crunch.extensions import db  # noqa: E402
from crunch.models import Revision, Scenario  # noqa: E402
from crunch.rosters import children as roster_children  # noqa: E402
from crunch.rosters import store as roster_store  # noqa: E402
from crunch.solver.placement import parse_placement, place  # noqa: E402
from tests.conftest import PLANNER, AuthActions, add_school, add_users, make_app  # noqa: E402

BROWSER = "gzip, deflate, br, zstd"  # what Chromium and Firefox ask for


def main() -> None:
    example = json.loads((ROOT / "examples/placement-primary-700.json").read_text())
    with tempfile.TemporaryDirectory() as tmp:
        app = make_app(Path(tmp) / "bench.sqlite")
        with app.app_context():
            db.create_all()
            school = add_school()
            add_users(school)
            scenario = db.session.scalar(db.select(Scenario))
            allocation = {"classes": [{"grades": c["grades"]} for c in example["classes"]]}
            revision = Revision(
                school_id=school.id, scenario_id=scenario.id, number=2, inputs={},
                allocation=allocation, status="optimal", note="",
            )  # fmt: skip
            db.session.add(revision)
            db.session.commit()
            kids = [roster_children.child(**c, notes="") for c in example["children"]]
            for kid in kids:
                kid["class"] = None
            roster_store.save(school, 2027, kids, "bench")
            labels = {c["label"]: f"Class {i}" for i, c in enumerate(example["classes"], 1)}
            answer = place(parse_placement(example), time_limit=10)
            start = {k: labels[v] for k, v in answer.assignment.items()}
            url = f"/schools/{school.id}/rosters/2027/board/{revision.id}"
            client = app.test_client()
            AuthActions(client).login(PLANNER)
            draft = Draft(start).to_json()
            page = client.post(url, data={"draft": draft, "action": "undo"})
            raw = page.get_data()
            sent = {
                accept: len(
                    client.post(
                        url,
                        data={"draft": draft, "action": "undo"},
                        headers={"Accept-Encoding": accept},
                    ).get_data()
                )
                for accept in ("gzip", BROWSER)
            }
            times = []
            moved = []
            html = raw.decode()
            ids = [k["id"] for k in kids]
            for n in range(30):
                child = ids[(n * 37) % len(ids)]
                to = f"Class {1 + (n % len(example['classes']))}"
                data = {"draft": unescape(re.search(r'name="draft" value="([^"]*)"', html)[1])}
                data.update({"action": f"move:{child}", f"to:{child}": to})
                began = time.perf_counter()
                response = client.post(
                    url, data=data, headers={"HX-Request": "true", "Accept-Encoding": BROWSER}
                )
                times.append(time.perf_counter() - began)
                moved.append(len(response.get_data()))
                html = brotli.decompress(response.get_data()).decode()
            times.sort()
            print(
                f"{platform.machine()}, {platform.python_version()}: board of {len(kids)} children"
                f" in {len(example['classes'])} classes: page {len(raw) / 1024:,.0f} KB rendered,"
                f" {sent[BROWSER] / 1024:,.0f} KB as sent (br), {sent['gzip'] / 1024:,.0f} KB"
                f" (gzip); a move's redraw {statistics.median(moved) / 1024:,.0f} KB as sent"
                f" (br); a move with its"
                f" warnings: p50 {statistics.median(times) * 1000:,.0f} ms,"
                f" p95 {times[int(len(times) * 0.95) - 1] * 1000:,.0f} ms"
            )
            db.session.remove()
            db.engine.dispose()


if __name__ == "__main__":
    main()
