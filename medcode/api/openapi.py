"""The answers every /api/v1 operation may give besides its own, written into the OpenAPI document.

Some refusals come from outside the endpoints, so no router declares them:
- medcode.accounts.throttle: 400 for an API key in the URL, 401 for a key that is not valid,
  429 (with Retry-After) past the plan's rate limits;
- medcode.accounts.limits: 413 for a body over the size limit;
- medcode.accounts.costs: for the expensive operations (a note, a claims batch, a search query
  long enough to be read as a note), 413 past a guest's or an account's note size, 429 past the
  per-minute count of that kind and 503 (with Retry-After) while the server runs all it will of
  that kind at once;
- django-ninja: 400 for a body that is not JSON, 422 for parameters or a body that do not
  validate (medcode.api.errors gives both the house error shape).

`add_common_responses` adds each to every operation it can happen to, unless the operation
already declares that status itself.
"""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from medcode.accounts.costs import POSTED, SEARCHED
from medcode.api.errors import ErrorOut

ERROR_REF = "#/components/schemas/ErrorOut"
QUOTA_REF = "#/components/schemas/QuotaErrorOut"
# A quota refusal's body: the error shape plus where to go next (accounts.quota_links).
LINKS_SCHEMA = {
    "type": "array",
    "description": "Ways past the limit: a guest's register, sign_in and upgrade links; an "
    "account's upgrade and account (plan and usage) links. Each href is absolute.",
    "items": {
        "type": "object",
        "properties": {
            "rel": {"type": "string", "enum": ["register", "sign_in", "upgrade", "account"]},
            "title": {"type": "string"},
            "href": {"type": "string", "format": "uri"},
        },
        "required": ["rel", "title", "href"],
    },
}

BAD_REQUEST = "Bad request: an API key in the URL, or a body that cannot be parsed."
NOT_AUTHENTICATED = "The API key is not valid or was revoked, or the operation needs sign-in."
TOO_LARGE = "The request body is over the size limit."
INVALID = "A parameter or the body is not valid; `errors` names each problem."
TOO_MANY = (
    "Past the plan's API requests a minute or a day; retry after Retry-After seconds. `links` "
    "says where to go next: register or sign in (a guest), upgrade the plan."
)
BUSY = "The server runs as many requests of this kind as it will at once; retry after Retry-After."

RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds until a request may succeed again.",
        "schema": {"type": "integer", "minimum": 1},
    }
}


def _error(description: str, *, ref: str = ERROR_REF, **extra: Any) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": ref}}},
        **extra,
    }


def add_common_responses(schema: dict[str, Any], error_schema: dict[str, Any]) -> dict[str, Any]:
    """Declare the shared refusals on every operation of `schema` (changed in place)."""
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorOut", error_schema)
    quota = {**error_schema, "title": "QuotaErrorOut"}
    quota["properties"] = {**error_schema.get("properties", {}), "links": LINKS_SCHEMA}
    schemas.setdefault("QuotaErrorOut", quota)
    for path, operations in schema.get("paths", {}).items():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            has_input = bool(operation.get("parameters")) or "requestBody" in operation
            common = {
                400: _error(BAD_REQUEST),
                401: _error(NOT_AUTHENTICATED),
                429: _error(TOO_MANY, ref=QUOTA_REF, headers=RETRY_AFTER),
            }
            if has_input:
                common[422] = _error(INVALID)
            if "requestBody" in operation:
                common[413] = _error(TOO_LARGE)
            if path in POSTED or path in SEARCHED:
                common[413] = _error(TOO_LARGE)
                common[503] = _error(BUSY, headers=RETRY_AFTER)
            # django-ninja keys statuses by int; a key written by hand may be a string.
            for status, response in common.items():
                if status not in responses and str(status) not in responses:
                    responses[status] = response
    return schema


class MedcodeNinjaAPI(NinjaAPI):
    """A NinjaAPI whose OpenAPI document declares the shared refusals."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return add_common_responses(schema, ErrorOut.model_json_schema())
