"""/fhir/R4/: one view for every FHIR path. It authenticates and meters like /api/v1 (the same
`medcode.accounts.throttle.admit`), reads the query string or a Parameters/Bundle body, and
answers application/fhir+json: a resource, or an OperationOutcome for every error."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from medcode.accounts.throttle import admit
from medcode.fhir import dispatch
from medcode.fhir.errors import FhirError, operation_outcome
from medcode.fhir.params import Params, from_query, from_resource

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/fhir+json; charset=utf-8"
JSON_TYPES = frozenset({"application/fhir+json", "application/json", "application/json+fhir"})
FORMATS = frozenset({"json", *JSON_TYPES})

NOT_JSON = "The body is not JSON: {error}."
WRONG_TYPE = "This server reads and writes FHIR JSON only (application/fhir+json); got {value!r}."
FAILED = "The server failed to answer this request (logged as {ref}); it is not your input."


def fhir_response(resource: dict[str, Any], status: int = 200, **headers: str) -> HttpResponse:
    body = json.dumps(resource, ensure_ascii=False, separators=(",", ":"))
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPE)
    for name, value in headers.items():
        response[name] = value
    return response


@csrf_exempt
def endpoint(request: HttpRequest, path: str) -> HttpResponse:
    admitted = admit(request)
    if isinstance(admitted, HttpResponse):
        return _as_outcome(admitted)
    try:
        response = fhir_response(_answer(request, path))
    except FhirError as exc:
        response = fhir_response(exc.outcome(), exc.status)
    except Exception:  # an unexpected failure still answers FHIR JSON, never an HTML page
        ref = f"fhir-{id(request):x}"
        log.exception("FHIR request failed (%s): %s %s", ref, request.method, request.path)
        response = fhir_response(
            operation_outcome(FAILED.format(ref=ref), code="exception", severity="fatal"), 500
        )
    for name, value in admitted.items():
        response[name] = value
    return response


def _answer(request: HttpRequest, path: str) -> dict[str, Any]:
    wanted = request.GET.get("_format", "").split(";")[0].strip().lower()
    if wanted and wanted not in FORMATS:
        raise FhirError(406, WRONG_TYPE.format(value=wanted), code="not-supported")
    base_url = request.build_absolute_uri("/fhir/R4/")
    method = request.method or "GET"
    params = from_query((k, v) for k, vs in request.GET.lists() for v in vs)
    if method == "POST":
        body = _json_body(request)
        if not path.strip("/"):
            return dispatch.batch(body, base_url=base_url)
        if body is not None:
            params = params.merged(from_resource(body))
    return dispatch.route(method, path, params, base_url=base_url)


def _json_body(request: HttpRequest) -> Any:
    kind = (request.content_type or "").split(";")[0].strip().lower()
    if request.body and kind not in JSON_TYPES:
        raise FhirError(415, WRONG_TYPE.format(value=kind), code="not-supported")
    if not request.body:
        return None
    try:
        return json.loads(request.body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise FhirError(400, NOT_JSON.format(error=exc), code="structure") from None


def _as_outcome(refusal: HttpResponse) -> HttpResponse:
    """The API's refusal (bad key, quota) with its status and headers, as an OperationOutcome."""
    try:
        detail = str(json.loads(refusal.content).get("detail", ""))
    except ValueError:
        detail = refusal.reason_phrase
    code = {401: "login", 403: "forbidden", 429: "throttled"}.get(refusal.status_code, "invalid")
    response = fhir_response(operation_outcome(detail, code=code), refusal.status_code)
    for name in ("Retry-After", "WWW-Authenticate"):
        if refusal.has_header(name):
            response[name] = refusal[name]
    return response


__all__ = ["Params", "endpoint"]
