"""The one NinjaAPI at /api/v1: the routers it mounts and how errors become responses.

The error shape and ApiError live in medcode.api.errors, the only part of this package the
apps import; bad input is a 4xx in that shape, never a 5xx.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError

from medcode.api.errors import (
    INVALID_INPUT,
    NOT_AUTHENTICATED,
    NOT_FOUND,
    ApiError,
)
from medcode.api.openapi import MedcodeNinjaAPI
from medcode.assistant.api import router as assistant_router
from medcode.changes.api import router as changes_router
from medcode.claims.api import router as claims_router
from medcode.codes.api import router as codes_router
from medcode.jobs.api import router as jobs_router
from medcode.search.api import router as search_router

# (URL prefix, router), mounted in this order; each app owns its router module.
ROUTERS: list[tuple[str, Router]] = [
    ("/codes", codes_router),
    ("/claims", claims_router),
    ("/search", search_router),
    ("/jobs", jobs_router),
    ("/assistant", assistant_router),
    ("/changes", changes_router),
]


def build_api() -> NinjaAPI:
    api = MedcodeNinjaAPI(
        title="medcode API",
        version="1",
        description="Everything a medcode page shows, as JSON. Every fact names its release.",
        urls_namespace="api",
        docs_url="/docs",
        openapi_url="/openapi.json",
    )

    def error(request: HttpRequest, status: int, detail: str, **extra: Any) -> HttpResponse:
        body = {"detail": detail, "errors": extra.pop("errors", []), **extra}
        return api.create_response(request, body, status=status)

    @api.exception_handler(ApiError)
    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return error(request, exc.status, exc.detail, **exc.extra)

    @api.exception_handler(ValidationError)
    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [{k: v for k, v in e.items() if k in {"type", "loc", "msg"}} for e in exc.errors]
        return error(request, 422, INVALID_INPUT, errors=errors)

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return error(request, exc.status_code, str(exc))

    @api.exception_handler(AuthenticationError)
    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return error(request, 401, NOT_AUTHENTICATED)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return error(request, 404, NOT_FOUND)

    for prefix, router in ROUTERS:
        api.add_router(prefix, router)
    return api


api = build_api()
