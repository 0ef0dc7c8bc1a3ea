"""The solving process: one per job, started with `spawn`; it never touches the database.

It parses the job's inputs, solves, and sends what it finds to its parent over a
one-way pipe:

    ("progress", allocation dict)   the best allocation so far, after each priority stage
    ("progress", {"rows": [...]})   a staffing curve's rows so far, after each row
    ("progress", {"placement": {...}})  class lists: the best placement so far
    ("done", result dict)           the final answer
    ("failed", message)             the inputs or the solver failed; a plain sentence

The parent (crunch.jobs.runner) writes these to the jobs table, and terminates
this process on cancel or at the job's time limit. If the parent itself dies
without doing so (killed outright), this process notices within a second that
its parent is gone and exits: a solve nobody waits for must not run on.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

OPTIONS = "options"  # the best allocation and alternatives of another structure
SOLVE = "solve"  # the best allocation alone: a preview that ran out of time, carried on
STAFFING = "staffing"
PLACE = "place"  # class lists: the children of a roster placed in a plan's classes
KINDS = (OPTIONS, SOLVE, STAFFING, PLACE)


def compute(
    kind: str, inputs: dict[str, Any], params: dict[str, Any], send=lambda *_: None
) -> dict[str, Any]:
    """The job's answer, computed here and now (also what a test or RQ worker calls)."""
    from crunch.solver import parse_scenario, solve, staffing

    limit = float(params.get("time_limit", 30.0))
    if kind == PLACE:
        from crunch.solver.placement import parse_placement, place

        answer = place(
            parse_placement(inputs),
            time_limit=limit,
            on_progress=lambda found: send("progress", {"placement": found.assignment}),
        )
        return answer.to_dict()
    scenario = parse_scenario(inputs)
    if kind in (OPTIONS, SOLVE):
        solution = solve(
            scenario,
            time_limit=limit,
            alternatives=int(params.get("alternatives", 3 if kind == OPTIONS else 0)),
            on_progress=lambda allocation: send("progress", allocation.to_dict()),
            max_size_step=params.get("max_size_step"),
        )
        return solution.to_dict()
    if kind == STAFFING:
        rows = staffing(
            scenario,
            int(params["first"]),
            int(params["last"]),
            time_limit=limit,
            # The rows so far, so a job stopped before the end still shows them.
            on_row=lambda done: send("progress", {"rows": [r.to_dict() for r in done]}),
            around=scenario.teachers,  # the numbers nearest today's first
        )
        return {"rows": [row.to_dict() for row in rows]}
    raise ValueError(f"Unknown kind of job: {kind!r}")


def exit_with_parent(parent: int, every: float = 0.5) -> threading.Thread:
    """Exit this process as soon as `parent` is no longer its parent (it died)."""

    def watch() -> None:
        while True:
            if os.getppid() != parent:
                os._exit(1)  # nobody reads the answer; skip every clean-up
            time.sleep(every)

    thread = threading.Thread(target=watch, name="crunch-parent-watch", daemon=True)
    thread.start()
    return thread


def run(
    writer, kind: str, inputs: dict[str, Any], params: dict[str, Any], parent: int | None = None
) -> None:
    """The child process's entry point; `parent` is the runner's pid, if it should be watched."""
    if parent is not None:
        exit_with_parent(parent)

    def send(tag: str, payload: Any) -> None:
        writer.send((tag, payload))

    try:
        result = compute(kind, inputs, params, send)
    except Exception as error:  # reported to the user as a plain sentence
        send("failed", f"The solver stopped with an error: {type(error).__name__}.")
    else:
        send("done", result)
    finally:
        writer.close()
