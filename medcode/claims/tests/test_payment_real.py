"""The expected payment of a multi-line claim over the real 2025 PFS and GPCI files, checked
to the cent against a calculation written out here from the raw rows (skipped without them).
"""

from __future__ import annotations

import csv
import gzip
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from medcode.claims.payment import NATIONAL_BASIS
from medcode.codes.services import import_file

DOS = "2025-11-03"
CHECK = "/api/v1/claims/check"


@pytest.fixture
def real_pfs(db: None, shared_data_dir: Path) -> Path:
    for name in (
        "pfs_rvu_2025d.csv.gz",
        "pfs_gpci_2025.csv.gz",
        "pfs_locality_counties_2025.csv.gz",
    ):
        import_file(shared_data_dir / name)
    return shared_data_dir


def raw_rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", newline="") as handle:
        return list(csv.DictReader(handle))


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def line(code: str, *modifiers: str, units: int = 1) -> dict[str, Any]:
    return {
        "code": code,
        "modifiers": list(modifiers),
        "units": units,
        "date_of_service": DOS,
        "place_of_service": "22",  # outpatient hospital: the facility rate
        "diagnosis_pointers": [1],
    }


CLAIM_LINES = [
    line("27130"),
    line("27447", "50"),
    line("20610", "RT"),
    line("20610", "LT"),
    line("64484", units=2),
    line("99214", "57"),
    line("27447", "80"),
]


@pytest.mark.fulldata
def test_a_claims_expected_payment_equals_the_hand_calculation_to_the_cent(real_pfs, client):
    # The raw rows as CMS printed them, read without the importer.
    [gpci] = [
        r
        for r in raw_rows(real_pfs / "pfs_gpci_2025.csv.gz")
        if r["mac"] == "13202" and r["locality"] == "01"
    ]
    rvu = {r["hcpcs"]: r for r in raw_rows(real_pfs / "pfs_rvu_2025d.csv.gz") if not r["modifier"]}

    def facility_fee(code: str) -> Decimal:
        row = rvu[code]
        total = (
            Decimal(row["work_rvu"]) * Decimal(gpci["pw_gpci_with_floor"])
            + Decimal(row["facility_pe_rvu"]) * Decimal(gpci["pe_gpci"])
            + Decimal(row["mp_rvu"]) * Decimal(gpci["mp_gpci"])
        ) * Decimal(row["conv_factor"])
        return cents(total)

    # The indicators the hand calculation relies on, as the file gives them.
    assert [rvu[c]["mult_proc_ind"] for c in ("27130", "27447", "20610", "64484", "99214")] == [
        "2",
        "2",
        "2",
        "0",
        "0",
    ]
    assert rvu["27447"]["bilat_surg_ind"] == "1" and rvu["20610"]["bilat_surg_ind"] == "1"
    assert rvu["27447"]["asst_surg_ind"] == "2"
    # Ranking for the standard reduction (MULT PROC 2): 27447-50 at 150% of its fee, then
    # 27130, then the 20610 RT/LT pair as one bilateral procedure at 150%.
    assert facility_fee("27447") * Decimal("1.5") > facility_fee("27130")
    assert facility_fee("27130") > facility_fee("20610") * Decimal("1.5")
    expected = {
        1: cents(facility_fee("27130") * Decimal("0.5")),  # second procedure: 50%
        2: cents(facility_fee("27447") * Decimal("1.5")),  # bilateral 150%, first: 100%
        3: cents(facility_fee("20610") * Decimal("0.5")),  # RT: 100% of the side, third: 50%
        4: cents(facility_fee("20610") * Decimal("0.25")),  # LT: the other 50%, third: 50%
        5: cents(facility_fee("64484") * 2),  # add-on, no reduction: 2 units
        6: facility_fee("99214"),  # E/M, no reduction
        7: None,  # assistant at surgery: its share is not in the layout medcode reads
    }
    total = sum(v for v in expected.values() if v is not None)

    body = {"locality": "13202-01", "diagnoses": ["M17.11"], "lines": CLAIM_LINES}
    response = client.post(CHECK, data=json.dumps(body), content_type="application/json")

    assert response.status_code == 200
    payment = response.json()["payment"]
    amounts = {p["line"]: p["amount"] for p in payment["lines"]}
    assert amounts == {n: None if v is None else f"{v:.2f}" for n, v in expected.items()}
    assert payment["total"] == f"{total:.2f}"
    assert payment["is_complete"] is False
    assert payment["locality"]["name"] == "MANHATTAN"
    adjustments = {a["indicator"]: a for p in payment["lines"] for a in p["adjustments"]}
    assert "RVU25D" in adjustments["MULT PROC 2"]["message"]
    assert adjustments["BILAT SURG 1"]["source"].startswith("Medicare PFS relative values RVU25D")
    assert adjustments["ASST SURG 2"]["percent"] is None
    assert "pfs_gpci_2025.csv.gz" in payment["sources"]["gpci"]

    # Without a locality: national amounts (GPCIs of 1), and the claim says so.
    del body["locality"]
    national = client.post(CHECK, data=json.dumps(body), content_type="application/json").json()
    row = rvu["99214"]
    fee_99214 = cents(
        (Decimal(row["work_rvu"]) + Decimal(row["facility_pe_rvu"]) + Decimal(row["mp_rvu"]))
        * Decimal(row["conv_factor"])
    )
    assert national["payment"]["basis"] == "national"
    assert national["payment"]["lines"][5]["amount"] == f"{fee_99214:.2f}"
    assert NATIONAL_BASIS in national["payment"]["notices"]

    # A locality the 2025 GPCI file does not have: national amounts, and the claim says why.
    body["locality"] = "Atlantis"
    unknown = client.post(CHECK, data=json.dumps(body), content_type="application/json").json()
    assert unknown["payment"]["basis"] == "national"
    assert any("No 2025 payment locality 'Atlantis'" in n for n in unknown["payment"]["notices"])

    # A 2026 date: the only PFS file loaded is of 2025, so nothing is priced (years not mixed).
    body["lines"] = [{**line("99214"), "date_of_service": "2026-02-02"}]
    later = client.post(CHECK, data=json.dumps(body), content_type="application/json").json()
    assert later["payment"]["lines"][0]["amount"] is None
    assert "No PFS relative value file of 2026" in later["payment"]["lines"][0]["reason"]


