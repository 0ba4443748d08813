"""Every claim-check rule over one claim, findings sorted for a coder to work through."""

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

RULES: tuple[Rule, ...] = (
    check_codes,
    check_duplicate_lines,
    check_diagnoses,
    check_ptp,
    check_mue,
    check_addon,
    check_pfs_status,
    check_global_surgery,
    check_bilateral,
    check_pctc,
    check_surgeon_modifiers,
    check_hcpcs_coverage,
    check_pfs_not_used,
    check_place_of_service,
    check_ncd,
    check_lcd_articles,
)

SEVERITY_ORDER: dict[Severity, int] = {"error": 0, "warning": 1, "info": 2}


def check_claim(claim: Claim, tables: RuleTables) -> list[Finding]:
    """Run every rule; errors first, then warnings, then notes, each by line number."""
    findings = [finding for rule in RULES for finding in rule(claim, tables)]
    findings.sort(key=_order)
    return findings


def _order(finding: Finding) -> tuple[int, int, str]:
    # Claim-level findings (no lines) come before line findings of the same severity.
    return (SEVERITY_ORDER[finding.severity], min(finding.lines, default=0), finding.rule)
