"""The claim check API: POST /api/v1/claims/check and /api/v1/claims/check-batch."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Router, Schema, Status

from medcode.accounts.viewers import who_is
from medcode.claims import inpatient, services
from medcode.claims.schemas import ClaimCheckIn, ClaimCheckOut, ClaimErrorOut
from medcode.claims.services import BatchFormatError, ClaimInputError

router = Router(tags=["claims"])

MAX_CHECK_BYTES = 1_000_000
# Bounded work per request (issue 20): a guest's claim holds an 837P's 50 lines (an account's the
# 837I's 999), and a batch is checked up to MAX_BATCH_CLAIMS claims, the summary saying so.
GUEST_MAX_LINES = 50
GUEST_TOO_MANY_LINES = (
    "this claim has {lines} lines; a guest may check up to 50 at once (signed in, up to 999)"
)
MAX_BATCH_CLAIMS = 10_000
BATCH_TRUNCATED = "only the first {limit:,} claims were checked; send the rest in another batch"
BODY_TOO_LARGE = "the claim is {size} bytes; one claim may be at most 1,000,000 bytes"
BODY_TOO_LARGE_UNKNOWN = "the claim is larger than the server accepts in one request"
UNSUPPORTED_TYPE = (
    "send claims as JSON lines (Content-Type: application/x-ndjson), a JSON list "
    "(application/json) or CSV (text/csv), not {content_type!r}"
)
JSON_LINES_TYPES = frozenset(
    {
        "application/x-ndjson",
        "application/jsonl",
        "application/x-jsonlines",
        "application/jsonlines",
    }
)
CSV_TYPES = frozenset({"text/csv", "application/csv"})
NO_FILE = "send the claims file in the form field 'file' (a .csv, .jsonl or .json file)"

BATCH_DESCRIPTION = """Many claims at once, streamed back as JSON lines.

Send JSON lines (one claim object per line, as for /check) with Content-Type
application/x-ndjson, a JSON list (application/json), a file uploaded as multipart/form-data
in the field `file` (.csv, .jsonl or .json), or CSV
(text/csv) with one row per claim line and the columns
claim_id, code, units, date_of_service and optionally line, modifiers (space-separated),
place_of_service, diagnosis_pointers (space-separated, 1-12 or A-L), diagnoses
(space-separated, on any row of the claim), setting and locality (on the claim's first row).
A claim's rows must be together.

Each result line is `{"record", "claim_id", "findings", "counts", "notices", "payment"}` or,
for a claim that
is not valid, `{"record", "claim_id", "detail", "errors"}`; the last line is
`{"summary": {...}}` (with `"truncated"` when more than 10,000 claims were sent: only those
were checked). A claim lists at most 500 findings, the most severe, with `"truncated"` set.
A CSV without a required column is refused with 400 before any result.
The body is read as a stream and may be as large as an upload (MEDCODE_MAX_UPLOAD_BYTES).
"""


def inline_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema with its $defs references written out, for an OpenAPI request body."""
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(dict(definitions[ref.removeprefix("#/$defs/")]))
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved


CHECK_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": inline_schema(ClaimCheckIn.model_json_schema())}
        },
    }
}
BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/x-ndjson": {"schema": {"type": "string"}},
            "text/csv": {"schema": {"type": "string"}},
        },
    },
    "responses": {
        200: {
            "description": "One JSON line per claim, then the summary line.",
            "content": {"application/x-ndjson": {"schema": {"type": "string"}}},
        }
    },
}


@router.post(
    "/check",
    response={200: ClaimCheckOut, 400: ClaimErrorOut, 413: ClaimErrorOut, 422: ClaimErrorOut},
    summary="Check one claim",
    description=(
        "Checks a whole claim against the NCCI PTP, MUE and add-on edits, the PFS indicators "
        "and ICD-10-CM in force on each line's date of service, and gives the expected "
        "Medicare payment per line (PFS, national or the claim's locality) with the multiple "
        "procedure, bilateral, assistant, co-surgeon and team adjustments the PFS indicators "
        "call for. Every input error names the line and the field."
    ),
    openapi_extra=CHECK_BODY,
)
def check(request: HttpRequest) -> Status[dict[str, Any]]:
    size = int(request.META.get("CONTENT_LENGTH") or 0)
    if size > MAX_CHECK_BYTES:
        return Status(413, _error(BODY_TOO_LARGE.format(size=f"{size:,}")))
    try:
        body = request.body
    except RequestDataTooBig:
        return Status(413, _error(BODY_TOO_LARGE_UNKNOWN))
    try:
        parsed = services.parse_claim_json(body)
    except ClaimInputError as exc:
        return Status(exc.status, exc.as_dict())
    if len(parsed.claim.lines) > GUEST_MAX_LINES and who_is(request).user_id is None:
        return Status(413, _error(GUEST_TOO_MANY_LINES.format(lines=len(parsed.claim.lines))))
    return Status(200, services.check_parsed(parsed).as_dict())


