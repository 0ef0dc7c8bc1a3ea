"""gunicorn's settings for production mode: `make serve` runs `gunicorn -c gunicorn.conf.py`.

Every setting can be changed by an environment variable (docs/deployment.md):
CRUNCH_BIND, CRUNCH_WORKERS, CRUNCH_THREADS, CRUNCH_WORKER_TIMEOUT.

- gthread workers: a worker's threads keep answering while one of them waits for a
  solve (the live preview, up to PREVIEW_TIME_LIMIT seconds).
- No preload: each worker imports the app itself after the fork, so no database
  connection or solver library state is shared between processes.
- Before the first worker starts, `flask --app crunch check-deploy` runs in a
  process of its own and its refusal stops the server (crunch/deploy_check.py).
"""

import os
import subprocess
import sys

# Production mode for the check and for every worker (they inherit the environment).
os.environ["CRUNCH_PRODUCTION"] = "1"

wsgi_app = "wsgi:app"
bind = os.environ.get("CRUNCH_BIND", "127.0.0.1:8000").split(",")
workers = int(os.environ.get("CRUNCH_WORKERS", "3"))
worker_class = "gthread"
threads = int(os.environ.get("CRUNCH_THREADS", "4"))
# Well above the preview's 3 s limit; a worker silent for longer is restarted.
timeout = int(os.environ.get("CRUNCH_WORKER_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
accesslog = "-"
errorlog = "-"


def on_starting(server):
    check = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "crunch",
        "check-deploy",
        "--workers",
        str(server.cfg.workers),
        "--timeout",
        str(server.cfg.timeout),
    ]
    if subprocess.run(check, check=False).returncode != 0:
        sys.exit(1)
