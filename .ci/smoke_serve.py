"""Smoke test of production mode (run by .ci/smoke-serve inside .ci/with-services).

1. `make serve` with the in-memory limiter store and two workers must refuse to
   start, exit non-zero and say why.
2. `make serve` with the services' PostgreSQL and Redis, a random SECRET_KEY and two
   gthread workers on a free port must answer; a demo planner signs in (the session
   cookie is Secure), opens Hillside's plan and runs the live preview (a solve);
   the answers carry the security headers and Cache-Control: no-store.
3. SIGTERM stops the server: every process gone, the port free again.

Plain HTTP on 127.0.0.1 with a Secure cookie: the cookie is sent by hand, as a
client behind the HTTPS proxy would send it.
"""

from __future__ import annotations

import html
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.form_fields import editor_fields  # noqa: E402  (needs ROOT on the path)

FLASK = [str(ROOT / ".venv/bin/flask"), "--app", "crunch"]
PLANNER = ("planner@riverbend.example", "riverbend-demo")
START_SECONDS = 120


def log(message: str) -> None:
    print(f"[smoke-serve] {message}", flush=True)


def fail(message: str) -> None:
    log(f"FAILED: {message}")
    sys.exit(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


OPENER = urllib.request.build_opener(NoRedirect)


class Client:
    """A browser in miniature: one cookie jar kept by hand (Secure cookies included)."""

    def __init__(self, base: str):
        self.base = base
        self.cookies: dict[str, str] = {}
        self.set_cookie_lines: list[str] = []

    def request(self, method: str, path: str, data=None, headers=None):
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, method=method)
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        if self.cookies:
            request.add_header("Cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        try:
            response = OPENER.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for line in response.headers.get_all("Set-Cookie") or []:
            self.set_cookie_lines.append(line)
            name, _, rest = line.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        text = response.read().decode("utf-8", "replace")
        return response.status, response.headers, text


def check_headers(name: str, headers) -> None:
    if "frame-ancestors 'none'" not in (headers.get("Content-Security-Policy") or ""):
        fail(f"{name}: no Content-Security-Policy")
    if headers.get("X-Content-Type-Options") != "nosniff":
        fail(f"{name}: no X-Content-Type-Options")
    if headers.get("Cache-Control") != "no-store":
        fail(f"{name}: Cache-Control is {headers.get('Cache-Control')!r}, not no-store")


def refuses_unsafe(env: dict) -> None:
    unsafe = {**env, "CRUNCH_RATELIMIT_STORAGE_URI": "memory://", "CRUNCH_WORKERS": "2"}
    done = subprocess.run(
        ["make", "--no-print-directory", "serve"],
        cwd=ROOT,
        env=unsafe,
        capture_output=True,
        text=True,
        timeout=180,
    )
    output = done.stdout + done.stderr
    if done.returncode == 0 or "refused: RATELIMIT_STORAGE_URI is 'memory://'" not in output:
        fail(f"an in-memory limiter store with 2 workers was not refused:\n{output}")
    log("refused with the in-memory limiter store and 2 workers, as it should")


def start(env: dict, port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        ["make", "--no-print-directory", "serve"],
        cwd=ROOT,
        env={**env, "CRUNCH_BIND": f"127.0.0.1:{port}", "CRUNCH_WORKERS": "2"},
        start_new_session=True,  # its own process group: make, gunicorn and the workers
    )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            fail(f"make serve exited with status {server.returncode} before answering")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=5) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    stop(server)
    fail(f"no answer on port {port} within {START_SECONDS} s")
    raise AssertionError


def stop(server: subprocess.Popen) -> None:
    with_suppressed_missing(lambda: os.killpg(server.pid, signal.SIGTERM))
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        with_suppressed_missing(lambda: os.killpg(server.pid, signal.SIGKILL))
        server.wait()
        fail("the server did not stop within 60 s of SIGTERM")


def with_suppressed_missing(action) -> None:
    with suppress(ProcessLookupError):  # already gone
        action()


def sign_in_and_solve(base: str) -> None:
    client = Client(base)
    status, headers, page = client.request("GET", "/login")
    check_headers("login page", headers)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    email, password = PLANNER
    status, headers, _ = client.request(
        "POST", "/login", {"csrf_token": token, "email": email, "password": password, "next": ""}
    )
    if status != 303:
        fail(f"signing in answered {status}, not 303")
    session = [line for line in client.set_cookie_lines if line.startswith("session=")][-1]
    if "Secure" not in session or "HttpOnly" not in session:
        fail(f"the session cookie is not Secure and HttpOnly: {session}")
    log(f"signed in as {email}; the session cookie is Secure and HttpOnly")

    status, headers, page = client.request("GET", "/")
    check_headers("school list", headers)
    school = re.search(r'href="(/schools/\d+)"[^>]*>\s*Hillside', page)
    if status != 200 or not school:
        fail(f"the school list answered {status} without Hillside")
    status, _, page = client.request("GET", school.group(1))
    plan = re.search(rf'href="({school.group(1)}/scenarios/\d+)"', page)
    if status != 200 or not plan:
        fail(f"Hillside's page answered {status} without a plan")
    status, headers, page = client.request("GET", plan.group(1))
    check_headers("editor", headers)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', html.unescape(page)).group(1)
    # as the inputs' section posts while someone types: the whole editor comes back
    live = {"HX-Request": "true", "HX-Trigger": "inputs", "X-CSRFToken": token}
    started = time.monotonic()
    status, headers, fragment = client.request(
        "POST", f"{plan.group(1)}/edit", editor_fields(page), live
    )
    seconds = time.monotonic() - started
    check_headers("live preview", headers)
    editor = fragment.lstrip().startswith('<form id="editor"')
    if status != 200 or not editor or '<section id="results"' not in fragment:
        fail(f"the live preview answered {status}: {fragment[:300]}")
    answer = re.search(r'class="status-line status-(\w+)"', fragment)
    if not answer or answer.group(1) not in ("optimal", "feasible"):
        fail(f"the live preview shows no solved plan: {fragment[:600]}")
    log(f"the live preview solved Hillside's plan in {seconds:.2f} s ({answer.group(1)})")


def main() -> None:
    database = os.environ.get("CRUNCH_TEST_DATABASE_URL")
    redis = os.environ.get("CRUNCH_TEST_REDIS_URL")
    if not (database and redis):
        log("needs CRUNCH_TEST_DATABASE_URL and CRUNCH_TEST_REDIS_URL: run it as")
        log("  .ci/with-services .ci/smoke-serve")
        sys.exit(2)
    env = {
        **os.environ,
        "CRUNCH_DATABASE_URL": database,
        "CRUNCH_RATELIMIT_STORAGE_URI": redis,
        "CRUNCH_SECRET_KEY": secrets.token_hex(32),
    }
    for name in ("FLASK_DEBUG", "CRUNCH_ALLOW_UNSAFE", "CRUNCH_TESTING", "CRUNCH_DEBUG"):
        env.pop(name, None)
    subprocess.run([*FLASK, "db", "upgrade"], cwd=ROOT, env=env, check=True)
    subprocess.run([*FLASK, "seed-demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    refuses_unsafe(env)

    port = free_port()
    server = start(env, port)
    log(f"make serve answers on 127.0.0.1:{port} (2 gthread workers)")
    try:
        sign_in_and_solve(f"http://127.0.0.1:{port}")
    finally:
        stop(server)
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            fail(f"port {port} still answers after the server stopped")
    log("stopped on SIGTERM; the port is free again. Production mode works.")


if __name__ == "__main__":
    main()
