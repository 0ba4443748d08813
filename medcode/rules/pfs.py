"""Medicare Physician Fee Schedule (PFS) payment-policy indicators.

Each check reads one indicator of the PFS relative value file: status code, global days,
bilateral (modifier 50), PC/TC (26/TC), assistant (80/81/82/AS), co-surgeon (62) and team
surgery (66). The meanings are those of the RVU file layout (RVU<YY>.pdf).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from medcode.rules.claim import (
    Claim,
    ClaimLine,
    Finding,
    ModifierFix,
    RuleId,
    Severity,
    append_fixes,
    format_lines,
    is_evaluation_and_management,
    lines_by_date,
    remove_fixes,
    replace_fix,
)
from medcode.rules.tables import FeeIndicators, FeeTables, RuleTables

# Rows of the PFS file keyed by a modifier; other modifiers price on the global row.
PRICING_MODIFIERS = ("26", "TC", "53")

# --- status code --------------------------------------------------------------------------

# status -> (severity, message, fix); A, C and J are paid normally and have no entry.
PFS_STATUS_MESSAGES: dict[str, tuple[Severity, str, str | None]] = {
    "B": (
        "warning",
        "{code} ({line}) has PFS status B, bundled: its payment is included in another "
        "service, and Medicare never pays it separately.",
        "Remove {code} unless your payer wants it reported for information; expect no "
        "payment for it.",
    ),
    "D": (
        "warning",
        "{code} ({line}) has PFS status D: the code is deleted from the start of the year "
        "of the fee schedule file.",
        "Report the code that replaced {code} for the date of service.",
    ),
    "E": (
        "warning",
        "{code} ({line}) has PFS status E: it is excluded from the fee schedule by "
        "regulation, so the PFS pays nothing for it.",
        "Check how your contractor pays {code}; if covered it is paid outside the PFS.",
    ),
    "F": (
        "error",
        "{code} ({line}) has PFS status F: the code is deleted or discontinued, with no "
        "grace period.",
        "Report the code that replaced {code} for the date of service.",
    ),
    "G": (
        "error",
        "{code} ({line}) has PFS status G: it is not valid for Medicare; an alternate code "
        "is used for this service.",
        "Report the alternate code Medicare recognises instead of {code}.",
    ),
    "H": (
        "error",
        "{code}-{modifier} ({line}) has PFS status H: the {modifier} component of {code} was "
        "deleted, so the code is no longer billed with {modifier}.",
        "Remove {modifier} from {code} and report the code as the current fee schedule lists it.",
    ),
    "I": (
        "error",
        "{code} ({line}) has PFS status I: it is not valid for Medicare; Medicare uses "
        "another code for this service.",
        "Report the Medicare code for this service instead of {code}.",
    ),
    "M": (
        "info",
        "{code} ({line}) has PFS status M: it is a measurement code, for quality reporting "
        "only, and is paid $0.",
        "Keep {code} for quality reporting with a $0.00 charge (or $0.01 if your system "
        "cannot send zero); it is not paid.",
    ),
    "N": (
        "warning",
        "{code} ({line}) has PFS status N: Medicare does not cover it and pays nothing.",
        "Append GY if you need a Medicare denial for another payer, and GX if the patient "
        "signed a voluntary ABN; collect from the patient or the other payer.",
    ),
    "P": (
        "warning",
        "{code} ({line}) has PFS status P, bundled or excluded: no separate PFS payment. "
        "It is bundled into the physician service it is incident to, or paid under "
        "another provision.",
        "Remove {code} if it was incident to a physician service on the same day.",
    ),
    "R": (
        "info",
        "{code} ({line}) has PFS status R, restricted coverage: it is paid only in the "
        "limited circumstances its coverage instructions give.",
        "Check the coverage instructions (NCD or LCD) for {code} before billing it.",
    ),
    "X": (
        "info",
        "{code} ({line}) has PFS status X, statutory exclusion: it is not a physician "
        "service by law and is not paid under the PFS (clinical lab and ambulance services "
        "are paid under their own fee schedules).",
        None,
    ),
}
# Status I codes for which CMS names the code Medicare uses instead: code -> (Medicare code,
# when it applies). 99417 -> G2212: CMS CY2021 PFS final rule (85 FR 84472), office/outpatient
# prolonged services; G2212 starts 15 minutes past the top of 99215's (99205's) time.
MEDICARE_CODE_FOR: dict[str, tuple[str, str]] = {
    "99417": (
        "G2212",
        "when the visit level was chosen by total time and that time reaches 15 minutes "
        "past the top of the visit's range (69 minutes with 99215, 89 with 99205), one unit "
        "per full 15 minutes",
    ),
}
PFS_STATUS_I_MEDICARE_CODE = (
    "{code} ({line}) has PFS status I: it is not valid for Medicare; Medicare uses "
    "{medicare_code} for this service."
)
PFS_STATUS_I_MEDICARE_CODE_FIX = "Replace {code} with {medicare_code} for Medicare, {when}."
PFS_STATUS_T_WITH_OTHERS = (
    "{code} ({line}) has PFS status T: it is paid only when no other PFS service is billed "
    "on the same date, and {others} is billed on {dos}, so {code} is bundled."
)
PFS_STATUS_T_WITH_OTHERS_FIX = (
    "Expect no separate payment for {code} on {dos}; its payment is in the other services."
)
# Statuses the PFS pays; a status T service is bundled when one of these is on its date.
PFS_PAYABLE_STATUSES = frozenset({"A", "C", "R"})


def check_pfs_status(claim: Claim, tables: RuleTables) -> list[Finding]:
    """Report codes whose PFS status means they are not paid, or paid only in some cases."""
    findings: list[Finding] = []
    source = tables.source("pfs")
    for dos, lines in lines_by_date(claim).items():
        rows = {line.number: priced_row(line, tables) for line in lines}
        for line in lines:
            row = rows[line.number]
            if row is None:
                continue
            words = {
                "code": line.code,
                "modifier": row.modifier,
                "line": format_lines([line.number]),
                "dos": dos.isoformat(),
            }
            if row.status_code == "T":
                others = [
                    other
                    for other in lines
                    if other.number != line.number
                    and (other_row := rows[other.number]) is not None
                    and other_row.status_code in PFS_PAYABLE_STATUSES
                ]
                if others:
                    other_codes = ", ".join(f"{o.code} (line {o.number})" for o in others)
                    findings.append(
                        Finding(
                            "pfs_status",
                            "warning",
                            (line.number, *(o.number for o in others)),
                            PFS_STATUS_T_WITH_OTHERS.format(others=other_codes, **words),
                            PFS_STATUS_T_WITH_OTHERS_FIX.format(**words),
                            source,
                        )
                    )
                continue
            entry = PFS_STATUS_MESSAGES.get(row.status_code)
            if entry is None:
                continue
            severity, message, fix = entry
            alternate = MEDICARE_CODE_FOR.get(line.code) if row.status_code == "I" else None
            if alternate is not None and tables.code_exists(alternate[0], dos):
                words["medicare_code"], words["when"] = alternate
                message, fix = PFS_STATUS_I_MEDICARE_CODE, PFS_STATUS_I_MEDICARE_CODE_FIX
            fixes: tuple[ModifierFix, ...] = ()
            if row.status_code == "H":  # the deleted component's modifier comes off
                fixes = remove_fixes(line.number, row.modifier)
            elif row.status_code == "N":  # GY, for a Medicare denial another payer needs
                fixes = append_fixes(line.number, "GY")
            findings.append(
                Finding(
                    "pfs_status",
                    severity,
                    (line.number,),
                    message.format(**words),
                    fix.format(**words) if fix else None,
                    source,
                    fixes=fixes,
                )
            )
    return findings


def priced_row(line: ClaimLine, tables: FeeTables) -> FeeIndicators | None:
    """The PFS row a line is priced on: its 26/TC/53 row when it has one, else the global row."""
    for modifier in PRICING_MODIFIERS:
        if modifier in line.modifiers:
            row = tables.fee(line.code, modifier)
            if row is not None:
                return row
    return tables.fee(line.code)


# --- global surgery -----------------------------------------------------------------------

MINOR_GLOBALS = frozenset({"000", "010"})
MAJOR_GLOBAL = "090"

GLOBAL_MINOR_WITHOUT_25 = (
    "{em} ({em_line}) is an E/M visit on the same date as {procedure} ({procedure_line}), a "
    "minor procedure with a {days}-day global period. The visit is included in the "
    "procedure unless it was significant and separately identifiable."
)
GLOBAL_MINOR_WITHOUT_25_FIX = (
    "Append 25 to {em} if the visit was significant and separately identifiable from "
    "{procedure}; otherwise remove the visit."
)
GLOBAL_MINOR_WITH_57 = (
    "{em} ({em_line}) carries 57, but {procedure} ({procedure_line}) is a minor procedure "
    "with a {days}-day global period: the decision to perform a minor procedure is included "
    "in it, and 57 applies only to major surgery."
)
GLOBAL_MINOR_WITH_57_FIX = (
    "Replace 57 with 25 on {em} if the visit was significant and separately identifiable "
    "from {procedure}; otherwise remove the visit."
)
GLOBAL_MAJOR_WITHOUT_57 = (
    "{em} ({em_line}) is an E/M visit on the date of {procedure} ({procedure_line}), a major "
    "procedure with a 90-day global period. Visits on the day before and the day of major "
    "surgery are in the global package unless the visit was the decision for surgery."
)
GLOBAL_MAJOR_WITHOUT_57_FIX = (
    "Append 57 to {em} if the visit resulted in the decision for surgery (25 if it was for "
    "a significant, separately identifiable problem); otherwise remove the visit."
)


def check_global_surgery(claim: Claim, tables: RuleTables) -> list[Finding]:
    """Find E/M visits on the date of a procedure with a 0, 10 or 90-day global period."""
    findings: list[Finding] = []
    for lines in lines_by_date(claim).values():
        visits = [line for line in lines if is_evaluation_and_management(line.code)]
        if not visits:
            continue
        procedure: tuple[ClaimLine, str] | None = None
        for line in lines:
            if is_evaluation_and_management(line.code):
                continue
            row = tables.fee(line.code)
            if row is None or row.global_days not in MINOR_GLOBALS | {MAJOR_GLOBAL}:
                continue
            # The longest global period decides: 090 over 010 over 000.
            if procedure is None or row.global_days > procedure[1]:
                procedure = (line, row.global_days)
        if procedure is None:
            continue
        surgery, global_days = procedure
        for visit in visits:
            finding = _check_visit(visit, surgery, global_days, tables)
            if finding is not None:
                findings.append(finding)
    return findings


def _check_visit(
    visit: ClaimLine, surgery: ClaimLine, global_days: str, tables: RuleTables
) -> Finding | None:
    if global_days == MAJOR_GLOBAL:
        if visit.has_modifier("57", "25"):
            return None
        message, fix = GLOBAL_MAJOR_WITHOUT_57, GLOBAL_MAJOR_WITHOUT_57_FIX
        fixes = append_fixes(visit.number, "57", "25")
    elif visit.has_modifier("25"):
        return None
    elif visit.has_modifier("57"):
        message, fix = GLOBAL_MINOR_WITH_57, GLOBAL_MINOR_WITH_57_FIX
        fixes = replace_fix(visit.number, "57", "25")
    else:
        message, fix = GLOBAL_MINOR_WITHOUT_25, GLOBAL_MINOR_WITHOUT_25_FIX
        fixes = append_fixes(visit.number, "25")
    words = {
        "em": visit.code,
        "em_line": format_lines([visit.number]),
        "procedure": surgery.code,
        "procedure_line": format_lines([surgery.number]),
        "days": int(global_days),
    }
    return Finding(
        "global_surgery",
        "error",
        (visit.number, surgery.number),
        message.format(**words),
        fix.format(**words),
        tables.source("pfs"),
        fixes=fixes,
    )


# --- bilateral (modifier 50) --------------------------------------------------------------

# bilat_surg_ind -> (severity, message, fix); 1 (150% adjustment applies) has no entry.
BILATERAL_MESSAGES: dict[int, tuple[Severity, str, str]] = {
    0: (
        "error",
        "{code} ({line}) carries 50, but its bilateral indicator is 0: the 150% bilateral "
        "adjustment does not apply, because of anatomy or because the code is unilateral "
        "and another code describes the bilateral procedure.",
        "Remove 50 from {code}; if it was done on both sides, report the code that "
        "describes the bilateral procedure.",
    ),
    2: (
        "warning",
        "{code} ({line}) carries 50, but its bilateral indicator is 2: the code already "
        "describes a bilateral procedure (or its RVUs assume both sides) and is paid at "
        "100% whether done on one side or both.",
        "Remove 50 and report {code} once, with 1 unit.",
    ),
    3: (
        "info",
        "{code} ({line}) carries 50 and its bilateral indicator is 3: the 150% adjustment "
        "does not apply; each side is paid at 100% of the fee schedule.",
        "Check your contractor's format for both sides: many want RT and LT on two lines "
        "(or 2 units) instead of 50.",
    ),
    9: (
        "error",
        "{code} ({line}) carries 50, but its bilateral indicator is 9: the bilateral "
        "concept does not apply to this code.",
        "Remove 50 from {code}.",
    ),
}


def check_bilateral(claim: Claim, tables: RuleTables) -> list[Finding]:
    """Compare modifier 50 with the code's bilateral surgery indicator."""
    return _check_indicator(
        claim,
        tables,
        rule="bilateral",
        modifiers=("50",),
        indicator=lambda row: row.bilat_surg_ind,
        messages=BILATERAL_MESSAGES,
        removed_for=frozenset({0, 2, 9}),
    )


