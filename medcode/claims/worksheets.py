"""The claim worksheet: finding the visitor's worksheet, editing it, checking and exporting it.

A worksheet's document holds lines and diagnoses as the visitor typed them (a draft may be
incomplete); checking validates it through the same parse_claim as the API, so an input
error on the page reads like one from the API: "line 2, units: ...".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from medcode.claims import services
from medcode.claims.fixes import FixAction, apply_steps, decode_fix, suggest_fixes
from medcode.claims.models import Worksheet
from medcode.claims.payment import ExpectedPayment
from medcode.claims.releases import SETTINGS
from medcode.claims.schemas import (
    DIAGNOSIS_RE,
    MAX_DIAGNOSES,
    MAX_LINES,
    MAX_LOCALITY,
    MAX_MODIFIERS,
)
from medcode.claims.services import CSV_COLUMNS, ClaimInputError, InputError
from medcode.rules import Finding

SESSION_KEY = "claims_worksheet_id"
LINE_FIELDS = ("code", "units", "date_of_service", "place_of_service", "diagnosis_pointers")

ADDED_LINE = "Added {code} as line {line} ({dos})."
ADDED_DIAGNOSIS = "Added {code} as diagnosis {position}."
ADDED_MODIFIER = "Added modifier {code} to line {line}."
NO_LINE_FOR_MODIFIER = "Add a line before adding modifier {code}: it goes on a line."
NO_ROOM_FOR_MODIFIER = "Line {line} already has four modifiers; {code} was not added."
ALREADY_LISTED = "{code} is already diagnosis {position}."
NOT_A_CLAIM_CODE = (
    "{code} is an ICD-10-PCS code: PCS codes go on inpatient facility claims, and this "
    "worksheet checks CPT and HCPCS lines."
)
NOT_A_CODE = "{code!r} is not a code the worksheet can use."
DIAGNOSES_FULL = "The claim already lists 12 diagnoses; {code} was not added."
LINES_FULL = "The worksheet already has 999 lines; {code} was not added."
EMPTY_WORKSHEET = "Add a line (or use “Use code” on a code page) to check a claim."

CPT_OR_HCPCS = re.compile(r"^[A-Z0-9]{5}$")
RULE_LABELS = {
    "ptp": "NCCI procedure-to-procedure edit",
    "mue": "NCCI medically unlikely edit",
    "addon": "Add-on code without its primary",
    "pfs_status": "PFS status",
    "global_surgery": "Global surgery",
    "bilateral": "Bilateral surgery (50)",
    "pctc": "Professional/technical component (26/TC)",
    "assistant": "Assistant at surgery (80/81/82/AS)",
    "cosurgeon": "Co-surgeons (62)",
    "team": "Team surgery (66)",
    "split_care": "Split surgical care (54/55/56)",
    "reduced": "Reduced services (52)",
    "dx_invalid": "Diagnosis not valid",
    "dx_excludes1": "ICD-10-CM Excludes1",
    "dx_pointer": "Diagnosis pointer",
    "code_invalid": "Code not valid",
    "units_zero": "Units",
    "modifier_invalid": "Modifier not valid",
    "duplicate_line": "Duplicate line",
    "hcpcs_coverage": "HCPCS coverage (Medicare)",
    "pfs_not_used": "PFS: not used for Medicare payment",
    "place_of_service": "Place of service (PFS NA indicator)",
    "ncd": "National coverage determination (NCD)",
    "lcd_article": "LCD billing-and-coding article (crosswalk)",
}


def today() -> dt.date:
    return timezone.localdate()


# Finding the visitor's worksheet --------------------------------------------------------------


def worksheet_for(request: HttpRequest, *, create: bool) -> Worksheet | None:
    """The signed-in user's latest worksheet, or the guest's (its id kept in the session)."""
    worksheet_id = request.session.get(SESSION_KEY)
    if request.user.is_authenticated:
        if isinstance(worksheet_id, int):
            # Signed in after working as a guest: the guest's worksheet becomes the user's.
            adopted = Worksheet.objects.filter(pk=worksheet_id, owner__isnull=True).update(
                owner=request.user, session_key=""
            )
            del request.session[SESSION_KEY]
            if adopted:
                return Worksheet.objects.get(pk=worksheet_id)
        found = Worksheet.objects.filter(owner=request.user).first()
        if found is None and create:
            found = Worksheet.objects.create(owner=request.user)
        return found
    found = None
    if isinstance(worksheet_id, int):
        found = Worksheet.objects.filter(pk=worksheet_id, owner__isnull=True).first()
    if found is None and create:
        if request.session.session_key is None:
            request.session.save()
        found = Worksheet.objects.create(session_key=request.session.session_key or "")
        request.session[SESSION_KEY] = found.pk
    return found


def blank_line(on: dt.date | None = None) -> dict[str, Any]:
    return {
        "code": "",
        "modifiers": [],
        "units": "1",
        "date_of_service": (on or today()).isoformat(),
        "place_of_service": "",
        "diagnosis_pointers": "1",
    }


def document_of(worksheet: Worksheet | None) -> dict[str, Any]:
    document = dict(worksheet.document) if worksheet else {}
    document.setdefault("lines", [])
    document.setdefault("diagnoses", [])
    return document


# Editing (each a small write in a transaction) ------------------------------------------------


@transaction.atomic
def add_code(worksheet: Worksheet, *, code: str, system: str = "", on: str = "") -> str:
    """'Use code': a CPT/HCPCS code becomes a line, an ICD-10-CM code a diagnosis."""
    code = code.strip().upper()
    document = document_of(worksheet)
    system = system.strip().upper()
    if system == "ICD10PCS":
        return NOT_A_CLAIM_CODE.format(code=code)
    if system == "MODIFIER" or (not system and len(code) == 2 and code.isalnum()):
        return _add_modifier(worksheet, document, code)
    if (
        system == "ICD10CM"
        or (not system and "." in code)
        or (not CPT_OR_HCPCS.match(code) and DIAGNOSIS_RE.match(code))
    ):
        return _add_diagnosis(worksheet, document, code)
    if not CPT_OR_HCPCS.match(code):
        return NOT_A_CODE.format(code=code)
    if len(document["lines"]) >= MAX_LINES:
        return LINES_FULL.format(code=code)
    try:
        dos = dt.date.fromisoformat(on) if on else today()
    except ValueError:
        dos = today()
    line = blank_line(dos) | {"code": code}
    document["lines"].append(line)
    _save(worksheet, document)
    return ADDED_LINE.format(code=code, line=len(document["lines"]), dos=dos.isoformat())


def _add_diagnosis(worksheet: Worksheet, document: dict[str, Any], code: str) -> str:
    plain = code.replace(".", "")
    for position, existing in enumerate(document["diagnoses"], 1):
        if str(existing).replace(".", "").upper() == plain:
            return ALREADY_LISTED.format(code=code, position=position)
    if len(document["diagnoses"]) >= MAX_DIAGNOSES:
        return DIAGNOSES_FULL.format(code=code)
    document["diagnoses"].append(code)
    _save(worksheet, document)
    return ADDED_DIAGNOSIS.format(code=code, position=len(document["diagnoses"]))


def _add_modifier(worksheet: Worksheet, document: dict[str, Any], code: str) -> str:
    if not document["lines"]:
        return NO_LINE_FOR_MODIFIER.format(code=code)
    line = document["lines"][-1]
    modifiers = [m for m in line.get("modifiers", []) if m]
    if len(modifiers) >= MAX_MODIFIERS:
        return NO_ROOM_FOR_MODIFIER.format(line=len(document["lines"]), code=code)
    line["modifiers"] = [*modifiers, code]
    _save(worksheet, document)
    return ADDED_MODIFIER.format(code=code, line=len(document["lines"]))


@transaction.atomic
def update_line(worksheet: Worksheet, number: int, form: Any) -> bool:
    """Store a line as typed (a draft may be incomplete); False when there is no such line."""
    document = document_of(worksheet)
    if not 1 <= number <= len(document["lines"]):
        return False
    line = document["lines"][number - 1]
    for name in LINE_FIELDS:
        if name in form:
            line[name] = str(form.get(name, ""))[:64].strip()
    if any(f"modifier_{n}" in form for n in range(1, MAX_MODIFIERS + 1)):
        line["modifiers"] = [
            str(form.get(f"modifier_{n}", ""))[:8].strip() for n in range(1, MAX_MODIFIERS + 1)
        ]
    _save(worksheet, document)
    return True


@transaction.atomic
def add_line(worksheet: Worksheet) -> None:
    document = document_of(worksheet)
    if len(document["lines"]) < MAX_LINES:
        last = document["lines"][-1] if document["lines"] else None
        on = last.get("date_of_service") if last else None
        line = blank_line()
        if on:
            line["date_of_service"] = on  # a new line usually shares the claim's date
        document["lines"].append(line)
        _save(worksheet, document)


@transaction.atomic
def delete_line(worksheet: Worksheet, number: int) -> None:
    document = document_of(worksheet)
    if 1 <= number <= len(document["lines"]):
        del document["lines"][number - 1]
        _save(worksheet, document)


@transaction.atomic
def set_diagnoses(worksheet: Worksheet, form: Any) -> None:
    document = document_of(worksheet)
    given = [str(form.get(f"dx_{n}", ""))[:16].strip() for n in range(1, MAX_DIAGNOSES + 1)]
    # Keep positions: line pointers refer to them. Trailing blanks are dropped.
    while given and not given[-1]:
        given.pop()
    document["diagnoses"] = given
    _save(worksheet, document)


@transaction.atomic
def set_locality(worksheet: Worksheet, form: Any) -> None:
    """The claim's payment locality, as typed (checked with the claim, like every field)."""
    document = document_of(worksheet)
    document["locality"] = str(form.get("locality", ""))[:MAX_LOCALITY].strip()
    # The setting (practitioner or outpatient hospital: PFS or OPPS payment) and the DMEPOS
    # state, as typed; the claim check says what is wrong with them.
    setting = str(form.get("setting", "practitioner"))[:32].strip()
    document["setting"] = setting if setting in SETTINGS else "practitioner"
    document["state"] = str(form.get("state", ""))[:8].strip().upper()
    document["rural"] = str(form.get("rural", "")).strip().lower() in {"1", "on", "true", "yes"}
    _save(worksheet, document)


