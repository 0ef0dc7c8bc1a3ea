"""python-mip's HiGHS binding is safe from the collector (crunch/solver/binding.py).

The deadlock itself is reproduced in a fresh process by tests/gc_probe.py, which
runs a full collection every time cffi takes its lock; the control case shows that
the probe does find the deadlock when the binding is left as mip ships it.
"""

from __future__ import annotations

import ast
import gc
import subprocess
import sys
from pathlib import Path

import mip
import mip.highs
import pytest

from crunch.solver import binding, parse_allocation, parse_scenario, rebalance, solve, staffing
from tests.gc_probe import SMALL_SCHOOL, STAFFING_SCHOOL

ROOT = Path(__file__).resolve().parents[2]
PROBE = ROOT / "tests" / "gc_probe.py"

CDECL_TAKERS = {"new", "cast", "typeof", "sizeof", "alignof", "new_allocator"}


def probe(mode: str, *flags: str) -> subprocess.CompletedProcess:
    # the timeout only catches a probe whose own watchdog failed
    return subprocess.run(
        [sys.executable, str(PROBE), mode, *flags],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=False,
    )


def cdecls_in(source: str) -> tuple[set[str], list[ast.expr]]:
    """The type strings passed to ffi.new/cast/typeof/... : constants, and the others."""
    constants, others = set(), []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in CDECL_TAKERS
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "ffi"
            and node.args
        ):
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                constants.add(first.value)
            else:
                others.append(first)
    return constants, others


def test_every_type_string_of_the_highs_binding_is_parsed_ahead():
    constants, others = cdecls_in(Path(mip.highs.__file__).read_text())
    assert constants, "found no ffi.new in mip/highs.py: has the binding moved?"
    assert constants <= set(binding.HIGHS_TYPES), constants - set(binding.HIGHS_TYPES)
    # the one string built at run time: the name buffer, sized by a library constant
    assert [ast.unparse(node) for node in others] == [
        "f'char[{self._lib.kHighsMaximumStringLength}]'"
    ]
    parsed = mip.highs.ffi._parsed_types
    for cdecl in binding._highs_types(mip.highs.highslib):
        assert cdecl in parsed, cdecl


def test_every_accessor_of_the_highs_library_is_built_at_import():
    lib = mip.highs.highslib
    lazy = [
        name
        for name in dir(lib)
        if name not in lib.__dict__ and name not in type(lib).__dict__ and hasattr(lib, name)
    ]
    assert lazy == []
    assert "Highs_destroy" in lib.__dict__  # what SolverHighs.__del__ calls


class CountingLock:
    def __init__(self, lock):
        self.lock, self.taken = lock, 0

    def acquire(self, blocking=True, timeout=-1):
        self.taken += 1
        return self.lock.acquire(blocking, timeout)

    def release(self):
        self.lock.release()

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


def test_no_solve_takes_cffis_lock(monkeypatch):
    """Nothing the solver does with HiGHS is built lazily any more."""
    counting = CountingLock(mip.highs.ffi._lock)
    monkeypatch.setattr(mip.highs.ffi, "_lock", counting)
    small = parse_scenario(SMALL_SCHOOL)
    answer = solve(small, time_limit=30)  # infeasible: diagnosis and suggestions
    assert answer.status.value == "infeasible" and answer.suggestions
    school = parse_scenario(STAFFING_SCHOOL)
    options = solve(school, time_limit=30, alternatives=2)
    assert options.allocation is not None and options.alternatives
    assert [row.teachers for row in staffing(school, 4, 6, time_limit=10)] == [4, 5, 6]
    two = parse_scenario(
        {**STAFFING_SCHOOL, "grades": STAFFING_SCHOOL["grades"][:2], "composites": []}
    )
    classes = parse_allocation(
        {
            "classes": [
                {"grades": {"K": 15}},
                {"grades": {"K": 15}},
                {"grades": {"1": 12}},
                {"grades": {"1": 13}},
            ]
        },
        two,
    )
    rebalanced = rebalance(two, classes, time_limit=10)
    assert rebalanced.allocation is not None
    gc.collect()  # old models' __del__ too
    assert counting.taken == 0


@pytest.mark.parametrize("solver_name", ["HIGHS", "CBC"])
def test_no_collection_starts_while_cffis_lock_is_held(solver_name):
    """What stays lazy (CBC's sized type strings) runs with the collector held off."""
    binding.prepare(solver_name)
    module = mip.highs if solver_name == "HIGHS" else __import__("mip.cbc").cbc
    lock = module.ffi._lock
    assert isinstance(lock, binding.CollectorFreeLock)
    inside = []

    def watch(phase, info):
        if phase == "start":
            inside.append(lock.locked())

    threshold = gc.get_threshold()
    gc.callbacks.append(watch)
    gc.set_threshold(1)
    try:
        for size in range(3, 40):  # strings never parsed before: each takes the lock
            module.ffi.typeof(f"double[{size * 7919}]")
        answer = solve(parse_scenario(STAFFING_SCHOOL), time_limit=30, solver_name=solver_name)
    finally:
        gc.set_threshold(*threshold)
        gc.callbacks.remove(watch)
    assert answer.allocation is not None
    assert inside, "the collector never ran: the check checked nothing"
    assert not any(inside)
    assert gc.isenabled()


def test_the_lock_hands_the_collector_back_as_it_found_it():
    lock = binding.CollectorFreeLock(__import__("threading").Lock())
    with lock:
        assert not gc.isenabled() and lock.locked()
        assert lock.acquire(False) is False  # what cffi asserts while it holds the lock
    assert gc.isenabled() and not lock.locked()
    gc.disable()
    try:
        with lock:
            pass
        assert not gc.isenabled()  # was off before: stays off
    finally:
        gc.enable()


# "staffing": issue 17, staffing jobs slept for ever in SolverHighs.__del__
# (docs/solver-deadlock.md), through crunch.jobs.worker.run as a job's process runs it.
@pytest.mark.parametrize("mode", ["lazy", "solve", "place", "staffing"])
def test_a_collection_inside_cffis_lock_does_not_deadlock(mode):
    done = probe(mode)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("OK")


# The control: on each path the probe does catch the deadlock without the fix.
@pytest.mark.parametrize("mode", ["lazy", "staffing"])
def test_the_probe_finds_the_deadlock_in_the_binding_as_shipped(mode):
    done = probe(mode, "--unprotected")
    assert done.returncode == 3, done.stdout + done.stderr
    assert done.stdout.startswith("DEADLOCK") and "__del__" in done.stdout
