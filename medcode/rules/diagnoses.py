"""ICD-10-CM diagnoses on a claim: valid and billable, no Excludes1 pair, pointed to by lines."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from medcode.lib.codeshapes import ICD10CM_CATEGORY
from medcode.rules.claim import (
    Claim,
    ClaimLine,
    Finding,
    format_diagnosis,
    format_lines,
    normalise_diagnosis,
)
from medcode.rules.tables import DiagnosisInfo, RuleTables

DX_NOT_FOUND = "Diagnosis {code} (#{position}) is not an ICD-10-CM code valid on {dos}."
DX_NOT_FOUND_FIX = (
    "Check {code} for typos, or use the code from the ICD-10-CM release in effect on {dos}."
)
DX_NOT_BILLABLE = (
    "Diagnosis {code} (#{position}) is a category or subcategory heading, not a billable "
    "code, on {dos}: a more specific code is needed."
)
DX_NOT_BILLABLE_FIX = (
    "Use a more specific code under {code}, with all the characters it needs (including a "
    "7th character where one is required)."
)
DX_EXCLUDES1 = (
    "Diagnoses {code} (#{position}) and {other} (#{other_position}) are reported together, "
    'but {code} has an Excludes1 note: "{note}". Excludes1 means the two conditions are '
    "not coded together, except in the exceptions the note itself gives (or when the two "
    "conditions are unrelated to each other)."
)
DX_EXCLUDES1_FIX = (
    "Keep only the code that describes the condition, unless the note's exception applies "
    "or the two conditions are unrelated; then keep both and document why."
)
DX_NO_POINTER = "{code} ({line}) has no diagnosis pointer."
DX_NO_POINTER_FIX = "Point {line} to the diagnosis it treats (1 to {count})."
DX_NO_DIAGNOSES_FIX = "Add the diagnosis codes to the claim and point {line} to one of them."
DX_BAD_POINTER = (
    "{code} ({line}) points to diagnosis {pointer}, but the claim lists {count} diagnoses."
)
DX_BAD_POINTER_FIX = "Point {line} to a diagnosis between 1 and {count}."

_CODE = rf"{ICD10CM_CATEGORY}(?:\.[0-9A-Z]{{1,4}})?"
# "E10.-" and "O24.0-" (a code and everything under it), "E10" or "E11.9", "E08-E13" (a range).
CODE_PATTERN_RE = re.compile(
    rf"(?<![0-9A-Za-z.])(?P<start>{_CODE})(?:\s*-\s*(?P<end>{_CODE})|\.?-)?(?![0-9A-Za-z])"
)
_PARENTHESES_RE = re.compile(r"\(([^()]*)\)")


@dataclass(frozen=True, slots=True)
class CodePattern:
    """A code, a code and its children, or a range, as an Excludes1 note names it."""

    text: str  # as written: "E10.-", "E08-E13"
    start: str  # undotted: "E10"
    end: str  # undotted; equal to start unless a range

    def matches(self, code: str) -> bool:
        """Whether an undotted code is this code, under it, or in the range (by prefix)."""
        return self.start <= code[: len(self.start)] and code[: len(self.end)] <= self.end


@lru_cache(maxsize=4096)
def extract_code_patterns(note: str) -> tuple[CodePattern, ...]:
    """The ICD-10-CM code patterns in a note ("type 1 diabetes mellitus (E10.-)").

    When the note has parentheses only their contents are read, so words such as "B12" in
    the note's prose are not taken for codes.
    """
    parts = _PARENTHESES_RE.findall(note) or [note]
    patterns: list[CodePattern] = []
    for part in parts:
        for match in CODE_PATTERN_RE.finditer(part):
            start = normalise_diagnosis(match["start"])
            end = normalise_diagnosis(match["end"]) if match["end"] else start
            patterns.append(CodePattern(match[0].strip(), start, end))
    return tuple(patterns)


def check_diagnoses(claim: Claim, tables: RuleTables) -> list[Finding]:
    """Report invalid or header diagnoses, Excludes1 pairs and bad diagnosis pointers."""
    findings: list[Finding] = []
    count = len(claim.diagnoses)
    lines_by_diagnosis: defaultdict[int, list[ClaimLine]] = defaultdict(list)
    for line in claim.lines:
        finding = _check_pointers(line, count, tables)
        if finding is not None:
            findings.append(finding)
        for pointer in dict.fromkeys(line.diagnosis_pointers):
            if 1 <= pointer <= count:
                lines_by_diagnosis[pointer - 1].append(line)

    claim_dates = sorted({line.date_of_service for line in claim.lines})
    known: dict[int, DiagnosisInfo] = {}
    for index, code in enumerate(claim.diagnoses):
        lines = lines_by_diagnosis.get(index, [])
        # A diagnosis is checked on the dates of the lines that point to it, else all dates.
        dates = sorted({line.date_of_service for line in lines}) or claim_dates
        for dos in dates:
            info = tables.diagnosis(code, dos)
            if info is not None and info.is_billable:
                known.setdefault(index, info)
                continue
            words = {
                "code": format_diagnosis(code),
                "position": index + 1,
                "dos": dos.isoformat(),
            }
            message, fix = (
                (DX_NOT_FOUND, DX_NOT_FOUND_FIX)
                if info is None
                else (DX_NOT_BILLABLE, DX_NOT_BILLABLE_FIX)
            )
            findings.append(
                Finding(
                    "dx_invalid",
                    "error",
                    tuple(line.number for line in lines if line.date_of_service == dos),
                    message.format(**words),
                    fix.format(**words),
                    tables.source("diagnoses"),
                )
            )

    findings.extend(_check_excludes1(claim, known, lines_by_diagnosis, tables))
    return findings


def _check_pointers(line: ClaimLine, count: int, tables: RuleTables) -> Finding | None:
    words = {"code": line.code, "line": format_lines([line.number]), "count": count}
    if not line.diagnosis_pointers:
        fix = DX_NO_POINTER_FIX if count else DX_NO_DIAGNOSES_FIX
        message = DX_NO_POINTER
    else:
        bad = [p for p in line.diagnosis_pointers if not 1 <= p <= count]
        if not bad:
            return None
        message = DX_BAD_POINTER
        fix = DX_BAD_POINTER_FIX if count else DX_NO_DIAGNOSES_FIX
        words["pointer"] = bad[0]
    return Finding(
        "dx_pointer",
        "error",
        (line.number,),
        message.format(**words),
        fix.format(**words),
        tables.source("diagnoses"),
    )


def _check_excludes1(
    claim: Claim,
    known: dict[int, DiagnosisInfo],
    lines_by_diagnosis: dict[int, list[ClaimLine]],
    tables: RuleTables,
) -> list[Finding]:
    findings: list[Finding] = []
    reported: set[frozenset[int]] = set()
    for index, info in known.items():
        code = claim.diagnoses[index]
        for note in info.excludes1:
            for pattern in extract_code_patterns(note):
                for other_index, other in enumerate(claim.diagnoses):
                    pair = frozenset({index, other_index})
                    if other == code or pair in reported or not pattern.matches(other):
                        continue
                    reported.add(pair)
                    lines = {line.number for i in pair for line in lines_by_diagnosis.get(i, [])}
                    words = {
                        "code": format_diagnosis(code),
                        "position": index + 1,
                        "other": format_diagnosis(other),
                        "other_position": other_index + 1,
                        "note": note,
                    }
                    findings.append(
                        Finding(
                            "dx_excludes1",
                            "error",
                            tuple(sorted(lines)),
                            DX_EXCLUDES1.format(**words),
                            DX_EXCLUDES1_FIX.format(**words),
                            tables.source("diagnoses"),
                        )
                    )
    return findings
