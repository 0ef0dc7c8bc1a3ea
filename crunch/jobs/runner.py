"""The embedded job runner: slow solves in their own processes, supervised by threads.

Each job gets a thread in the web process. The thread waits for one of
`max_concurrent` slots (the job is `queued` meanwhile; slots go by a fair share
across schools and users, not by arrival: crunch.jobs.fair), then starts the solve in
a fresh process with `multiprocessing.get_context("spawn")` (a forked copy of a
process that holds SQLite connections could corrupt them) and writes what that
process reports to the jobs table: the best allocation so far, then the result.

The thread alone writes; the solving process never opens the database. Every
write is one conditional UPDATE (`... WHERE state = 'running'`), so a cancel made
by any web process, which sets the state itself, always wins over a late answer.

Cancel: the thread looks at the job's state every `poll` seconds (and at once
when this process's cancel() pokes it), then terminates the process: python-mip
has no cancel callback, so stopping the process is the only way to stop HiGHS.
The time limit is enforced the same way. A heartbeat every `heartbeat` seconds
lets `recover()` tell a job whose runner died from one that is still running.

Stopping the server stops its solves: every runner is shut down at interpreter
exit (`atexit`), which SIGINT, gunicorn's graceful worker exit and a normal exit
all reach, and `stop_on_sigterm()` makes a plain SIGTERM reach it too;
`redeliver_lost_stops()` keeps either signal from being lost in a finalizer. Shutdown
marks the runner's jobs failed with a reason and terminates their processes. A
server killed outright (SIGKILL, a gunicorn worker timeout) cannot do that: its
solving processes notice their parent is gone and exit by themselves
(crunch.jobs.worker), and `recover()` kills what is left once the heartbeat is
stale.
"""

from __future__ import annotations

import _thread
import atexit
import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
import weakref
from contextlib import suppress
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, or_, select, update

from crunch.jobs import processes, worker
from crunch.jobs.fair import FairSlots, Owner
from crunch.models import Job, JobState, utcnow

log = logging.getLogger(__name__)
JOBS = Job.__table__

STOPPED_MESSAGE = (
    "The server stopped while this job was running, so it did not finish. Start it again."
)
CRASHED_MESSAGE = "The solving process stopped unexpectedly (exit code {code}). Start it again."
TIMED_OUT_MESSAGE = (
    "Stopped after {seconds:.0f} seconds, the time limit for work in the background."
)


def _update(engine: Engine, job_id: int, *, when: tuple[str, ...], **values: Any) -> bool:
    """Set `values` on the job if its state is one of `when`; True if it was."""
    with engine.begin() as connection:
        result = connection.execute(
            update(JOBS).where(JOBS.c.id == job_id, JOBS.c.state.in_(when)).values(**values)
        )
        return result.rowcount == 1


def state_of(engine: Engine, job_id: int) -> str | None:
    with engine.connect() as connection:
        return connection.execute(select(JOBS.c.state).where(JOBS.c.id == job_id)).scalar()


def recover(
    engine: Engine,
    stale_after: float,
    job_id: int | None = None,
    states: tuple[str, ...] = JobState.ACTIVE,
) -> int:
    """Mark failed the queued or running jobs whose runner stopped beating; how many.

    Their solving processes, if still running on this machine, are killed
    (crunch.jobs.processes): a job marked failed no longer holds a core. At
    start-up this finds the jobs a crash left behind; a poll of one job's status,
    and the sweep of `crunch.jobs.sweep`, do the same later, so a page never waits
    forever for a dead runner.
    """
    cutoff = utcnow() - timedelta(seconds=stale_after)
    query = update(JOBS).where(
        JOBS.c.state.in_(states),
        or_(JOBS.c.heartbeat_at.is_(None), JOBS.c.heartbeat_at < cutoff),
    )
    if job_id is not None:
        query = query.where(JOBS.c.id == job_id)
    with engine.begin() as connection:
        stranded = connection.execute(
            query.values(
                state=JobState.FAILED, message=STOPPED_MESSAGE, finished_at=utcnow()
            ).returning(JOBS.c.id, JOBS.c.pid, JOBS.c.runner, JOBS.c.started_at)
        ).all()
    for row in stranded:
        processes.kill_stranded(row.pid, row.runner, row.started_at)
    return len(stranded)


# Every runner of this process, for the exit handler (held weakly: a test's runner
# goes with its app).
_RUNNERS: weakref.WeakSet[EmbeddedRunner] = weakref.WeakSet()
_AT_EXIT: list[bool] = []


def stop_every_runner() -> None:
    """Shut down every runner of this process (at exit: the server is stopping)."""
    for runner in list(_RUNNERS):
        try:
            runner.shutdown()
        except Exception:  # one runner's failure must not keep the others' solves alive
            log.exception("a job runner failed to shut down")


def _track(runner: EmbeddedRunner) -> None:
    _RUNNERS.add(runner)
    if not _AT_EXIT:
        # after multiprocessing's own exit handler (which terminates daemonic children
        # without a word), so that this one runs first: exit handlers run last first
        import multiprocessing.util  # noqa: F401  (registers that handler)

        atexit.register(stop_every_runner)
        _AT_EXIT.append(True)


