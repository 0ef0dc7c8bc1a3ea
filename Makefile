# The two commands of the README: `make run` and `make test`.
# Both build the virtualenv from the hash-pinned lock file first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run serve smoke-serve test test-services lint format bench bench-place bench-real lock clean

$(STAMP): requirements-dev.lock pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $(STAMP)

FLASK := $(BIN)/flask --app crunch
CHROMIUM := /usr/bin/chromium
# Root installs packages directly; anyone else goes through sudo.
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

# Set up, migrate, load the demo district (idempotent) and serve on 127.0.0.1:5000.
run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) seed-demo
	$(FLASK) run --host 127.0.0.1 --port 5000

# Production mode: gunicorn with several gthread workers (gunicorn.conf.py), after the
# migrations. Refuses an unsafe configuration (see docs/deployment.md for the settings:
# CRUNCH_SECRET_KEY, CRUNCH_RATELIMIT_STORAGE_URI=redis://..., CRUNCH_BIND, ...).
serve: $(STAMP)
	$(FLASK) db upgrade
	exec $(BIN)/gunicorn -c gunicorn.conf.py

# Start `make serve` against throwaway PostgreSQL and Redis servers, sign in, solve,
# stop (CI runs it after the tests).
smoke-serve: $(STAMP)
	.ci/with-services .ci/smoke-serve

test: $(STAMP) $(CHROMIUM)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest

# The whole suite again against throwaway PostgreSQL and Redis servers (Debian's
# packages, installed if missing; see docs/jobs-ci.md). CI runs it after `make test`.
test-services: $(STAMP) $(CHROMIUM)
	.ci/with-services $(BIN)/python -m pytest

# The browser tests drive Debian's Chromium; Playwright's own download cannot work here.
$(CHROMIUM):
	$(SUDO) apt-get update
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y chromium

lint: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python bench/solver_speed.py

# Class lists beside CP-SAT: OR-Tools lives in a virtualenv of its own (it cannot share
# a process with python-mip), from its own hash-pinned lock.
CPSAT_STAMP := .venv-cpsat/.installed
$(CPSAT_STAMP): bench/requirements-cpsat.lock
	test -d .venv-cpsat || $(PYTHON) -m venv .venv-cpsat
	.venv-cpsat/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r bench/requirements-cpsat.lock
	touch $(CPSAT_STAMP)

bench-place: $(STAMP) $(CPSAT_STAMP)
	$(BIN)/python bench/placement_speed.py

# The class solver on the real schools of the 2019 census, beside CP-SAT (same venv).
bench-real: $(STAMP) $(CPSAT_STAMP)
	$(BIN)/python bench/real_schools.py ../shared/data/vic-2019

# Re-resolve the pinned set after changing pyproject.toml (needs uv).
lock:
	uv pip compile pyproject.toml --extra dev -c constraints.txt --generate-hashes --python-version 3.11 \
		--python-platform x86_64-manylinux_2_28 -o requirements-dev.lock

clean:
	rm -rf $(VENV) .venv-cpsat .pytest_cache .ruff_cache .hypothesis
