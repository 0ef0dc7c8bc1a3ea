"""Run inside the pool's solving processes (SOLVER_POOL_INITIALIZER): a solver that
hangs for ever on purpose, for inputs named HANG, and answers as usual otherwise."""

from __future__ import annotations

import threading

from crunch import pool_worker

HANG = "hang-the-solver"


def hang_on_request() -> None:
    """Swap the process's tasks for ones that block for ever when asked to."""
    for task, real in list(pool_worker.TASKS.items()):
        pool_worker.TASKS[task] = _or_hang(real)


def _or_hang(real):
    def task(scenario, *args, time_limit):
        if HANG in scenario.name or HANG in repr(scenario):  # a plan or a child so named
            threading.Event().wait()  # blocks for ever, whatever the time limit says
        return real(scenario, *args, time_limit=time_limit)

    return task


class Forever:
    """A job parameter whose number never comes: the job's process blocks when it
    reads it, as a solve hung inside the MIP library does."""

    def __float__(self) -> float:
        threading.Event().wait()
        return 0.0
