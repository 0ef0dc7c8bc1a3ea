"""Logging in and out, sessions that end, passwords, throttling, CSRF and cookies."""

from __future__ import annotations

import os
import re
import time
import uuid

import pytest
from limits.storage import memory as memory_storage
from sqlalchemy import select

from crunch.accounts import login_delay
from crunch.accounts.auth import check_password, hash_password
from crunch.extensions import db, limiter
from crunch.models import User
from tests.conftest import (
    ADMIN,
    HX,
    LIVE,
    PASSWORD,
    PLANNER,
    VIEWER,
    AuthActions,
    csrf_token_of,
    login,
    school_app,
)

REDIS_URL = os.environ.get("CRUNCH_TEST_REDIS_URL")


def user(email: str) -> User:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def replay(app, cookie: str):
    """A fresh client that presents an old session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other


def session_cookie(client) -> str:
    return client.get_cookie("session").value


# ---------------------------------------------------------------- logging in


def test_every_page_needs_a_login(anon, editor_url):
    page = anon.get(editor_url)
    assert page.status_code == 302
    assert page.headers["Location"].startswith("/login?next=")
    assert anon.get("/").headers["Location"] == "/login?next=/"
    assert anon.get("/district").status_code == 302
    assert anon.get("/admin/users").status_code == 302


def test_htmx_and_api_requests_without_a_login_get_401_with_a_message(anon, editor_url):
    fragment = anon.post(f"{editor_url}/edit", data={}, headers=LIVE)
    assert fragment.status_code == 401
    assert fragment.headers["HX-Retarget"] == "#flash"
    assert "Log in again" in fragment.get_data(as_text=True)
    api = anon.post("/api/solve", json={})
    assert api.status_code == 401
    assert api.get_json()["status"] == "error"


def test_login_page_and_a_successful_login(anon):
    page = anon.get("/login?next=/district")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'autocomplete="current-password"' in html
    assert 'name="next" value="/district"' in html
    response = anon.post(
        "/login",
        data={"email": " Planner@Test.Example ", "password": PASSWORD, "next": "/district"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/district"
    assert anon.get("/").status_code == 200


@pytest.mark.parametrize(
    "email, password",
    [
        (PLANNER, "wrong password"),
        ("nobody@test.example", PASSWORD),
        (PLANNER, ""),
        ("", ""),
        (PLANNER, PASSWORD.upper()),
    ],
)
def test_a_failed_login_says_so_and_logs_nobody_in(anon, email, password):
    response = anon.post("/login", data={"email": email, "password": password})
    assert response.status_code in (401, 422)
    assert anon.get("/").status_code == 302


def test_wrong_email_and_wrong_password_get_the_same_answer(anon):
    wrong_password = anon.post("/login", data={"email": PLANNER, "password": "x" * 12})
    wrong_email = anon.post("/login", data={"email": "nobody@test.example", "password": "x" * 12})
    assert wrong_password.status_code == wrong_email.status_code == 401
    assert "do not match an active account" in wrong_email.get_data(as_text=True)

    def main(response) -> str:
        html = response.get_data(as_text=True)
        html = re.sub(r'name="csrf_token" value="[^"]*"', "", html)
        return html[html.index("<main>") :].replace("nobody@test.example", PLANNER)

    assert main(wrong_password) == main(wrong_email)


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "",
        " //evil.example",
    ],
)
def test_login_never_redirects_to_another_site(anon, target):
    response = anon.post("/login", data={"email": PLANNER, "password": PASSWORD, "next": target})
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


def test_login_clears_the_session(app, anon):
    with anon.session_transaction() as session:
        session["planted"] = "by someone else"
    AuthActions(anon).login(PLANNER)
    with anon.session_transaction() as session:
        assert "planted" not in session
        assert session["_user_id"] == f"{user(PLANNER).id}:1"


def test_passwords_are_hashed_with_argon2(app):
    hashed = hash_password("a long enough password")
    assert hashed.startswith("$argon2id$")
    assert "a long enough password" not in hashed
    account = user(PLANNER)
    account.password_hash = hashed
    assert check_password(account, "a long enough password")
    assert not check_password(account, "a long enough passworD")
    assert not check_password(None, "a long enough password")


def test_a_deactivated_account_cannot_log_in(app, anon):
    account = user(VIEWER)
    account.active = False
    db.session.commit()
    assert login(anon, VIEWER).status_code == 401
    assert anon.get("/").status_code == 302


# ---------------------------------------------------------------- sessions that end


def test_a_cookie_replayed_after_logout_gets_the_login_page(app, client, editor_url):
    cookie = session_cookie(client)
    assert replay(app, cookie).get(editor_url).status_code == 200
    assert client.post("/logout").status_code == 303
    assert client.get(editor_url).status_code == 302
    replayed = replay(app, cookie)
    assert replayed.get(editor_url).status_code == 302
    assert replayed.post(f"{editor_url}/edit", data={}, headers=HX).status_code == 401
    assert user(PLANNER).session_version == 2


def test_logout_ends_the_sessions_on_other_devices_too(app, client):
    laptop = app.test_client()
    AuthActions(laptop).login(PLANNER)
    laptop_cookie = session_cookie(laptop)
    client.post("/logout")
    assert replay(app, laptop_cookie).get("/").status_code == 302


def test_a_password_change_ends_every_earlier_session_but_this_one(app, client):
    old_cookie = session_cookie(client)
    response = client.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "new": "a brand new password",
            "confirm": "a brand new password",
        },
    )
    assert response.status_code == 303
    assert client.get("/").status_code == 200  # this browser goes on
    assert replay(app, old_cookie).get("/").status_code == 302
    fresh = app.test_client()
    assert login(fresh, PLANNER, PASSWORD).status_code == 401
    assert login(fresh, PLANNER, "a brand new password").status_code == 303


@pytest.mark.parametrize(
    "form, message",
    [
        ({"current": "wrong password", "new": "n" * 12, "confirm": "n" * 12}, "not your current"),
        ({"current": PASSWORD, "new": "short", "confirm": "short"}, "at least 10"),
        ({"current": PASSWORD, "new": "n" * 12, "confirm": "m" * 12}, "differ"),
        ({"current": PASSWORD, "new": "n" * 201, "confirm": "n" * 201}, "at most 200"),
        ({}, "Enter your current password"),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(app, client, form, message):
    before = user(PLANNER).password_hash
    response = client.post("/account/password", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert user(PLANNER).password_hash == before
    assert user(PLANNER).session_version == 1


def test_deactivation_ends_the_users_sessions_at_once(app, client):
    planner_cookie = session_cookie(client)
    admin = app.test_client()
    AuthActions(admin).login(ADMIN)
    planner_id = user(PLANNER).id
    assert admin.post(f"/admin/users/{planner_id}/active", data={"active": "0"}).status_code == 303
    assert client.get("/").status_code == 302
    assert replay(app, planner_cookie).get("/").status_code == 302
    assert login(app.test_client(), PLANNER).status_code == 401


def test_a_password_reset_by_the_admin_ends_the_users_sessions(app, client):
    planner_cookie = session_cookie(client)
    admin = app.test_client()
    AuthActions(admin).login(ADMIN)
    planner_id = user(PLANNER).id
    response = admin.post(
        f"/admin/users/{planner_id}/password", data={"password": "set by the admin"}
    )
    assert response.status_code == 303
    assert replay(app, planner_cookie).get("/").status_code == 302
    assert login(app.test_client(), PLANNER, "set by the admin").status_code == 303


def test_a_forged_login_id_loads_nobody(app, anon):
    planner_id = user(PLANNER).id
    for forged in (f"{planner_id}", f"{planner_id}:2", f"{planner_id}:x", "x:1", ":", ""):
        with anon.session_transaction() as session:
            session["_user_id"] = forged
        assert anon.get("/").status_code == 302, forged


# ---------------------------------------------------------------- throttling


@pytest.fixture
def limited_app(app_with):
    return app_with(
        RATELIMIT_ENABLED=True,
        LOGIN_FREE_FAILURES=3,
        LOGIN_DELAY_MAX=8,
        LOGIN_LIMIT_PER_ADDRESS="50 per 10 minutes",
    )


class Clock:
    """The limiter's in-memory store reads time.time(): this one moves on command."""

    def __init__(self):
        self.now = time.time()

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(memory_storage, "time", clock)
    monkeypatch.setattr(login_delay, "time", clock)
    return clock


