"""Metering: periods, limits, once-per-code views, quotas, and Redis with its fallback."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from medcode.accounts import metering
from medcode.accounts.models import GatedView, UsageCounter
from tests.users import browser, make_user

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 5, 11, 14, 3, 20, tzinfo=dt.UTC)


def redis_or_skip(settings) -> str:
    import redis

    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {url} ({exc})")
    settings.REDIS_URL = url
    metering.redis_state.reset()
    return url


@pytest.fixture
def redis_prefix(monkeypatch):
    prefix = f"medcode-test-{uuid.uuid4().hex[:8]}:"
    monkeypatch.setattr(metering, "KEY_PREFIX", prefix)
    yield prefix
    import redis

    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)


@pytest.mark.parametrize(
    ("period", "key", "end"),
    [
        ("minute", "2026-05-11T14:03", "2026-05-11T14:04:00+00:00"),
        ("day", "2026-05-11", "2026-05-12T00:00:00-04:00"),
        ("week", "2026-W20", "2026-05-18T00:00:00-04:00"),
        ("month", "2026-05", "2026-06-01T00:00:00-04:00"),
    ],
)
def test_periods_have_keys_and_ends_in_the_sites_time_zone(period, key, end):
    assert metering.period_key(period, NOW) == key
    assert metering.period_end(period, NOW) == dt.datetime.fromisoformat(end)


def test_consume_allows_up_to_the_limit_then_refuses():
    results = [metering.consume("user:1", "x", limit=3, period="day") for _ in range(5)]
    assert [r.allowed for r in results] == [True, True, True, False, False]
    assert [r.used for r in results] == [1, 2, 3, 3, 3]
    assert results[-1].remaining == 0
    assert UsageCounter.objects.get(subject="user:1", kind="x").count == 3


def test_no_limit_counts_without_refusing():
    results = [metering.consume("user:1", "x", limit=None, period="day") for _ in range(4)]
    assert all(r.allowed for r in results) and results[-1].used == 4
    assert results[-1].remaining is None


def test_a_limit_of_zero_refuses_at_once():
    assert not metering.consume("user:1", "x", limit=0, period="day").allowed


def test_counters_start_again_in_a_new_period():
    metering.consume("user:1", "x", limit=1, period="day", now=NOW)
    assert not metering.consume("user:1", "x", limit=1, period="day", now=NOW).allowed
    tomorrow = NOW + dt.timedelta(days=1)
    assert metering.consume("user:1", "x", limit=1, period="day", now=tomorrow).allowed


def test_an_api_request_is_counted_against_the_minute_and_the_day_in_one_step():
    pairs = [metering.consume_api("key:1", per_minute=2, per_day=3, now=NOW) for _ in range(3)]
    assert [(m.allowed, d.allowed) for m, d in pairs] == [(True, True), (True, True), (False, True)]
    assert [m.used for m, _ in pairs] == [1, 2, 2] and pairs[-1][1].used == 2
    later = NOW + dt.timedelta(minutes=1)
    minute, day = metering.consume_api("key:1", per_minute=2, per_day=3, now=later)
    assert minute.allowed and day.allowed and (minute.used, day.used) == (1, 3)
    minute, day = metering.consume_api("key:1", per_minute=2, per_day=3, now=later)
    assert minute.allowed and not day.allowed and day.used == 3
    assert 0 < minute.retry_after <= 60 or minute.resets_at > later


def test_api_requests_without_limits_are_still_counted_per_day():
    for _ in range(3):
        metering.consume_api("key:2", per_minute=None, per_day=None, now=NOW)
    assert metering.daily_usage("key:2", metering.API_DAY, days=1, now=NOW) == [(NOW.date(), 3)]


def _api_counts_with_a_key_beside_the_account() -> None:
    """Three calls on a 2-a-minute account: the key's own count follows the allowed ones."""
    pairs = [
        metering.consume_api("user:7", per_minute=2, per_day=10, also_count="key:70", now=NOW)
        for _ in range(3)
    ]
    assert [m.allowed for m, _ in pairs] == [True, True, False]
    assert [(m.used, d.used) for m, d in pairs] == [(1, 1), (2, 2), (2, 2)]
    assert metering.daily_usage("key:70", metering.API_DAY, days=1, now=NOW) == [(NOW.date(), 2)]
    assert metering.daily_usage("user:7", metering.API_DAY, days=1, now=NOW) == [(NOW.date(), 2)]
    # A day limit refuses the key's count too; a limit of 0 counts nothing at all.
    for _ in range(3):
        metering.consume_api("user:8", per_minute=None, per_day=1, also_count="key:80", now=NOW)
    metering.consume_api("user:9", per_minute=0, per_day=None, also_count="key:90", now=NOW)
    assert metering.daily_usage("key:80", metering.API_DAY, days=1, now=NOW)[-1][1] == 1
    assert metering.daily_usage("key:90", metering.API_DAY, days=1, now=NOW)[-1][1] == 0
    assert metering.daily_usage("user:9", metering.API_DAY, days=1, now=NOW)[-1][1] == 0


