"""A web server with one slow job running, for tests/test_jobs_stop.py to stop.

    python tests/job_server.py MODE        (the app's settings as JSON in CRUNCH_TEST_SERVER_CONFIG)

It starts a staffing job of a slow school on the test app's database (set up by the
test), waits until its solving process runs, prints {"job": id, "pid": pid} as
one line, then serves as MODE says until it is stopped:

    werkzeug   Werkzeug's server, as `flask run` in a terminal (SIGTERM as Python leaves
               it, SIGINT as Ctrl-C: see take_ctrl_c)
    gunicorn   a loop with a SIGTERM handler of its own installed before the app is
               made, that ends the loop and exits, as a gunicorn worker does
    rq         the RQ task (crunch.jobs.rq_task.run) in the main thread, under a
               SIGTERM handler like RQ's warm shutdown (it only notes the request:
               the worker exits once its job is done); prints {"warm_stop": true}
               when the task returned after that request
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CONFIG_ENV = "CRUNCH_TEST_SERVER_CONFIG"


def take_ctrl_c() -> None:
    """SIGINT raises KeyboardInterrupt, as in a server started from a terminal.

    A process inherits an ignored SIGINT, and Python then leaves it ignored: a test
    run started as a background command (`make test > log &` in a shell without job
    control) starts this server deaf to SIGINT, and it would serve on instead of
    stopping when the test sends it.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def solving_pid(job_id: int) -> int | None:
    """The pid of the job's solving process, once it runs (None after two minutes)."""
    from crunch.extensions import db
    from crunch.models import Job

    ends = time.monotonic() + 120
    while time.monotonic() < ends:
        db.session.commit()
        found = db.session.get(Job, job_id, populate_existing=True)
        if found.pid:
            break
        time.sleep(0.05)
    return found.pid


def main() -> int:
    mode = sys.argv[1]
    take_ctrl_c()
    running = [True]
    if mode in ("gunicorn", "rq"):

        def handle_exit(signum, frame):  # gunicorn's handle_exit, RQ's request_stop
            running[0] = False

        signal.signal(signal.SIGTERM, handle_exit)

    from crunch import create_app, jobs
    from crunch.extensions import db
    from crunch.models import Scenario
    from tests.jobs_support import K12_FEWEST

    app = create_app(json.loads(os.environ[CONFIG_ENV]))
    if mode == "rq":
        return run_as_rq_worker(app, running)
    with app.app_context():
        scenario = db.session.scalar(db.select(Scenario))
        # a staffing curve reports nothing until it is done: no write to a closed pipe
        # ends its process early when the server is gone
        params = {"first": 93, "last": 120, "time_limit": 300.0}
        job = jobs.start(scenario, None, jobs.STAFFING, K12_FEWEST, params)
        pid = solving_pid(job.id)
        ctrl_c = signal.getsignal(signal.SIGINT) is signal.default_int_handler
        print(json.dumps({"job": job.id, "pid": pid, "ctrl_c": ctrl_c}), flush=True)

    if mode == "werkzeug":
        from werkzeug.serving import make_server

        make_server("127.0.0.1", 0, app, threaded=True).serve_forever()
    elif mode == "gunicorn":
        while running[0]:
            time.sleep(0.05)
        sys.exit(0)
    else:
        raise SystemExit(f"unknown mode {mode!r}")
    return 0


def run_as_rq_worker(app, running) -> int:
    import threading

    from crunch import jobs
    from crunch.extensions import db
    from crunch.jobs import rq_task
    from crunch.models import JobState, Scenario, utcnow
    from tests.jobs_support import K12_FEWEST, add_job

    rq_task.use_app(app)
    params = {"first": 93, "last": 120, "time_limit": 300.0}
    with app.app_context():
        scenario = db.session.scalar(db.select(Scenario))
        job_id = add_job(
            scenario,
            JobState.QUEUED,
            jobs.STAFFING,
            inputs=K12_FEWEST,
            params=params,
            created_at=utcnow(),
            heartbeat_at=utcnow(),
        )

    def report() -> None:  # the task runs in the main thread, as in RQ's SimpleWorker
        with app.app_context():
            print(json.dumps({"job": job_id, "pid": solving_pid(job_id)}), flush=True)

    threading.Thread(target=report, daemon=True).start()
    rq_task.run(job_id, jobs.STAFFING, K12_FEWEST, params)
    print(json.dumps({"warm_stop": not running[0]}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