class Stopping(SystemExit):
    """The orderly exit that `stop_on_sigterm()` makes of SIGTERM."""


def _exit_on_sigterm(signum, frame) -> None:
    raise Stopping(128 + signum)


def _redeliver_lost_stops(unraisable) -> None:
    """sys.unraisablehook: a stop signal raised inside a finalizer stops the server anyway.

    A signal's handler runs in the main thread at whatever it executes next. If
    that is a `__del__` or a weakref callback (the collector, or importlib's module
    locks while a server is still importing), the KeyboardInterrupt of SIGINT or
    the SystemExit of SIGTERM is printed as "Exception ignored" and dropped: the
    server served on after Ctrl-C, its solves with it. The signal is simulated
    again by another thread a moment later, once the main thread is out of the
    finalizer: simulated at once, its handler would run inside this hook and be
    dropped again. (If it lands in a finalizer again, it comes back here; it does
    nothing if the signal is no longer handled by Python.)
    """
    _previous_unraisablehook(unraisable)
    if isinstance(unraisable.exc_value, KeyboardInterrupt):
        lost = signal.SIGINT
    elif isinstance(unraisable.exc_value, Stopping):
        lost = signal.SIGTERM
    else:
        return

    def again() -> None:
        time.sleep(REDELIVER_AFTER)
        _thread.interrupt_main(lost)

    with suppress(RuntimeError):  # the interpreter is exiting already: nothing to stop
        threading.Thread(target=again, name="crunch-stop-again", daemon=True).start()


# seconds: far longer than a finalizer runs, far shorter than anyone waits for a stop
REDELIVER_AFTER = 0.05


_previous_unraisablehook = sys.unraisablehook


def redeliver_lost_stops() -> None:
    """Install `_redeliver_lost_stops` (once; the hook found first is still called)."""
    global _previous_unraisablehook
    if sys.unraisablehook is not _redeliver_lost_stops:
        _previous_unraisablehook = sys.unraisablehook
        sys.unraisablehook = _redeliver_lost_stops


def stop_on_sigterm() -> bool:
    """Make SIGTERM an orderly exit (so the exit handler runs) where nothing else
    handles it; True if installed.

    Python's default for SIGTERM ends the process at once, without exit handlers:
    the development server and `flask run` then left their solving processes
    behind (issue 17). A server that handles SIGTERM itself (gunicorn's workers, RQ's
    workers) keeps its handler; they exit through the exit handler anyway.
    """
    if threading.current_thread() is not threading.main_thread():
        return False
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return signal.getsignal(signal.SIGTERM) is _exit_on_sigterm
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    return True


def stop_process(process) -> None:
    """Terminate, then kill if it lingers; always reaped."""
    if process.is_alive():
        process.terminate()
        process.join(1.0)
    if process.is_alive():
        process.kill()
    process.join(5.0)


