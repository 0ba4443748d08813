"""API access: keys from headers only, per-key rate limits and daily quotas, for all of /api/v1.

`ApiAccessMiddleware` sees every request under /api/v1/ before any router does, so no
endpoint can forget it:
- a key in the query string is refused with 400 (URLs end up in logs and Referer headers);
- `Authorization: Bearer <key>` or `X-API-Key: <key>` must be a valid, unrevoked key (401
  otherwise); the request then acts as the key's owner (`request.api_key`, `request.user`);
- a key's scope (accounts.models.KeyScope) bounds it: a read key makes GET requests only under
  /api/v1 (403 otherwise; MCP and FHIR, read-only, take it), and only an account key reads its
  owner's personal data (CasePilot history);
- requests without a key are the signed-in user's or a guest's, under their plan's limits;
- past the plan's requests per minute or per day the answer is 429 with Retry-After;
- a write (POST, PUT, PATCH, DELETE) made with a signed-in session rather than a key must be
  `application/json` (which a cross-site form cannot send without a CORS preflight) or carry
  the CSRF token, else 403.

`ApiKeyRequired()` is a django-ninja auth for endpoints that need a key.

Why a middleware and not django-ninja's auth and throttle hooks: `admit` is the one gate for
three faces, the Ninja API here and the FHIR and MCP endpoints (fhir/views.py, mcp/views.py),
which are plain Django views. Ninja's per-router hooks would cover only the first and leave a
second copy of the key, scope and quota rules for the other two.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import Resolver404, resolve
from django.utils import timezone
from ninja.security import HttpBearer

from medcode.accounts import metering
from medcode.accounts.keys import KEY_LOOKALIKE, find_key, mark_used
from medcode.accounts.models import ApiKey, KeyScope
from medcode.accounts.quota_links import quota_links
from medcode.accounts.viewers import who_is

API_PREFIX = "/api/v1/"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
READ_ONLY_KEY = "This API key is read-only: it may only make GET requests to /api/v1."
# The API's own description is free: it is the same for everyone and reads no data.
UNMETERED_PATHS = frozenset({"/api/v1/openapi.json", "/api/v1/docs"})
QUERY_KEY_NAMES = frozenset(
    {"api_key", "apikey", "api-key", "x-api-key", "key", "token", "access_token"}
)

KEY_IN_QUERY = (
    "API keys are not accepted in the URL: URLs are kept in server logs, browser history and "
    "Referer headers. Send the key in the Authorization header (Authorization: Bearer <key>) "
    "or the X-API-Key header. If a real key was sent this way, revoke it on your account page "
    "and create a new one."
)
WRONG_KEY = (
    "This API key is not valid. Check it on your account page; the whole key is shown only "
    "once, when it is created."
)
REVOKED_KEY = "This API key was revoked on {date}. Create a new key on your account page."
CROSS_SITE_WRITE = (
    "A write with a signed-in session must be sent as application/json or carry the CSRF token "
    "(X-CSRFToken header); scripts and integrations should use an API key instead."
)
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PER_MINUTE = (
    "Too many requests: the {plan} plan allows {limit} API requests a minute. "
    "Retry after {seconds} seconds."
)
PER_DAY = (
    "Daily API quota used: the {plan} plan allows {limit} API requests a day. "
    "The quota renews at midnight, in {seconds} seconds."
)


def _error(
    status: int, detail: str, *, links: list[dict[str, str]] | None = None, **headers: str
) -> HttpResponse:
    body: dict[str, object] = {"detail": detail, "errors": []}
    if links:
        body["links"] = links  # where to go next: register, sign in, upgrade
    response = JsonResponse(body, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def presented_key(request: HttpRequest) -> str | None:
    """The key in the Authorization (Bearer) or X-API-Key header, if any."""
    auth = request.headers.get("Authorization", "")
    scheme, _, value = auth.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    header = request.headers.get("X-API-Key", "")
    return header.strip() or None


def key_in_query(request: HttpRequest) -> bool:
    for name, values in request.GET.lists():
        if name.lower() in QUERY_KEY_NAMES or any(KEY_LOOKALIKE.search(v) for v in values):
            return True
    return False


def admit(request: HttpRequest) -> HttpResponse | dict[str, str]:
    """Authenticate and meter one API request: a refusal, or headers for the answer."""
    if key_in_query(request):
        return _error(400, KEY_IN_QUERY)
    raw = presented_key(request)
    if raw is not None:
        key = find_key(raw)
        if key is None:
            return _error(401, WRONG_KEY, WWW_Authenticate='Bearer realm="medcode"')
        if key.revoked_at is not None:
            date = timezone.localtime(key.revoked_at).date().isoformat()
            return _error(
                401, REVOKED_KEY.format(date=date), WWW_Authenticate='Bearer realm="medcode"'
            )
        # (MCP and FHIR post their read-only calls: only the /api/v1 methods are held to GET.)
        read_only = key.scope == KeyScope.READ and request.path_info.startswith(API_PREFIX)
        if read_only and request.method not in SAFE_METHODS:
            return _error(403, READ_ONLY_KEY)
        mark_used(key)
        request.api_key = key  # type: ignore[attr-defined]
        # The key, not a cookie, authenticates: it acts as its owner (plan, quotas) everywhere,
        # but is the owner's person (their CasePilot history) only with the account scope.
        request.user = key.user if key.scope == KeyScope.ACCOUNT else AnonymousUser()
        # The key, not a cookie, authenticates: cross-site forgery does not apply.
        request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
    elif _is_cross_site_write(request):
        return _error(403, CROSS_SITE_WRITE)
    if not settings.MEDCODE_METERING or not _is_metered(request):
        return {}
    viewer = who_is(request)
    if viewer.is_staff:
        return {}
    plan = viewer.plan
    # Limits are the account's, whichever of its keys (or its session) calls: a second key, or
    # a new one after a revoked one, adds no quota.
    account = f"user:{viewer.user_id}" if viewer.user_id is not None else viewer.subject
    # Each key's own use is counted too (shown per day on the account page, never limited).
    own = f"key:{viewer.api_key_id}" if viewer.api_key_id is not None else None
    minute, day = metering.consume_api(
        account, per_minute=plan.api_per_minute, per_day=plan.api_per_day, also_count=own
    )
    if not minute.allowed or not day.allowed:
        links = quota_links(request, is_guest=viewer.is_guest)
        if not minute.allowed:
            wait = str(minute.retry_after)
            detail = PER_MINUTE.format(plan=plan.name, limit=minute.limit, seconds=wait)
        else:
            wait = str(day.retry_after)
            detail = PER_DAY.format(plan=plan.name, limit=day.limit, seconds=wait)
        return _error(429, detail, links=links, Retry_After=wait)
    headers = {}
    if minute.remaining is not None:
        headers["X-RateLimit-Remaining-Minute"] = str(minute.remaining)
    if day.remaining is not None:
        headers["X-RateLimit-Remaining-Day"] = str(day.remaining)
    return headers


def _is_cross_site_write(request: HttpRequest) -> bool:
    """A session-authenticated write that a page on another site could have made."""
    if request.method not in UNSAFE_METHODS or request.content_type == "application/json":
        return False
    if settings.SESSION_COOKIE_NAME not in request.COOKIES:
        return False
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    refused = CsrfViewMiddleware(_no_view).process_view(request, _no_view, (), {})
    return refused is not None


def _no_view(request: HttpRequest) -> HttpResponse:  # pragma: no cover (never called)
    return HttpResponse(status=204)


def _is_metered(request: HttpRequest) -> bool:
    return request.path not in UNMETERED_PATHS and _is_route(request.path_info)


@lru_cache(maxsize=8192)
def _is_route(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False  # a JSON 404 costs nothing worth counting
    return True


class ApiAccessMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        outcome = admit(request)
        if isinstance(outcome, HttpResponse):
            return outcome
        response = self.get_response(request)
        for name, value in outcome.items():
            response[name] = value
        return response


class ApiKeyRequired(HttpBearer):
    """django-ninja auth: the request must carry a valid key (checked by the middleware)."""

    def __call__(self, request: HttpRequest) -> Any:
        return getattr(request, "api_key", None)

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return getattr(request, "api_key", None)
