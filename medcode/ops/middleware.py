"""Three middleware at the top of the stack.

ForwardedProtoMiddleware drops `X-Forwarded-Proto` unless the connection comes from a trusted
proxy (MEDCODE_TRUSTED_PROXIES; loopback when none is set), so no client can make a plain-HTTP
request count as HTTPS (`request.is_secure()` under MEDCODE_HTTPS=on).

ProbeMiddleware answers /healthz, /readyz and /metrics before anything else runs: no host
check (a probe or scraper connects by address), no HTTPS redirect, no session, no metering,
and no access line (probes every few seconds would drown the log).

RequestLogMiddleware gives each request an id (X-Request-ID when the client or proxy sent a
sane one, else a new one; echoed in the response), writes one access line per request to the
`medcode.request` logger (method, path without the query string, status, duration, route,
client address, request id) and records the Prometheus request metrics.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase

from medcode.accounts.viewers import client_address, is_trusted_proxy
from medcode.ops import health, metrics
from medcode.ops.logs import current_request_id

access_log = logging.getLogger("medcode.request")

REQUEST_ID_HEADER = "X-Request-ID"
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
UNMATCHED_ROUTE = "(unmatched)"

Handler = Callable[[HttpRequest], HttpResponseBase]
PROBES: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": health.healthz,
    "/readyz": health.readyz,
    "/metrics": metrics.metrics_view,
}


LOOPBACK = ("127.0.0.0/8", "::1")


class ForwardedProtoMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if "HTTP_X_FORWARDED_PROTO" in request.META:
            proxies = tuple(settings.MEDCODE_TRUSTED_PROXIES) or LOOPBACK
            if not is_trusted_proxy(str(request.META.get("REMOTE_ADDR") or ""), proxies):
                del request.META["HTTP_X_FORWARDED_PROTO"]
        return self.get_response(request)


class ProbeMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        probe = PROBES.get(request.path_info)
        if probe is not None and request.method in ("GET", "HEAD"):
            return probe(request)
        return self.get_response(request)


def request_id_of(request: HttpRequest) -> str:
    given = str(request.META.get("HTTP_X_REQUEST_ID", ""))
    if SANE_REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def route_of(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "static" if request.path_info.startswith("/static/") else UNMATCHED_ROUTE
    return str(match.view_name or match._func_path)


class RequestLogMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        started = time.perf_counter()
        request_id = request_id_of(request)
        request.META["HTTP_X_REQUEST_ID"] = request_id
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        seconds = time.perf_counter() - started
        response[REQUEST_ID_HEADER] = request_id
        self.record(request, response, request_id, seconds)
        return response

    def record(
        self, request: HttpRequest, response: HttpResponseBase, request_id: str, seconds: float
    ) -> None:
        route = route_of(request)
        method = request.method or "?"
        status = response.status_code
        metrics.REQUEST_SECONDS.labels(route, method).observe(seconds)
        metrics.RESPONSES.labels(route, method, str(status)).inc()
        if status >= 500:
            metrics.ERRORS.labels(route).inc()
        duration_ms = round(seconds * 1000, 1)
        level = logging.ERROR if status >= 500 else logging.INFO
        if not access_log.isEnabledFor(level):
            return
        # The record is made directly: Logger.log would first walk the stack to find the
        # caller's file and line, which an access line does not show (a tenth of this method).
        record = access_log.makeRecord(
            access_log.name,
            level,
            __file__,
            0,
            "%s %s %s %.1fms id=%s",
            (method, request.path, status, duration_ms, request_id),
            None,
            "record",
            {
                "method": method,
                "path": request.path,
                "status": status,
                "duration_ms": duration_ms,
                "request_id": request_id,
                "route": route,
                "client": client_address(request),
            },
        )
        access_log.handle(record)
