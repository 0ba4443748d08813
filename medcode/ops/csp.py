"""django-csp's middleware, with the policy text built once instead of for every response.

The library builds the header from the settings on each response (a dataclass deep-copied and
every directive joined): under bench/load.py that was 4% of the web workers' CPU. A response
with no nonce and no per-view policy (every medcode response) gets the same header, so it is
built once per process and again only when the CSP settings change (tests); any other
response goes the library's way.
"""

from __future__ import annotations

import http.client as http_client
from dataclasses import asdict
from functools import cache
from typing import Any

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as LibraryCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponseBase

PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
)
DEBUG_EXEMPT = (http_client.INTERNAL_SERVER_ERROR, http_client.NOT_FOUND)


def _no_response(request: HttpRequest) -> HttpResponseBase:
    return HttpResponseBase()


@cache
def plain_headers() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(header, policy, excluded path prefixes) for each policy set in the settings."""
    found = []
    for header, name, report_only in (
        (HEADER, "CONTENT_SECURITY_POLICY", False),
        (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True),
    ):
        parts = LibraryCSPMiddleware(_no_response).get_policy_parts(
            request=HttpRequest(), response=HttpResponseBase(), report_only=report_only
        )
        policy = build_policy(**asdict(parts), report_only=report_only)
        if policy:
            prefixes = (getattr(settings, name, None) or {}).get("EXCLUDE_URL_PREFIXES") or ()
            found.append((header, policy, tuple(prefixes)))
    return tuple(found)


def _settings_changed(setting: str = "", **kwargs: Any) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        plain_headers.cache_clear()


setting_changed.connect(_settings_changed, dispatch_uid="medcode.ops.csp")


class CSPMiddleware(LibraryCSPMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in PER_RESPONSE
        ):
            return super().process_response(request, response)
        if response.status_code in DEBUG_EXEMPT and settings.DEBUG:
            return response
        exempt = {
            HEADER: getattr(response, "_csp_exempt", False),
            HEADER_REPORT_ONLY: getattr(response, "_csp_exempt_ro", False),
        }
        for header, policy, prefixes in plain_headers():
            if (
                header not in response
                and exempt[header] is False
                and not request.path_info.startswith(prefixes)
            ):
                response[header] = policy
        # As the library does: a nonce asked for after the header was written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)  # type: ignore[attr-defined]
        return response
