"""What the MCP tools answer, as plain functions over medcode's own queries (the same ones the
pages, /api/v1 and CasePilot call). Each returns JSON-ready data with the release it cites;
a code the loaded releases do not hold is never reported as valid.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from typing import Any

from medcode.assistant.answer import answer_question
from medcode.claims.services import ClaimInputError, check_claim_data
from medcode.codes.catalog import release_catalog
from medcode.codes.queries import (
    BadDate,
    CodePage,
    MalformedCode,
    UnknownSystem,
    parse_service_date,
)
from medcode.codes.queries import (
    lookup_code as find_page,
)
from medcode.search import facade

VALID_STATES = frozenset({"active", "added", "revised"})

NOT_A_CODE = "{code} is not a code in any loaded release; it must not be used as a valid code."
BAD_LINES = "lines must be a list of objects with at least 'code' (and 'date_of_service')."


def service_date(text: str | None) -> dt.date:
    try:
        return parse_service_date(text, today=dt.date.today())
    except BadDate as exc:
        raise ValueError(str(exc)) from None


def loaded_releases() -> list[dict[str, Any]]:
    """Every kept release of a code set, newest last: what this server can answer from."""
    found = []
    for release in release_catalog().releases:
        if "codes" in release.row_counts and release.code_system:
            found.append(
                {
                    "code_system": release.code_system,
                    "release": release.citation,
                    "effective_from": release.effective_from.isoformat(),
                    "effective_to": release.effective_to.isoformat()
                    if release.effective_to
                    else None,
                    "source_file": release.source_file,
                }
            )
    return found


def page_summary(page: CodePage) -> dict[str, Any]:
    source = page.release
    return {
        "system": page.system,
        "system_label": page.system_label,
        "code": page.display,
        "title": page.title,
        "date": page.on.isoformat(),
        "status": page.status.state,
        "status_label": page.status.label,
        "status_detail": page.status.detail,
        "is_valid_on_date": page.status.state in VALID_STATES,
        "is_billable": page.is_billable,
        "billable_label": page.billable_label,
        "replaced_by": list(page.status.replaced_by),
        "official_description": page.official.text,
        "official_notice": page.official.notice,
        "citation": source.citation if source is not None else "",
        "effective_from": source.effective_from.isoformat() if source is not None else None,
        "effective_to": (
            source.effective_to.isoformat()
            if source is not None and source.effective_to is not None
            else None
        ),
        "date_notice": page.date_notice,
        "url": f"/codes/{page.display}/?date={page.on.isoformat()}",
    }


def lookup_code(code: str, date: str | None = None) -> dict[str, Any]:
    """The code on a date of service: each code set that holds it, its status and release."""
    on = service_date(date)
    try:
        found = find_page(code, system=None, on=on)
    except (MalformedCode, UnknownSystem) as exc:
        raise ValueError(f"{code!r}: {exc}") from None
    pages: list[dict[str, Any]] = []
    if found.page is not None:
        pages.append(page_summary(found.page))
    for choice in found.choices:
        page = find_page(choice.display, system=choice.system, on=on).page
        if page is not None:
            pages.append(page_summary(page))
    result: dict[str, Any] = {"query": code, "date": on.isoformat(), "found": bool(pages)}
    result["codes"] = pages
    if not pages:
        result["message"] = NOT_A_CODE.format(code=code.strip().upper())
        result["nearest_loaded_codes"] = [
            {"system": r.system, "code": r.display, "title": r.title} for r in found.nearest
        ]
    return result


def search_codes(
    query: str, system: str | None = None, date: str | None = None, limit: int = 10
) -> dict[str, Any]:
    """Case2Code search: codes, ranges or words, ranked as the search page ranks them."""
    on = service_date(date) if date else None
    try:
        found = facade.search(query, system=system, on=on, limit=max(1, min(limit, 50)))
    except facade.SearchInputError as exc:
        raise ValueError(str(exc)) from None
    return {
        "query": query,
        "date": on.isoformat() if on else None,
        "results": [
            {
                "system": r.system,
                "code": r.display,
                "title": r.title,
                "is_billable": r.is_billable,
                "is_current": r.is_current,
                "match": r.match,
                "url": r.url,
            }
            for r in found.results
        ],
        "message": found.message,
        "notices": found.notices,
    }


def suggest_codes_from_note(note: str, date: str | None = None) -> dict[str, Any]:
    """ICD-10-CM codes for a case note, each with the words of the note that support it;
    denied findings and family history are listed as not coded."""
    on = service_date(date) if date else None
    try:
        found = facade.search_note(note, on=on)
    except facade.SearchInputError as exc:
        raise ValueError(str(exc)) from None
    data = json.loads(json.dumps(asdict(found), default=str))
    return {
        "suggestions": data["suggestions"],
        "procedures": data.get("procedures", []),
        "not_coded": data["not_coded"],
        "message": data["message"],
        "notices": data["notices"],
    }


def check_claim(
    lines: list[dict[str, Any]],
    diagnoses: list[str] | None = None,
    date: str | None = None,
    setting: str = "practitioner",
) -> dict[str, Any]:
    """The claim check: NCCI PTP, MUE, add-on, fee-schedule and diagnosis findings, each with
    its source. `date` fills in lines without a date_of_service."""
    if not isinstance(lines, list) or not all(isinstance(line, dict) for line in lines):
        raise ValueError(BAD_LINES)
    default = service_date(date).isoformat() if date else None
    claim_lines = [
        {**line, "date_of_service": line.get("date_of_service") or default} for line in lines
    ]
    data = {"lines": claim_lines, "diagnoses": diagnoses or [], "setting": setting}
    try:
        return check_claim_data(data).as_dict()
    except ClaimInputError as exc:
        raise ValueError(json.dumps(exc.as_dict())) from None


def ask_coding_question(question: str, date: str | None = None) -> dict[str, Any]:
    """CasePilot's guarded, cited answer; `codes` holds the guard's verdict on every code-shaped
    token (valid, not valid on the date, not found)."""
    on = service_date(date) if date else None
    answer = answer_question(question, on=on)
    return json.loads(json.dumps(answer.as_dict(), default=str))  # type: ignore[no-any-return]
