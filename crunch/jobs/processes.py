"""Solving processes the runner has lost track of: find them and kill them.

A job's row names its solving process (`pid`) and the runner that supervised it
(`runner`, "host:pid"). When that runner stops beating (the server was killed,
or its supervising thread is stuck), `recover()` marks the job failed and kills
the process too, so a lost solve does not hold a core for ever.

A pid from the table may have been reused by now, so a process is only killed
when everything agrees (Linux, from /proc): it runs on this host, it is a
multiprocessing `spawn` child, its parent is the job's runner or that runner is
gone, and it started within a minute of the job.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
from datetime import UTC, datetime

log = logging.getLogger(__name__)

PROC = "/proc"
# how long after the job was marked running its process may have started
START_WINDOW = 60.0


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as file:
            return file.read()
    except OSError:
        return None


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, start time in seconds since the epoch) of a live process."""
    raw = _read(f"{PROC}/{pid}/stat")
    boot = _read(f"{PROC}/stat")
    if raw is None or boot is None:
        return None
    fields = raw[raw.rfind(b")") + 2 :].split()  # after "pid (name) "
    parent, ticks = int(fields[1]), int(fields[19])
    btime = next(int(line.split()[1]) for line in boot.splitlines() if line.startswith(b"btime"))
    return parent, btime + ticks / os.sysconf("SC_CLK_TCK")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def is_stranded_solve(pid: int | None, runner: str, started_at: datetime | None) -> bool:
    """True if `pid` is still the solving process that `runner` started for the job."""
    if not pid or pid <= 1 or not runner:
        return False
    host, _, runner_pid = runner.rpartition(":")
    if host != socket.gethostname() or not runner_pid.isdigit():
        return False
    cmdline = _read(f"{PROC}/{pid}/cmdline")
    stat = _stat(pid)
    if cmdline is None or stat is None or b"multiprocessing.spawn" not in cmdline:
        return False
    parent, started = stat
    if parent != int(runner_pid) and alive(int(runner_pid)):
        return False  # another live process's child: not this job's
    if started_at is not None:
        job_started = started_at.replace(tzinfo=UTC).timestamp()
        if not job_started - 5.0 <= started <= job_started + START_WINDOW:
            return False
    return True


def kill_stranded(pid: int | None, runner: str, started_at: datetime | None) -> bool:
    """Kill the job's solving process if it is still running; True if it was killed."""
    if not is_stranded_solve(pid, runner, started_at):
        return False
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        return False
    log.warning("killed solving process %s: its runner %s stopped beating", pid, runner)
    return True