def guess(client, email=PLANNER):
    return client.post("/login", data={"email": email, "password": "guess"})


def test_an_account_that_keeps_failing_waits_longer_each_time_up_to_a_cap(limited_app, clock):
    client = limited_app.test_client()
    assert [guess(client).status_code for _ in range(3)] == [401] * 3  # free failures
    waits = []
    for _ in range(5):
        assert guess(client).status_code == 401  # checked, and failed: a wait starts
        refused = guess(client)
        assert refused.status_code == 429
        waits.append(int(refused.headers["Retry-After"]))
        clock.now += waits[-1] + 0.1
    assert waits == [1, 2, 4, 8, 8]


def test_during_the_wait_even_the_right_password_is_refused_with_a_message(limited_app, clock):
    client = limited_app.test_client()
    for _ in range(4):
        guess(client)
    blocked = client.post("/login", data={"email": PLANNER.upper(), "password": PASSWORD})
    assert blocked.status_code == 429
    html = blocked.get_data(as_text=True)
    assert "Too many failed attempts for this account. Wait 1 second, then try again." in html
    assert 'class="field-error"' in html  # beside the field, on the login form
    assert blocked.headers["X-Content-Type-Options"] == "nosniff"
    # Another account from the same address is not held up by this one's wait.
    assert login(client, VIEWER).status_code == 303
    # Once the wait is over the owner logs in, and the count starts again.
    clock.now += 1.1
    assert login(limited_app.test_client(), PLANNER).status_code == 303
    assert [guess(client).status_code for _ in range(3)] == [401] * 3


