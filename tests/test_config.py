"""Numeric settings are checked when the app starts: a bad one stops it with a
message naming the setting, instead of failing at the first request that reads it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask

from crunch import config, create_app


def start(monkeypatch, tmp_path, **env):
    """What create_app does with the environment `env` (CRUNCH_ left off)."""
    monkeypatch.setenv("CRUNCH_SECRET_KEY", "test secret")
    for key, value in env.items():
        monkeypatch.setenv(f"CRUNCH_{key}", value)
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    config.load(app, None)
    return app


# What each bad setting (CRUNCH_KEY=value) is told, after its name.
BAD_NUMBERS = {
    "JOBS_MAX_CONCURRENT=two": "must be a whole number (more than 0)",
    "JOBS_MAX_CONCURRENT=0": "must be more than 0, not 0",
    "JOBS_MAX_ACTIVE_PER_USER=-1": "must be 0 or more, not -1",
    "JOBS_KEEP_DAYS=2.5": "must be a whole number (0 or more), not 2.5",
    "JOBS_STALE_SECONDS=true": "must be a number (more than 0)",
    "PREVIEW_TIME_LIMIT=3s": "must be a number (more than 0), not '3s'",
    "PREVIEW_TIME_LIMIT=NaN": "must be a number (more than 0), not nan",
    "SUGGESTION_MAX_SIZE_STEP=-4": "must be 0 or more, not -4",
    "SUGGESTION_MAX_SIZE_STEP=four": "must be a whole number",
    "IMPORT_MAX_BYTES=2MB": "must be a whole number (0 or more)",
    "IMPORT_MAX_SECONDS=-2": "must be more than 0, not -2",
    "IMPORT_MAX_ROWS=": "must be a whole number (0 or more), not ''",
}


@pytest.mark.parametrize(("setting", "message"), BAD_NUMBERS.items(), ids=list(BAD_NUMBERS))
def test_a_bad_number_in_the_environment_refuses_to_start(monkeypatch, tmp_path, setting, message):
    key, value = setting.split("=", 1)
    with pytest.raises(config.BadSetting) as refused:
        start(monkeypatch, tmp_path, **{key: value})
    [problem] = refused.value.problems
    assert problem.startswith(f"{key} {message}")
    assert problem.endswith(f": see CRUNCH_{key} or instance/config.py.")
    assert problem in str(refused.value)


def test_every_bad_setting_is_named_at_once(monkeypatch, tmp_path):
    with pytest.raises(config.BadSetting) as refused:
        start(monkeypatch, tmp_path, JOBS_TIME_LIMIT="-1", IMPORT_MAX_CELLS="lots")
    assert [p.split()[0] for p in refused.value.problems] == ["IMPORT_MAX_CELLS", "JOBS_TIME_LIMIT"]


def test_good_numbers_start(monkeypatch, tmp_path):
    app = start(
        monkeypatch,
        tmp_path,
        JOBS_MAX_CONCURRENT="4",
        JOBS_MAX_ACTIVE_PER_USER="0",  # nobody may start a job: allowed
        JOBS_KEEP_DAYS="7.0",  # a whole number written as a float
        PREVIEW_TIME_LIMIT="2",  # a float setting given as a whole number
        SUGGESTION_MAX_SIZE_STEP="0",
        IMPORT_MAX_BYTES="1000000",
    )
    assert app.config["JOBS_MAX_CONCURRENT"] == 4
    assert app.config["JOBS_KEEP_DAYS"] == 7 and isinstance(app.config["JOBS_KEEP_DAYS"], int)
    assert app.config["PREVIEW_TIME_LIMIT"] == 2
    assert app.config["SUGGESTION_MAX_SIZE_STEP"] == 0
    assert app.config["IMPORT_MAX_BYTES"] == 1_000_000


def test_flasks_own_limits_may_be_none(monkeypatch, tmp_path):
    app = start(monkeypatch, tmp_path, MAX_CONTENT_LENGTH="null", WTF_CSRF_TIME_LIMIT="null")
    assert app.config["MAX_CONTENT_LENGTH"] is None
    with pytest.raises(config.BadSetting, match="MAX_CONTENT_LENGTH must be"):
        start(monkeypatch, tmp_path, MAX_CONTENT_LENGTH="-1")


def test_create_app_checks_before_anything_starts(tmp_path):
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test secret",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'never.sqlite'}",
        "JOBS_STALE_SECONDS": "soon",
    }
    with pytest.raises(config.BadSetting, match="JOBS_STALE_SECONDS must be a number"):
        create_app(settings)
    assert not (tmp_path / "never.sqlite").exists()


def test_an_unknown_jobs_backend_refuses_to_start(monkeypatch, tmp_path):
    with pytest.raises(config.BadSetting) as refused:
        start(monkeypatch, tmp_path, JOBS_BACKEND="carrier-pigeon")
    assert refused.value.problems == [
        "JOBS_BACKEND must be 'embedded' or 'rq', not 'carrier-pigeon': see"
        " CRUNCH_JOBS_BACKEND or instance/config.py."
    ]
    assert start(monkeypatch, tmp_path, JOBS_BACKEND=" RQ ").config["JOBS_BACKEND"] == "rq"


def test_the_database_url_comes_from_the_environment_once(monkeypatch, tmp_path):
    app = start(monkeypatch, tmp_path, DATABASE_URL="postgres://me@db.example/crunch")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://me@db.example/crunch"
    assert "DATABASE_URL" not in app.config  # one setting for one thing


def test_every_default_is_in_one_place(tmp_path):
    """The jobs' settings are there without their blueprint, and no module keeps a
    fallback of its own: `app.config[KEY]`, never `config.get(KEY, default)`."""
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    config.load(app, {"SECRET_KEY": "test secret"})
    for key, value in vars(config.Defaults).items():
        if key.isupper() and key not in ("SECRET_KEY", "SQLALCHEMY_DATABASE_URI"):
            assert app.config[key] == value, key
    assert app.config["JOBS_BACKEND"] == "embedded" and app.config["JOBS_KEEP_DAYS"] == 30
    package = Path(config.__file__).parent
    fallbacks = [
        f"{path.relative_to(package)}: {line.strip()}"
        for path in sorted(package.rglob("*.py"))
        for line in path.read_text().splitlines()
        if re.search(r"config\.get\(|config\.setdefault\(", line)
    ]
    assert fallbacks == []