@router.post(
    "/check-batch",
    response={400: ClaimErrorOut, 415: ClaimErrorOut},
    summary="Check many claims (JSON lines or CSV), streaming results",
    description=BATCH_DESCRIPTION,
    openapi_extra=BATCH_BODY,
)
def check_batch(request: HttpRequest) -> StreamingHttpResponse | Status[dict[str, Any]]:
    content_type = request.content_type or ""
    lines = services.decode_lines(_request_lines(request))
    if content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            return Status(400, _error(NO_FILE))
        content_type = _upload_type(upload.name or "", upload.content_type or "")
        lines = services.decode_lines(iter(upload))
    items: Iterable[services.BatchItem]
    try:
        if content_type in JSON_LINES_TYPES:
            items = services.read_json_lines(lines)
        elif content_type in CSV_TYPES:
            items = services.read_csv(lines)
        elif content_type == "application/json":
            items = services.read_json_document("".join(lines))
        else:
            return Status(415, _error(UNSUPPORTED_TYPE.format(content_type=content_type)))
    except (BatchFormatError, ClaimInputError) as exc:
        return Status(
            400, _error(exc.detail if isinstance(exc, ClaimInputError) else str(exc), exc)
        )
    return StreamingHttpResponse(_stream(items), content_type="application/x-ndjson")


class MceEditOut(Schema):
    edit: str = Field(description="the MCE manual's edit number", examples=["4C", "11A"])
    codes: list[str]
    message: str
    source: str


class DrgSeverityOut(Schema):
    code: str = Field(description="a secondary diagnosis on the CC or MCC list", examples=["N184"])
    level: str = Field(examples=["CC", "MCC"])
    counted: bool
    reason: str = Field(description="why it was not counted (CC exclusion, expired, ...)")


class MsDrgOut(Schema):
    grouped: bool
    grouper: str = Field(examples=["drgpy 0.2.1, MS-DRG v43.1"])
    version: str = Field(examples=["v43.1"])
    drg: str = Field(examples=["281"])
    title: str = Field(description="IPPS Table 5 title")
    mdc: str = Field(description="'PRE' pre-MDC; empty for 981-989, 998, 999")
    type: str = Field(examples=["MED", "SURG"])
    weight: float | None = Field(description="relative weight after the 10% cap (Table 5)")
    geometric_mean_los: float | None
    arithmetic_mean_los: float | None
    weight_source: str
    severity: list[DrgSeverityOut]
    drove: list[str] = Field(description="the counted CC/MCC codes behind a 'with CC/MCC' DRG")
    other_matches: list[str] = Field(description="other DRGs the grouper matched, lower first")
    reason: str = Field(description="why not grouped, or why no weight")
    warnings: list[str] = Field(
        description="a known difference of the grouper from CMS's that these codes meet"
    )


class InpatientCheckOut(Schema):
    discharge_date: str
    edits: list[MceEditOut]
    count: int
    sources: dict[str, str]
    notices: list[str]
    ms_drg: MsDrgOut


class InpatientErrorOut(Schema):
    detail: str
    errors: list[dict[str, str]]


@router.post(
    "/inpatient-check",
    response={
        200: InpatientCheckOut,
        400: ClaimErrorOut,
        413: ClaimErrorOut,
        422: InpatientErrorOut,
    },
    summary="Check an inpatient discharge (MCE edits) and group it (MS-DRG)",
    description=(
        "The MCE edits (v43.1 lists as loaded) of a discharge: invalid codes, external cause "
        "or manifestation or unacceptable principal diagnosis, duplicate of the principal, "
        "age conflicts, questionable admission, non-covered and limited coverage procedures, "
        "wrong procedure, unspecified laterality; and the MS-DRG (ms_drg) of the discharge date's "
        "version by drgpy (CC exclusions applied; age not used; known differences from CMS's "
        "grouper in docs/msdrg-grouping.md) with the IPPS Table 5 weight, title and MDC."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": inline_schema(inpatient.InpatientCheckIn.model_json_schema())
                }
            },
        }
    },
)
def inpatient_check(request: HttpRequest) -> Status[dict[str, Any]]:
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_CHECK_BYTES:
        return Status(413, _error(BODY_TOO_LARGE_UNKNOWN))
    try:
        data = services.load_json(request.body)
        return Status(200, inpatient.check_discharge(data))
    except ClaimInputError as exc:
        return Status(exc.status, exc.as_dict())
    except inpatient.InpatientInputError as exc:
        return Status(422, exc.as_dict())


def _upload_type(name: str, content_type: str) -> str:
    """The batch format of an uploaded file, by its name, else the type the browser gave."""
    lowered = name.lower()
    if lowered.endswith((".jsonl", ".ndjson")):
        return "application/x-ndjson"
    if lowered.endswith(".csv"):
        return "text/csv"
    if lowered.endswith(".json"):
        return "application/json"
    return content_type


def _request_lines(request: HttpRequest) -> Iterator[bytes]:
    yield from request


def _at_most(items: Iterable[services.BatchItem], limit: int, cut: list[bool]) -> Iterator[Any]:
    for n, item in enumerate(items):
        if n >= limit:
            cut.append(True)
            return
        yield item


def _stream(items: Iterable[services.BatchItem]) -> Iterator[str]:
    cut: list[bool] = []
    try:
        capped = _at_most(items, MAX_BATCH_CLAIMS, cut)
        for record in services.check_batch_summary(services.check_batch(capped)):
            if cut and "summary" in record:
                record["summary"]["truncated"] = BATCH_TRUNCATED.format(limit=MAX_BATCH_CLAIMS)
            yield json.dumps(record, separators=(",", ":")) + "\n"
    except BatchFormatError as exc:
        # Found mid-stream (a bad byte): the status is sent already, so say it in the stream.
        yield json.dumps({"detail": str(exc), "errors": []}) + "\n"


def _error(detail: str, exc: Exception | None = None) -> dict[str, Any]:
    if isinstance(exc, ClaimInputError):
        return exc.as_dict()
    return {"detail": detail, "errors": []}
