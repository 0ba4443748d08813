"""NCD coverage over the real NCD coding spreadsheet (skipped without ../shared/incoming/2026)."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcode.claims.services import check_claim_data
from medcode.codes.services import import_file

SPREADSHEET = "2026100-Initial-ICD10-NCD-Spreadsheet-20250721.xlsx"


@pytest.fixture
def real_ncd(db: None, shared_data_dir: Path) -> None:
    path = shared_data_dir.parent / "incoming" / "2026" / SPREADSHEET
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    import_file(path)


@pytest.mark.fulldata
def test_a_blood_count_with_a_denied_diagnosis_is_not_covered_by_ncd_190_15(real_ncd):
    def ncd_findings(diagnosis: str) -> list[str]:
        result = check_claim_data(
            {
                "diagnoses": [diagnosis],
                "lines": [
                    {"code": "85025", "date_of_service": "2026-02-02", "diagnosis_pointers": [1]}
                ],
            }
        )
        return [f"{f.message} | {f.source}" for f in result.findings if f.rule == "ncd"]

    [denied] = ncd_findings("Z00.00")  # a general adult examination: on 190.15's denied list

    assert "not covered by NCD 190.15" in denied
    assert "Z00.00 denied" in denied
    assert "January 2026" in denied.split(" | ")[1]
    assert ncd_findings("D64.9") == []  # anaemia, unspecified: not listed, so covered


@pytest.mark.fulldata
def test_coverage_for_reads_the_same_spreadsheet_for_callers_outside_the_claim_check(real_ncd):
    from datetime import date

    from medcode.claims.coverage import coverage_for

    found = coverage_for("85025", ["Z00.00", "D64.9"], date(2026, 2, 2))
    none = coverage_for("99213", ["Z00.00"], date(2026, 2, 2))

    assert [(v.ncd, v.diagnosis, v.resolution_text) for v in found.verdicts] == [
        ("190.15", "Z0000", "denied"),
        ("190.15", "D649", "covered by Medicare"),
    ]
    assert found.is_covered is True
    assert "January 2026" in found.source
    assert none.verdicts == () and none.is_covered is None
