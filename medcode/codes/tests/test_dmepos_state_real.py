"""The DMEPOS fee in a state on a HCPCS code page (?state=, ?rural=, or the state of
?locality=), over the real April 2025 DMEPOS and HCPCS files, equal to the file's cells."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from medcode.codes.services import import_file


@pytest.fixture
def real_dmepos(db: None, shared_data_dir: Path, settings) -> Path:
    settings.MEDCODE_METERING = False
    for name in (
        "hcpcs_level2_2024_07.csv.gz",
        "dmepos_fee_schedule_2025_04.csv.gz",
        "pfs_gpci_2025.csv.gz",
        "pfs_locality_counties_2025.csv.gz",
    ):
        import_file(shared_data_dir / name)
    return shared_data_dir


def raw(path: Path, code: str) -> dict[str, dict[str, str]]:
    with gzip.open(path, "rt", newline="") as handle:
        return {r["mod"]: r for r in csv.DictReader(handle) if r["hcpcs"] == code}


def panel(client: Client, query: str) -> dict[str, Any]:
    data = client.get(f"/api/v1/codes/E0114?{query}", HTTP_HOST="localhost").json()
    [found] = [p for p in data["panels"] if p["key"] == "dmepos_state"]
    assert isinstance(found, dict)
    return found


@pytest.mark.fulldata
def test_e0114_in_texas_shows_each_modifiers_fee_from_the_file(real_dmepos, client: Client):
    rows = raw(real_dmepos / "dmepos_fee_schedule_2025_04.csv.gz", "E0114")

    found = panel(client, "date=2025-05-01&state=tx")
    page = client.get("/codes/E0114/?date=2025-05-01&state=TX", HTTP_HOST="localhost")

    facts = {f["label"]: f["value"] for f in found["facts"]}
    assert facts == {f"E0114 {mod}": f"${float(rows[mod]['tx_nr']):,.2f}" for mod in rows}
    assert facts["E0114 NU"] == "$57.53"
    assert found["title"] == "DMEPOS fee in TX"
    assert found["source"]["source_file"] == "dmepos_fee_schedule_2025_04.csv.gz"
    html = page.content.decode()
    assert "DMEPOS fee in TX" in html and "$57.53" in html


@pytest.mark.fulldata
def test_rural_a_locality_a_2026_date_and_a_bad_state_are_said(real_dmepos, client: Client):
    rows = raw(real_dmepos / "dmepos_fee_schedule_2025_04.csv.gz", "E0114")
    assert rows["NU"]["tx_r"] in {"0", "0.0", "0.00"}  # the file gives no rural fee for it
    rural = panel(client, "date=2025-05-01&state=TX&rural=true")
    assert {f["value"] for f in rural["facts"]} == {"none listed (0.00 in the file)"}

    by_county = panel(client, "date=2025-05-01&locality=Kings County, NY")
    nu = next(f for f in by_county["facts"] if f["label"] == "E0114 NU")
    assert nu["value"] == f"${float(rows['NU']['ny_nr']):,.2f}"
    by_name = panel(client, "date=2025-05-01&locality=13202-01")
    assert by_name["title"] == "DMEPOS fee in NY"

    later = panel(client, "date=2026-02-01&state=TX")
    assert not later["facts"] and "No DMEPOS fee schedule of 2026 is loaded" in later["summary"]
    bad = panel(client, "date=2025-05-01&state=Texas")
    assert "No state from 'Texas'" in bad["summary"]


@pytest.mark.fulldata
def test_a_code_without_dmepos_rows_gets_no_state_panel(real_dmepos, client: Client):
    data = client.get("/api/v1/codes/G0008?date=2025-05-01&state=TX", HTTP_HOST="localhost")
    assert data.status_code == 200
    assert not [p for p in data.json()["panels"] if p["key"] == "dmepos_state"]


@pytest.mark.fulldata
def test_an_anesthesia_code_in_a_locality_says_why_no_amount(db, shared_data_dir, client, settings):
    settings.MEDCODE_METERING = False
    for name in ("pfs_rvu_2025d.csv.gz", "pfs_gpci_2025.csv.gz"):
        import_file(shared_data_dir / name)
    data = client.get(
        "/api/v1/codes/00100?date=2025-11-03&locality=13202-01", HTTP_HOST="localhost"
    ).json()
    [found] = [p for p in data["panels"] if p["key"] == "fee_schedule_locality"]
    facts = {f["label"]: f for f in found["facts"]}
    assert facts["Anesthesia payment"]["value"] == "Not computed"
    assert "base units" in facts["Anesthesia payment"]["meaning"]
    assert "Non-facility payment" not in facts  # no $0.00 from the zero RVUs
