"""Stopping the server stops every solving process it started (issue 17).

A real server process (tests/job_server.py) starts a slow job on the test's
database and is stopped the way servers are stopped; afterwards no process it
started is left, and the job says why it ended. Linux only (/proc).
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from crunch import jobs
from crunch.extensions import db
from crunch.jobs import processes
from crunch.jobs import runner as runners
from crunch.models import JobState, Scenario, utcnow
from tests.jobs_support import (
    SHARED,
    add_job,
    fresh,
    job_app,
    wait_for,
)

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
ROOT = Path(__file__).resolve().parents[1]
SERVER = ROOT / "tests" / "job_server.py"
# Starts the server with SIGINT ignored, as every child of a test run started as a
# background command is (`make test > log &`): the server must take Ctrl-C back
# (job_server.take_ctrl_c), or the SIGINT case waits out its timeout however the
# run was started. The exec keeps the pid.
DEAF_TO_SIGINT = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_IGN); "
    "os.execv(sys.executable, [sys.executable, *sys.argv[1:]])"
)


@pytest.fixture
def app(tmp_path):
    with job_app(tmp_path, JOBS_TIME_LIMIT=600.0, JOBS_SOLVE_TIME_LIMIT=300.0) as app:
        yield app


def gone(pid: int) -> bool:
    """Exited (a zombie waiting for a parent that does not reap counts as exited)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state in ("Z", "X")


