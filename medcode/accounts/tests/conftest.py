"""Account tests: metering on and caches cleared for each test (the cast of users is
tests/users.py; `guest` and the others are root conftest fixtures)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone

from medcode.accounts import metering
from medcode.accounts.viewers import forget_plans


@pytest.fixture(autouse=True)
def fresh_meters(settings) -> Iterator[None]:
    """Every test starts with metering on, in the database, and empty caches."""
    settings.MEDCODE_METERING = True
    settings.REDIS_URL = ""
    forget_plans()
    metering.forget_seen()
    metering.redis_state.reset()
    cache.clear()
    yield
    forget_plans()
    metering.forget_seen()
    metering.redis_state.reset()
    cache.clear()


@pytest.fixture
def early_in_a_minute() -> Iterator[None]:
    """The clock starts 5 s into a minute and runs on: a per-minute window resets on the
    minute, so a test that counts within one window must not straddle two (no sleeping)."""
    start = timezone.now().replace(second=5, microsecond=0) + dt.timedelta(minutes=1)
    with time_machine.travel(start, tick=True):
        yield
