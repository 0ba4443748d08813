"""Which loaded tables a claim check rests on that end before its dates of service.

A rule that reads the NCCI, PFS, HCPCS or ICD-10-CM tables of a date after the newest loaded
release still runs on that release, so its finding (and the check as a whole) says the data
for the date is not loaded (medcode.codes.staleness); rules that read no table say nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from medcode.claims.releases import PTP_DATASETS, Setting
from medcode.codes import staleness
from medcode.lib.codeshapes import CPT_CODE
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
    "pfs_not_used": "pfs",
    "place_of_service": "pfs",
    "hcpcs_coverage": "hcpcs",
    "dx_invalid": "icd10cm",
    "dx_excludes1": "icd10cm",
}


FAMILIES_READ = ("ncci_ptp", "ncci_mue", "ncci_aoc", "pfs", "hcpcs", "icd10cm")


def _code_family(code: str) -> str:
    """CPT codes come from the PFS file, the others from the HCPCS Level II file."""
    return "pfs" if CPT_CODE.match(code) else "hcpcs"


def _notice(family: str, on: dt.date, setting: Setting) -> str:
    dataset = PTP_DATASETS[setting] if family == "ncci_ptp" else None
    return staleness.notice(family, on, dataset=dataset)


def mark_findings(findings: Iterable[Finding], claim: Claim, setting: Setting) -> list[Finding]:
    """Each finding whose table ends before its lines' latest date of service, saying so."""
    findings = list(findings)
    dates = {line.number: line.date_of_service for line in claim.lines}
    latest = max(dates.values(), default=None)
    # Stale on a date means stale on every later one: nothing stale on the latest date (the
    # usual case, with current data) means no finding is.
    if latest is None or not any(_notice(f, latest, setting) for f in FAMILIES_READ):
        return findings
    codes = {line.number: line.code for line in claim.lines}
    said: dict[tuple[str, dt.date], str] = {}
    marked = []
    for finding in findings:
        numbers = [n for n in finding.lines if n in dates]
        on = max((dates[n] for n in numbers), default=latest)
        if finding.rule == "code_invalid":
            family = _code_family(codes[numbers[0]]) if numbers else None
        else:
            family = RULE_FAMILIES.get(finding.rule)
        if family is None:
            marked.append(finding)
            continue
        sentence = said.get((family, on))
        if sentence is None:
            sentence = said[(family, on)] = _notice(family, on, setting)
        marked.append(_with_notice(finding, sentence) if sentence else finding)
    return marked


def _with_notice(f: Finding, sentence: str) -> Finding:
    # Built directly: dataclasses.replace costs ten times as much, per finding of a batch.
    return Finding(
        f.rule, f.severity, f.lines, f.message, f.fix, f.source, sentence, f.fixes, f.ptp
    )


def claim_notices(claim: Claim, setting: Setting) -> list[str]:
    """The tables this claim is checked against that end before its latest date of service."""
    latest = max((line.date_of_service for line in claim.lines), default=None)
    if latest is None:
        return []
    families = ["ncci_ptp", "ncci_mue", "ncci_aoc", "pfs"]
    if any(not CPT_CODE.match(line.code) for line in claim.lines):
        families.append("hcpcs")
    if claim.diagnoses:
        families.append("icd10cm")
    sentences = (_notice(family, latest, setting) for family in families)
    return [s for s in sentences if s]