@transaction.atomic
def apply_fix(worksheet: Worksheet, value: str) -> bool:
    """Apply an encoded modifier fix; False when it does not fit the worksheet."""
    try:
        steps = decode_fix(value)
    except ValueError:
        return False
    document = document_of(worksheet)
    lines = document["lines"]
    if any(not 1 <= step.line <= len(lines) for step in steps):
        return False
    for step in steps:
        line = lines[step.line - 1]
        line["modifiers"] = apply_steps(line.get("modifiers", []), step)
    _save(worksheet, document)
    return True


@transaction.atomic
def clear(worksheet: Worksheet) -> None:
    _save(worksheet, {"lines": [], "diagnoses": []})


def _save(worksheet: Worksheet, document: dict[str, Any]) -> None:
    worksheet.document = document
    worksheet.save(update_fields=["document", "updated"])


# Checking ------------------------------------------------------------------------------------


@dataclass
class FindingView:
    finding: Finding
    fixes: list[FixAction]

    @property
    def label(self) -> str:
        return RULE_LABELS.get(self.finding.rule, self.finding.rule)


@dataclass
class WorksheetCheck:
    findings: list[FindingView] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    is_empty: bool = True
    notices: list[str] = field(default_factory=list)  # tables not loaded for the dates
    payment: ExpectedPayment | None = None

    @property
    def counts(self) -> dict[str, int]:
        counts = {"error": 0, "warning": 0, "info": 0}
        for view in self.findings:
            counts[view.finding.severity] += 1
        return counts


