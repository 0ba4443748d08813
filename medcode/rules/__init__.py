"""Claim-check rules: pure functions from a claim and loaded edit tables to findings."""

from medcode.rules.addon import check_addon
from medcode.rules.check import check_claim
from medcode.rules.claim import Claim, ClaimLine, Finding, ModifierFix, PtpPair, RuleId, Severity
from medcode.rules.codes import check_codes, check_duplicate_lines
from medcode.rules.diagnoses import check_diagnoses
from medcode.rules.mue import check_mue
from medcode.rules.pfs import (
    check_bilateral,
    check_global_surgery,
    check_pctc,
    check_pfs_status,
    check_surgeon_modifiers,
)
from medcode.rules.ptp import check_ptp
from medcode.rules.tables import (
    AddOnEdit,
    DiagnosisInfo,
    FeeIndicators,
    HcpcsPayment,
    InMemoryTables,
    MueLimit,
    NcdEntry,
    PtpEdit,
    RuleTables,
    Span,
)

__all__ = [
    "AddOnEdit",
    "Claim",
    "ClaimLine",
    "DiagnosisInfo",
    "FeeIndicators",
    "Finding",
    "HcpcsPayment",
    "InMemoryTables",
    "ModifierFix",
    "MueLimit",
    "NcdEntry",
    "PtpEdit",
    "PtpPair",
    "RuleId",
    "RuleTables",
    "Severity",
    "Span",
    "check_addon",
    "check_bilateral",
    "check_claim",
    "check_codes",
    "check_diagnoses",
    "check_duplicate_lines",
    "check_global_surgery",
    "check_mue",
    "check_pctc",
    "check_pfs_status",
    "check_ptp",
    "check_surgeon_modifiers",
]