@pytest.mark.fulldata
def test_modifiers_54_55_56_are_paid_the_pfs_shares_of_the_global_package(real_pfs, client):
    rvu = {r["hcpcs"]: r for r in raw_rows(real_pfs / "pfs_rvu_2025d.csv.gz") if not r["modifier"]}
    row = rvu["27130"]
    pre, intra, post = (Decimal(row[k]) for k in ("pre_op_pct", "intra_op_pct", "post_op_pct"))
    # The file's split for a total hip: 10% / 69% / 21%.
    assert (pre, intra, post) == (Decimal("0.10"), Decimal("0.69"), Decimal("0.21"))
    national = cents(
        (Decimal(row["work_rvu"]) + Decimal(row["facility_pe_rvu"]) + Decimal(row["mp_rvu"]))
        * Decimal(row["conv_factor"])
    )
    body = {
        "diagnoses": ["M16.11"],
        "lines": [
            line("27130", "54"),
            line("27130", "55"),
            line("27130", "56"),
            line("99214", "54"),
        ],
    }
    response = client.post(CHECK, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    lines = {p["line"]: p for p in response.json()["payment"]["lines"]}
    # Each on its own date would be one procedure; here all three are 27130 on one date, and
    # the standard multiple procedure reduction ranks them, so compare through the shares.
    shares = {
        n: next(a for a in lines[n]["adjustments"] if a["rule"] == "split_care") for n in (1, 2, 3)
    }
    assert Decimal(shares[1]["percent"]) == (pre + intra) * 100
    assert Decimal(shares[2]["percent"]) == post * 100
    assert Decimal(shares[3]["percent"]) == pre * 100
    assert "most it is paid" in shares[2]["message"] and "RVU25D" in shares[1]["message"]
    # 99214 has no global package: 54 has nothing to divide, so the line is not priced.
    assert lines[4]["status"] == "not_priced" and "no global" in lines[4]["reason"]

    # One line alone: 54 is paid PRE OP + INTRA OP of the fee, to the cent.
    alone = client.post(
        CHECK,
        data=json.dumps({"diagnoses": ["M16.11"], "lines": [line("27130", "54")]}),
        content_type="application/json",
    ).json()["payment"]["lines"][0]
    assert alone["amount"] == f"{cents(national * (pre + intra)):.2f}"


@pytest.mark.fulldata
def test_modifier_52_is_not_priced_and_names_the_full_fee_as_the_ceiling(real_pfs, client):
    body = {"diagnoses": ["M16.11"], "lines": [line("99214", "52"), line("99214")]}
    response = client.post(CHECK, data=json.dumps(body), content_type="application/json")
    first, second = response.json()["payment"]["lines"]
    assert first["status"] == "not_priced" and first["amount"] is None
    assert "Modifier 52" in first["reason"] and second["amount"] in first["reason"]
    assert second["status"] == "priced"
