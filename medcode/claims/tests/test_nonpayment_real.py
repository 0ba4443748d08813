"""Medicare non-payment findings over the real PFS, HCPCS and MUE files (skipped without them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medcode.claims.services import check_claim_data
from medcode.codes.services import import_file

# The 2025 RVU file is in force in Q4 2025 (the HCPCS file then is the newest before it, July 2024).
DOS = "2025-11-03"


@pytest.fixture
def real_payment_data(db: None, shared_data_dir: Path) -> None:
    for name in (
        "pfs_rvu_2025d.csv.gz",
        "hcpcs_level2_2024_07.csv.gz",
    ):
        import_file(shared_data_dir / name)


def check(*lines: dict[str, Any]) -> list[Any]:
    result = check_claim_data(
        {"diagnoses": ["G89.29"], "lines": list(lines), "setting": "practitioner"}
    )
    return list(result.findings)


def line(code: str, units: int = 1, pos: str = "11") -> dict[str, Any]:
    return {
        "code": code,
        "units": units,
        "date_of_service": DOS,
        "place_of_service": pos,
        "diagnosis_pointers": [1],
    }


# One database for the three cases of issue 17: importing the real files is the slow part.
@pytest.mark.fulldata
def test_the_issue_17_claims_get_their_nonpayment_findings(real_payment_data):
    l8680_is_not_payable_by_medicare()
    office_63685_has_no_nonfacility_payment()
    g2212_is_named_for_99417_with_99215()


def l8680_is_not_payable_by_medicare() -> None:
    [finding] = [f for f in check(line("L8680", units=2)) if f.rule == "hcpcs_coverage"]

    assert finding.severity == "error"
    assert "coverage code I" in finding.message and "pricing indicator is 00" in finding.message
    assert finding.source.startswith("HCPCS")
    assert "July 2024" in finding.source or "2024 July" in finding.source


def office_63685_has_no_nonfacility_payment() -> None:
    found = [f for f in check(line("63685")) if f.rule == "place_of_service"]
    in_hospital = [f for f in check(line("63685", pos="22")) if f.rule == "place_of_service"]

    assert [f.lines for f in found] == [(1,)]
    assert "RVU25D" in found[0].source
    assert in_hospital == []


def g2212_is_named_for_99417_with_99215() -> None:
    findings = check(line("99215"), line("99417"))
    [status] = [f for f in findings if f.rule == "pfs_status"]

    assert status.lines == (2,)
    assert "G2212" in status.message
    assert status.fix is not None and status.fix.startswith("Replace 99417 with G2212")
    assert "RVU25D" in status.source


@pytest.mark.fulldata
def test_the_hcpcs_coverage_code_is_not_applied_to_an_outpatient_hospital_claim(
    real_payment_data,
):
    result = check_claim_data(
        {"diagnoses": ["G89.29"], "lines": [line("L8680")], "setting": "outpatient_hospital"}
    )

    assert [f for f in result.findings if f.rule == "hcpcs_coverage"] == []
