"""Which operation a FHIR path names, for a request and for each entry of a batch Bundle."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from medcode.fhir import capability, codesystems, conceptmaps, valuesets
from medcode.fhir.errors import FhirError, bad_request, not_found, operation_outcome
from medcode.fhir.params import Params, from_query, from_resource

MAX_BATCH = 1000

UNKNOWN_PATH = (
    "No FHIR endpoint at {path!r}: this terminology server answers metadata, CodeSystem, "
    "ValueSet and ConceptMap (see metadata)."
)
WRONG_METHOD = "{method} is not supported on {path!r}: use {allowed}."
NOT_A_BATCH = "POST to the base takes a Bundle of type 'batch'; got {what}."
TOO_MANY = "A batch may hold at most {maximum:,} entries; this one has {count:,}."
BAD_ENTRY = "Entry {index} has no request with a method and url."
NO_INSTANCE = (
    "ValueSet {id!r} is not stored here: expand an implicit value set (ValueSet/$expand?url=...)."
)
NESTED = "A batch entry cannot itself be a batch."

Operation = Callable[[Params], dict[str, Any]]

OPERATIONS: dict[tuple[str, str], Operation] = {
    ("CodeSystem", "$lookup"): codesystems.lookup,
    ("CodeSystem", "$validate-code"): codesystems.validate_code,
    ("CodeSystem", "$subsumes"): codesystems.subsumes,
    ("ValueSet", "$expand"): valuesets.expand,
    ("ValueSet", "$validate-code"): valuesets.validate_in_valueset,
    ("ConceptMap", "$translate"): conceptmaps.translate,
}


def route(method: str, path: str, params: Params, *, base_url: str) -> dict[str, Any]:
    """The resource answering one request (raises FhirError)."""
    parts = [p for p in path.strip("/").split("/") if p]
    if parts == ["metadata"]:
        _only(method, path, "GET")
        if params.first("mode") == "terminology":
            return capability.terminology_capabilities(base_url)
        return capability.capability_statement(base_url)
    if not parts or parts[0] not in {"CodeSystem", "ValueSet", "ConceptMap"}:
        raise not_found(UNKNOWN_PATH.format(path=path))
    kind, rest = parts[0], parts[1:]
    if len(rest) == 2 and rest[1].startswith("$"):
        params = _instance_params(kind, rest[0]).merged(params)
        rest = rest[1:]
    if len(rest) == 1 and rest[0].startswith("$"):
        operation = OPERATIONS.get((kind, rest[0]))
        if operation is None:
            raise not_found(UNKNOWN_PATH.format(path=path))
        _only(method, path, "GET", "POST")
        return operation(params)
    _only(method, path, "GET")
    if not rest and kind == "CodeSystem":
        return _searchset(base_url, "CodeSystem", codesystems.search_codesystems(params))
    if not rest and kind == "ConceptMap":
        return _searchset(base_url, "ConceptMap", conceptmaps.search_conceptmaps())
    if len(rest) == 1 and kind == "CodeSystem":
        return codesystems.read_codesystem(rest[0])
    if len(rest) == 1 and kind == "ConceptMap":
        return conceptmaps.read_conceptmap(rest[0])
    raise not_found(UNKNOWN_PATH.format(path=path))


def _only(method: str, path: str, *allowed: str) -> None:
    if method not in allowed:
        raise FhirError(
            405,
            WRONG_METHOD.format(method=method, path=path, allowed=" or ".join(allowed)),
            code="not-supported",
        )


def _instance_params(kind: str, resource_id: str) -> Params:
    """CodeSystem/<id>/$op: the resource's url and version; ConceptMap/<id>/$op: its url."""
    params = Params()
    if kind == "CodeSystem":
        resource = codesystems.read_codesystem(resource_id)
        params.add("system", resource["url"])
        params.add("version", resource["version"])
    elif kind == "ConceptMap":
        params.add("url", conceptmaps.read_conceptmap(resource_id)["url"])
    else:
        raise not_found(NO_INSTANCE.format(id=resource_id))
    return params


def _searchset(base_url: str, kind: str, resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(resources),
        "entry": [
            {"fullUrl": f"{base_url}{kind}/{r['id']}", "resource": r, "search": {"mode": "match"}}
            for r in resources
        ],
    }


def batch(bundle: Any, *, base_url: str) -> dict[str, Any]:
    """A batch-response Bundle: one entry per request entry, in order, each with its status."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        what = (
            f"resourceType {bundle.get('resourceType')!r}"
            if isinstance(bundle, dict)
            else "no resource"
        )
        raise bad_request(NOT_A_BATCH.format(what=what))
    if bundle.get("type") != "batch":
        raise bad_request(NOT_A_BATCH.format(what=f"type {bundle.get('type')!r}"))
    entries = bundle.get("entry") or []
    if not isinstance(entries, list):
        raise bad_request(NOT_A_BATCH.format(what="an entry that is not a list"))
    if len(entries) > MAX_BATCH:
        raise FhirError(
            413, TOO_MANY.format(maximum=MAX_BATCH, count=len(entries)), code="too-costly"
        )
    return {
        "resourceType": "Bundle",
        "type": "batch-response",
        "entry": [_batch_entry(i, e, base_url) for i, e in enumerate(entries, start=1)],
    }


def _batch_entry(index: int, entry: Any, base_url: str) -> dict[str, Any]:
    try:
        request = entry.get("request") if isinstance(entry, dict) else None
        if not isinstance(request, dict) or not request.get("method") or not request.get("url"):
            raise bad_request(BAD_ENTRY.format(index=index))
        method = str(request["method"]).upper()
        url = urlsplit(str(request["url"]))
        path = url.path.removeprefix(urlsplit(base_url).path).lstrip("/")
        if not path:
            raise bad_request(NESTED)
        params = from_query(parse_qsl(url.query, keep_blank_values=True))
        if method == "POST" and entry.get("resource") is not None:
            params = params.merged(from_resource(entry["resource"]))
        resource = route(method, path, params, base_url=base_url)
    except FhirError as exc:
        return {"response": {"status": _status(exc.status), "outcome": exc.outcome()}}
    return {"resource": resource, "response": {"status": _status(200)}}


def _status(code: int) -> str:
    return f"{code} {HTTPStatus(code).phrase}"


__all__ = ["batch", "operation_outcome", "route"]
