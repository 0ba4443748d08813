"""NCCI medically unlikely edits (MUE): the most units of a code normally reported."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from medcode.rules.claim import Claim, ClaimLine, Finding, format_lines, format_units
from medcode.rules.tables import MueLimit, RuleTables

MUE_LINE_EDIT = (
    "Line {line} reports {units} of {code}, over the MUE of {value} per line (MAI 1, line "
    'edit; MUE rationale "{rationale}"). The whole line is denied, not just the extra units.'
)
MUE_LINE_EDIT_FIX = (
    "Reduce line {line} to {limit} or fewer. If more were medically necessary "
    "at separate sites or sessions, report them on separate lines with 59, XE, XS, XP, XU, "
    "76, 77, 91 or an anatomic modifier (such as RT and LT)."
)
MUE_POLICY_EDIT = (
    "{code} on {dos} totals {units} ({lines}), over the MUE of {value} per date of service "
    '(MAI 2, policy; MUE rationale "{rationale}"). MAI 2 is an absolute policy limit: it is '
    "not overridden even on appeal."
)
MUE_POLICY_EDIT_FIX = (
    "Report no more than {limit} of {code} on {dos} in total; splitting the units "
    "across lines or adding modifiers does not bypass a date-of-service edit."
)
MUE_CLINICAL_EDIT = (
    "{code} on {dos} totals {units} ({lines}), over the MUE of {value} per date of service "
    '(MAI 3, clinical; MUE rationale "{rationale}"). MAI 3 is a clinical limit: the units '
    "are denied, but can be paid on appeal with documentation of medical necessity."
)
MUE_CLINICAL_EDIT_FIX = (
    "Confirm the units. If {units} of {code} were given on {dos} and were medically "
    "necessary, keep the documentation and appeal the denial; otherwise report {limit} or fewer."
)


def check_mue(claim: Claim, tables: RuleTables) -> list[Finding]:
    """Compare units with the MUE: per line for MAI 1, per code and date for MAI 2 and 3."""
    findings: list[Finding] = []
    limits: dict[str, MueLimit | None] = {}
    by_code_and_date: defaultdict[tuple[str, date], list[ClaimLine]] = defaultdict(list)
    for line in claim.lines:
        if line.code not in limits:
            limits[line.code] = tables.mue_for(line.code)
        limit = limits[line.code]
        if limit is None:
            continue
        if limit.mai == 1:
            if line.units > limit.value:
                findings.append(_line_finding(line, limit, tables))
        elif limit.mai in (2, 3):
            by_code_and_date[(line.code, line.date_of_service)].append(line)

    for (code, dos), lines in by_code_and_date.items():
        limit = limits[code]
        units = sum(line.units for line in lines)
        if limit is None or units <= limit.value:
            continue
        numbers = tuple(line.number for line in lines)
        words = {
            "units": format_units(units),
            "limit": format_units(limit.value),
            "code": code,
            "dos": dos.isoformat(),
            "lines": format_lines(numbers),
            "value": limit.value,
            "rationale": limit.rationale or "NCCI MUE",
        }
        if limit.mai == 2:
            message, fix = MUE_POLICY_EDIT, MUE_POLICY_EDIT_FIX
        else:
            message, fix = MUE_CLINICAL_EDIT, MUE_CLINICAL_EDIT_FIX
        findings.append(
            Finding(
                "mue",
                "error",
                numbers,
                message.format(**words),
                fix.format(**words),
                tables.source("mue"),
            )
        )
    return findings


def _line_finding(line: ClaimLine, limit: MueLimit, tables: RuleTables) -> Finding:
    words = {
        "units": format_units(line.units),
        "limit": format_units(limit.value),
        "code": line.code,
        "line": line.number,
        "value": limit.value,
        "rationale": limit.rationale or "NCCI MUE",
    }
    return Finding(
        "mue",
        "error",
        (line.number,),
        MUE_LINE_EDIT.format(**words),
        MUE_LINE_EDIT_FIX.format(**words),
        tables.source("mue"),
    )
