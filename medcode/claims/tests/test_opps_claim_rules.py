"""Which rules apply to an outpatient hospital (OPPS) claim, and which codes are valid, over the
real PFS (RVU25D), HCPCS (July 2024), OPPS Addendum B (April 2026) and DMEPOS (April 2025)
files (skipped without them). docs/payment.md, "Which rules apply to an outpatient hospital claim"."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medcode.claims.services import check_claim_data
from medcode.codes.services import import_file

OPPS_DOS = "2026-05-04"  # Addendum B April 2026 in force
BEFORE_OPPS = "2025-11-03"  # RVU25D in force, no Addendum B yet
PFS_RULES = {
    "pfs_status",
    "global_surgery",
    "bilateral",
    "pctc",
    "assistant",
    "cosurgeon",
    "team",
    "pfs_not_used",
    "place_of_service",
}


@pytest.fixture
def real_files(db: None, shared_data_dir: Path) -> None:
    for name in (
        "pfs_rvu_2025d.csv.gz",
        "hcpcs_level2_2024_07.csv.gz",
        "opps_addendum_b_2026_04.csv.gz",
        "dmepos_fee_schedule_2025_04.csv.gz",
    ):
        import_file(shared_data_dir / name)


def check(setting: str, *lines: dict[str, Any]) -> list[Any]:
    result = check_claim_data({"diagnoses": ["M17.11"], "lines": list(lines), "setting": setting})
    return list(result.findings)


def line(code: str, *modifiers: str, dos: str = OPPS_DOS, pos: str = "22") -> dict[str, Any]:
    return {
        "code": code,
        "modifiers": list(modifiers),
        "units": 1,
        "date_of_service": dos,
        "place_of_service": pos,
        "diagnosis_pointers": [1],
    }


# One database for all cases: importing the real files is the slow part.
@pytest.mark.fulldata
def test_opps_claims_get_no_pfs_findings_and_opps_listed_codes_are_valid(real_files):
    pfs_findings_only_on_the_practitioner_claim()
    a_pla_code_in_addendum_b_is_valid_from_its_effective_date()
    a_dme_code_in_the_dmepos_file_is_valid_from_its_effective_date()


def pfs_findings_only_on_the_practitioner_claim() -> None:
    # 36415: PFS status X (not a PFS service), OPPS SI Q4. 99214 the day of 27447 (090 global,
    # OPPS SI J1 / B): the global surgery rule is about the surgeon's package. 26 on 99213: PC/TC.
    lines = [line("36415"), line("99214"), line("27447"), line("99213", "26")]
    practitioner = {f.rule for f in check("practitioner", *lines)}
    hospital = check("outpatient_hospital", *lines)

    assert {"pfs_status", "global_surgery", "pctc"} <= practitioner
    assert PFS_RULES.isdisjoint(f.rule for f in hospital)
    assert not any("PFS" in f.message or "global period" in f.message for f in hospital)


def a_pla_code_in_addendum_b_is_valid_from_its_effective_date() -> None:
    # 0001U is not in the PFS file (where CPT codes come from), but Addendum B lists it (SI A).
    for setting in ("practitioner", "outpatient_hospital"):
        assert "code_invalid" not in {f.rule for f in check(setting, line("0001U"))}
    # Before Addendum B's release no loaded file lists it: still invalid then.
    [invalid] = [
        f for f in check("practitioner", line("0001U", dos=BEFORE_OPPS)) if f.rule == "code_invalid"
    ]
    assert invalid.lines == (1,)
    # A code no file lists stays invalid on the OPPS date.
    assert "code_invalid" in {f.rule for f in check("outpatient_hospital", line("0000U"))}


def a_dme_code_in_the_dmepos_file_is_valid_from_its_effective_date() -> None:
    # E0683 is in the April 2025 DMEPOS file but not in the July 2024 HCPCS file.
    def rules(dos: str) -> set[str]:
        return {f.rule for f in check("practitioner", line("E0683", dos=dos, pos="12"))}

    assert "code_invalid" not in rules("2025-05-05")
    assert "code_invalid" in rules("2025-02-03")
