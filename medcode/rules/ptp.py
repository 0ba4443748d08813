"""NCCI procedure-to-procedure (PTP) edits: pairs of codes not paid together on one date."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from medcode.rules.claim import (
    Claim,
    ClaimLine,
    Finding,
    PtpOutcome,
    PtpPair,
    append_fixes,
    format_lines,
    is_evaluation_and_management,
    lines_by_date,
    move_fix,
)
from medcode.rules.modifier_sets import ANATOMIC, NCCI_ASSOCIATED, NCCI_NOT_ANATOMIC, SIDES, SITES
from medcode.rules.tables import PtpEdit, RuleTables

PTP_NO_MODIFIER_ALLOWED = (
    "{column_2} ({line_2}) is not paid with {column_1} ({line_1}) on {dos} (NCCI rationale: "
    "{rationale}). "
    "The modifier indicator is 0, so no modifier bypasses this edit."
)
PTP_MODIFIER_DOES_NOT_BYPASS = " Modifier {modifiers} on the claim does not change that."
PTP_NO_MODIFIER_ALLOWED_FIX = (
    "Remove {column_2}, or report only the one code that describes what was done; "
    "{column_2} cannot be paid with {column_1} on the same date."
)
PTP_MODIFIER_NEEDED = (
    "{column_2} ({line_2}) is bundled into {column_1} ({line_1}) on {dos} (NCCI rationale: "
    "{rationale}). "
    "An NCCI-associated modifier bypasses this edit only when the services were distinct."
)
PTP_SAME_ANATOMIC_SITE = (
    " Both lines carry {modifiers}; anatomic modifiers bypass the edit only when they name "
    "different sites (for example RT on one line and LT on the other)."
)
PTP_MODIFIER_NEEDED_FIX = (
    "Append 59 or XS to {column_2} if the procedures were at separate anatomic sites "
    "(XE for a separate encounter, XP for a separate practitioner, XU for an unusual "
    "non-overlapping service); the modifier indicator is 1."
)
PTP_MODIFIER_NEEDED_EM_FIX = (
    "Append 25 to {column_2} if the visit was significant and separately identifiable from "
    "{column_1} (57 if it was the decision for major surgery); the modifier indicator is 1."
)
PTP_MODIFIER_ON_COLUMN_1 = (
    "The edit pairing {column_1} ({line_1}) with {column_2} ({line_2}) is bypassed by "
    "{modifiers} on the column 1 line; NCCI expects the modifier on the column 2 code."
)
PTP_MODIFIER_ON_COLUMN_1_FIX = "Move {modifiers} from {column_1} to {column_2} ({line_2})."


def check_ptp(claim: Claim, tables: RuleTables) -> list[Finding]:
    """Find pairs of lines on one date that an active PTP edit says are not paid together."""
    findings: list[Finding] = []
    edits_by_code: dict[str, tuple[PtpEdit, ...]] = {}
    seen: set[tuple[int, int]] = set()
    for dos, lines in lines_by_date(claim).items():
        lines_by_code: defaultdict[str, list[ClaimLine]] = defaultdict(list)
        for line in lines:
            lines_by_code[line.code].append(line)
        if len(lines_by_code) < 2:
            continue
        for code in lines_by_code:
            if code not in edits_by_code:
                edits_by_code[code] = tuple(tables.ptp_for(code))
            for edit in edits_by_code[code]:
                if (
                    edit.column_2 == code
                    or edit.column_2 not in lines_by_code
                    or edit.modifier_indicator == "9"
                    or not edit.is_active_on(dos)
                ):
                    continue
                for column_1 in lines_by_code[code]:
                    for column_2 in lines_by_code[edit.column_2]:
                        if (column_1.number, column_2.number) in seen:
                            continue
                        seen.add((column_1.number, column_2.number))
                        finding = _check_pair(edit, column_1, column_2, dos, tables)
                        if finding is not None:
                            findings.append(finding)
    return findings


def _check_pair(
    edit: PtpEdit, column_1: ClaimLine, column_2: ClaimLine, dos: date, tables: RuleTables
) -> Finding | None:
    words = {
        "column_1": column_1.code,
        "column_2": column_2.code,
        "line_1": format_lines([column_1.number]),
        "line_2": format_lines([column_2.number]),
        "dos": dos.isoformat(),
        "rationale": edit.rationale or "NCCI PTP edit",
    }
    lines = (column_1.number, column_2.number)
    source = tables.source("ptp")
    claimed = _ncci_modifiers(column_1) | _ncci_modifiers(column_2)

    if edit.modifier_indicator != "1":
        message = PTP_NO_MODIFIER_ALLOWED.format(**words)
        if claimed:
            message += PTP_MODIFIER_DOES_NOT_BYPASS.format(modifiers=_join(claimed))
        fix = PTP_NO_MODIFIER_ALLOWED_FIX.format(**words)
        pair = _pair("not_paid", column_1, column_2, words)
        return Finding("ptp", "error", lines, message, fix, source, ptp=pair)

    on_column_2 = column_2.has_modifier(*NCCI_NOT_ANATOMIC)
    if on_column_2 or _are_different_sites(column_1, column_2):
        return None
    on_column_1 = sorted(NCCI_NOT_ANATOMIC.intersection(column_1.modifiers))
    if on_column_1:
        modifiers = _join(on_column_1)
        return Finding(
            "ptp",
            "info",
            lines,
            PTP_MODIFIER_ON_COLUMN_1.format(modifiers=modifiers, **words),
            PTP_MODIFIER_ON_COLUMN_1_FIX.format(modifiers=modifiers, **words),
            source,
            fixes=move_fix(column_1.number, column_2.number, tuple(on_column_1)),
            ptp=_pair("modifier_on_column_1", column_1, column_2, words),
        )

    message = PTP_MODIFIER_NEEDED.format(**words)
    shared_anatomic = ANATOMIC.intersection(column_1.modifiers, column_2.modifiers)
    if shared_anatomic:
        message += PTP_SAME_ANATOMIC_SITE.format(modifiers=_join(shared_anatomic))
    if is_evaluation_and_management(column_2.code):
        fix = PTP_MODIFIER_NEEDED_EM_FIX.format(**words)
        fixes = append_fixes(column_2.number, "25", "57")
    else:
        fix = PTP_MODIFIER_NEEDED_FIX.format(**words)
        fixes = append_fixes(column_2.number, "59", "XS")
    pair = _pair("bundled", column_1, column_2, words)
    return Finding("ptp", "error", lines, message, fix, source, fixes=fixes, ptp=pair)


def _pair(
    outcome: PtpOutcome, column_1: ClaimLine, column_2: ClaimLine, words: dict[str, str]
) -> PtpPair:
    return PtpPair(
        outcome, column_1.code, column_1.number, column_2.code, column_2.number, words["rationale"]
    )


def _are_different_sites(first: ClaimLine, second: ClaimLine) -> bool:
    """Whether anatomic modifiers put the two lines at different sites.

    The most specific level both lines name decides: digits, eyelids and coronary arteries
    first, then the side. Both lines must name that level, with no site in common.
    """
    for level in (SITES, SIDES):
        first_sites = level.intersection(first.modifiers)
        second_sites = level.intersection(second.modifiers)
        if first_sites and second_sites:
            return first_sites.isdisjoint(second_sites)
    return False


def _ncci_modifiers(line: ClaimLine) -> frozenset[str]:
    return NCCI_ASSOCIATED.intersection(line.modifiers)


def _join(modifiers: set[str] | frozenset[str] | list[str]) -> str:
    return ", ".join(sorted(modifiers))
