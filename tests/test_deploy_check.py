"""The production start-up check (crunch/deploy_check.py) and production mode's defaults."""

from __future__ import annotations

import pytest
from flask import Flask

from crunch import config, deploy_check
from tests.conftest import make_app

SAFE = {
    "SECRET_KEY": "k" * 64,
    "SESSION_COOKIE_SECURE": True,
    "WTF_CSRF_ENABLED": True,
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
    "TESTING": False,
}


class Reachable:
    def __init__(self, up: bool):
        self.up = up

    def check(self) -> bool:
        return self.up


@pytest.fixture
def redis_up(monkeypatch):
    monkeypatch.setattr(deploy_check, "storage_from_string", lambda uri: Reachable(True))


def app_with(tmp_path, **settings):
    return make_app(tmp_path / "deploy.sqlite", **{**SAFE, **settings})


def problems_of(app, **kwargs) -> list[str]:
    with app.app_context():
        return deploy_check.problems(app, **kwargs)


def test_a_safe_configuration_has_no_problems(tmp_path, redis_up):
    assert problems_of(app_with(tmp_path), workers=4, timeout=60) == []


@pytest.mark.parametrize(
    "settings, words",
    [
        ({"SECRET_KEY": "test secret"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short-but-not-empty"}, "shorter than 32"),
        ({"SESSION_COOKIE_SECURE": False}, "SESSION_COOKIE_SECURE is off"),
        ({"SESSION_COOKIE_SAMESITE": "Lax"}, "SESSION_COOKIE_SAMESITE is 'Lax'"),
        ({"SESSION_COOKIE_SAMESITE": None}, "SESSION_COOKIE_SAMESITE is None"),
        ({"REMEMBER_COOKIE_SAMESITE": "None"}, "REMEMBER_COOKIE_SAMESITE is 'None'"),
        ({"DEBUG": True}, "Debug mode is on"),
        ({"TESTING": True}, "TESTING is on"),
        ({"WTF_CSRF_ENABLED": False}, "CSRF protection is off"),
        ({"RATELIMIT_STORAGE_URI": "memory://"}, "one shared Redis store"),
    ],
)
def test_each_unsafe_setting_is_named(tmp_path, redis_up, settings, words):
    found = problems_of(app_with(tmp_path, **settings), workers=1)
    assert len(found) == 1 and words in found[0], found


def test_the_memory_store_with_several_workers_says_each_counts_alone(tmp_path, redis_up):
    (found,) = problems_of(app_with(tmp_path, RATELIMIT_STORAGE_URI="memory://"), workers=4)
    assert "With 4 workers each would count on its own" in found


def test_an_unreachable_redis_store_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(deploy_check, "storage_from_string", lambda uri: Reachable(False))
    app = app_with(tmp_path, RATELIMIT_STORAGE_URI="redis://:hunter2@10.9.9.9:6379/0")
    (found,) = problems_of(app)
    assert "cannot be reached at redis://***@10.9.9.9:6379/0" in found
    assert "hunter2" not in found


def test_a_worker_timeout_too_close_to_the_preview_limit_is_refused(tmp_path, redis_up):
    app = app_with(tmp_path, PREVIEW_TIME_LIMIT=3.0)
    assert problems_of(app, timeout=60) == []
    (found,) = problems_of(app, timeout=5)
    assert "worker timeout (5 s)" in found


def test_a_database_file_others_can_read_is_refused(tmp_path, redis_up):
    app = app_with(tmp_path)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        path = tmp_path / "deploy.sqlite"
        path.touch()
        path.chmod(0o644)
        (found,) = problems_of(app)
        assert f"chmod 600 {path}" in found
        path.chmod(0o600)
    assert problems_of(app) == []


def test_the_command_refuses_with_one_line_per_problem_and_exit_status_1(tmp_path, redis_up):
    app = app_with(tmp_path, SECRET_KEY="dev", RATELIMIT_STORAGE_URI="memory://")
    result = app.test_cli_runner().invoke(args=["check-deploy", "--workers", "2"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert [line.split(":")[0] for line in lines[:2]] == ["refused", "refused"]
    assert "Not starting: 2 problems above" in result.output


def test_the_command_only_warns_when_unsafe_is_allowed(tmp_path, redis_up, monkeypatch):
    monkeypatch.setenv(deploy_check.ALLOW_UNSAFE, "1")
    app = app_with(tmp_path, SESSION_COOKIE_SECURE=False)
    result = app.test_cli_runner().invoke(args=["check-deploy"])
    assert result.exit_code == 0
    assert result.output.startswith("warning: SESSION_COOKIE_SECURE is off")


def test_the_command_passes_a_safe_configuration(tmp_path, redis_up):
    result = app_with(tmp_path).test_cli_runner().invoke(args=["check-deploy", "--workers", "3"])
    assert result.exit_code == 0 and "no problems found" in result.output


def loaded(tmp_path, monkeypatch, **env) -> Flask:
    for name in ("CRUNCH_PRODUCTION", "CRUNCH_SESSION_COOKIE_SECURE", "CRUNCH_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app = Flask("probe", instance_path=str(tmp_path / "instance"), instance_relative_config=True)
    config.load(app, None)
    return app


def test_production_mode_turns_secure_cookies_on(tmp_path, monkeypatch):
    assert loaded(tmp_path, monkeypatch).config["SESSION_COOKIE_SECURE"] is False
    production = loaded(tmp_path, monkeypatch, CRUNCH_PRODUCTION="1").config
    assert production["SESSION_COOKIE_SECURE"] is True and production["PRODUCTION"]
    assert production["SESSION_COOKIE_SAMESITE"] == "Strict"
    # The environment still wins, and the check then refuses it.
    turned_off = loaded(
        tmp_path, monkeypatch, CRUNCH_PRODUCTION="1", CRUNCH_SESSION_COOKIE_SECURE="false"
    )
    assert turned_off.config["SESSION_COOKIE_SECURE"] is False
