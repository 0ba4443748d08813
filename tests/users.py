"""The test suite's one cast of people: a guest's browser, and users (coder, staff, superuser)
with a verified address and optionally a plan. The root conftest.py turns them into fixtures
(`guest`, `coder`, `staff`, `superuser`); tests that need several people call make_user.
API keys are made with the real medcode.accounts.keys.create_key(user, ...). A real browser
(tests/browser) signs in with the cookie of signed_in_session(user)."""

from __future__ import annotations

import functools
import itertools
from importlib import import_module
from typing import Any

from django.test import Client

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36"
)
PASSWORD = "correct horse battery staple 42"
_numbers = itertools.count(1)


def browser(address: str = "203.0.113.7", **extra: Any) -> Client:
    """A test client that looks like a person's browser from one address (a guest until it
    signs in)."""
    return Client(HTTP_USER_AGENT=BROWSER, REMOTE_ADDR=address, **extra)


@functools.cache
def _hashed(password: str, algorithm: str) -> str:
    """A password hashed once per hasher (Argon2, the production hasher, is slow on purpose)."""
    from django.contrib.auth.hashers import make_password

    return make_password(password, hasher=algorithm)


def ensure_plans() -> None:
    """The data migration's plans, when they are missing (a transactional test's flush removes
    them)."""
    from medcode.accounts.models import Plan
    from medcode.accounts.viewers import forget_plans

    if Plan.objects.exists():
        return
    for row in import_module("medcode.accounts.migrations.0002_default_plans").PLANS:
        Plan.objects.update_or_create(slug=row["slug"], defaults=row)
    forget_plans()


def make_user(
    who: str | None = None,
    *,
    plan: str | None = None,
    staff: bool = False,
    superuser: bool = False,
    verified: bool | None = True,
    password: str = PASSWORD,
) -> Any:
    """A user. `who` is an email address (the username is its local part) or a username (the
    address is <name>@example.com); none: coder<N>@example.org. The address is recorded as
    verified (verified=False: unverified; None: no allauth address row at all, as for a user
    made by `createsuperuser`). `plan` is a plan's slug (free, pro, team, ...)."""
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import get_hasher
    from django.contrib.auth.models import User

    from medcode.accounts.models import Plan
    from medcode.accounts.services import set_plan

    who = who or f"coder{next(_numbers)}@example.org"
    username, _, domain = who.partition("@")
    email = who if domain else f"{who}@example.com"
    ensure_plans()
    user = User.objects.create(
        username=username,
        email=email,
        password=_hashed(password, get_hasher().algorithm),
        is_staff=staff or superuser,
        is_superuser=superuser,
    )
    if verified is not None:
        EmailAddress.objects.create(user=user, email=email, verified=verified, primary=True)
    if plan is not None:
        set_plan(user, Plan.objects.get(slug=plan), source="test")
    return user


def staff_user() -> Any:
    """The one staff member ("moderator"), made on first use."""
    from django.contrib.auth.models import User

    return User.objects.filter(username="moderator").first() or make_user("moderator", staff=True)


def signed_in_session(user: Any) -> str:
    """The key of a new session signed in as `user`: a real browser's sessionid cookie (the
    browser tests make their users in a `medcode manage shell` of the server's database)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return str(session.session_key)