def claim_data(document: dict[str, Any]) -> dict[str, Any]:
    """The document as ClaimCheckIn input: lines without a code are drafts and left out."""
    lines = []
    for number, line in enumerate(document.get("lines", []), 1):
        if not str(line.get("code", "")).strip():
            continue
        data: dict[str, Any] = {
            "number": number,
            "code": line.get("code", ""),
            "modifiers": [m for m in line.get("modifiers", []) if str(m).strip()],
            "units": line.get("units", "") or "1",
            "date_of_service": line.get("date_of_service", ""),
            "diagnosis_pointers": line.get("diagnosis_pointers", "") or [],
        }
        if str(line.get("place_of_service", "")).strip():
            data["place_of_service"] = line["place_of_service"]
        lines.append(data)
    diagnoses = [d for d in document.get("diagnoses", []) if str(d).strip()]
    data = {"diagnoses": diagnoses, "lines": lines}
    if str(document.get("locality", "")).strip():
        data["locality"] = str(document["locality"])
    if document.get("setting") in SETTINGS:
        data["setting"] = document["setting"]
    if str(document.get("state", "")).strip():
        data["state"] = str(document["state"])
    if document.get("rural"):
        data["rural"] = True
    return data


def check_document(document: dict[str, Any]) -> WorksheetCheck:
    data = claim_data(document)
    if not data["lines"]:
        return WorksheetCheck()
    try:
        parsed = services.parse_claim(data)
    except ClaimInputError as exc:
        return WorksheetCheck(errors=exc.errors, is_empty=False)
    result = services.check_parsed(parsed)
    views = [FindingView(f, suggest_fixes(f)) for f in result.findings]
    return WorksheetCheck(
        findings=views,
        sources=result.sources,
        is_empty=False,
        notices=result.notices,
        payment=result.payment,
    )


