"""A warm pool of solving processes: a solve in a request answers within its limit, always.

python-mip has time limits but no way to stop a solve from outside, and a solve
can hang inside the library (docs/solver-deadlock.md). So a request does not
solve in its own thread: it hands the parsed scenario to an idle process of this
pool and waits at most the solve's limit plus SOLVER_POOL_MARGIN. A process that
is late is killed and a new one started in the background; the request answers
with `SolverUnavailable`'s message instead of hanging. The processes are started
with `spawn` (never fork a process that holds SQLite connections), import the
solver once and prepare its binding, so the normal path starts no process.

There is one pool per server process (each gunicorn worker has its own, started
on first use after the fork), shut down at interpreter exit. SOLVER_POOL_SIZE 0
solves in the request's own thread instead, without the hard limit: the tests do
that where they swap the solver in the web process.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import queue
import threading
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

from crunch import pool_worker

log = logging.getLogger(__name__)

TIMED_OUT = (
    "The solver did not answer in time ({seconds:.1f} s), so it was stopped. "
    "Try again; if it happens again, these inputs are too hard to solve while you wait."
)
BUSY = (
    "The solver did not answer in time: every solving process of the server is busy. "
    "Try again in a moment."
)
FAILED = "The solver stopped with an error ({name}). Try again."
# how long a new process may take to import the solver and say it is ready
START_TIMEOUT = 120.0
# how long a solve waits for the first process of a pool still starting
FIRST_START_WAIT = 30.0


class SolverUnavailable(Exception):
    """No answer from the solver within the limit: the message says why, in words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(eq=False)
class _Worker:
    process: Any
    connection: Any


