"""GET /api/v1/codes/{code}: the JSON twin of a code page (same query, same dataclass)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from medcode.accounts.gate import (
    EDITORIAL_GROUP,
    GATED_SECTIONS,
    METERING_OFF,
    NOTHING_GATED,
    GateDecision,
    can_see_gated,
)
from medcode.api.errors import ApiError, ErrorOut
from medcode.codes import queries
from medcode.codes.page import cache as page_cache
from medcode.codes.page import dmepos as dmepos_fee
from medcode.codes.page import payment
from medcode.ops import conditional

router = Router(tags=["codes"])

CODE_NOT_FOUND = "No loaded code set has the code {code}."
SEVERAL_SYSTEMS = "{code} exists in several code sets: pick one with ?system=."


class SourceOut(Schema):
    dataset: str
    title: str
    version_label: str
    source_file: str
    effective_from: dt.date
    effective_to: dt.date | None
    citation: str


class FactOut(Schema):
    label: str
    value: str
    meaning: str


class ListItemOut(Schema):
    text: str
    inherited_from: str


class ListGroupOut(Schema):
    title: str
    meaning: str
    items: list[ListItemOut]


class TableOut(Schema):
    caption: str
    columns: list[str]
    rows: list[list[str]]
    code_columns: list[int]


class PanelOut(Schema):
    key: str
    title: str
    source: SourceOut
    as_of: dt.date
    summary: str
    facts: list[FactOut]
    groups: list[ListGroupOut]
    tables: list[TableOut]
    stale: str = ""  # the date of service is after the newest loaded release of this data


class StatusOut(Schema):
    state: str
    label: str
    detail: str
    replaced_by: list[str]


class OfficialOut(Schema):
    text: str
    source: SourceOut | None
    is_licensed: bool
    notice: str


class RelatedCodeOut(Schema):
    code: str
    system: str
    title: str
    note: str


class RelatedGroupOut(Schema):
    key: str
    title: str
    codes: list[RelatedCodeOut]
    source: SourceOut | None


class CrumbOut(Schema):
    label: str
    code: str
    system: str


class ModifierAdviceOut(Schema):
    modifiers: list[str]
    label: str
    verdict: str
    verdict_label: str
    explanation: str
    basis: str
    source: SourceOut | None


class FaqOut(Schema):
    question: str
    answer_html: str


class EditorialOut(Schema):
    title: str
    status: str
    reviewed_by: str
    updated: dt.date
    sources: list[str]
    # "<who>, <YYYY-MM-DD>" of the second review by someone who did not write it; "" if none.
    second_review: str = ""


class CodeRefOut(Schema):
    system: str
    system_label: str
    code: str
    display: str
    title: str
    url: str


class GateOut(Schema):
    visible: bool
    reason: str
    message: str
    remaining: int | None = None
    action_url: str = ""
    action_label: str = ""


class CodePageOut(Schema):
    system: str
    system_label: str
    code: str
    display: str
    title: str
    url: str
    on: dt.date
    date_notice: str
    status: StatusOut
    is_billable: bool | None
    billable_label: str
    dates: list[FactOut]
    release: SourceOut | None
    hierarchy: list[CrumbOut]
    official: OfficialOut
    plain_language_html: str
    plain_language_is_editorial: bool
    # Who wrote plain_language_html when it is ours but not an article's (a CPT summary).
    plain_language_note: str = ""
    what_it_is_html: str
    not_covered_html: str
    gate: GateOut
    documentation_html: str | None
    billing_html: str | None
    modifiers: list[ModifierAdviceOut] | None
    modifier_notes_html: str | None
    related: list[RelatedGroupOut] | None
    related_notes_html: str | None
    panels: list[PanelOut] | None
    faq: list[FaqOut] | None
    editorial: EditorialOut | None
    also: list[CodeRefOut]


class ChoicesOut(Schema):
    detail: str
    errors: list[dict[str, Any]] = Field(default_factory=list)
    choices: list[CodeRefOut]


class NotFoundOut(Schema):
    detail: str
    errors: list[dict[str, Any]] = Field(default_factory=list)
    suggestions: list[CodeRefOut]


# Fields of CodePage that belong to the gated sections (medcode.accounts.gate.GATED_SECTIONS).
GATED_FIELDS = {
    "documentation": ("documentation_html",),
    "billing": ("billing_html",),
    "modifiers": ("modifiers", "modifier_notes_html"),
    "related": ("related_notes_html",),  # the lists are CMS data; see page_out
    "faq": ("faq",),
}


def ref_out(ref: queries.CodeRef) -> dict[str, Any]:
    from medcode.codes.views import code_url

    return {**asdict(ref), "url": code_url(ref.display, system=ref.system)}


def page_out(page: queries.CodePage, *, gate: GateDecision, url: str) -> dict[str, Any]:
    """The page as the JSON document, with the gated fields null when the gate is closed."""
    data = asdict(page)
    data["url"] = url
    data["gate"] = asdict(gate)
    data["also"] = [ref_out(ref) for ref in page.also]
    if not gate.visible:
        for section in GATED_SECTIONS:
            for name in GATED_FIELDS[section]:
                data[name] = None
        data["related"] = [g for g in data["related"] if g["key"] != EDITORIAL_GROUP]
    return data


@router.get(
    "/{code}",
    response={200: CodePageOut, 300: ChoicesOut, 400: ErrorOut, 404: NotFoundOut},
    url_name="code_detail",
    summary="A code page as JSON",
)
def get_code(
    request: HttpRequest,
    code: str,
    date: str | None = None,
    system: str | None = None,
    locality: str | None = None,
    state: str | None = None,
    rural: bool = False,
) -> Any:
    """Everything the HTML page at /codes/{code}/ shows, as of `date` (default today).

    `locality` (MAC and locality, e.g. 13202-01, or a locality name) adds the panel
    `fee_schedule_locality`: the PFS payment there, or why none is shown.
    `state` (two letters, e.g. TX; else the state of `locality`) adds to a HCPCS code with
    DMEPOS fee schedule rows the panel `dmepos_state`: each modifier row's fee in that state
    (`rural` for the rural fees), or why none is shown (no file of the date's year, no state).

    `code` may be dotted or not, in any case. A code in several code sets answers 300 with the
    choices unless `system` picks one; an unknown code answers 404 with the nearest codes.
    """
    from medcode.codes.views import Found, code_url

    try:
        on = queries.parse_service_date(date, today=timezone.localdate())
    except queries.BadDate as exc:
        raise ApiError(400, str(exc)) from exc
    try:
        found = Found(code, system, on)
    except (queries.MalformedCode, queries.UnknownSystem) as exc:
        raise ApiError(400, str(exc)) from exc
    target = found.target
    if target is None:
        return _no_page(found.lookup())
    locality = (locality or "").strip()[:80]
    state = (state or "").strip()[:20]
    gate = (
        can_see_gated(request, target.system, target.code)
        if target.gated or not settings.MEDCODE_METERING
        else GateDecision(visible=True, reason=NOTHING_GATED)  # nothing to meter
    )
    key = ("json", target.text, system or "", on, gate, locality, state.upper(), rural)
    # The gate's part (visibility, pages left) is in the body, so the ETag tells viewers apart;
    # with metering on the answer is this viewer's and never kept by shared caches.
    shared = gate.reason == METERING_OFF

    def serialise() -> tuple[bytes]:
        page = found.lookup().page
        assert page is not None  # the same lookup named this page before
        if locality:
            page = payment.with_locality(page, locality)
        if state or locality:
            page = dmepos_fee.with_state_or_locality(page, state, locality, rural)
        url = code_url(page.display, system=page.system if target.needs_system else "")
        data = page_out(page, gate=gate, url=url)
        return (CodePageOut.model_validate(data).model_dump_json().encode(),)

    # The same for everyone with metering off: serialised once for every process.
    kept = page_cache.rendered("code-json", key, serialise, shared=shared)
    response = HttpResponse(kept.body, content_type="application/json; charset=utf-8")
    return conditional.validate(
        request,
        response,
        etag=conditional.content_etag(kept.digest),
        modified=conditional.last_modified(as_of_today=date is None or not date.strip()),
        personal=not shared,
        public_seconds=PUBLIC_SECONDS,
        vary=() if shared else ("Authorization", "X-API-Key", "Cookie"),
    )


def _no_page(found: queries.Lookup) -> Status[dict[str, Any]]:
    """300 with the code sets to choose from, or 404 with the nearest codes."""
    if found.choices:
        return Status(
            300,
            {
                "detail": SEVERAL_SYSTEMS.format(code=found.text),
                "choices": [ref_out(r) for r in found.choices],
            },
        )
    return Status(
        404,
        {
            "detail": CODE_NOT_FOUND.format(code=found.text),
            "suggestions": [ref_out(r) for r in found.nearest],
        },
    )


# How long shared caches may keep a code page answer when it is the same for everyone.
PUBLIC_SECONDS = 60
