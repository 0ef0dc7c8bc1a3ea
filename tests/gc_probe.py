"""A solve with the garbage collector run at the worst moment; prints OK or DEADLOCK.

Run as a script in a fresh process by tests/solver/test_binding.py (a deadlock
cannot be undone inside the test's own process):

    python tests/gc_probe.py MODE [--unprotected]

Every time cffi takes python-mip's HiGHS FFI lock, a full collection runs while it
is held (and with `gc.set_threshold(1)` the collector also runs at nearly every
allocation), after an old `mip.Model` has been left to the collector. That is the
deadlock of docs/solver-deadlock.md: the model's `__del__` needs the lock its own
thread holds, when anything the binding uses is still built lazily.

MODE:
    lazy      one lazy cffi call (a type string never parsed before)
    solve     an infeasible small school: solve, diagnosis and suggestions
    staffing  a staffing job, through crunch.jobs.worker.run as its process runs it

`--unprotected` switches crunch.solver.binding off, to show that the probe does
find the deadlock without it. A watchdog thread prints DEADLOCK (exit 3) when the
main thread has been waiting for the lock inside a `__del__` for a second, or
TIMEOUT (exit 4) after 120 s.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# 25 children, 1 teacher, P-6 of 2-9 children, two- and three-grade composites: the
# small real school of issue 10 (vic-116 at one teacher fewer) that hung in diagnosis.
SMALL_SCHOOL = {
    "name": "Small school, one teacher short",
    "teachers": 1,
    "min_subclass_size": 4,
    "grades": [
        {"name": name, "students": students, "min_size": 1, "max_size": 24 if i < 3 else 28}
        for i, (name, students) in enumerate(
            [("P", 9), ("1", 2), ("2", 9), ("3", 5), ("4", 4), ("5", 5), ("6", 5)]
        )
    ],
    "composites": [{"grades": list(pair)} for pair in zip("P123456", "123456", strict=False)]
    + [{"grades": list(trio)} for trio in zip("P12345", "123456", "23456", strict=False)],
}
# A school whose staffing curve takes several rows (and so several models). The K/2
# composite keeps it off the chain of neighbouring grades, which the solver decides
# with no MIP model at all (solver/chain.py): the rows must be solved by the MIP.
STAFFING_SCHOOL = {
    "name": "Staffing",
    "teachers": 4,
    "grades": [
        {"name": "K", "students": 30, "min_size": 10, "max_size": 22},
        {"name": "1", "students": 25, "min_size": 10, "max_size": 22},
        {"name": "2", "students": 28, "min_size": 10, "max_size": 24},
    ],
    "composites": [{"grades": ["K", "1"]}, {"grades": ["1", "2"]}, {"grades": ["K", "2"]}],
}


class CollectingLock:
    """Wraps the FFI's lock: every time it is taken, a full collection runs inside."""

    def __init__(self, lock) -> None:
        self.lock = lock

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        return self.lock.acquire(blocking, timeout)

    def release(self) -> None:
        self.lock.release()

    def locked(self) -> bool:
        return self.lock.locked()

    def __enter__(self) -> bool:
        got = self.lock.acquire()
        gc.collect()
        return got

    def __exit__(self, *exc) -> None:
        self.lock.release()


def watchdog(main: int, patience: float = 120.0) -> None:
    """DEADLOCK when the main thread waits for a lock inside a __del__ for a second."""
    since = None
    ends = time.monotonic() + patience
    while time.monotonic() < ends:
        time.sleep(0.05)
        frame = sys._current_frames().get(main)
        names = []
        while frame is not None:
            names.append(frame.f_code.co_name)
            frame = frame.f_back
        waiting = bool(names) and names[0] in ("__enter__", "acquire") and "__del__" in names
        if not waiting:
            since = None
        elif since is None:
            since = time.monotonic()
        elif time.monotonic() - since > 1.0:
            print("DEADLOCK", " <- ".join(names[:12]), flush=True)
            os._exit(3)
    print("TIMEOUT", flush=True)
    os._exit(4)


def old_model_for_the_collector() -> None:
    """A solved model left in a reference cycle: only the collector frees it."""
    import mip

    model = mip.Model(solver_name="HIGHS")
    model.verbose = 0
    x = model.add_var(var_type=mip.INTEGER, ub=3)
    model.objective = mip.maximize(x)
    model.optimize()


# Class lists whose solve makes many small models (neighbourhoods) and a diagnosis-free
# lexicographic run: every model freed while others are being built.
SMALL_PLACEMENT = {
    "classes": [{"label": f"K{k}", "grades": {"K": 6}} for k in range(3)],
    "children": [
        {
            "id": f"S{i}",
            "grade": "K",
            "categories": {"gender": "FM"[i % 2]},
            "tags": ["EAL"] if i % 5 == 0 else [],
            "friends": [f"S{(i + 1) % 18}", f"S{(i + 7) % 18}"],
            "scores": {"reading": i % 5},
        }
        for i in range(18)
    ],
}


def main() -> int:
    mode = sys.argv[1]
    if "--unprotected" in sys.argv:
        # the solver package prepares the binding as it is imported: stand in first
        stub = types.ModuleType("crunch.solver.binding")
        stub.prepare = lambda solver_name: None
        sys.modules[stub.__name__] = stub
    import mip.highs

    if mode != "lazy" or "--unprotected" not in sys.argv:
        import crunch.solver  # noqa: F401  (what every solve imports first)

    threading.Thread(target=watchdog, args=(threading.get_ident(),), daemon=True).start()
    mip.highs.ffi._lock = CollectingLock(mip.highs.ffi._lock)
    old_model_for_the_collector()

    if mode == "lazy":
        mip.highs.ffi.typeof("long[7]")  # never parsed before: takes the lock
        gc.collect()
    elif mode == "solve":
        from crunch.solver import parse_scenario, solve

        gc.set_threshold(1)
        answer = solve(parse_scenario(SMALL_SCHOOL), time_limit=30)
        assert answer.status.value == "infeasible", answer.status
        assert answer.suggestions, "the diagnosis found no suggestion"
    elif mode == "place":
        from crunch.solver.placement import parse_placement, place

        gc.set_threshold(1)
        answer = place(parse_placement(SMALL_PLACEMENT), time_limit=30)
        assert answer.status.value == "optimal", answer.status
    elif mode == "staffing":
        import multiprocessing

        from crunch.jobs import worker

        reader, writer = multiprocessing.Pipe(duplex=False)
        gc.set_threshold(1)
        worker.run(writer, worker.STAFFING, STAFFING_SCHOOL, {"first": 4, "last": 7})
        tag, payload = reader.recv()
        while tag == "progress":  # each row as it is worked out, then the curve
            tag, payload = reader.recv()
        assert tag == "done", payload
        assert [row["teachers"] for row in payload["rows"]] == [4, 5, 6, 7], payload
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    print("OK", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
