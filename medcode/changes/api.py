"""GET /api/v1/changes and /api/v1/changes/diffs: the JSON twins of /changes/."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from medcode.api.errors import INVALID_INPUT, ApiError, ErrorOut
from medcode.changes import queries

router = Router(tags=["changes"])
MAX_PAGE_SIZE = 1000


class ChangesIn(Schema):
    since: dt.date | None = Field(None, description="changes in force from this date on")
    dataset: list[str] = Field([], description="dataset families, e.g. ncci_aoc, hcpcs, pfs_rvu")
    codes: str = Field("", description="comma-separated codes (as the code or its partner)")
    kind: list[str] = Field([], description="added, deleted, retitled, rvu, mue, ...")
    system: str = Field("", description="code set: CPT, HCPCS, ICD10CM, ICD10PCS, MODIFIER")
    range: str = Field("", description="code prefix (636) or range (63650-63688)")
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(100, ge=1, le=MAX_PAGE_SIZE)


class ChangeOut(Schema):
    dataset: str
    from_release: str
    to_release: str
    effective_on: str
    code_system: str
    code: str
    other_code: str
    qualifier: str
    kind: str
    field: str
    old_value: str
    new_value: str
    percent: float | None


class ChangePageOut(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    results: list[ChangeOut]


class DiffOut(Schema):
    id: int
    dataset: str
    title: str
    from_release: str
    to_release: str
    effective_on: dt.date
    counts: dict[str, int]
    url: str


@router.get(
    "", response={200: ChangePageOut, 422: ErrorOut}, summary="Changes between loaded releases"
)
def list_changes(request: HttpRequest, params: Query[ChangesIn]) -> Any:
    wanted = queries.parse_filter(
        families=params.dataset,
        kinds=params.kind,
        code_system=params.system,
        code_range=params.range,
        codes=params.codes.split(","),
        since=params.since,
    )
    if wanted.errors:
        errors = [{"type": "value_error", "loc": ["query"], "msg": e} for e in wanted.errors]
        raise ApiError(422, INVALID_INPUT, errors=errors)
    changes = queries.find_changes(wanted)
    facts = queries.diff_facts()
    start = (params.page - 1) * params.page_size
    # One row past the page says whether there is a next page without counting twice.
    rows = queries.page_rows(changes, start, start + params.page_size + 1, facts)
    more = len(rows) > params.page_size
    following = None
    if more:
        query = request.GET.copy()
        query["page"] = str(params.page + 1)
        following = f"{request.path}?{query.urlencode()}"
    page = {
        "count": (
            queries.count_changes(wanted, changes, facts)
            if (more or params.page > 1)
            else len(rows)
        ),
        "page": params.page,
        "page_size": params.page_size,
        "next": following,
        "results": rows[: params.page_size],
    }
    # Written as JSON here: the rows are built to ChangePageOut's shape (a test checks them
    # against it), and validating 100 rows again through the schema took half the time.
    return JsonResponse(page)


class DiffsIn(Schema):
    dataset: str = Field("", description="one dataset family, e.g. ncci_aoc (default: all)")
    limit: int = Field(200, ge=1, le=1000, description="newest first, at most this many")


@router.get(
    "/diffs",
    response={200: list[DiffOut], 422: ErrorOut},
    summary="The stored release-to-release diffs",
)
def list_diffs(request: HttpRequest, params: Query[DiffsIn]) -> Any:
    wanted = queries.parse_filter(families=[params.dataset])
    if wanted.errors:
        errors = [{"type": "value_error", "loc": ["query"], "msg": e} for e in wanted.errors]
        raise ApiError(422, INVALID_INPUT, errors=errors)
    diffs = queries.find_diffs(families=wanted.families)[: params.limit]
    return [
        {
            "id": d.pk,
            "dataset": d.family,
            "title": queries.family_title(d.family),
            "from_release": d.from_label,
            "to_release": d.to_label,
            "effective_on": d.effective_on,
            "counts": d.counts,
            "url": reverse("changes:detail", args=[d.pk]),
        }
        for d in diffs
    ]