# --- professional and technical components (26, TC) ---------------------------------------

PCTC_MEANINGS: dict[int, str] = {
    0: "a physician service, which has no professional/technical split",
    2: "a professional-component-only code",
    3: "a technical-component-only code",
    4: "a global-test-only code; separate codes describe its professional and technical components",
    5: "an incident-to code, billed as a whole",
    6: "a laboratory physician interpretation code; the test itself is paid under the "
    "lab fee schedule",
    7: "a physical therapy service, which has no professional/technical split",
    8: "a physician interpretation code; the test itself is paid to the hospital",
    9: "a code to which the professional/technical concept does not apply",
}
PCTC_NOT_ALLOWED = (
    "{code} ({line}) carries {modifier}, but its PC/TC indicator is {indicator}: it is "
    "{meaning}. {allowed}"
)
PCTC_ONLY_INDICATOR_1 = "Modifiers 26 and TC apply only to codes with PC/TC indicator 1."
PCTC_NO_TC = "Modifier TC cannot be used with it."
PCTC_FIXES: dict[int, str] = {
    2: "Remove {modifier}; {code} already describes only the professional component.",
    3: "Remove {modifier}; {code} already describes only the technical component.",
    4: "Remove {modifier} and report the separate professional-component or "
    "technical-component code for this test.",
    6: "Remove TC; bill the interpretation with 26 and leave the test to the lab.",
    8: "Remove TC; only the interpretation is billed.",
}
PCTC_DEFAULT_FIX = "Remove {modifier} from {code}."
PCTC_BOTH = (
    "{code} ({line}) carries both 26 and TC; together they make the global service, which "
    "is billed without either modifier."
)
PCTC_BOTH_FIX = (
    "Bill {code} without 26 and TC if you provided both components; otherwise keep the one "
    "you provided."
)
# Indicators whose codes take 26 (for the interpretation) but never TC.
PCTC_INTERPRETATION_INDICATORS = frozenset({6, 8})


