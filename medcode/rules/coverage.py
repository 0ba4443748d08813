"""Medical necessity under national coverage determinations (the NCD coding spreadsheet).

CMS's NCD coding spreadsheet lists, per NCD, the CPT/HCPCS codes it applies to and ICD-10-CM
codes with a resolution: 1 covered by Medicare, 2 denied, 3 does not support medical necessity.
A diagnosis an NCD does not list takes the resolution of the NCD's "all other codes" row
(code @@@@@@@). A line is covered under an NCD when one of its pointed diagnoses is covered.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from medcode.rules.claim import (
    Claim,
    ClaimLine,
    Finding,
    Severity,
    format_diagnosis,
    format_lines,
)
from medcode.rules.tables import NcdEntry, RuleTables

ALL_OTHERS = "@@@@@@@"  # the spreadsheet's row for every diagnosis an NCD does not list
DIAGNOSIS_SYSTEM = "ICD10CM"
COVERED, DENIED, NOT_NECESSARY = 1, 2, 3
RESOLUTIONS = {
    COVERED: "covered by Medicare",
    DENIED: "denied",
    NOT_NECESSARY: "does not support medical necessity",
}


@dataclass(frozen=True, slots=True)
class NcdVerdict:
    """What one NCD says of one procedure with one diagnosis on a date."""

    ncd: str
    title: str
    procedure: str
    diagnosis: str  # no dot
    resolution: int
    is_listed: bool  # False: the NCD's "all other codes" row decided

    @property
    def resolution_text(self) -> str:
        return RESOLUTIONS.get(self.resolution, "")

    @property
    def is_covered(self) -> bool:
        return self.resolution == COVERED


def ncd_verdicts(
    procedure: str, diagnoses: Sequence[str], on: date, tables: RuleTables
) -> list[NcdVerdict]:
    """Each NCD that applies to `procedure` on `on`, with what it says of each diagnosis."""
    applying: dict[str, NcdEntry] = {}
    for entry in tables.ncd_listings(procedure):
        if entry.system != DIAGNOSIS_SYSTEM and entry.is_active_on(on):
            applying.setdefault(entry.ncd, entry)
    if not applying:
        return []
    others = {e.ncd: e.resolution for e in tables.ncd_listings(ALL_OTHERS) if e.is_active_on(on)}
    verdicts: list[NcdVerdict] = []
    for ncd in sorted(applying):
        title = applying[ncd].title
        for diagnosis in dict.fromkeys(diagnoses):
            listed = next(
                (
                    e.resolution
                    for e in tables.ncd_listings(diagnosis)
                    if e.ncd == ncd and e.system == DIAGNOSIS_SYSTEM and e.is_active_on(on)
                ),
                None,
            )
            resolution = listed if listed is not None else others.get(ncd)
            if resolution is None:
                continue
            verdicts.append(
                NcdVerdict(ncd, title, procedure, diagnosis, resolution, listed is not None)
            )
    return verdicts


NCD_NOT_COVERED = (
    "{code} ({line}) is not covered by NCD {ncd}{title} for the diagnoses it points to: {verdicts}."
)
NCD_NOT_COVERED_FIX = (
    "If the record documents a diagnosis NCD {ncd} lists as covered, point {line} to it; "
    "otherwise expect Medicare to deny {code}: give the patient an ABN before the service "
    "(modifier GA when one was signed, GZ when not)."
)


def pointed_diagnoses(line: ClaimLine, claim: Claim) -> list[str]:
    """The claim diagnoses a line points to (all of them when it points to none)."""
    count = len(claim.diagnoses)
    pointed = [claim.diagnoses[p - 1] for p in line.diagnosis_pointers if 1 <= p <= count]
    return pointed or list(claim.diagnoses)


def check_ncd(claim: Claim, tables: RuleTables) -> list[Finding]:
    """Report lines an NCD applies to when none of their diagnoses is covered by it."""
    findings: list[Finding] = []
    if not claim.diagnoses:
        return findings
    for line in claim.lines:
        by_ncd: defaultdict[str, list[NcdVerdict]] = defaultdict(list)
        diagnoses = pointed_diagnoses(line, claim)
        for verdict in ncd_verdicts(line.code, diagnoses, line.date_of_service, tables):
            by_ncd[verdict.ncd].append(verdict)
        for ncd, verdicts in by_ncd.items():
            if any(v.is_covered for v in verdicts):
                continue
            said = "; ".join(
                f"{format_diagnosis(v.diagnosis)} {v.resolution_text}"
                + ("" if v.is_listed else " (not listed: all other codes)")
                for v in verdicts
            )
            words = {
                "code": line.code,
                "line": format_lines([line.number]),
                "ncd": ncd,
                "title": f" ({verdicts[0].title})" if verdicts[0].title else "",
                "verdicts": said,
            }
            severity: Severity = (
                "error" if any(v.resolution == DENIED for v in verdicts) else "warning"
            )
            findings.append(
                Finding(
                    "ncd",
                    severity,
                    (line.number,),
                    NCD_NOT_COVERED.format(**words),
                    NCD_NOT_COVERED_FIX.format(**words),
                    tables.source("ncd"),
                )
            )
    return findings


# --- LCD billing-and-coding articles (the loaded crosswalk) ----------------------------------

# The crosswalk medcode loads (MANIFEST.md) is partial (500 procedure codes) and approximate:
# it unions the diagnoses of every article naming a code, across every MAC, so it cannot say
# which MAC's article applies. Findings say so, and never call a line denied.
ARTICLE_CAVEAT = (
    " The crosswalk loaded is partial and approximate: it joins every article that names the "
    "code, for every MAC, so your MAC's own article decides."
)
ARTICLE_NONCOVERED = (
    "{code} ({line}): LCD billing-and-coding articles (LCDs {lcds}) list {diagnoses} as "
    "non-covering for {code}, and the line points to no diagnosis they list as covering."
)
ARTICLE_NOT_LISTED = (
    "{code} ({line}): none of its diagnoses ({diagnoses}) is listed as covering for {code} in "
    "the LCD billing-and-coding articles loaded (LCDs {lcds})."
)
ARTICLE_FIX = (
    "Read your MAC's article for {code}: if it does not list a documented diagnosis as "
    "covering, point {line} to one the record supports, or give an ABN before the service "
    "(GA when signed, GZ when not)."
)


def check_lcd_articles(claim: Claim, tables: RuleTables) -> list[Finding]:
    """Lines whose pointed diagnoses the LCD article crosswalk does not list as covering."""
    findings: list[Finding] = []
    if not claim.diagnoses:
        return findings
    for line in claim.lines:
        listings = tables.article_listings(line.code)
        if not listings:
            continue
        diagnoses = list(dict.fromkeys(pointed_diagnoses(line, claim)))
        found = [listings.get(d) for d in diagnoses]
        if any(f is not None and f.status == "covered" for f in found):
            continue
        noncovered = [f for f in found if f is not None]
        if noncovered:
            lcds = sorted({lcd for f in noncovered for lcd in f.lcd_ids})
            message = ARTICLE_NONCOVERED
            named = ", ".join(format_diagnosis(f.diagnosis) for f in noncovered)
            severity: Severity = "warning"
        else:
            lcds = sorted({lcd for f in listings.values() for lcd in f.lcd_ids})
            message = ARTICLE_NOT_LISTED
            named = ", ".join(format_diagnosis(d) for d in diagnoses)
            severity = "info"
        words = {
            "code": line.code,
            "line": format_lines([line.number]),
            "diagnoses": named,
            "lcds": ", ".join(lcds) or "not named",
        }
        findings.append(
            Finding(
                "lcd_article",
                severity,
                (line.number,),
                message.format(**words) + ARTICLE_CAVEAT,
                ARTICLE_FIX.format(**words),
                tables.source("lcd_articles"),
            )
        )
    return findings
