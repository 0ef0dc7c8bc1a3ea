"""The solving process: one per job, started with `spawn`; it never touches the database.

It parses the job's inputs, solves, and sends what it finds to its parent over a
one-way pipe:

    ("progress", allocation dict)   the best allocation so far, after each priority stage
    ("progress", {"rows": [...]})   a staffing curve's rows so far, after each row
    ("done", result dict)           the final answer
    ("failed", message)             the inputs or the solver failed; a plain sentence

The parent (crunch.jobs.runner) writes these to the jobs table, and terminates
this process on cancel or at the job's time limit.
"""

from __future__ import annotations

from typing import Any

OPTIONS = "options"  # the best allocation and alternatives of another structure
SOLVE = "solve"  # the best allocation alone: a preview that ran out of time, carried on
STAFFING = "staffing"
KINDS = (OPTIONS, SOLVE, STAFFING)


def compute(
    kind: str, inputs: dict[str, Any], params: dict[str, Any], send=lambda *_: None
) -> dict[str, Any]:
    """The job's answer, computed here and now (also what a test or RQ worker calls)."""
    from ..solver import parse_scenario, solve, staffing

    scenario = parse_scenario(inputs)
    limit = float(params.get("time_limit", 30.0))
    if kind in (OPTIONS, SOLVE):
        solution = solve(
            scenario,
            time_limit=limit,
            alternatives=int(params.get("alternatives", 3 if kind == OPTIONS else 0)),
            on_progress=lambda allocation: send("progress", allocation.to_dict()),
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


def run(writer, kind: str, inputs: dict[str, Any], params: dict[str, Any]) -> None:
    """The child process's entry point."""

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
