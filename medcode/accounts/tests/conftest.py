"""A small cast for account tests: a guest's browser, users on each plan, caches cleared."""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from medcode.accounts import metering
from medcode.accounts.models import Plan
from medcode.accounts.services import set_plan
from medcode.accounts.viewers import forget_plans

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
PASSWORD = "correct horse battery staple 42"
_emails = itertools.count(1)


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


def browser(address: str = "203.0.113.7", **extra: Any) -> Client:
    """A test client that looks like a person's browser from one address."""
    return Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=address, **extra)


@functools.cache
def hashed_password() -> str:
    """The cast's password, hashed once (Argon2 is slow on purpose)."""
    from django.contrib.auth.hashers import make_password

    return make_password(PASSWORD)


def make_user(plan: str | None = None, *, email: str | None = None, staff: bool = False) -> Any:
    """A user with a verified email address, optionally on a named plan."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.models import User

    email = email or f"coder{next(_emails)}@example.org"
    user = User.objects.create(
        username=email.split("@")[0], email=email, password=hashed_password(), is_staff=staff
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if plan is not None:
        set_plan(user, Plan.objects.get(slug=plan), source="test")
    return user


@pytest.fixture
def guest() -> Client:
    return browser()


@pytest.fixture
def early_in_a_minute() -> Iterator[None]:
    """The clock starts 5 s into a minute and runs on: a per-minute window resets on the
    minute, so a test that counts within one window must not straddle two (no sleeping)."""
    start = timezone.now().replace(second=5, microsecond=0) + dt.timedelta(minutes=1)
    with time_machine.travel(start, tick=True):
        yield
