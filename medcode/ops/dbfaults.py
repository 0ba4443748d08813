"""While the database is unreachable, every page answers a clear 503, not a 500.

Django turns an exception raised anywhere below a middleware into a 500 response before an
outer middleware could catch it, so this works in two steps:
- `got_request_exception` (sent while the exception is being handled) marks the request when
  the exception is a database OperationalError or InterfaceError (the server is down, the
  connection was cut, too many clients);
- `DatabaseUnavailableMiddleware`, high in MIDDLEWARE, turns the 500 of a marked request into
  a 503 with Retry-After: JSON in the API's error shape under /api/, a short page elsewhere
  that reads nothing from the database.

Recovery needs no restart: idle connections are health-checked (CONN_HEALTH_CHECKS, see
medcode.ops.postgres) and a broken one is closed at the end of the request, so the next
request connects again.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse

log = logging.getLogger(__name__)

RETRY_SECONDS = 30
MARK = "_medcode_database_unavailable"
DETAIL = (
    "The database is unavailable for a moment, so this request could not be answered. "
    "Nothing was changed; please retry in about 30 seconds."
)
PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>medcode is briefly unavailable</title></head>
<body>
<main>
<h1>medcode is briefly unavailable</h1>
<p>The database is not answering, so this page could not be shown. Nothing you sent was
changed. Please try again in about 30 seconds.</p>
</main>
</body>
</html>
"""


def is_database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def mark_database_errors(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """got_request_exception receiver: note a database outage on the request."""
    exc = sys.exc_info()[1]
    if request is not None and is_database_unavailable(exc):
        setattr(request, MARK, True)


got_request_exception.connect(mark_database_errors, dispatch_uid="medcode.ops.dbfaults")


def unavailable_response(request: HttpRequest) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": DETAIL, "errors": []}, status=503)
    else:
        response = HttpResponse(PAGE, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _drop_broken_connections() -> None:
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not connection.is_usable():
            connection.close()


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, MARK, False):
            log.warning("database unavailable: %s %s answered 503", request.method, request.path)
            _drop_broken_connections()
            return unavailable_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A view's database error: answer 503 at once (no 500 logged with a traceback)."""
        if is_database_unavailable(exception):
            log.warning(
                "database unavailable: %s %s answered 503 (%s)",
                request.method,
                request.path,
                str(exception).strip().splitlines()[0] if str(exception).strip() else "",
            )
            _drop_broken_connections()
            return unavailable_response(request)
        return None