def descendants(pid: int) -> set[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        children = {child for child, of in parents.items() if of == parent}
        todo += list(children - found)
        found |= children
    return found


@contextlib.contextmanager
def serving(app, mode: str):
    """The job server of `mode` with its slow job running: (server, job id, solve's pid).

    Killed on the way out if it is still running (a test that failed, or a kill test)."""
    config = {k: app.config[k] for k in SHARED if k in app.config}
    config.update({k: v for k, v in app.config.items() if k.startswith("JOBS_")})
    env = {**os.environ, "CRUNCH_TEST_SERVER_CONFIG": json.dumps(config)}
    server = subprocess.Popen(
        [sys.executable, "-c", DEAF_TO_SIGINT, str(SERVER), mode],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        started = json.loads(server.stdout.readline())
        assert started["pid"], "the job's process never started"
        assert started.get("ctrl_c", True), "the server ignores SIGINT: Ctrl-C cannot stop it"
        yield server, started["job"], started["pid"]
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(10)


def assert_stopped_with_a_reason(job_id: int, processes: set[int]) -> None:
    wait_for(lambda: all(gone(p) for p in processes))  # the solve, the resource tracker
    job = fresh(job_id)
    assert job.state == JobState.FAILED
    assert job.message == runners.STOPPED_MESSAGE


@pytest.mark.parametrize(
    ("mode", "how"),
    [
        ("werkzeug", signal.SIGTERM),  # `flask run` stopped by a service manager
        ("werkzeug", signal.SIGINT),  # Ctrl-C
        ("gunicorn", signal.SIGTERM),  # a gunicorn worker restarted or stopped
    ],
    ids=["sigterm", "sigint", "gunicorn-worker-exit"],
)
def test_stopping_the_server_stops_its_solves_and_says_why(app, mode, how):
    with serving(app, mode) as (server, job_id, pid):
        started = descendants(server.pid)
        assert pid in started
        server.send_signal(how)
        server.wait(60)
        assert_stopped_with_a_reason(job_id, started)


# A stop signal handled inside a finalizer: signal.raise_signal runs the handler at
# once, so its exception is raised in `__del__`, where Python prints and drops it.
LOST_IN_A_FINALIZER = """
import signal, sys, time
from crunch.jobs import runner
if sys.argv[1] == "SIGTERM":
    assert runner.stop_on_sigterm()
if sys.argv[2] == "redeliver":
    runner.redeliver_lost_stops()

class Finalizer:
    def __del__(self):
        signal.raise_signal(getattr(signal, sys.argv[1]))

try:
    Finalizer()
    time.sleep(float(sys.argv[3]))
except KeyboardInterrupt:
    sys.exit(7)
print("served on")
"""


@pytest.mark.parametrize("how", ["SIGINT", "SIGTERM"])
def test_a_stop_signal_handled_inside_a_finalizer_still_stops_the_server(how):
    def run(*args):
        return subprocess.run(
            [sys.executable, "-c", LOST_IN_A_FINALIZER, how, *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    expected = 7 if how == "SIGINT" else 128 + signal.SIGTERM
    stopped = run("redeliver", "60")
    assert stopped.returncode == expected, stopped.stderr
    assert "served on" not in stopped.stdout
    lost = run("plain", "1")  # the control: without the hook the signal is dropped
    assert lost.returncode == 0, lost.stderr
    assert "served on" in lost.stdout
    assert "Exception ignored" in lost.stderr


def test_an_rq_worker_asked_to_stop_stops_its_solve_at_once(app):
    """RQ's warm shutdown waits for the job: the job stops its solve first, and RQ's
    handler still runs (the worker then exits with no job left)."""
    with serving(app, "rq") as (server, job_id, pid):
        started = descendants(server.pid)
        assert pid in started
        server.send_signal(signal.SIGTERM)
        assert json.loads(server.stdout.readline()) == {"warm_stop": True}
        assert server.wait(60) == 0
        assert_stopped_with_a_reason(job_id, started)


def test_a_server_killed_outright_leaves_no_solve_running(app):
    with serving(app, "werkzeug") as (server, job_id, _):
        started = descendants(server.pid)
        server.kill()  # SIGKILL: no handler runs; the solving process sees its parent go
        server.wait(60)
        wait_for(lambda: all(gone(p) for p in started))
        assert fresh(job_id).state == JobState.RUNNING  # nobody could say so...
        assert runners.recover(db.engine, 0.0) == 1  # ...until its heartbeat is stale
        assert fresh(job_id).state == JobState.FAILED


def add_running(pid: int, runner: str, heartbeat_age: float = 3600) -> int:
    scenario = db.session.scalar(db.select(Scenario))
    now = utcnow()
    return add_job(
        scenario,
        JobState.RUNNING,
        jobs.SOLVE,
        created_at=now,
        started_at=now,
        heartbeat_at=now - timedelta(seconds=heartbeat_age),
        runner=runner,
        pid=pid,
    )


def test_a_stale_jobs_solving_process_is_killed_not_only_marked(app):
    # a spawned process, as the runner starts solves, whose runner stopped beating
    process = multiprocessing.get_context("spawn").Process(target=time.sleep, args=(600,))
    process.start()
    try:
        me = f"{socket.gethostname()}:{os.getpid()}"
        stale = add_running(process.pid, me)
        assert jobs.sweep(app, force=True) == 1
        assert fresh(stale).state == JobState.FAILED
        process.join(60)
        assert process.exitcode == -signal.SIGKILL
    finally:
        if process.is_alive():
            process.kill()
        process.join(10)


def test_a_pid_that_is_not_the_jobs_solve_is_left_alone(app):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        me = f"{socket.gethostname()}:{os.getpid()}"
        assert not processes.is_stranded_solve(other.pid, me, utcnow())  # not a spawn child
        stale = add_running(other.pid, me)
        assert jobs.sweep(app, force=True) == 1
        assert fresh(stale).state == JobState.FAILED
        time.sleep(0.2)
        assert other.poll() is None  # still running
    finally:
        other.kill()
        other.wait(10)


def test_stale_jobs_are_failed_while_the_server_runs_not_only_at_start_up(app):
    app.config["JOBS_SWEEP_SECONDS"] = 0.0
    crashed = add_running(999_999, "elsewhere:1")
    alive = add_running(999_998, "elsewhere:1", heartbeat_age=0)
    scenario = db.session.scalar(db.select(Scenario))
    # what the editor does as it is used: look for a running job of these inputs
    assert jobs.active_for(scenario, None, jobs.SOLVE, "no such inputs") is None
    assert fresh(crashed).state == JobState.FAILED
    assert "server stopped" in fresh(crashed).message
    assert fresh(alive).state == JobState.RUNNING


def test_sweeps_are_spaced_out(app):
    app.config["JOBS_SWEEP_SECONDS"] = 3600.0
    jobs.sweep(app, force=True)
    crashed = add_running(999_999, "elsewhere:1")
    assert jobs.sweep(app) == 0  # too soon after the last
    assert fresh(crashed).state == JobState.RUNNING
    assert jobs.sweep(app, force=True) == 1