def test_failures_are_forgotten_after_a_while(limited_app, clock):
    client = limited_app.test_client()
    for _ in range(3):
        guess(client)
    clock.now += limited_app.config["LOGIN_FAILURE_MEMORY"] + 1
    assert [guess(client).status_code for _ in range(4)] == [401] * 4
    assert guess(client).status_code == 429


def test_successful_logins_do_not_count_towards_the_limit(limited_app, clock):
    client = limited_app.test_client()
    for _ in range(6):
        assert login(client, PLANNER).status_code == 303
    assert guess(client).status_code == 401


def test_the_configured_limiter_store_is_the_one_used(tmp_path):
    """RATELIMIT_STORAGE_URI decides (extensions.py once passed memory://, which won)."""
    from limits.storage import MemoryStorage, RedisStorage

    with school_app(tmp_path / "a.sqlite", RATELIMIT_ENABLED=True) as app:
        assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
        assert isinstance(limiter.storage, MemoryStorage)
    url = "redis://127.0.0.1:1/0"  # only built here, never reached
    with school_app(tmp_path / "b.sqlite", RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=url):
        assert isinstance(limiter.storage, RedisStorage)


@pytest.mark.skipif(not REDIS_URL, reason="needs CRUNCH_TEST_REDIS_URL (make test-services)")
def test_login_counts_live_in_the_configured_redis(tmp_path):
    import redis

    server = redis.Redis.from_url(REDIS_URL)
    with school_app(
        tmp_path / "r.sqlite",
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI=REDIS_URL,
        LOGIN_FREE_FAILURES=1,
    ) as app:
        account = f"nobody-{uuid.uuid4().hex}@test.example"
        client = app.test_client()
        assert guess(client, account).status_code == 401
        keys = [k.decode() for k in server.keys(f"*{account}*")]
        assert any("login-failures" in k for k in keys)
        assert guess(client, account).status_code == 401  # the second failure: a wait
        # A second worker (another app on the same store) sees the same wait.
        with school_app(
            tmp_path / "r2.sqlite", RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=REDIS_URL
        ) as other:
            assert guess(other.test_client(), account).status_code == 429
        server.delete(*server.keys(f"*{account}*"))


@pytest.fixture
def address_limited_app(app_with):
    return app_with(RATELIMIT_ENABLED=True, LOGIN_LIMIT_PER_ADDRESS="5 per 10 minutes")


