"""Where Medicare never pays: HCPCS coverage and pricing codes, PFS flags, NA by setting.

- HCPCS coverage code (field 16) and pricing indicator (field 9) of the HCPCS Level II file,
  meanings from its record layout (HCPC<YYYY>_recordlayout.txt).
- The PFS relative value file's "not used for Medicare payment" flag, for codes whose status
  alone does not already say so (check_pfs_status reports the status codes).
- The PFS NA indicators against the place of service: NA means CMS has developed no practice
  expense RVU for that setting (non-facility: typically done in a hospital).

`nonpayment_reason` is the one statement of "why Medicare pays nothing for this PFS row",
shared by the claim check and the code pages.
"""

from __future__ import annotations

from functools import lru_cache

from medcode.rules.claim import Claim, Finding, Severity, format_lines
from medcode.rules.pfs import priced_row
from medcode.rules.tables import RuleTables

# --- HCPCS coverage and pricing ----------------------------------------------------------------

NOT_SEPARATELY_PRICED = "00"
GY_GX_FIX = (
    "Remove {code} from the Medicare claim, or append GY if another payer needs a Medicare "
    "denial (GX as well if the patient signed a voluntary ABN); collect from the patient or "
    "the other payer."
)
# coverage code -> (severity, what the HCPCS file says, fix); C (carrier judgment) has no entry.
HCPCS_COVERAGE_MESSAGES: dict[str, tuple[Severity, str, str]] = {
    "I": (
        "error",
        "{code} ({line}) has HCPCS coverage code I: not payable by Medicare.{pricing}",
        "Remove {code} from the Medicare claim: Medicare does not pay it under this code "
        "(where the item is paid at all, it is within another service or under another "
        "code or payment system).",
    ),
    "M": (
        "warning",
        "{code} ({line}) has HCPCS coverage code M: non-covered by Medicare.{pricing}",
        GY_GX_FIX,
    ),
    "S": (
        "warning",
        "{code} ({line}) has HCPCS coverage code S: non-covered by Medicare statute.{pricing}",
        GY_GX_FIX,
    ),
    "D": (
        "info",
        "{code} ({line}) has HCPCS coverage code D: special coverage instructions apply.",
        "Check the coverage instructions (NCD, LCD or manual section) for {code} before "
        "billing it.",
    ),
}
HCPCS_PRICING_00 = (
    " Its pricing indicator is 00: not separately priced by Part B (e.g. not covered, "
    "bundled, or used by Part A only)."
)
HCPCS_ONLY_PRICING_00 = (
    "{code} ({line}) has HCPCS pricing indicator 00: not separately priced by Part B (e.g. "
    "services not covered, bundled, or used by Part A only), so Medicare pays nothing for it "
    "on this claim."
)
HCPCS_ONLY_PRICING_00_FIX = (
    "Expect no separate payment for {code}; remove it unless your payer wants it reported."
)


def check_hcpcs_coverage(claim: Claim, tables: RuleTables) -> list[Finding]:
    """Report HCPCS Level II codes the HCPCS file marks not payable, non-covered or unpriced."""
    findings: list[Finding] = []
    for line in claim.lines:
        payment = tables.hcpcs_payment(line.code)
        if payment is None:
            continue
        unpriced = payment.pricing == (NOT_SEPARATELY_PRICED,)
        words = {
            "code": line.code,
            "line": format_lines([line.number]),
            "pricing": HCPCS_PRICING_00 if unpriced else "",
        }
        entry = HCPCS_COVERAGE_MESSAGES.get(payment.coverage)
        if entry is not None:
            severity, message, fix = entry
        elif unpriced:
            severity, message, fix = "warning", HCPCS_ONLY_PRICING_00, HCPCS_ONLY_PRICING_00_FIX
        else:
            continue
        findings.append(
            Finding(
                "hcpcs_coverage",
                severity,
                (line.number,),
                message.format(**words),
                fix.format(**words),
                payment.source,
            )
        )
    return findings


# --- PFS: why there is no Medicare payment -----------------------------------------------------

# PFS status codes under which Medicare makes no PFS payment for the code (RVU file layout).
NO_PAYMENT_STATUSES: dict[str, str] = {
    "B": "PFS status B: bundled, never paid separately by Medicare",
    "E": "PFS status E: excluded from the fee schedule by regulation",
    "F": "PFS status F: deleted or discontinued code",
    "G": "PFS status G: not valid for Medicare; an alternate code is used",
    "H": "PFS status H: this modifier row was deleted",
    "I": "PFS status I: not valid for Medicare; Medicare uses another code",
    "M": "PFS status M: measurement code, paid $0",
    "N": "PFS status N: not covered by Medicare",
    "P": "PFS status P: bundled or excluded, no separate PFS payment",
    "X": "PFS status X: statutory exclusion, not paid under the PFS",
}
NOT_USED_FOR_MEDICARE = (
    "the PFS flags its RVUs as not used for Medicare payment (published for other payers)"
)


