"""The API's error vocabulary: one JSON shape for every error, and the exception that raises it.

Every error is JSON `{"detail": "...", "errors": [...]}` (plus extra keys an endpoint adds, such
as `suggestions`). The app routers import this module only; medcode.api.main imports the routers
and turns these exceptions into responses.
"""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema

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
