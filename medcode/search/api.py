"""GET /api/v1/search and POST /api/v1/search/note: the JSON twins of the search page."""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import asdict
from typing import Any, Literal

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from ninja import Field, Query, Router, Schema

from medcode.api.errors import ApiError, ErrorOut
from medcode.ops import conditional
from medcode.search import cached
from medcode.search.facade import (
    MAX_LIMIT,
    MAX_NOTE_CHARS,
    MAX_QUERY_CHARS,
    QUERY_TOO_LONG,
    SearchInputError,
    search_note,
)
from medcode.search.note_search import NOTE_DEFAULT_LIMIT

router = Router(tags=["search"])


class SearchParams(Schema):
    q: str = Field("", description="a code, prefix, range, modifier or words")
    system: str | None = Field(None, description="icd10cm, icd10pcs, hcpcs, modifier or cpt")
    billable: bool | None = Field(None, description="true: billable codes only")
    date: dt.date | None = Field(None, description="codes in force on this date (YYYY-MM-DD)")
    limit: int = Field(20, ge=1, le=MAX_LIMIT)


class ResultOut(Schema):
    system: str
    system_label: str
    code: str
    display: str
    title: str
    title_html: str
    matched_html: str
    is_billable: bool
    is_current: bool
    match: Literal["exact", "prefix", "range", "modifier", "parent", "words", "meaning", "gem"]
    score: float
    url: str


class SearchOut(Schema):
    query: str
    results: list[ResultOut]
    message: str
    notices: list[str]
    corrections: dict[str, str]
    is_semantic: bool
    filters: dict[str, Any]
    elapsed_ms: float


class NoteIn(Schema):
    text: str = Field(..., description=f"the case note, up to {MAX_NOTE_CHARS:,} characters")
    system: str | None = Field("icd10cm", description="code set to suggest from")
    billable: bool | None = True
    date: dt.date | None = None
    limit: int = Field(NOTE_DEFAULT_LIMIT, ge=1, le=MAX_LIMIT)


class EvidenceOut(Schema):
    text: str
    start: int
    end: int
    sentence: int
    assertion: str


class SuggestionOut(Schema):
    system: str
    system_label: str
    code: str
    display: str
    title: str
    is_billable: bool
    match: Literal["meaning", "words", "both"]
    score: float
    url: str
    evidence: EvidenceOut


class FindingCodeOut(Schema):
    code: str
    display: str
    title: str
    score: float


class FindingOut(Schema):
    """A coded finding of the note with its best codes (at most 3)."""

    text: str
    start: int
    end: int
    sentence: int
    assertion: str
    codes: list[FindingCodeOut]


class NoteOut(Schema):
    suggestions: list[SuggestionOut]
    findings: list[FindingOut]
    procedures: list[SuggestionOut]
    not_coded: list[EvidenceOut]
    spans: int
    message: str
    notices: list[str]
    is_semantic: bool
    filters: dict[str, Any]
    elapsed_ms: float


@router.get("", response={200: SearchOut, 422: ErrorOut}, summary="Search every code set")
def search_codes(request: HttpRequest, params: Query[SearchParams]) -> HttpResponseBase:
    """Codes first (exact, prefix, range, modifier), then words fused with meaning.

    Answers carry an ETag and Last-Modified; a request with If-None-Match (or
    If-Modified-Since) gets 304 while the loaded data have not changed.
    """
    if len(params.q) > MAX_QUERY_CHARS:
        raise ApiError(422, QUERY_TOO_LONG.format(maximum=MAX_QUERY_CHARS))
    started = time.perf_counter()
    try:
        # The results are kept by their query (medcode.search.cached) until the next import.
        found = cached.search(
            params.q,
            system=params.system,
            billable=params.billable,
            on=params.date,
            limit=params.limit,
        )
    except SearchInputError as exc:
        raise ApiError(422, str(exc)) from exc
    data = SearchOut.model_validate(asdict(found)).model_dump(mode="json")
    data["elapsed_ms"] = round((time.perf_counter() - started) * 1000, 1)
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    # Results are the same for everyone; metered requests are counted, so not shared-cached.
    metered = bool(settings.MEDCODE_METERING)
    return conditional.validate(
        request,
        response,
        etag=conditional.input_etag(request),
        modified=conditional.last_modified(as_of_today=False),
        personal=False,
        public_seconds=0 if metered else PUBLIC_SECONDS,
    )


# How long shared caches may keep an answer that is the same for everyone (metering off).
PUBLIC_SECONDS = 60


@router.post("/note", response={200: NoteOut, 422: ErrorOut}, summary="Case mode")
def search_case_note(request: HttpRequest, payload: NoteIn) -> dict[str, Any]:
    """Code suggestions for a case note, each with its evidence span and a score; denied
    findings and family history come back in `not_coded`."""
    try:
        found = search_note(
            payload.text,
            system=payload.system,
            billable=payload.billable,
            on=payload.date,
            limit=payload.limit,
        )
    except SearchInputError as exc:
        raise ApiError(422, str(exc)) from exc
    return asdict(found)