def test_an_allowed_api_request_counts_for_its_key_in_the_same_step():
    _api_counts_with_a_key_beside_the_account()
    assert UsageCounter.objects.get(subject="key:70").count == 2
    assert not UsageCounter.objects.filter(subject__in=["key:90", "user:9"]).exists()


def test_redis_counts_an_api_requests_key_in_the_same_step(settings, redis_prefix):
    redis_or_skip(settings)
    _api_counts_with_a_key_beside_the_account()
    assert UsageCounter.objects.count() == 0


def test_a_gated_view_counts_once_per_code_per_period():
    opened = [metering.open_gated("user:1", c, limit=2, period="month") for c in "AABBC"]
    assert [o.allowed for o in opened] == [True, True, True, True, False]
    assert [o.newly_counted for o in opened] == [True, False, True, False, False]
    assert GatedView.objects.filter(subject="user:1").count() == 2


def test_a_refused_gated_view_leaves_no_record():
    metering.open_gated("user:1", "A", limit=1, period="month")
    metering.open_gated("user:1", "B", limit=1, period="month")
    assert list(GatedView.objects.values_list("code", flat=True)) == ["A"]


def test_daily_usage_lists_each_day_with_zeros():
    metering.consume("key:9", metering.API_DAY, limit=None, period="day", now=NOW)
    metering.consume("key:9", metering.API_DAY, limit=None, period="day", now=NOW)
    days = metering.daily_usage("key:9", metering.API_DAY, days=3, now=NOW)
    assert days == [(dt.date(2026, 5, 9), 0), (dt.date(2026, 5, 10), 0), (dt.date(2026, 5, 11), 2)]


def test_check_quota_takes_one_casepilot_question_for_a_guest_and_explains_the_limit(rf):
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.sessions.backends.db import SessionStore

    req = rf.get("/", REMOTE_ADDR="203.0.113.5")
    req.user, req.session = AnonymousUser(), SessionStore()
    answers = [metering.check_quota(req, metering.CASEPILOT) for _ in range(4)]
    assert [a.allowed for a in answers] == [True, True, True, False]
    assert answers[0].message == "2 CasePilot questions left today."
    assert answers[-1].message.startswith("You have used all 3 CasePilot questions your Guest plan")
    assert "a free account raises the limit" in answers[-1].message
    assert 0 < answers[-1].retry_after <= 86400


def test_check_quota_counts_consult_emails_per_month_for_a_user():
    user = make_user()
    answers = [metering.check_quota(user, metering.CONSULT) for _ in range(3)]
    assert [a.allowed for a in answers] == [True, True, False]
    assert "a paid plan raises the limit" in answers[-1].message
    peek = metering.check_quota(user, metering.CONSULT, dry_run=True)
    assert not peek.allowed and peek.used == 2


def test_check_quota_is_open_when_metering_is_off(settings):
    settings.MEDCODE_METERING = False
    user = make_user()
    assert all(metering.check_quota(user, metering.CONSULT).allowed for _ in range(5))


def test_check_quota_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="unknown quota"):
        metering.check_quota(make_user(), "jobs")


def test_redis_meters_the_same_way_and_writes_nothing_to_the_database(settings, redis_prefix):
    redis_or_skip(settings)
    results = [metering.consume("user:1", "x", limit=2, period="day") for _ in range(3)]
    assert [r.allowed for r in results] == [True, True, False]
    opened = [metering.open_gated("user:1", c, limit=2, period="month") for c in "AABC"]
    assert [o.allowed for o in opened] == [True, True, True, False]
    assert metering.used("user:1", metering.GATED, period="month") == 2
    api = [metering.consume_api("key:1", per_minute=2, per_day=None) for _ in range(3)]
    assert [m.allowed for m, _ in api] == [True, True, False]
    assert UsageCounter.objects.count() == 0 and GatedView.objects.count() == 0
    days = metering.daily_usage("user:1", "x", days=2)
    assert days[-1] == (timezone.localdate(), 2)


def test_metering_falls_back_to_the_database_when_redis_is_down(settings, caplog):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    metering.redis_state.reset()
    assert metering.consume("user:1", "x", limit=1, period="day").allowed
    assert not metering.consume("user:1", "x", limit=1, period="day").allowed
    assert UsageCounter.objects.get(subject="user:1").count == 1
    assert "Redis unavailable" in caplog.text
    assert browser().get("/healthz").status_code == 200