class EmbeddedRunner:
    """Solves jobs inside this app's process tree: no extra service to run."""

    name = "embedded"

    def __init__(
        self,
        engine: Engine,
        *,
        max_concurrent: int = 2,
        time_limit: float = 60.0,
        heartbeat: float = 1.0,
        poll: float = 0.2,
    ) -> None:
        self.engine = engine
        self.max_concurrent = max(1, int(max_concurrent))
        self.time_limit = float(time_limit)
        self.heartbeat = heartbeat
        self.poll = poll
        self.ident = f"{socket.gethostname()}:{os.getpid()}"[:120]
        self._slots = FairSlots(self.max_concurrent)
        # re-entrant: shutdown() may run in a signal handler of a thread that holds it
        self._lock = threading.RLock()
        self._events: dict[int, threading.Event] = {}
        self._threads: dict[int, threading.Thread] = {}
        self._processes: dict[int, Any] = {}
        self._context = multiprocessing.get_context("spawn")
        self._closing = False
        _track(self)

    # -- the backend interface -------------------------------------------------

    def submit(
        self, job_id: int, kind: str, inputs: dict, params: dict, owner: Owner | None = None
    ) -> None:
        event = threading.Event()
        thread = threading.Thread(
            target=self._supervise,
            args=(job_id, kind, inputs, params, event),
            name=f"crunch-job-{job_id}",
            daemon=True,
        )
        with self._lock:
            self._events[job_id] = event
            self._threads[job_id] = thread
        self._slots.join(job_id, owner)  # its place in line is taken now, not when it runs
        thread.start()

    def cancel(self, job_id: int) -> None:
        """Stop the job's process at once if it runs here (the caller set its state).

        A cancel made in another web process is seen by the job's thread within
        `poll` seconds instead, from the state in the table.
        """
        with self._lock:
            event = self._events.get(job_id)
            process = self._processes.get(job_id)
        if event is not None:
            event.set()
        if process is not None and process.is_alive():
            process.terminate()  # the thread sees the pipe close and reaps it

    def shutdown(self, timeout: float = 10.0) -> None:
        """Stop every job of this runner: each is marked failed with the reason, and
        its solving process terminated; waits up to `timeout` for the threads."""
        self._closing = True
        with self._lock:
            events = list(self._events.values())
            threads = list(self._threads.values())
        for event in events:
            event.set()
        ends = time.monotonic() + timeout
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(max(0.0, ends - time.monotonic()))
        # a thread that did not finish in time (stuck in a database write, say)
        # still must not leave its process behind
        with self._lock:
            left = list(self._processes.items())
        for job_id, process in left:
            stop_process(process)
            self._give_up(job_id)

    # -- for tests and benchmarks -----------------------------------------------

    def process_of(self, job_id: int):
        with self._lock:
            return self._processes.get(job_id)

    def wait(self, job_id: int, timeout: float) -> bool:
        """Wait until the job's thread has finished; True if it has."""
        with self._lock:
            thread = self._threads.get(job_id)
        if thread is not None:
            thread.join(timeout)
            return not thread.is_alive()
        return True

    # -- the supervising thread ------------------------------------------------

    def _supervise(self, job_id: int, kind: str, inputs: dict, params: dict, event) -> None:
        try:
            while not self._slots.acquire(job_id, timeout=self.heartbeat):
                if self._closing or state_of(self.engine, job_id) != JobState.QUEUED:
                    self._slots.leave(job_id)
                    self._give_up(job_id)
                    return
                _update(self.engine, job_id, when=JobState.ACTIVE, heartbeat_at=utcnow())
            try:
                now = utcnow()
                started = _update(
                    self.engine,
                    job_id,
                    when=(JobState.QUEUED,),
                    state=JobState.RUNNING,
                    started_at=now,
                    heartbeat_at=now,
                    runner=self.ident,
                )
                if started and not self._closing:
                    self._run(job_id, kind, inputs, params, event)
                else:
                    self._give_up(job_id)
            finally:
                self._slots.release(job_id)
        except Exception:
            log.exception("job %s: the runner failed", job_id)
            _update(
                self.engine,
                job_id,
                when=JobState.ACTIVE,
                state=JobState.FAILED,
                message="The job runner failed. Start the job again.",
                finished_at=utcnow(),
            )
        finally:
            self._slots.leave(job_id)  # if still in line (a failed write while waiting)
            with self._lock:
                self._events.pop(job_id, None)
                self._threads.pop(job_id, None)
                self._processes.pop(job_id, None)

    def _give_up(self, job_id: int) -> None:
        if self._closing:
            _update(
                self.engine,
                job_id,
                when=JobState.ACTIVE,
                state=JobState.FAILED,
                message=STOPPED_MESSAGE,
                finished_at=utcnow(),
            )

    def _run(self, job_id: int, kind: str, inputs: dict, params: dict, event) -> None:
        me = multiprocessing.current_process()
        if me.daemon:
            # A daemonic process (a test's live server runs as one) may not start
            # children; this runner reaps every process it starts, so let it.
            me._config["daemon"] = False
        reader, writer = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=worker.run,
            args=(writer, kind, inputs, params, os.getpid()),
            name=f"crunch-solve-{job_id}",
            daemon=True,
        )
        process.start()
        writer.close()  # the child holds the only writer: its exit ends the pipe
        with self._lock:
            self._processes[job_id] = process
        running = (JobState.RUNNING,)
        _update(self.engine, job_id, when=running, pid=process.pid)
        deadline = time.monotonic() + self.time_limit
        beat = time.monotonic()
        try:
            while True:
                if reader.poll(self.poll):
                    try:
                        tag, payload = reader.recv()
                    except EOFError:
                        if self._closing:  # stopped with the server, whoever stopped it
                            self._give_up(job_id)
                            return
                        process.join(1.0)
                        code = process.exitcode
                        message = CRASHED_MESSAGE.format(code=code)
                        self._end(job_id, JobState.FAILED, message=message)
                        return
                    if tag == "progress":
                        _update(self.engine, job_id, when=running, progress=payload)
                    elif tag == "done":
                        self._end(job_id, JobState.DONE, result=payload)
                        return
                    else:
                        self._end(job_id, JobState.FAILED, message=str(payload))
                        return
                if self._closing:
                    self._give_up(job_id)
                    return
                if event.is_set() or state_of(self.engine, job_id) != JobState.RUNNING:
                    return  # cancelled (the state says so already): stop the process
                if time.monotonic() > deadline:
                    message = TIMED_OUT_MESSAGE.format(seconds=self.time_limit)
                    self._end(job_id, JobState.TIMED_OUT, message=message)
                    return
                if time.monotonic() - beat >= self.heartbeat:
                    beat = time.monotonic()
                    _update(self.engine, job_id, when=running, heartbeat_at=utcnow())
        finally:
            stop_process(process)
            reader.close()

    def _end(self, job_id: int, state: str, **values: Any) -> None:
        _update(
            self.engine,
            job_id,
            when=(JobState.RUNNING,),
            state=state,
            finished_at=utcnow(),
            heartbeat_at=utcnow(),
            **values,
        )