def check_pctc(claim: Claim, tables: RuleTables) -> list[Finding]:
    """Compare modifiers 26 and TC with the code's PC/TC indicator."""
    findings: list[Finding] = []
    source = tables.source("pfs")
    for line in claim.lines:
        modifiers = [m for m in ("26", "TC") if m in line.modifiers]
        if not modifiers:
            continue
        row = tables.fee(line.code)
        if row is None:
            continue
        words: dict[str, str | int] = {
            "code": line.code,
            "line": format_lines([line.number]),
            "indicator": row.pctc_ind,
        }
        if row.pctc_ind == 1:
            if len(modifiers) == 2:
                findings.append(
                    Finding(
                        "pctc",
                        "error",
                        (line.number,),
                        PCTC_BOTH.format(**words),
                        PCTC_BOTH_FIX.format(**words),
                        source,
                        fixes=remove_fixes(line.number, "26", "TC"),
                    )
                )
            continue
        for modifier in modifiers:
            interpretation = row.pctc_ind in PCTC_INTERPRETATION_INDICATORS
            if interpretation and modifier == "26":
                continue
            meaning = PCTC_MEANINGS.get(row.pctc_ind, f"indicator {row.pctc_ind}")
            allowed = PCTC_NO_TC if interpretation else PCTC_ONLY_INDICATOR_1
            fix = PCTC_FIXES.get(row.pctc_ind, PCTC_DEFAULT_FIX)
            findings.append(
                Finding(
                    "pctc",
                    "error",
                    (line.number,),
                    PCTC_NOT_ALLOWED.format(
                        modifier=modifier, meaning=meaning, allowed=allowed, **words
                    ),
                    fix.format(modifier=modifier, **words),
                    source,
                    fixes=remove_fixes(line.number, modifier),
                )
            )
    return findings


