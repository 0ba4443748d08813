"""PFS payment in a locality: the formula, and the code page with ?locality= on the real files."""

from __future__ import annotations

import csv
import gzip
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from django.test import Client

from medcode.codes.page.payment import (
    Gpci,
    limiting_charge,
    locality_amount,
    non_participating,
)
from medcode.codes.services import import_file

GPCI = Gpci("99999", "01", "ZZ", "TEST", Decimal("1.1"), Decimal("0.9"), Decimal("0.5"))


def test_the_locality_amount_weights_each_rvu_by_its_gpci():
    amount = locality_amount(work=1.0, pe=2.0, mp=0.5, gpci=GPCI, conv_factor=10)

    assert amount == Decimal("31.50")  # (1.1 + 1.8 + 0.25) x 10
    assert non_participating(amount) == Decimal("29.93")  # 29.925, half up
    assert limiting_charge(amount) == Decimal("34.41")  # 31.50 x 0.95 x 1.15 = 34.41375


# --- the code page over the real 2025 files ------------------------------------------------


@pytest.fixture
def real_pfs(db: None, shared_data_dir: Path, settings) -> Path:
    settings.MEDCODE_METERING = False
    for name in (
        "pfs_rvu_2025d.csv.gz",
        "pfs_gpci_2025.csv.gz",
        "pfs_locality_counties_2025.csv.gz",
    ):
        import_file(shared_data_dir / name)
    return shared_data_dir


def rows(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", newline="") as handle:
        return list(csv.DictReader(handle))


def dollars(value: Decimal) -> str:
    return f"${value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


@pytest.mark.fulldata
def test_99214_in_manhattan_equals_the_hand_calculation_from_the_files(real_pfs, client: Client):
    # Read independently of the importer: the raw GPCI and RVU rows as CMS printed them.
    [gpci] = [
        r
        for r in rows(real_pfs / "pfs_gpci_2025.csv.gz")
        if r["mac"] == "13202" and r["locality"] == "01"
    ]
    [rvu] = [
        r
        for r in rows(real_pfs / "pfs_rvu_2025d.csv.gz")
        if r["hcpcs"] == "99214" and not r["modifier"]
    ]
    work = Decimal(rvu["work_rvu"]) * Decimal(gpci["pw_gpci_with_floor"])
    mp = Decimal(rvu["mp_rvu"]) * Decimal(gpci["mp_gpci"])
    cf = Decimal(rvu["conv_factor"])
    office = (work + Decimal(rvu["nonfac_pe_rvu"]) * Decimal(gpci["pe_gpci"]) + mp) * cf
    facility = (work + Decimal(rvu["facility_pe_rvu"]) * Decimal(gpci["pe_gpci"]) + mp) * cf
    office_paid = office.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    html = client.get(
        "/codes/99214/?date=2025-11-03&locality=13202-01", HTTP_HOST="localhost"
    ).content.decode()

    assert "MANHATTAN" in html
    assert dollars(office) in html
    assert dollars(facility) in html
    assert dollars(office_paid * Decimal("0.95") * Decimal("1.15")) in html  # limiting charge
    assert "pfs_gpci_2025.csv.gz" in html


@pytest.mark.fulldata
def test_a_2026_date_shows_national_only_and_says_the_gpcis_are_missing(real_pfs, client: Client):
    html = client.get(
        "/codes/99214/?date=2026-02-02&locality=13202-01", HTTP_HOST="localhost"
    ).content.decode()

    assert "GPCIs for 2026 are not loaded" in html
    assert "Non-facility national payment" in html
    assert "Non-facility limiting charge" not in html


@pytest.mark.fulldata
def test_an_unknown_locality_is_said_plainly(real_pfs, client: Client):
    html = client.get(
        "/codes/99214/?date=2025-11-03&locality=00000-77", HTTP_HOST="localhost"
    ).content.decode()

    assert "No 2025 payment locality" in html


@pytest.mark.fulldata
def test_the_json_twin_carries_the_locality_panel(real_pfs, client: Client):
    data = client.get(
        "/api/v1/codes/99214?date=2025-11-03&locality=13202-01", HTTP_HOST="localhost"
    ).json()
    page = client.get("/codes/99214/?date=2025-11-03&locality=13202-01", HTTP_HOST="localhost")

    [panel] = [p for p in data["panels"] if p["key"] == "fee_schedule_locality"]
    facts = {f["label"]: f["value"] for f in panel["facts"]}
    assert facts["Non-facility payment"] in page.content.decode()
    assert panel["source"]["source_file"] == "pfs_gpci_2025.csv.gz"


@pytest.mark.fulldata
@pytest.mark.parametrize(
    ("wanted", "key"),
    [
        ("13202-01", "13202-01"),
        ("manhattan", "13202-01"),
        ("Kings County, NY", "13202-02"),
        ("Queens, New York", "13292-04"),
        ("Albany County, NY", "13282-99"),  # not listed: the state's "all other counties"
        ("Nowhere County, ZZ", None),
    ],
)
def test_a_locality_is_found_by_number_name_or_county(real_pfs, wanted, key):
    from medcode.codes.page.payment import find_locality, gpci_release

    release = gpci_release(date(2025, 11, 3))
    assert release is not None
    found = find_locality(release, wanted)

    assert (found.key if found else None) == key
