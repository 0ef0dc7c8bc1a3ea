"""What running a solve as a job costs: cancel latency and a job's overhead.

- Cancel latency: a slow K-12 school (fewest teachers that work, so its solve runs
  for many seconds) is started as a job; once its process is solving, the job is
  cancelled as the Cancel button does, and the time until the solving process is
  gone is measured.
- Overhead: the same small scenario (the spec's Hillside example, "Find other
  options": 3 alternatives) solved in this process, and as a job from start to
  `done` as seen in the jobs table (a fresh spawned process, importing the solver,
  the pipe, the database writes).

    .venv/bin/python bench/jobs_speed.py [--cancels N] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def wait(predicate, timeout: float = 120.0, step: float = 0.005):
    ends = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > ends:
            raise RuntimeError("gave up waiting")
        time.sleep(step)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cancels", type=int, default=7)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)

    from crunch import jobs, tenancy
    from crunch.extensions import db
    from crunch.jobs import runner as runners
    from crunch.models import Job, JobState, Scenario, User
    from crunch.solver import parse_scenario, solve
    from tests.conftest import HILLSIDE, add_school, add_users, make_app, save_scenario
    from tests.jobs_support import K12_FEWEST

    tenancy.see_everything_outside_requests()
    folder = tempfile.mkdtemp(prefix="jobs-bench-")
    app = make_app(
        Path(folder) / "bench.sqlite",
        PREVIEW_TIME_LIMIT=0.5,
        JOBS_SOLVE_TIME_LIMIT=60.0,
        JOBS_TIME_LIMIT=120.0,
    )
    with app.app_context():
        db.create_all()
        add_users(add_school())
        small = db.session.scalar(db.select(Scenario))
        slow = save_scenario(small.school, "K-12", K12_FEWEST)
        user = db.session.scalar(db.select(User).limit(1))
        backend = jobs.backend(app)

        def state(job_id):
            db.session.commit()
            return db.session.scalar(db.select(Job.state).where(Job.id == job_id))

        latencies, remote = [], []
        for number in range(2 * args.cancels):
            job = jobs.start(slow, None, jobs.OPTIONS, K12_FEWEST, {"time_limit": 60.0})
            wait(lambda j=job.id: (p := backend.process_of(j)) is not None and p.is_alive())
            time.sleep(1.0)  # let it import mip and solve
            process = backend.process_of(job.id)
            started = time.perf_counter()
            if number % 2 == 0:
                jobs.cancel(job, user)  # the Cancel button, served by this process
                wait(lambda p=process: not p.is_alive())
                latencies.append(time.perf_counter() - started)
            else:
                # As another web process's Cancel: only the jobs table changes.
                runners._update(db.engine, job.id, when=JobState.ACTIVE, state=JobState.CANCELLED)
                wait(lambda p=process: not p.is_alive())
                remote.append(time.perf_counter() - started)
            assert state(job.id) == JobState.CANCELLED

        scenario = parse_scenario(HILLSIDE)
        solve(scenario, time_limit=10.0, alternatives=3)  # warm: mip imported, first model
        inline, as_job = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            solve(scenario, time_limit=10.0, alternatives=3)
            inline.append(time.perf_counter() - started)
            started = time.perf_counter()
            job = jobs.start(small, None, jobs.OPTIONS, HILLSIDE, {"alternatives": 3})
            wait(lambda j=job.id: state(j) not in JobState.ACTIVE)
            as_job.append(time.perf_counter() - started)
            assert state(job.id) == JobState.DONE
        backend.shutdown()

    load = os.getloadavg()[0]
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    print(f"Load average before the last figure: {load:.1f}")
    print(
        f"Cancel latency ({args.cancels} cancels of a running K-12 solve, until its process"
        f" is gone): median {statistics.median(latencies) * 1000:.0f} ms,"
        f" max {max(latencies) * 1000:.0f} ms"
    )
    print(
        f"Cancel made by another web process (seen in the jobs table), {args.cancels} cancels:"
        f" median {statistics.median(remote) * 1000:.0f} ms, max {max(remote) * 1000:.0f} ms"
    )
    med_inline, med_job = statistics.median(inline), statistics.median(as_job)
    print(
        f"Small scenario, 3 alternatives ({args.runs} runs): in this process median"
        f" {med_inline * 1000:.0f} ms; as a job, start to done, median {med_job * 1000:.0f} ms"
        f" (max {max(as_job) * 1000:.0f} ms); overhead {(med_job - med_inline) * 1000:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
