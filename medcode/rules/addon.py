"""NCCI add-on code edits: an add-on code is paid only with its primary procedure."""

from __future__ import annotations

from medcode.rules.claim import Claim, Finding, Severity, lines_by_date
from medcode.rules.tables import CONTRACTOR_DEFINED_PRIMARY, RuleTables

ADDON_WITHOUT_PRIMARY = (
    "{addon} (line {line}) is an add-on code, and none of its primary procedures is on the "
    "claim on {dos}. It is a type 1 add-on: it is paid only with one of its listed primaries."
)
ADDON_WITHOUT_PRIMARY_FIX = (
    "Report the primary procedure on the same date ({primaries}), or remove {addon}."
)
ADDON_WITHOUT_LISTED_PRIMARY = (
    "{addon} (line {line}) is an add-on code, and none of its listed primary procedures is "
    "on the claim on {dos}. It is a type 3 add-on: contractors may allow other primaries."
)
ADDON_WITHOUT_LISTED_PRIMARY_FIX = (
    "Check that your contractor accepts the primary procedure reported with {addon} "
    "(CMS lists {primaries}), or remove {addon}."
)
ADDON_ALONE = (
    "{addon} (line {line}) is an add-on code with no other procedure on the claim on {dos}. "
    "It is a type 2 add-on: CMS lists no primaries; the contractor defines them."
)
ADDON_ALONE_FIX = (
    "Report {addon} with the primary procedure your contractor's policy names, on the same "
    "date, or remove it; an add-on code is never reported alone."
)

MAX_PRIMARIES_SHOWN = 8


def check_addon(claim: Claim, tables: RuleTables) -> list[Finding]:
    """Find add-on codes whose eligible primary is not on the claim on the same date."""
    findings: list[Finding] = []
    for dos, lines in lines_by_date(claim).items():
        for line in lines:
            edits = [e for e in tables.addon_primaries(line.code) if e.is_active_on(dos)]
            if not edits:
                continue
            others = {other.code for other in lines if other.number != line.number}
            listed = {
                e.primary
                for e in edits
                if e.edit_type in (1, 3) and e.primary != CONTRACTOR_DEFINED_PRIMARY
            }
            if listed & others:
                continue
            types = {e.edit_type for e in edits}
            words = {
                "addon": line.code,
                "line": line.number,
                "dos": dos.isoformat(),
                "primaries": _list_primaries(listed),
            }
            severity: Severity
            if 1 in types and listed:
                severity, message, fix = "error", ADDON_WITHOUT_PRIMARY, ADDON_WITHOUT_PRIMARY_FIX
            elif 3 in types and listed:
                severity = "warning"
                message, fix = ADDON_WITHOUT_LISTED_PRIMARY, ADDON_WITHOUT_LISTED_PRIMARY_FIX
            elif not others:
                severity, message, fix = "warning", ADDON_ALONE, ADDON_ALONE_FIX
            else:
                # Type 2 with other procedures present: the contractor's list decides.
                continue
            findings.append(
                Finding(
                    "addon",
                    severity,
                    (line.number,),
                    message.format(**words),
                    fix.format(**words),
                    tables.source("addon"),
                )
            )
    return findings


def _list_primaries(primaries: set[str]) -> str:
    ordered = sorted(primaries)
    shown = ", ".join(ordered[:MAX_PRIMARIES_SHOWN])
    if len(ordered) > MAX_PRIMARIES_SHOWN:
        shown += f" and {len(ordered) - MAX_PRIMARIES_SHOWN} more"
    return shown