def test_login_attempts_from_one_address_are_limited(address_limited_app):
    limited_app = address_limited_app
    client = limited_app.test_client()
    answers = [
        client.post("/login", data={"email": f"user{i}@test.example", "password": "guess"})
        for i in range(6)
    ]
    assert [a.status_code for a in answers] == [401] * 5 + [429]
    other_address = limited_app.test_client()
    response = other_address.post(
        "/login",
        data={"email": ADMIN, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.7"},
    )
    assert response.status_code == 303
    # Reading the login page is never limited.
    assert client.get("/login").status_code == 200


@pytest.mark.parametrize("proxies", [0, 1])
def test_behind_a_trusted_proxy_the_address_limit_counts_clients(tmp_path, proxies):
    with school_app(
        tmp_path / "proxy.sqlite",
        RATELIMIT_ENABLED=True,
        LOGIN_LIMIT_PER_ADDRESS="2 per 10 minutes",
        TRUSTED_PROXIES=proxies,
    ) as app:
        client = app.test_client()
        answers = [
            client.post(
                "/login",
                data={"email": f"user{i}@test.example", "password": "guess"},
                headers={"X-Forwarded-For": f"203.0.113.{i}"},
            ).status_code
            for i in range(4)
        ]
    # Trusted: each forwarded address has its own count. Not trusted (the default):
    # the header is anyone's to forge, so every attempt counts against the one peer.
    assert answers == ([401] * 4 if proxies else [401, 401, 429, 429])


# ---------------------------------------------------------------- CSRF and cookies


@pytest.fixture
def csrf_app(app_with):
    return app_with(WTF_CSRF_ENABLED=True, SESSION_COOKIE_SECURE=True)


def test_login_without_a_csrf_token_is_refused_with_a_message(csrf_app):
    client = csrf_app.test_client()
    response = client.post("/login", data={"email": PLANNER, "password": PASSWORD})
    assert response.status_code == 400
    assert "open too long" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_logout_without_a_csrf_token_is_refused(csrf_app):
    client = csrf_app.test_client()
    assert login(client).status_code == 303
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200  # still logged in: a forged logout did nothing


def test_htmx_sends_the_token_in_a_header(csrf_app):
    client = csrf_app.test_client()
    login(client)
    html = client.get("/").get_data(as_text=True)
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    token = csrf_token_of(html)
    response = client.post("/logout", headers={**HX, "X-CSRFToken": token})
    assert response.status_code == 303
    assert client.get("/").status_code == 302


def test_session_cookie_is_httponly_samesite_strict_and_secure_when_configured(csrf_app):
    client = csrf_app.test_client()
    response = login(client)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie
    assert "Secure" in cookie
    assert "remember_token" not in response.headers.get("Set-Cookie", "")


def test_session_cookie_is_not_secure_by_default(anon):
    cookie = login(anon).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Secure" not in cookie


@pytest.mark.parametrize(
    "path, status",
    [
        ("/login", 200),
        ("/account/password", 200),
        ("/district", 200),
        ("/admin/users", 403),
        ("/schools/999999", 404),
    ],
)
def test_security_headers_on_every_answer(client, path, status):
    response = client.get(path)
    assert response.status_code == status
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"


def test_security_headers_on_401_and_redirects(anon):
    for response in (anon.get("/"), anon.post("/api/solve", json={})):
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"


CROSS_SITE = {"Sec-Fetch-Site": "cross-site", "Sec-Fetch-Mode": "navigate"}


def test_a_link_from_another_site_leaves_the_session_cookie_alone(anon, school):
    """The browser kept back the Strict cookie of a user who may well be logged in: the
    answer sets no cookie (which would replace theirs) and links to the page asked for."""
    page = f"/schools/{school.id}"
    redirected = anon.get(page, headers=CROSS_SITE)
    assert redirected.status_code == 302
    assert "Set-Cookie" not in redirected.headers
    arrived = anon.get(redirected.headers["Location"], headers=CROSS_SITE)
    html = arrived.get_data(as_text=True)
    assert arrived.status_code == 200
    assert "Set-Cookie" not in arrived.headers
    assert f'<a href="{page}">Open Class Cruncher</a>' in html
    assert "password" not in html and "csrf" not in html.lower()


def test_the_link_from_another_site_stays_on_this_site(anon):
    arrived = anon.get("/login?next=//evil.example/", headers=CROSS_SITE)
    assert '<a href="/">Open Class Cruncher</a>' in arrived.get_data(as_text=True)


def test_the_same_link_from_this_site_shows_the_login_form(app, school):
    for headers in ({"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"}, {}):
        response = app.test_client().get(f"/login?next=/schools/{school.id}", headers=headers)
        assert 'name="password"' in response.get_data(as_text=True)
        assert "SameSite=Strict" in response.headers["Set-Cookie"]


def test_a_logged_in_browser_that_sends_its_cookie_cross_site_is_served(client, school):
    """A browser that ignores SameSite sends the cookie: the user is known, no detour."""
    response = client.get(f"/schools/{school.id}", headers=CROSS_SITE)
    assert response.status_code == 200
