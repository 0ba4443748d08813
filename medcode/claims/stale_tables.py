"""Which loaded tables a claim check rests on that end before its dates of service.

A rule that reads the NCCI, PFS, HCPCS or ICD-10-CM tables of a date after the newest loaded
release still runs on that release, so its finding (and the check as a whole) says the data
for the date is not loaded (medcode.codes.staleness); rules that read no table say nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace

from medcode.claims.releases import PTP_DATASETS, Setting
from medcode.claims.tables import CPT_SHAPED
from medcode.codes import staleness
from medcode.rules import Claim, Finding

# The table family each rule reads ("codes" rules: by the code's shape, below).
RULE_FAMILIES: dict[str, str] = {
    "ptp": "ncci_ptp",
    "mue": "ncci_mue",
    "addon": "ncci_aoc",
    "pfs_status": "pfs",
    "global_surgery": "pfs",
    "bilateral": "pfs",
    "pctc": "pfs",
    "assistant": "pfs",
    "cosurgeon": "pfs",
    "team": "pfs",
    "dx_invalid": "icd10cm",
    "dx_excludes1": "icd10cm",
}


def _code_family(code: str) -> str:
    """CPT codes come from the PFS file, the others from the HCPCS Level II file."""
    return "pfs" if CPT_SHAPED.match(code) else "hcpcs"


def _notice(family: str, on: dt.date, setting: Setting) -> str:
    dataset = PTP_DATASETS[setting] if family == "ncci_ptp" else None
    return staleness.notice(family, on, dataset=dataset)


def mark_findings(findings: Iterable[Finding], claim: Claim, setting: Setting) -> list[Finding]:
    """Each finding whose table ends before its lines' latest date of service, saying so."""
    lines = {line.number: line for line in claim.lines}
    latest = max((line.date_of_service for line in claim.lines), default=None)
    marked = []
    for finding in findings:
        found = [lines[n] for n in finding.lines if n in lines]
        on = max((line.date_of_service for line in found), default=latest)
        if finding.rule == "code_invalid":
            family = _code_family(found[0].code) if found else None
        else:
            family = RULE_FAMILIES.get(finding.rule)
        sentence = _notice(family, on, setting) if family and on else ""
        marked.append(replace(finding, stale=sentence) if sentence else finding)
    return marked


def claim_notices(claim: Claim, setting: Setting) -> list[str]:
    """The tables this claim is checked against that end before its latest date of service."""
    latest = max((line.date_of_service for line in claim.lines), default=None)
    if latest is None:
        return []
    families = ["ncci_ptp", "ncci_mue", "ncci_aoc", "pfs"]
    if any(not CPT_SHAPED.match(line.code) for line in claim.lines):
        families.append("hcpcs")
    if claim.diagnoses:
        families.append("icd10cm")
    sentences = (_notice(family, latest, setting) for family in families)
    return [s for s in sentences if s]
