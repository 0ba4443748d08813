"""Who is asking: a user, an API key's owner or a guest, with the plan that applies.

A guest is known by a keyed hash of the client address (IPv6 by its /64), remembered in the
session at the first metered view, so clearing cookies does not reset the meter and a phone
changing networks keeps its own. X-Forwarded-For is believed only from the reverse proxies
named in MEDCODE_TRUSTED_PROXIES.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import time
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject, empty

from medcode.accounts.models import ApiKey, Plan, Subscription

GUEST_PLAN = "guest"
FREE_PLAN = "free"
SESSION_GUEST = "medcode_guest"
PLAN_CACHE_SECONDS = 30.0

# Search engines and link previewers: they get the public part of a code page only.
CRAWLER_PATTERN = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|bingpreview|facebookexternalhit|embedly|quora link|"
    r"pinterest|semrush|ahrefs|mj12|dotbot|petalbot|yandex|baiduspider|duckduckgo|"
    r"applebot|gptbot|ccbot|claudebot|bytespider|"
    r"python-requests|curl/|wget/|httpx|go-http-client|scrapy",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Viewer:
    """The subject a meter counts against, and the plan that sets its limits."""

    subject: str
    plan: Plan
    user_id: int | None = None
    api_key_id: int | None = None
    is_staff: bool = False

    @property
    def is_guest(self) -> bool:
        return self.user_id is None


def is_crawler(request: HttpRequest) -> bool:
    return _is_crawler_agent(str(request.META.get("HTTP_USER_AGENT", ""))[:512])


@lru_cache(maxsize=4096)
def _is_crawler_agent(agent: str) -> bool:
    return not agent or bool(CRAWLER_PATTERN.search(agent))


@cache
def _trusted_networks(
    spec: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(item, strict=False) for item in spec)


def _ip(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address, an IPv4-mapped IPv6 one (`::ffff:a.b.c.d`, a dual-stack bind) as IPv4."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def canonical_address(address: str) -> str:
    ip = _ip(address)
    return address if ip is None else str(ip)


def _is_trusted(address: str, networks: tuple[Any, ...]) -> bool:
    ip = _ip(address)
    return ip is not None and any(ip in network for network in networks)


def is_trusted_proxy(address: str, proxies: tuple[str, ...]) -> bool:
    """Whether `address` is one of `proxies` (addresses or networks)."""
    return _is_trusted(address, _trusted_networks(proxies))


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the nearest untrusted hop behind our proxies."""
    remote = canonical_address(str(request.META.get("REMOTE_ADDR") or ""))
    proxies: list[str] = settings.MEDCODE_TRUSTED_PROXIES
    if not proxies:
        return remote
    networks = _trusted_networks(tuple(proxies))
    if not _is_trusted(remote, networks):
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([h for h in hops if h]):
        if not _is_trusted(hop, networks):
            return canonical_address(hop)
    return remote


def guest_id(address: str) -> str:
    """A keyed hash of the address; an IPv6 address counts by its /64 network, an IPv4-mapped
    one as its IPv4 address."""
    return _guest_id(address, settings.SECRET_KEY)


@lru_cache(maxsize=8192)
def _guest_id(address: str, secret: str) -> str:
    ip = _ip(address)
    if ip is not None and ip.version == 6:
        address = str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)
    elif ip is not None:
        address = str(ip)
    digest = hmac.new(secret.encode(), address.encode(), hashlib.sha256)
    return digest.hexdigest()[:32]


def guest_subject(request: HttpRequest, *, remember: bool = False) -> str:
    """The guest's meter: the one remembered in the session, else the address's."""
    session = getattr(request, "session", None)
    remembered = (
        session.get(SESSION_GUEST) if session is not None and _has_session(request) else None
    )
    if isinstance(remembered, str) and remembered.startswith("guest:"):
        return remembered
    subject = f"guest:{guest_id(client_address(request))}"
    if remember and session is not None:
        session[SESSION_GUEST] = subject
    return subject


_plans: dict[str, tuple[float, Plan]] = {}


