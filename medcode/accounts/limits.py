"""Request body limits: an oversized body gets a clear 413 before anything reads it.

Form and JSON bodies may be DATA_UPLOAD_MAX_MEMORY_SIZE bytes; multipart uploads
MEDCODE_MAX_UPLOAD_BYTES. A body without Content-Length (chunked) is still capped by
Django's own DATA_UPLOAD_MAX_MEMORY_SIZE check, which answers 400.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

TOO_LARGE = "The request body is {size} bytes; the limit is {limit} bytes."


# Endpoints that read their body as a stream, line by line, never holding it in memory: they
# take bodies as large as an upload.
STREAMED_BODY_PATHS = frozenset({"/api/v1/claims/check-batch"})


def body_limit(request: HttpRequest) -> int:
    if request.content_type == "multipart/form-data" or request.path in STREAMED_BODY_PATHS:
        return int(settings.MEDCODE_MAX_UPLOAD_BYTES)
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


class BodySizeLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0
        limit = body_limit(request)
        if limit and size > limit:
            message = TOO_LARGE.format(size=size, limit=limit)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "errors": []}, status=413)
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
