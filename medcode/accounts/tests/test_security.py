"""Abuse and the security baseline: lockout, sign-up spam, redirects, cookies, bodies, headers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from medcode.accounts.forms import HONEYPOT_TRIPPED
from medcode.accounts.limits import TOO_LARGE
from tests.users import BROWSER, PASSWORD, browser, make_user

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[3]


def sign_in(client: Client, email: str, password: str, **extra: str):
    return client.post("/account/login/", {"login": email, "password": password, **extra})


def sign_up(client: Client, email: str, **extra: str):
    data = {"email": email, "password1": PASSWORD, "password2": PASSWORD, **extra}
    return client.post("/account/signup/", data)


# Brute force -----------------------------------------------------------------------------


def test_sign_in_is_locked_after_five_failures_even_with_the_right_password(settings):
    user = make_user()
    client = browser()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(client, user.email, "wrong password")
        assert response.status_code in (200, 429)
    locked = sign_in(client, user.email, PASSWORD)
    assert locked.status_code == 429
    assert "Sign-in paused" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lockout_is_per_account_and_address():
    user = make_user()
    for _ in range(5):
        sign_in(browser("198.51.100.1"), user.email, "wrong password")
    other_address = browser("198.51.100.2")
    assert sign_in(other_address, user.email, PASSWORD).status_code == 302


def test_a_successful_sign_in_resets_the_failure_count():
    user = make_user()
    client = browser()
    for _ in range(4):
        sign_in(client, user.email, "wrong password")
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, user.email, "wrong password")
    assert sign_in(client, user.email, PASSWORD).status_code == 302


# Registration spam -------------------------------------------------------------------------


def test_a_filled_honeypot_field_refuses_the_registration():
    response = sign_up(browser(), "bot@example.org", website="http://spam.example")
    assert response.status_code == 200
    assert HONEYPOT_TRIPPED in response.content.decode()
    assert not User.objects.filter(email="bot@example.org").exists()


def test_the_honeypot_is_on_the_form_but_hidden_by_the_stylesheet():
    html = browser().get("/account/signup/").content.decode()
    assert 'name="website"' in html and 'class="hp"' in html and "accounts/accounts.css" in html


def test_registrations_from_one_address_are_throttled():
    client = browser("203.0.113.50")
    codes = [sign_up(client, f"person{n}@example.org").status_code for n in range(6)]
    assert codes[:5] == [302] * 5
    assert codes[5] == 429
    assert "Too many requests" in sign_up(client, "late@example.org").content.decode()
    assert sign_up(browser("203.0.113.51"), "elsewhere@example.org").status_code == 302


def test_a_new_account_must_verify_its_email_before_signing_in():
    client = browser()
    sign_up(client, "new@example.org")
    assert len(mail.outbox) == 1 and "new@example.org" in mail.outbox[0].to
    assert client.get("/account/").status_code == 302
    assert sign_in(browser(), "new@example.org", PASSWORD)["Location"].startswith(
        "/account/confirm-email"
    )
    user = User.objects.get(email="new@example.org")
    assert user.password.startswith("argon2")


# Redirects ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "https:evil.example",
        "javascript:alert(1)",
        "http://localhost@evil.example/",
    ],
)
def test_sign_in_never_redirects_off_site(target):
    user = make_user()
    response = sign_in(browser(), user.email, PASSWORD, next=target)
    assert response.status_code == 302
    assert response["Location"] == "/account/"


def test_sign_in_follows_a_local_next():
    user = make_user()
    response = sign_in(browser(), user.email, PASSWORD, next="/codes/63650/")
    assert response["Location"] == "/codes/63650/"


# Cookies and CSRF -----------------------------------------------------------------------


def test_a_tampered_session_cookie_is_an_anonymous_visitor():
    user = make_user()
    client = browser()
    client.force_login(user)
    assert client.get("/account/").status_code == 200
    good = client.cookies["sessionid"].value
    for bad in (good[:-1] + ("a" if good[-1] != "a" else "b"), "x" * 32, "'; DROP TABLE--", ""):
        client.cookies["sessionid"] = bad
        response = client.get("/account/")
        assert response.status_code == 302 and response["Location"].startswith("/account/login/")


def test_a_forged_messages_cookie_is_ignored():
    client = browser()
    client.cookies["messages"] = '[["__json_message",0,25,"Your plan is now Team"]]:forged'
    assert "Your plan is now Team" not in client.get("/account/login/").content.decode()


def test_forms_refuse_posts_without_a_csrf_token():
    user = make_user()
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=BROWSER)
    assert sign_in(client, user.email, PASSWORD).status_code == 403
    client.force_login(user)
    assert client.post("/account/keys/", {"name": "x"}).status_code == 403


def test_session_and_csrf_cookies_are_httponly_or_samesite():
    user = make_user()
    response = sign_in(browser(), user.email, PASSWORD)
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"


# Bodies -----------------------------------------------------------------------------------


def test_an_oversized_form_post_is_a_clear_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = "login=a%40b.org&password=" + "x" * 2000
    response = browser().post(
        "/account/login/", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    assert response.content.decode() == TOO_LARGE.format(size=len(body), limit=1000)


def test_an_oversized_json_post_to_the_api_is_a_json_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"lines": [{"code": "99213"}] * 200})
    response = browser().post("/api/v1/claims/check", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["detail"].startswith("The request body is")


def test_a_streamed_batch_body_may_be_as_large_as_an_upload_but_no_larger(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    settings.MEDCODE_MAX_UPLOAD_BYTES = 100_000
    line = json.dumps({"claim_id": "c1", "lines": [{"code": "99213"}]}) + "\n"
    body = line * (50_000 // len(line))
    # Signed in: a guest's batch is capped at a sample's size (medcode.accounts.costs).
    client = browser()
    client.force_login(make_user())
    response = client.post("/api/v1/claims/check-batch", body, content_type="application/x-ndjson")
    assert response.status_code == 200, response.content[:300]
    assert b'"summary"' in b"".join(response.streaming_content)  # type: ignore[attr-defined]
    too_big = line * (200_000 // len(line))
    response = client.post(
        "/api/v1/claims/check-batch", too_big, content_type="application/x-ndjson"
    )
    assert response.status_code == 413
    assert "limit is 100000 bytes" in response.json()["detail"]


def test_a_body_within_the_limit_is_read_as_usual(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    assert sign_in(browser(), "a@b.org", "x" * 100).status_code == 200


# Headers and production settings ------------------------------------------------------------


def test_pages_carry_a_strict_content_security_policy_and_deny_framing():
    response = browser().get("/account/login/")
    csp = response["Content-Security-Policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"


def test_https_mode_turns_on_hsts_secure_cookies_and_the_proxy_header(tmp_path):
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_PROXY_SSL_HEADER, s.ACCOUNT_DEFAULT_HTTP_PROTOCOL]))"
    )
    env = {
        **os.environ,
        "MEDCODE_HTTPS": "on",
        "DJANGO_SETTINGS_MODULE": "medcode.settings",
        "MEDCODE_VAR_DIR": str(tmp_path),
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, check=True
    )
    hsts, session_secure, csrf_secure, proxy, protocol = json.loads(out.stdout.splitlines()[-1])
    assert hsts >= 31_536_000 and session_secure and csrf_secure
    assert proxy == ["HTTP_X_FORWARDED_PROTO", "https"] and protocol == "https"