def plan_named(slug: str) -> Plan:
    """A plan by slug, cached for a few seconds per process (plans change rarely)."""
    now = time.monotonic()
    hit = _plans.get(slug)
    if hit is not None and hit[0] > now:
        return hit[1]
    plan = Plan.objects.filter(slug=slug).first()
    if plan is None:
        # Without the data migration's rows (an empty test database), nothing is unlimited.
        plan = Plan(slug=slug, name=slug.title(), gated_views=0, casepilot_per_day=0)
        plan.consult_per_month = plan.api_per_day = plan.api_per_minute = 0
    _plans[slug] = (now + PLAN_CACHE_SECONDS, plan)
    return plan


_user_plans: dict[int, tuple[float, Plan]] = {}


def forget_plans() -> None:
    """Drop the per-process plan caches (after a plan is edited; tests)."""
    _plans.clear()
    _user_plans.clear()


def forget_user_plan(user_id: int) -> None:
    _user_plans.pop(user_id, None)


def plan_of_user(user_id: int) -> Plan:
    """The user's plan, cached per process for a few seconds like the plans themselves."""
    now = time.monotonic()
    hit = _user_plans.get(user_id)
    if hit is not None and hit[0] > now:
        return hit[1]
    subscription = Subscription.objects.select_related("plan").filter(user_id=user_id).first()
    plan = subscription.plan if subscription is not None else plan_named(FREE_PLAN)
    if len(_user_plans) > 50_000:
        _user_plans.clear()
    _user_plans[user_id] = (now + PLAN_CACHE_SECONDS, plan)
    return plan


def who_is(request: HttpRequest, *, remember: bool = False) -> Viewer:
    """The viewer of this request: the API key's owner, the signed-in user or a guest."""
    key: ApiKey | None = getattr(request, "api_key", None)
    if key is not None:
        user = key.user
        return Viewer(
            subject=f"key:{key.pk}",
            plan=plan_of_user(user.pk),
            user_id=user.pk,
            api_key_id=key.pk,
            is_staff=user.is_staff,
        )
    person = getattr(request, "user", None)
    if _is_unopened(person) and not _has_session(request):
        person = None  # no session cookie: a guest, without loading the session machinery
    if person is not None and person.is_authenticated:
        return Viewer(
            subject=f"user:{person.pk}",
            plan=plan_of_user(person.pk),
            user_id=person.pk,
            is_staff=person.is_staff,
        )
    return Viewer(subject=guest_subject(request, remember=remember), plan=plan_named(GUEST_PLAN))


def _has_session(request: HttpRequest) -> bool:
    session = getattr(request, "session", None)
    if session is None:
        return False
    return bool(session.session_key or session.modified or _cookie(request))


def _cookie(request: HttpRequest) -> bool:
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def _is_unopened(user: Any) -> bool:
    # AuthenticationMiddleware's lazy user that nothing has looked at yet.
    return isinstance(user, SimpleLazyObject) and getattr(user, "_wrapped", None) is empty


def user_viewer(user: Any) -> Viewer:
    """The viewer for a user outside a request (an inbound consult email)."""
    return Viewer(
        subject=f"user:{user.pk}",
        plan=plan_of_user(user.pk),
        user_id=user.pk,
        is_staff=bool(user.is_staff),
    )


# django-axes hooks (named in settings) -------------------------------------------------------


def login_name(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The sign-in name axes locks on: allauth passes the email, its form posts `login`."""
    credentials = credentials or {}
    for field in ("email", "login", "username"):
        value = str(credentials.get(field) or "").strip().lower()
        if value and field == "username" and "@" not in value:
            # axes names a signed-in user by username; failures are kept by email.
            from django.contrib.auth.models import User

            email = User.objects.filter(username=value).values_list("email", flat=True).first()
            value = (email or value).lower()
        if value:
            return value
    return str(request.POST.get("login", "") if request is not None else "").strip().lower()


def axes_client_address(request: HttpRequest) -> str:
    return client_address(request)