@lru_cache(maxsize=256)
def nonpayment_reason(status_code: str, *, not_used_for_medicare: bool) -> str | None:
    """Why the PFS gives no Medicare payment for a row, or None when it pays."""
    reasons = [NO_PAYMENT_STATUSES.get(status_code.strip().upper(), "")]
    if not_used_for_medicare:
        reasons.append(NOT_USED_FOR_MEDICARE)
    found = "; ".join(r for r in reasons if r)
    return found[:1].upper() + found[1:] if found else None


PFS_NOT_USED = (
    "{code} ({line}) has PFS status {status}, but the PFS flags its RVUs as not used for "
    "Medicare payment: they are published for other payers, and Medicare pays nothing from them."
)
PFS_NOT_USED_FIX = "Check how Medicare wants this service reported before billing {code}."


def check_pfs_not_used(claim: Claim, tables: RuleTables) -> list[Finding]:
    """Report rows flagged "not used for Medicare payment" whose status does not say so already
    (check_pfs_status explains B, I, N, X and the other non-paying statuses)."""
    findings: list[Finding] = []
    for line in claim.lines:
        row = priced_row(line, tables)
        if row is None or not row.not_used_for_medicare or row.status_code in NO_PAYMENT_STATUSES:
            continue
        words = {"code": line.code, "line": format_lines([line.number]), "status": row.status_code}
        findings.append(
            Finding(
                "pfs_not_used",
                "warning",
                (line.number,),
                PFS_NOT_USED.format(**words),
                PFS_NOT_USED_FIX.format(**words),
                tables.source("pfs"),
            )
        )
    return findings


# --- NA indicators against the place of service -----------------------------------------------

# Places of service paid at the PFS facility rate: Medicare Claims Processing Manual, chapter 12,
# section 20.4.2 (21-61 below), with 19 (off-campus outpatient hospital, from 2016) and 02
# (telehealth other than in the patient's home, paid at the facility rate). Every other place
# of service is non-facility (office 11, home 12, independent clinic 49, ...).
FACILITY_PLACES = frozenset(
    {"02", "19", "21", "22", "23", "24", "26", "31", "34", "41", "42", "51", "52", "53", "56", "61"}
)
NONFACILITY_NA = (
    "{code} ({line}) is billed at place of service {pos}, a non-facility setting, but the PFS "
    "has no non-facility practice expense for it (NA): CMS prices it only in a facility, "
    "so there is no office payment. Only if your MAC decides it can be done there is it paid, "
    "and then at the facility rate."
)
NONFACILITY_NA_FIX = (
    "Check the place of service: if {code} was done in a hospital or ASC, report that place "
    "of service (e.g. 22 or 24); otherwise expect no non-facility payment for it."
)
FACILITY_NA = (
    "{code} ({line}) is billed at place of service {pos}, a facility setting, but the PFS has "
    "no facility practice expense for it (NA): it is not priced for a facility setting."
)
FACILITY_NA_FIX = (
    "Check the place of service: {code} is priced only in non-facility settings such as the "
    "office (11)."
)


def is_facility_place(place_of_service: str) -> bool:
    return place_of_service.strip().zfill(2) in FACILITY_PLACES


def check_place_of_service(claim: Claim, tables: RuleTables) -> list[Finding]:
    """Compare each line's place of service with the PFS NA indicators of its row."""
    findings: list[Finding] = []
    for line in claim.lines:
        pos = (line.place_of_service or "").strip()
        if not pos:
            continue
        row = priced_row(line, tables)
        if row is None or row.status_code in NO_PAYMENT_STATUSES:
            continue  # no payment in any setting: check_pfs_status says why
        facility = is_facility_place(pos)
        if facility and row.facility_na:
            message, fix = FACILITY_NA, FACILITY_NA_FIX
        elif not facility and row.nonfac_na:
            message, fix = NONFACILITY_NA, NONFACILITY_NA_FIX
        else:
            continue
        words = {"code": line.code, "line": format_lines([line.number]), "pos": pos.zfill(2)}
        findings.append(
            Finding(
                "place_of_service",
                "warning",
                (line.number,),
                message.format(**words),
                fix.format(**words),
                tables.source("pfs"),
            )
        )
    return findings
