"""The claim worksheet page /claims/ and its htmx partials.

Every edit is a POST (CSRF-protected). An htmx request gets the partial it swaps: the
findings panel after a line or the diagnoses change, the whole worksheet after a line is
added or removed or a fix applied. Without JavaScript the same POST redirects to /claims/.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from medcode.claims import bundling, worksheets
from medcode.claims.models import Worksheet
from medcode.claims.schemas import MAX_DIAGNOSES, MAX_MODIFIERS
from medcode.rules.modifier_sets import DISTINCT_SERVICE

FIX_DID_NOT_APPLY = "That fix no longer fits the worksheet; the lines have changed."


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _context(request: HttpRequest, worksheet: Worksheet | None) -> dict[str, Any]:
    document = worksheets.document_of(worksheet)
    diagnoses = list(document["diagnoses"])
    rows = []
    for number, line in enumerate(document["lines"], 1):
        modifiers = list(line.get("modifiers", []))[:MAX_MODIFIERS]
        modifiers += [""] * (MAX_MODIFIERS - len(modifiers))
        rows.append({"number": number, "line": line, "modifiers": modifiers})
    return {
        "is_htmx": _is_htmx(request),
        "worksheet": worksheet,
        "rows": rows,
        "diagnosis_slots": [
            (n, diagnoses[n - 1] if n <= len(diagnoses) else "", chr(ord("A") + n - 1))
            for n in range(1, MAX_DIAGNOSES + 1)
        ],
        "check": worksheets.check_document(document),
        "locality": str(document.get("locality", "")),
        "setting": str(document.get("setting", "") or "practitioner"),
        "state": str(document.get("state", "")),
        "rural": bool(document.get("rural")),
    }


def _answer(request: HttpRequest, worksheet: Worksheet | None, partial: str) -> HttpResponse:
    if not _is_htmx(request):
        return redirect("claims:worksheet")
    template = f"claims/_{partial}.html"
    return render(request, template, _context(request, worksheet))


@require_safe
def worksheet_page(request: HttpRequest) -> HttpResponse:
    worksheet = worksheets.worksheet_for(request, create=False)
    return render(request, "claims/worksheet.html", _context(request, worksheet))


@require_POST
def add_code(request: HttpRequest) -> HttpResponse:
    """'Use code' on a code page: add the code and go to the worksheet (a modifier: ask for
    the line first)."""
    if request.POST.get("system", "").strip().upper() == "MODIFIER":
        return _choose_line(request, request.POST.get("code", "").strip().upper()[:2])
    worksheet = worksheets.worksheet_for(request, create=True)
    assert worksheet is not None
    message = worksheets.add_code(
        worksheet,
        code=request.POST.get("code", "")[:16],
        system=request.POST.get("system", "")[:12],
        on=request.POST.get("date", "")[:10],
    )
    messages.info(request, message)
    return redirect("claims:worksheet")


def _choose_line(request: HttpRequest, modifier: str) -> HttpResponse:
    """Which line a modifier goes on: the coder picks it (never the last line by default)."""
    document = worksheets.document_of(worksheets.worksheet_for(request, create=False))
    lines = [(n, line) for n, line in enumerate(document["lines"], 1) if line.get("code")]
    if not modifier.isalnum() or len(modifier) != 2:
        messages.warning(request, worksheets.NOT_A_CODE.format(code=modifier))
        return redirect("claims:worksheet")
    if not lines:
        messages.info(request, worksheets.NO_LINE_FOR_MODIFIER.format(code=modifier))
        return redirect("claims:worksheet")
    context = {
        "modifier": modifier,
        "lines": lines,
        "distinct": modifier in DISTINCT_SERVICE,
        "conditions": bundling.DISTINCT_CONDITIONS,
        "confirm_label": bundling.CONFIRM_LABEL,
    }
    return render(request, "claims/choose_line.html", context)


@require_POST
def update_line(request: HttpRequest, number: int) -> HttpResponse:
    worksheet = worksheets.worksheet_for(request, create=True)
    assert worksheet is not None
    worksheets.update_line(worksheet, number, request.POST)
    return _answer(request, worksheet, "findings")


@require_POST
def add_line(request: HttpRequest) -> HttpResponse:
    worksheet = worksheets.worksheet_for(request, create=True)
    assert worksheet is not None
    worksheets.add_line(worksheet)
    return _answer(request, worksheet, "worksheet")


@require_POST
def delete_line(request: HttpRequest, number: int) -> HttpResponse:
    worksheet = worksheets.worksheet_for(request, create=True)
    assert worksheet is not None
    worksheets.delete_line(worksheet, number)
    return _answer(request, worksheet, "worksheet")


@require_POST
def update_diagnoses(request: HttpRequest) -> HttpResponse:
    worksheet = worksheets.worksheet_for(request, create=True)
    assert worksheet is not None
    worksheets.set_diagnoses(worksheet, request.POST)
    return _answer(request, worksheet, "findings")


@require_POST
def update_locality(request: HttpRequest) -> HttpResponse:
    worksheet = worksheets.worksheet_for(request, create=True)
    assert worksheet is not None
    worksheets.set_locality(worksheet, request.POST)
    return _answer(request, worksheet, "findings")


@require_POST
def apply_fix(request: HttpRequest) -> HttpResponse:
    worksheet = worksheets.worksheet_for(request, create=True)
    assert worksheet is not None
    value = request.POST.get("fix", "")[:64]
    if bundling.needs_confirmation(value) and request.POST.get("confirm") != "1":
        messages.warning(request, bundling.CONFIRM_FIRST)
    elif not worksheets.apply_fix(worksheet, value):
        messages.warning(request, FIX_DID_NOT_APPLY)
    return _answer(request, worksheet, "worksheet")


@require_POST
def clear_worksheet(request: HttpRequest) -> HttpResponse:
    worksheet = worksheets.worksheet_for(request, create=False)
    if worksheet is not None:
        worksheets.clear(worksheet)
    return _answer(request, worksheet, "worksheet")


@require_safe
def export_lines(request: HttpRequest) -> HttpResponse:
    worksheet = worksheets.worksheet_for(request, create=False)
    return _csv(worksheets.export_lines_csv(worksheet), "claim-lines.csv")


@require_safe
def export_findings(request: HttpRequest) -> HttpResponse:
    worksheet = worksheets.worksheet_for(request, create=False)
    check = worksheets.check_document(worksheets.document_of(worksheet))
    return _csv(worksheets.export_findings_csv(check), "claim-findings.csv")


@require_safe
def export_payment(request: HttpRequest) -> HttpResponse:
    worksheet = worksheets.worksheet_for(request, create=False)
    check = worksheets.check_document(worksheets.document_of(worksheet))
    return _csv(worksheets.export_payment_csv(check), "claim-payment.csv")


def _csv(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