class SolverPool:
    def __init__(
        self,
        size: int,
        *,
        margin: float = 1.0,
        wait: float = 0.5,
        initializer: Callable[[], None] | None = None,
    ) -> None:
        self.size = max(1, int(size))
        self.margin = float(margin)
        self.wait = float(wait)
        self.initializer = initializer
        self.pid = os.getpid()
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._lock = threading.Lock()
        self._workers: set[_Worker] = set()
        self._starting = 0
        self._closed = False
        self._ever_ready = False  # until the first process is: the pool is starting
        self.replaced = 0  # processes killed for being late (or dead) and started again
        for _ in range(self.size):
            self._start_in_background()

    # -- for requests --------------------------------------------------------------

    def run(self, task: str, args: tuple, *, time_limit: float) -> Any:
        """`task`'s answer from an idle process, or SolverUnavailable within about
        `time_limit` + margin seconds, whatever the solver does."""
        started = time.monotonic()
        with self._lock:
            first = not self._ever_ready
            # processes that could not be started before (three tries each) are tried
            # again, so a pool that lost them fills up again by itself
            missing = self.size - len(self._workers) - self._starting
        for _ in range(missing):
            self._start_in_background()
        # A pool still starting (the server's first solves, once) is waited for up to
        # FIRST_START_WAIT, outside the solve's limit; otherwise SOLVER_POOL_WAIT, within.
        wait = FIRST_START_WAIT if first else min(self.wait, time_limit)
        try:
            worker = self._idle.get(timeout=max(0.0, wait))
        except queue.Empty:
            raise SolverUnavailable(BUSY) from None
        started = time.monotonic() if first else started
        left = max(0.05, time_limit - (time.monotonic() - started))
        try:
            worker.connection.send((task, args, left))
            answered = worker.connection.poll(left + self.margin)
            outcome, payload = worker.connection.recv() if answered else (None, None)
        except (EOFError, OSError):
            answered = False  # the process died under the solve
        if not answered:
            self._replace(worker)
            raise SolverUnavailable(TIMED_OUT.format(seconds=time.monotonic() - started))
        self._idle.put(worker)
        if outcome != "ok":
            raise SolverUnavailable(FAILED.format(name=payload))
        return payload

    def ready(self, timeout: float) -> bool:
        """Wait until every process is idle and ready (tests); True if they are."""
        ends = time.monotonic() + timeout
        while time.monotonic() < ends:
            with self._lock:
                if self._starting == 0 and self._idle.qsize() == len(self._workers) == self.size:
                    return True
            time.sleep(0.02)
        return False

    @property
    def closed(self) -> bool:
        return self._closed

    def pids(self) -> list[int]:
        with self._lock:
            return sorted(w.process.pid for w in self._workers)

    # -- processes -----------------------------------------------------------------

    def _start_in_background(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._starting += 1
        threading.Thread(target=self._start, name="crunch-pool-start", daemon=True).start()

    def _start(self) -> None:
        try:
            for _attempt in range(3):
                try:
                    worker = self._spawn()
                except Exception:  # could not even start one: try again, then give up
                    log.exception("could not start a solving process")
                    worker = None
                if worker is not None:
                    with self._lock:
                        if not self._closed:
                            self._ever_ready = True
                            self._workers.add(worker)
                            self._idle.put(worker)
                            return
                    _stop(worker)
                    return
        finally:
            with self._lock:
                self._starting -= 1

    def _spawn(self) -> _Worker | None:
        _allow_children()
        mine, theirs = self._context.Pipe()
        process = self._context.Process(
            target=pool_worker.serve,
            args=(theirs, os.getpid(), self.initializer),
            name="crunch-pool",
            daemon=True,
        )
        process.start()
        theirs.close()
        worker = _Worker(process, mine)
        try:
            if mine.poll(START_TIMEOUT) and mine.recv()[0] == pool_worker.READY:
                return worker
        except (EOFError, OSError):
            pass
        log.error("a solving process of the pool did not start (exit code %s)", process.exitcode)
        _stop(worker)
        return None

    def _replace(self, worker: _Worker) -> None:
        """Kill a late (or dead) process and start another, without keeping the request."""
        with self._lock:
            self._workers.discard(worker)
            self.replaced += 1
        worker.process.kill()
        threading.Thread(target=_stop, args=(worker,), daemon=True).start()
        self._start_in_background()

    def shutdown(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
        for worker in workers:
            _stop(worker, gently=True)


def _stop(worker: _Worker, gently: bool = False) -> None:
    """End the process (asking it first when `gently`) and reap it."""
    if gently:
        with suppress(OSError, ValueError):
            worker.connection.send(None)
        worker.process.join(0.5)
    if worker.process.is_alive():
        worker.process.kill()
    worker.process.join(5.0)
    worker.connection.close()


def _allow_children() -> None:
    me = multiprocessing.current_process()
    if me.daemon:
        # A daemonic process (a test's live server runs as one) may not start
        # children; this pool reaps every process it starts, so let it.
        me._config["daemon"] = False


# -- one pool per server process -------------------------------------------------------

_POOLS: dict[tuple, SolverPool] = {}
_POOLS_LOCK = threading.Lock()
_AT_EXIT: list[bool] = []


def init_app(app: Flask) -> None:
    """Start the pool with the server's first request rather than at its first solve
    (a command that never serves pays nothing); settings in crunch.config.Defaults."""
    if not app.testing:
        app.before_request(lambda: _pool_for(app.config) and None)


def current() -> SolverPool | None:
    """The pool of the current app, started if need be; None if solving in the request."""
    return _pool_for(current_app.config)


def _pool_for(config) -> SolverPool | None:
    size = int(config["SOLVER_POOL_SIZE"])
    if size <= 0:
        return None
    key = (
        size,
        float(config["SOLVER_POOL_MARGIN"]),
        float(config["SOLVER_POOL_WAIT"]),
        config["SOLVER_POOL_INITIALIZER"],
    )
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if pool is None or pool.pid != os.getpid() or pool.closed:
            # none yet, or one inherited through a fork (gunicorn --preload): its
            # processes belong to the parent, so this process starts its own
            pool = SolverPool(size, margin=key[1], wait=key[2], initializer=key[3])
            _POOLS[key] = pool
            if not _AT_EXIT:
                atexit.register(shutdown_all)
                _AT_EXIT.append(True)
    return pool


def shutdown_all() -> None:
    """Stop every pool of this process (at exit)."""
    with _POOLS_LOCK:
        pools = [p for p in _POOLS.values() if p.pid == os.getpid()]
        _POOLS.clear()
    for pool in pools:
        try:
            pool.shutdown()
        except Exception:
            log.exception("a solver pool failed to shut down")