# --- assistant, co-surgeon and team surgery (80/81/82/AS, 62, 66) --------------------------

ASSISTANT_MODIFIERS = ("80", "81", "82", "AS")

ASSISTANT_MESSAGES: dict[int, tuple[Severity, str, str]] = {
    0: (
        "warning",
        "{code} ({line}) carries {modifier}; its assistant at surgery indicator is 0: an "
        "assistant is paid only with documentation that one was medically necessary.",
        "Keep the operative note showing why an assistant was needed; the contractor may "
        "ask for it.",
    ),
    1: (
        "error",
        "{code} ({line}) carries {modifier}, but its assistant at surgery indicator is 1: "
        "a statutory payment restriction, so an assistant at surgery is not paid.",
        "Remove the assistant's line for {code}; it cannot be paid.",
    ),
    9: (
        "error",
        "{code} ({line}) carries {modifier}, but its assistant at surgery indicator is 9: "
        "the concept does not apply to this code.",
        "Remove {modifier} from {code}.",
    ),
}
COSURGEON_MESSAGES: dict[int, tuple[Severity, str, str]] = {
    0: (
        "error",
        "{code} ({line}) carries 62, but its co-surgeon indicator is 0: co-surgeons are "
        "not permitted for this procedure.",
        "Remove 62: one surgeon reports {code} (the other may report an assistant line if "
        "the assistant indicator allows it).",
    ),
    1: (
        "warning",
        "{code} ({line}) carries 62; its co-surgeon indicator is 1: co-surgeons are paid "
        "only with documentation that two surgeons were medically necessary.",
        "Both surgeons report {code} with 62 and keep the documentation; the contractor "
        "may ask for it.",
    ),
    9: (
        "error",
        "{code} ({line}) carries 62, but its co-surgeon indicator is 9: the concept does "
        "not apply to this code.",
        "Remove 62 from {code}.",
    ),
}
TEAM_MESSAGES: dict[int, tuple[Severity, str, str]] = {
    0: (
        "error",
        "{code} ({line}) carries 66, but its team surgery indicator is 0: team surgery is "
        "not permitted for this procedure.",
        "Remove 66 from {code}.",
    ),
    1: (
        "warning",
        "{code} ({line}) carries 66; its team surgery indicator is 1: a team is paid only "
        "with documentation that it was medically necessary.",
        "Keep the documentation of why a surgical team was needed; the contractor prices "
        "team surgery by report.",
    ),
    9: (
        "error",
        "{code} ({line}) carries 66, but its team surgery indicator is 9: the concept does "
        "not apply to this code.",
        "Remove 66 from {code}.",
    ),
}


