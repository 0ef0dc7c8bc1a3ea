"""python-mip's C bindings, made safe from the garbage collector (docs/solver-deadlock.md).

python-mip 2.0.0 loads HiGHS (`mip/highs.py`) and CBC (`mip/cbc.py`) with cffi in
ABI mode. cffi does two things lazily, each under the FFI's one lock, which is not
re-entrant:

- it builds a library function's accessor the first time the function is used
  (`FFILibrary.__getattr__` -> `make_accessor`);
- it parses a C type string ("double[]", "int*", ...) the first time that exact
  string is passed to `ffi.new` / `ffi.cast` / `ffi.typeof` / `ffi.sizeof`
  (`FFI._typeof` -> `_typeof_locked`, with pycparser).

Both allocate, so the collector may run inside them. A `mip.Model` sits in
reference cycles (its variables point back at it), so only the collector frees
it; its `SolverHighs.__del__` then calls `Highs_destroy`. If that accessor was not
built yet, `__del__` waits for the lock its own thread holds: the process sleeps
for ever (issues 10 and 17).

Two defences, applied once per solver before its first model:

1. `warm()`: build every accessor the library declares and parse every type
   string the binding passes to cffi, so nothing is lazy any more and the binding
   never takes the lock again. Complete for HiGHS; CBC also builds strings with
   sizes in them ("double[%d]" % n), which cannot all be parsed ahead.
2. `guard()`: swap the FFI's lock for one that holds the collector off while it is
   held, so whatever stays lazy (CBC's sized strings, a later mip's new calls)
   cannot run a `__del__` inside it.

Drop this module once python-mip builds its accessors eagerly (or its `__del__`
needs no lazy work).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress

# Every type string mip/highs.py (mip 2.0.0) passes to ffi.new / ffi.sizeof, spelled
# exactly as there: cffi caches parsed types by the string, so "int *" and "int*"
# are two entries. Besides these, `SolverHighs.__init__` parses
# f"char[{kHighsMaximumStringLength}]" (added in `_highs_types`).
# tests/solver/test_binding.py checks this list against the installed mip.
HIGHS_TYPES = ("int", "double", "int*", "int *", "double*", "int[]", "double[]")
# The same for mip/cbc.py, less its sized strings ("double[%d]" % n, "int[%d]" % n),
# which only the guard covers; it also parses f"char[{MAX_NAME_SIZE}]".
CBC_TYPES = ("char *[]", "char[]", "int[]", "double[]")

_ready: set[str] = set()
_ready_lock = threading.Lock()


class CollectorFreeLock:
    """A lock that keeps the garbage collector off while it is held.

    It wraps the FFI's own lock and has its interface (`acquire(blocking)`,
    `release`, the context manager): cffi asserts `acquire(False) is False` while it
    holds it, which stays true. Only the holder toggles the collector, so holders in
    other threads cannot undo each other's setting.
    """

    def __init__(self, lock) -> None:
        self._lock = lock
        self._collector_was_on = False

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if not self._lock.acquire(blocking, timeout):
            return False
        # nothing between the acquire above and here allocates a tracked object,
        # so no collection can start before the collector is off
        was_on = gc.isenabled()
        gc.disable()
        self._collector_was_on = was_on
        return True

    def release(self) -> None:
        if self._collector_was_on:
            self._collector_was_on = False
            gc.enable()
        self._lock.release()

    def locked(self) -> bool:
        return self._lock.locked()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


@contextmanager
def collector_off() -> Iterator[None]:
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def guard(ffi) -> None:
    """Hold the collector off whenever this FFI's lock is held (idempotent)."""
    if not isinstance(ffi._lock, CollectorFreeLock):
        ffi._lock = CollectorFreeLock(ffi._lock)


def warm(ffi, lib, types: tuple[str, ...]) -> None:
    """Build every accessor of `lib` and parse every type string in `types`."""
    for name in dir(lib):  # every function, variable and constant the cdef declares
        # a name declared but missing from this build of the library (or of a type
        # cffi cannot build) is one the binding cannot call either: skip it
        with suppress(Exception):
            getattr(lib, name)
    for cdecl in types:
        ffi.typeof(cdecl)


def _highs() -> None:
    import mip.highs

    if not mip.highs.has_highs:
        return  # mip raises its own error at the first model
    ffi, lib = mip.highs.ffi, mip.highs.highslib
    guard(ffi)
    warm(ffi, lib, _highs_types(lib))


def _highs_types(lib) -> tuple[str, ...]:
    return (*HIGHS_TYPES, f"char[{lib.kHighsMaximumStringLength}]")


def _cbc() -> None:
    import mip.cbc

    if not getattr(mip.cbc, "has_cbc", True):
        return
    ffi, lib = mip.cbc.ffi, mip.cbc.cbclib
    guard(ffi)
    warm(ffi, lib, (*CBC_TYPES, f"char[{mip.cbc.MAX_NAME_SIZE}]"))


_PREPARE = {"HIGHS": _highs, "CBC": _cbc}


def prepare(solver_name: str) -> None:
    """Make mip's binding for this solver safe, once per process; cheap afterwards.

    Done with the collector off, so that no model freed meanwhile can run its
    `__del__` while the accessors are being built.
    """
    key = solver_name.upper()
    if key in _ready or key not in _PREPARE:
        return
    with _ready_lock:
        if key in _ready:
            return
        with collector_off():
            _PREPARE[key]()
        _ready.add(key)
