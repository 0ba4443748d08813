"""The one NinjaAPI at /api/v1: its error shape and the routers it mounts.

Every error is JSON `{"detail": "...", "errors": [...]}` (plus extra keys an endpoint adds,
such as `suggestions`), and bad input is a 4xx, never a 5xx.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from medcode.api.openapi import MedcodeNinjaAPI
from medcode.api.routers import ROUTERS

INVALID_INPUT = "The request is not valid; see errors."
NOT_FOUND = "Not found."
NOT_AUTHENTICATED = "Authentication required."


class ErrorOut(Schema):
    detail: str
    errors: list[dict[str, Any]] = Field(default_factory=list)


class ApiError(Exception):
    """Raise from an endpoint to answer with the house error shape and extra keys."""

    def __init__(self, status: int, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.extra = extra


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

    for prefix, target in ROUTERS:
        module_name, _, attribute = target.partition(":")
        api.add_router(prefix, getattr(import_module(module_name), attribute))
    return api


api = build_api()