def check_surgeon_modifiers(claim: Claim, tables: RuleTables) -> list[Finding]:
    """Compare 80/81/82/AS, 62 and 66 with the assistant, co-surgeon and team indicators."""
    return [
        *_check_indicator(
            claim,
            tables,
            rule="assistant",
            modifiers=ASSISTANT_MODIFIERS,
            indicator=lambda row: row.asst_surg_ind,
            messages=ASSISTANT_MESSAGES,
            removed_for=frozenset({9}),
        ),
        *_check_indicator(
            claim,
            tables,
            rule="cosurgeon",
            modifiers=("62",),
            indicator=lambda row: row.co_surg_ind,
            messages=COSURGEON_MESSAGES,
            removed_for=frozenset({0, 9}),
        ),
        *_check_indicator(
            claim,
            tables,
            rule="team",
            modifiers=("66",),
            indicator=lambda row: row.team_surg_ind,
            messages=TEAM_MESSAGES,
            removed_for=frozenset({0, 9}),
        ),
    ]


def _check_indicator(
    claim: Claim,
    tables: RuleTables,
    *,
    rule: RuleId,
    modifiers: tuple[str, ...],
    indicator: Callable[[FeeIndicators], int],
    messages: Mapping[int, tuple[Severity, str, str]],
    removed_for: frozenset[int],
) -> list[Finding]:
    """One finding per line whose modifier the code's indicator says is not paid as is;
    for the indicators in `removed_for`, the fix is to remove the modifier."""
    findings: list[Finding] = []
    for line in claim.lines:
        modifier = next((m for m in modifiers if m in line.modifiers), None)
        if modifier is None:
            continue
        row = tables.fee(line.code)
        if row is None:
            continue
        entry = messages.get(indicator(row))
        if entry is None:
            continue
        severity, message, fix = entry
        words = {"code": line.code, "line": format_lines([line.number]), "modifier": modifier}
        removed = indicator(row) in removed_for
        findings.append(
            Finding(
                rule,
                severity,
                (line.number,),
                message.format(**words),
                fix.format(**words),
                tables.source("pfs"),
                fixes=remove_fixes(line.number, modifier) if removed else (),
            )
        )
    return findings