# Export --------------------------------------------------------------------------------------


def export_lines_csv(worksheet: Worksheet | None) -> str:
    """The lines in the batch CSV layout, so `medcode claims check` and check-batch read it."""
    document = document_of(worksheet)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    columns = list(CSV_COLUMNS)
    writer.writerow(columns)
    claim_id = f"worksheet-{worksheet.pk}" if worksheet else "worksheet"
    diagnoses = " ".join(d for d in document["diagnoses"] if d)
    for number, line in enumerate(document["lines"], 1):
        row = {
            "claim_id": claim_id,
            "line": number,
            "code": line.get("code", ""),
            "units": line.get("units", ""),
            "date_of_service": line.get("date_of_service", ""),
            "modifiers": " ".join(m for m in line.get("modifiers", []) if m),
            "place_of_service": line.get("place_of_service", ""),
            "diagnosis_pointers": line.get("diagnosis_pointers", ""),
            "diagnoses": diagnoses if number == 1 else "",
            "locality": str(document.get("locality", "")) if number == 1 else "",
            "setting": str(document.get("setting", "") or "practitioner") if number == 1 else "",
            "state": str(document.get("state", "")) if number == 1 else "",
            "rural": ("true" if document.get("rural") else "") if number == 1 else "",
        }
        writer.writerow([_cell(row.get(c, "")) for c in columns])
    return out.getvalue()


def export_findings_csv(check: WorksheetCheck) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["severity", "lines", "rule", "message", "fix", "source", "stale"])
    for view in check.findings:
        f = view.finding
        lines = " ".join(str(n) for n in f.lines)
        writer.writerow(
            [f.severity, lines, f.rule, _cell(f.message), _cell(f.fix or ""), f.source, f.stale]
        )
    for error in check.errors:
        writer.writerow(
            ["invalid", error.line or "", "input", f"{error.field}: {error.message}", "", "", ""]
        )
    return out.getvalue()


PAYMENT_COLUMNS = (
    "line",
    "code",
    "status",
    "schedule",
    "status_indicator",
    "setting",
    "fee",
    "amount",
    "adjustments",
    "reason",
    "formula",
    "source",
)


def export_payment_csv(check: WorksheetCheck) -> str:
    """The expected payment: a row per line, then the total (and the notices)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(PAYMENT_COLUMNS)
    if check.payment is None:
        return out.getvalue()
    data = check.payment.as_dict()
    for line in data["lines"]:
        adjustments = "; ".join(
            f"{a['indicator']}: {a['percent'] + '%' if a['percent'] is not None else 'not applied'}"
            for a in line["adjustments"]
        )
        row = {**line, "adjustments": adjustments}
        writer.writerow([_cell(row.get(c) or "") for c in PAYMENT_COLUMNS])
    basis = data["locality"]["name"] if data["locality"] else data["basis"]
    complete = "" if data["is_complete"] else "incomplete: some lines are not priced"
    writer.writerow(["total", "", "", "", "", basis, "", data["total"], "", complete, "", ""])
    for notice in data["notices"]:
        writer.writerow(["notice", "", "", "", "", "", "", "", "", _cell(notice), "", ""])
    return out.getvalue()


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
