"""Every claim-check rule that applies to a claim's setting, findings sorted for a coder to
work through."""

from __future__ import annotations

from collections.abc import Callable

from medcode.rules.addon import check_addon
from medcode.rules.claim import Claim, Finding, Severity
from medcode.rules.codes import check_codes, check_duplicate_lines
from medcode.rules.coverage import check_lcd_articles, check_ncd
from medcode.rules.diagnoses import check_diagnoses
from medcode.rules.mue import check_mue
from medcode.rules.nonpayment import (
    check_hcpcs_coverage,
    check_pfs_not_used,
    check_place_of_service,
)
from medcode.rules.pfs import (
    check_bilateral,
    check_global_surgery,
    check_pctc,
    check_pfs_status,
    check_surgeon_modifiers,
)
from medcode.rules.ptp import check_ptp
from medcode.rules.tables import RuleTables

Rule = Callable[[Claim, RuleTables], list[Finding]]

# Rules for every claim.
RULES: tuple[Rule, ...] = (
    check_codes,
    check_duplicate_lines,
    check_diagnoses,
    check_ptp,
    check_mue,
    check_addon,
    check_hcpcs_coverage,
    check_ncd,
    check_lcd_articles,
)
# The PFS indicators (status, global days, bilateral, PC/TC, surgeon modifiers, the "not used
# for Medicare payment" flag, NA by place of service) govern the practitioner's payment under
# the PFS (RVU file layout; IOM 100-04 ch. 12). An outpatient hospital's facility claim is
# paid under the OPPS by its status indicator (IOM 100-04 ch. 4; rules/opps.py), so these
# rules are not run on it: docs/payment.md, "Which rules apply to an outpatient hospital claim".
PFS_RULES: tuple[Rule, ...] = (
    check_pfs_status,
    check_global_surgery,
    check_bilateral,
    check_pctc,
    check_surgeon_modifiers,
    check_pfs_not_used,
    check_place_of_service,
)

SEVERITY_ORDER: dict[Severity, int] = {"error": 0, "warning": 1, "info": 2}


def check_claim(claim: Claim, tables: RuleTables) -> list[Finding]:
    """Run every rule; errors first, then warnings, then notes, each by line number."""
    rules = RULES + PFS_RULES if tables.setting == "practitioner" else RULES
    findings = [finding for rule in rules for finding in rule(claim, tables)]
    findings.sort(key=_order)
    return findings


def _order(finding: Finding) -> tuple[int, int, str]:
    # Claim-level findings (no lines) come before line findings of the same severity.
    return (SEVERITY_ORDER[finding.severity], min(finding.lines, default=0), finding.rule)
