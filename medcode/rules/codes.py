"""The codes, units and modifiers on each line exist and make sense on the date of service."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from medcode.rules.claim import (
    Claim,
    ClaimLine,
    Finding,
    format_lines,
    format_units,
    remove_fixes,
)
from medcode.rules.tables import RuleTables

# A code is valid when a loaded CMS file in force on the date lists it (RuleTables.code_exists):
# the CPT/HCPCS code lists, or OPPS Addendum B, the MUE tables, the DMEPOS fee schedule or the
# NCD coding spreadsheet.
CODE_INVALID = (
    "{code} ({line}) is not a valid CPT/HCPCS code on {dos}: no loaded code list, OPPS "
    "Addendum B, MUE table, DMEPOS fee schedule or NCD spreadsheet in force then lists it."
)
CODE_INVALID_FIX = (
    "Check {code} for typos, or use the code in effect on {dos} (it may be deleted or not "
    "yet effective)."
)
UNITS_NOT_POSITIVE = "{code} ({line}) has {units}; every line needs at least 1 unit."
UNITS_NOT_POSITIVE_FIX = "Enter the units provided (1 or more) on {line}."
MODIFIER_INVALID = "Modifier {modifier} on {code} ({line}) is not a valid modifier on {dos}."
MODIFIER_INVALID_FIX = "Remove {modifier} from {code}, or replace it with the modifier meant."
DUPLICATE_LINES = (
    "{code} is reported on {lines} for {dos} with the same modifiers ({modifiers}); payers "
    "deny the repeats as duplicates."
)
DUPLICATE_LINES_FIX = (
    "Report {code} on one line with {units} in all, or, if the service was repeated, append "
    "76 (same physician), 77 (another physician) or 91 (repeated lab test) to the repeat."
)
DUPLICATE_SOURCE = "the claim's own lines (duplicate line check)"


def check_codes(claim: Claim, tables: RuleTables) -> list[Finding]:
    """Report unknown codes, units of zero or less, and unknown modifiers."""
    findings: list[Finding] = []
    for line in claim.lines:
        words = {
            "code": line.code,
            "line": format_lines([line.number]),
            "dos": line.date_of_service.isoformat(),
            "units": format_units(line.units),
        }
        if not tables.code_exists(line.code, line.date_of_service):
            findings.append(
                Finding(
                    "code_invalid",
                    "error",
                    (line.number,),
                    CODE_INVALID.format(**words),
                    CODE_INVALID_FIX.format(**words),
                    tables.source("codes"),
                )
            )
        if line.units <= 0:
            findings.append(
                Finding(
                    "units_zero",
                    "error",
                    (line.number,),
                    UNITS_NOT_POSITIVE.format(**words),
                    UNITS_NOT_POSITIVE_FIX.format(**words),
                    tables.source("codes"),
                )
            )
        for modifier in line.modifiers:
            if not tables.modifier_exists(modifier, line.date_of_service):
                findings.append(
                    Finding(
                        "modifier_invalid",
                        "error",
                        (line.number,),
                        MODIFIER_INVALID.format(modifier=modifier, **words),
                        MODIFIER_INVALID_FIX.format(modifier=modifier, **words),
                        tables.source("modifiers"),
                        fixes=remove_fixes(line.number, modifier),
                    )
                )
    return findings


def check_duplicate_lines(claim: Claim, tables: RuleTables) -> list[Finding]:
    """Lines with the same code, date and modifiers: a payer pays the first and denies the rest."""
    groups: defaultdict[tuple[str, date, frozenset[str]], list[ClaimLine]] = defaultdict(list)
    for line in claim.lines:
        groups[(line.code, line.date_of_service, frozenset(line.modifiers))].append(line)
    findings: list[Finding] = []
    for (code, dos, modifiers), lines in groups.items():
        if len(lines) < 2:
            continue
        numbers = tuple(line.number for line in lines)
        words = {
            "code": code,
            "lines": format_lines(numbers),
            "dos": dos.isoformat(),
            "modifiers": ", ".join(sorted(modifiers)) or "none",
            "units": format_units(sum(line.units for line in lines)),
        }
        findings.append(
            Finding(
                "duplicate_line",
                "warning",
                numbers,
                DUPLICATE_LINES.format(**words),
                DUPLICATE_LINES_FIX.format(**words),
                DUPLICATE_SOURCE,
            )
        )
    return findings
