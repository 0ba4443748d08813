"""The issue's checks on the real ICD-10-CM releases (FY2025 order file, FY2026 codes file);
skipped without MEDCODE_DATA_DIR."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from medcode.codes.queries import clear_caches
from medcode.codes.services import import_file
from medcode.fhir.tests.helpers import ICD10CM, get, release, values
from medcode.search.index import rebuild_index

FILES = ("icd10cm_order_2025.csv.gz", "icd10cm_codes_2026.csv.gz")


def test_e11a_fracture_femur_on_the_real_releases(
    shared_data_dir: Path, db: None, settings, client
) -> None:
    settings.MEDCODE_METERING = False
    settings.MEDCODE_RELEASE_CHECK_SECONDS = 0
    for name in FILES:
        path = shared_data_dir / name
        if not path.exists():
            pytest.skip(f"{name} is not in MEDCODE_DATA_DIR")
        import_file(path)
    rebuild_index(force=True)
    clear_caches()

    def verdict(date: str) -> dict[str, object]:
        body = get(client, "CodeSystem/$validate-code", url=ICD10CM, code="E11.A", date=date)
        return values(body)

    # E11.A was added in FY2026: not yet valid under FY2025, valid under FY2026.
    early = verdict("2025-06-01")
    assert early["result"] is False and "not yet valid on 2025-06-01" in str(early["message"])
    assert verdict("2026-06-01")["result"] is True
    oldest = release("icd10cm_order").effective_from - dt.timedelta(days=1)
    none = verdict(oldest.isoformat())
    assert none["result"] is False and "No ICD-10-CM release is loaded" in str(none["message"])

    url = f"{ICD10CM}?fhir_vs"
    seen: list[str] = []
    for offset in range(0, 700, 100):
        body = get(
            client,
            "ValueSet/$expand",
            url=url,
            filter="fracture femur",
            count="100",
            offset=str(offset),
            date="2026-06-01",
        )
        page = [c["code"] for c in body["expansion"].get("contains", [])]
        assert len(page) == 100, offset
        seen += page
    assert len(set(seen)) == 700
    assert all("femur" in c["display"].lower() for c in body["expansion"]["contains"])
    clear_caches()
