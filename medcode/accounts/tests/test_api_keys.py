"""API keys: shown once, stored hashed, revocable; headers only; rate limits and quotas."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from medcode.accounts import keys, throttle
from medcode.accounts.models import ApiKey, AuditEvent, Plan
from medcode.accounts.viewers import forget_plans
from medcode.codes.tests.sample_data import code_samples_fixture  # noqa: F401
from tests.users import BROWSER, browser, make_user

pytestmark = pytest.mark.django_db
NOV_2025 = "2025-11-03"


def api(client: Client, path: str, key: str | None = None, *, header: str = "bearer") -> Any:
    extra: dict[str, Any] = {}
    if key is not None:
        extra = (
            {"HTTP_AUTHORIZATION": f"Bearer {key}"}
            if header == "bearer"
            else {"HTTP_X_API_KEY": key}
        )
    return client.get(path, headers=None, **extra)


def limit_plan(slug: str, **limits: int) -> None:
    Plan.objects.filter(slug=slug).update(**limits)
    forget_plans()


def test_a_new_key_is_shown_once_on_the_account_page_and_stored_only_as_a_hash():
    user = make_user()
    client = browser()
    client.force_login(user)
    response = client.post("/account/keys/", {"name": "billing script"})
    assert response.status_code == 302
    first = client.get("/account/").content.decode()
    key = ApiKey.objects.get(user=user)
    secret = first.split('id="new-api-key">')[1].split("<")[0]
    assert secret.startswith(f"mck_{key.prefix}_")
    assert key.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in client.get("/account/").content.decode()
    assert AuditEvent.objects.filter(action="api_key.create", actor=user).exists()


def test_a_key_needs_a_name():
    client = browser()
    client.force_login(make_user())
    client.post("/account/keys/", {"name": "  "})
    assert keys.NAME_REQUIRED in client.get("/account/").content.decode()
    assert ApiKey.objects.count() == 0


@pytest.mark.parametrize("header", ["bearer", "x-api-key"])
def test_a_key_in_a_header_reads_the_json_twin_as_its_owner(code_samples, header):
    made = keys.create_key(make_user(plan="pro"), name="ci")
    response = api(browser(), f"/api/v1/codes/63650?date={NOV_2025}", made.secret, header=header)
    assert response.status_code == 200
    assert response.json()["gate"]["visible"] is True
    assert response.json()["documentation_html"]
    made.key.refresh_from_db()
    assert made.key.last_used_at is not None


@pytest.mark.parametrize(
    "raw",
    [
        "not-a-key",
        "mck_abcdefghij_" + "A" * 43,  # well formed, unknown prefix
    ],
)
def test_a_wrong_key_is_a_401_with_a_bearer_challenge(raw):
    response = api(browser(), "/api/v1/codes/63650", raw)
    assert response.status_code == 401
    assert response.json()["detail"] == throttle.WRONG_KEY
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_known_prefix_with_the_wrong_secret_is_refused():
    made = keys.create_key(make_user(), name="ci")
    forged = made.secret[:-4] + ("AAAA" if not made.secret.endswith("AAAA") else "BBBB")
    assert api(browser(), "/api/v1/codes/63650", forged).status_code == 401


def test_a_revoked_key_is_refused_even_after_a_new_one_is_made():
    user = make_user()
    old = keys.create_key(user, name="old")
    assert keys.revoke_key(user, old.key.pk) is not None
    new = keys.create_key(user, name="new")
    response = api(browser(), "/api/v1/codes/ZZ999", old.secret)
    assert response.status_code == 401
    assert "was revoked on" in response.json()["detail"]
    assert api(browser(), "/api/v1/codes/ZZ999", new.secret).status_code != 401


def test_a_user_cannot_revoke_someone_elses_key():
    made = keys.create_key(make_user(), name="theirs")
    client = browser()
    client.force_login(make_user())
    client.post(f"/account/keys/{made.key.pk}/revoke/")
    made.key.refresh_from_db()
    assert made.key.revoked_at is None


def test_revoking_from_the_account_page_is_audited():
    user = make_user()
    made = keys.create_key(user, name="laptop")
    client = browser()
    client.force_login(user)
    client.post(f"/account/keys/{made.key.pk}/revoke/")
    made.key.refresh_from_db()
    assert made.key.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_key.revoke").exists()


@pytest.mark.parametrize("name", ["api_key", "apikey", "token", "access_token", "whatever"])
def test_a_key_in_the_query_string_is_refused_with_a_reason(name):
    made = keys.create_key(make_user(plan="pro"), name="ci")
    response = browser().get(f"/api/v1/codes/63650?{name}={made.secret}")
    assert response.status_code == 400
    assert response.json()["detail"] == throttle.KEY_IN_QUERY


@pytest.mark.usefixtures("early_in_a_minute")
def test_requests_past_the_plans_per_minute_limit_get_429_with_retry_after():
    limit_plan("free", api_per_minute=3)
    made = keys.create_key(make_user(), name="ci")
    codes = [api(browser(), "/api/v1/codes/ZZ999", made.secret).status_code for _ in range(4)]
    assert codes[:3] == [404, 404, 404] and codes[3] == 429
    last = api(browser(), "/api/v1/codes/ZZ999", made.secret)
    assert 1 <= int(last["Retry-After"]) <= 60
    assert "3 API requests a minute" in last.json()["detail"]


def test_requests_past_the_daily_quota_get_429_until_midnight():
    limit_plan("free", api_per_day=2)
    made = keys.create_key(make_user(), name="ci")
    codes = [api(browser(), "/api/v1/codes/ZZ999", made.secret).status_code for _ in range(3)]
    assert codes == [404, 404, 429]
    last = api(browser(), "/api/v1/codes/ZZ999", made.secret)
    now = timezone.localtime()
    to_midnight = 86400 - (now.hour * 3600 + now.minute * 60 + now.second)
    assert abs(int(last["Retry-After"]) - to_midnight) <= 5
    assert last.json()["detail"].startswith("Daily API quota used")


@pytest.mark.usefixtures("early_in_a_minute")
def test_limits_are_per_account_across_keys_and_the_session():
    # Before: three keys on a 30/minute plan made 90 calls a minute.
    limit_plan("free", api_per_minute=2)
    user = make_user()
    a, b = keys.create_key(user, name="a"), keys.create_key(user, name="b")
    assert api(browser(), "/api/v1/codes/ZZ999", a.secret).status_code == 404
    assert api(browser(), "/api/v1/codes/ZZ999", b.secret).status_code == 404
    assert api(browser(), "/api/v1/codes/ZZ999", b.secret).status_code == 429
    session = browser()
    session.force_login(user)
    assert session.get("/api/v1/codes/ZZ999").status_code == 429


def test_a_new_key_after_revoking_one_starts_no_fresh_daily_quota():
    limit_plan("free", api_per_day=2)
    user = make_user()
    first = keys.create_key(user, name="first")
    assert [api(browser(), "/api/v1/codes/ZZ999", first.secret).status_code for _ in range(2)] == [
        404,
        404,
    ]
    keys.revoke_key(user, first.key.pk)
    second = keys.create_key(user, name="second")
    assert api(browser(), "/api/v1/codes/ZZ999", second.secret).status_code == 429


def test_guests_on_the_api_are_limited_by_address():
    limit_plan("guest", api_per_minute=2)
    assert [browser().get("/api/v1/codes/ZZ999").status_code for _ in range(3)] == [404, 404, 429]
    assert browser("192.0.2.200").get("/api/v1/codes/ZZ999").status_code == 404


def test_metering_off_lifts_the_api_limits_but_keys_are_still_checked(settings):
    limit_plan("guest", api_per_minute=0)
    settings.MEDCODE_METERING = False
    assert browser().get("/api/v1/codes/ZZ999").status_code == 404
    assert api(browser(), "/api/v1/codes/ZZ999", "mck_nope").status_code == 401


def test_the_account_page_shows_each_keys_use_per_day():
    user = make_user()
    made = keys.create_key(user, name="nightly sync")
    for _ in range(3):
        api(browser(), "/api/v1/codes/ZZ999", made.secret)
    client = browser()
    client.force_login(user)
    html = client.get("/account/").content.decode()
    assert "nightly sync" in html
    today = timezone.localdate()
    assert f"{today:%b} {today.day}: 3" in html


def test_the_json_twin_obeys_the_same_gate_as_the_page(code_samples):
    guest = browser()
    first = guest.get(f"/api/v1/codes/63650?date={NOV_2025}").json()
    second = guest.get(f"/api/v1/codes/C1778?date={NOV_2025}").json()
    assert first["gate"]["visible"] is True
    assert second["gate"]["visible"] is False and second["gate"]["reason"] == "locked"
    assert second["modifiers"] is None
    assert second["panels"]  # public-domain CMS data is never gated
    # ... and the page agrees: the HTML of the second code is locked too.
    html = guest.get(f"/codes/C1778/?date={NOV_2025}").content.decode()
    assert "0 full code pages remaining" in html and 'id="modifiers"' not in html
    assert 'id="data"' in html


def test_an_htmx_partial_cannot_get_around_the_gate(code_samples):
    guest = browser()
    guest.get(f"/codes/63650/?date={NOV_2025}")
    partial = guest.get(f"/codes/C1778/?date={NOV_2025}", HTTP_HX_REQUEST="true")
    html = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in html
    assert "0 full code pages remaining" in html and 'id="documentation"' not in html


def test_a_users_keys_share_the_users_gated_meter(code_samples):
    limit_plan("free", gated_views=1)
    user = make_user()
    made = keys.create_key(user, name="ci")
    client = browser()
    client.force_login(user)
    assert 'id="documentation"' in client.get(f"/codes/63650/?date={NOV_2025}").content.decode()
    data = api(browser(), f"/api/v1/codes/C1778?date={NOV_2025}", made.secret).json()
    assert data["gate"]["visible"] is False


def test_the_ninja_auth_accepts_only_requests_with_a_checked_key(rf):
    auth = throttle.ApiKeyRequired()
    request = rf.get("/api/v1/x")
    assert auth(request) is None
    request.api_key = "checked"
    assert auth(request) == "checked"


def test_a_signed_in_sessions_api_write_needs_json_or_the_csrf_token():
    # A page on another site can post text/plain with the user's cookie; it cannot send
    # application/json without a CORS preflight, nor read the CSRF token.
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=BROWSER)
    client.force_login(make_user())
    body = '{"question": "What is E11.9?"}'
    forged = client.post("/api/v1/assistant/ask", body, content_type="text/plain")
    assert forged.status_code == 403
    assert "application/json or carry the CSRF token" in forged.json()["detail"]
    as_json = client.post("/api/v1/assistant/ask", body, content_type="application/json")
    assert as_json.status_code != 403


def test_an_api_write_with_a_key_needs_no_csrf_token():
    made = keys.create_key(make_user(), name="ci")
    client = Client(enforce_csrf_checks=True, HTTP_USER_AGENT=BROWSER)
    answer = client.post(
        "/api/v1/assistant/ask",
        '{"question": "What is E11.9?"}',
        content_type="text/plain",
        HTTP_AUTHORIZATION=f"Bearer {made.secret}",
    )
    assert answer.status_code != 403
