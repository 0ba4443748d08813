"""OPPS Addendum B importer: the official xlsx/CSV and the shared normalised CSV."""

from __future__ import annotations

import datetime as dt
import gzip
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from conftest import write_text
from medcode.codes.importers.registry import detect
from medcode.codes.models import OppsItem, Release
from medcode.codes.services import import_file
from medcode.lib.errors import DataFileError

HEADER = (
    "hcpcs,short_description_level2_only,status_indicator,payment_rate,changed_vs_prior,release\n"
)
ROWS = (
    "0001F,,E1,,false,2026-04\n"
    "99213,,Q4,,false,2026-04\n"
    "C9600,Perc drug-el cor stent sing,J1,7413.38,true,2026-04\n"
    "J9035,Bevacizumab injection,K,127.14,false,2026-04\n"
)
OFFICIAL_HEADER = [
    "HCPCS Code",
    "Short Descriptor",
    "SI",
    "APC",
    "Relative Weight",
    "Payment Rate",
    "National Unadjusted Copayment",
    "Minimum Unadjusted Copayment",
]


def shared(tmp_path: Path, rows: str = ROWS, name: str = "opps_addendum_b_2026_04.csv.gz"):
    return write_text(tmp_path / name, HEADER + rows, gz=name.endswith(".gz"))


def assert_refused(path: Path, line: int | None, *fragments: str) -> None:
    before = Release.objects.count()
    with pytest.raises(DataFileError) as raised:
        import_file(path)
    message = str(raised.value)
    assert str(path) in message
    if line is not None:
        assert f"line {line}:" in message
    for fragment in fragments:
        assert fragment in message
    assert Release.objects.count() == before


@pytest.mark.django_db
def test_the_shared_addendum_b_gives_items_with_decimal_rates(tmp_path: Path) -> None:
    result = import_file(shared(tmp_path))

    assert (result.dataset, result.version_label, result.row_counts) == (
        "opps_addendum_b",
        "2026 April",
        {"opps_items": 4},
    )
    release = Release.objects.get()
    assert (release.effective_from, release.effective_to) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 6, 30),
    )
    stent = OppsItem.objects.get(code="C9600")
    assert stent.status_indicator == "J1" and stent.payment_rate == Decimal("7413.38")
    assert stent.attributes == {
        "short_description": "Perc drug-el cor stent sing",
        "changed_vs_prior": True,
    }
    visit = OppsItem.objects.get(code="99213")
    assert visit.payment_rate is None and visit.attributes == {"changed_vs_prior": False}


@pytest.mark.django_db
def test_the_official_xlsx_drops_cpt_descriptors_after_its_title_rows(tmp_path: Path) -> None:
    path = tmp_path / "April_2026_Web_Addendum_B.04012026.xlsx"
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Addendum B.-Final OPPS Payment by HCPCS Code for CY 2026"])
    sheet.append(
        ["CPT codes and descriptions only are copyright 2025 American Medical Association."]
    )
    sheet.append([])
    sheet.append(OFFICIAL_HEADER)
    sheet.append(["99213", "Made-up descriptor one", "Q4", None, None, None, None, None])
    sheet.append(
        ["C9600", "Perc drug-el cor stent sing", "J1", "5193", 5.5, 7413.38, None, 1482.68]
    )
    sheet.append(["D0120", "Made-up dental text", "B", None, None, None, None, None])
    book.save(path)

    result = import_file(path)

    assert (result.version_label, result.row_counts) == ("2026 April", {"opps_items": 3})
    assert OppsItem.objects.get(code="99213").attributes == {}
    assert OppsItem.objects.get(code="D0120").attributes == {}
    stent = OppsItem.objects.get(code="C9600")
    assert stent.apc == "5193" and stent.payment_rate == Decimal("7413.38")
    assert stent.attributes == {
        "short_description": "Perc drug-el cor stent sing",
        "relative_weight": 5.5,
        "minimum_copayment": 1482.68,
    }


@pytest.mark.django_db
def test_the_official_508_csv_is_read_the_same_way(tmp_path: Path) -> None:
    text = (
        '"Addendum B.-OPPS Payment by HCPCS Code for CY 2026",,,,,,,\n'
        + ",".join(OFFICIAL_HEADER)
        + "\n"
        + '99213,"Made-up descriptor one",Q4,,,,,\n'
        + 'J9035,Bevacizumab injection,K,1234,2.1,"$1,127.14",,\n'
        + '"Note: footnote",,,,,,,\n'
    )
    path = write_text(tmp_path / "July_2026_Web_Addendum_B.07012026.csv", text)

    result = import_file(path)

    assert (result.version_label, result.row_counts) == ("2026 July", {"opps_items": 2})
    assert OppsItem.objects.get(code="J9035").payment_rate == Decimal("1127.14")
    assert OppsItem.objects.get(code="99213").attributes == {}


@pytest.mark.django_db
def test_an_unknown_status_indicator_is_refused_naming_the_line(tmp_path: Path) -> None:
    import_file(shared(tmp_path))
    path = shared(tmp_path / "b", ROWS + "J9036,Made-up drug,ZZ,1.00,false,2026-04\n")
    path = path.rename(path.with_name("opps_addendum_b_2026_07.csv.gz"))
    assert_refused(path, 6, "unknown OPPS status indicator 'ZZ'")


@pytest.mark.django_db
def test_a_cpt_short_descriptor_in_the_shared_csv_is_refused(tmp_path: Path) -> None:
    path = shared(tmp_path, ROWS + "99214,Made-up descriptor two,Q4,,false,2026-04\n")
    assert_refused(path, 6, "CPT code 99214", "--licensed-cpt")


@pytest.mark.django_db
def test_a_bad_payment_rate_is_refused(tmp_path: Path) -> None:
    path = shared(tmp_path, ROWS + "J9036,Made-up drug,K,12.3.4,false,2026-04\n")
    assert_refused(path, 6, "bad payment rate '12.3.4'")


@pytest.mark.django_db
def test_a_duplicate_code_is_refused(tmp_path: Path) -> None:
    path = shared(tmp_path, ROWS + "0001F,,E1,,false,2026-04\n")
    assert_refused(path, 6, "duplicate code '0001F' (first seen on line 2)")


@pytest.mark.django_db
def test_a_missing_column_or_wrong_name_is_unknown(tmp_path: Path) -> None:
    text = HEADER.replace("status_indicator,", "") + "0001F,,,false,2026-04\n"
    assert_refused(write_text(tmp_path / "opps_addendum_b_2026_04.csv", text), 1, "unknown file")
    with pytest.raises(DataFileError, match="unknown file"):
        detect(shared(tmp_path, name="addendum_b.csv"))


@pytest.mark.django_db
def test_a_truncated_gzip_is_refused(tmp_path: Path) -> None:
    rows = "".join(f"{10000 + i},,Q4,,false,2026-04\n" for i in range(20000))
    body = gzip.compress((HEADER + rows).encode())
    path = tmp_path / "opps_addendum_b_2026_04.csv.gz"
    path.write_bytes(body[: len(body) // 2])
    assert_refused(path, None, "truncated or corrupt")


@pytest.mark.django_db
def test_importing_the_same_addendum_twice_is_unchanged(tmp_path: Path) -> None:
    path = shared(tmp_path)
    assert import_file(path).status == "imported"
    assert import_file(path).status == "unchanged"


@pytest.mark.fulldata
@pytest.mark.django_db
def test_the_shared_addendum_b_imports_its_19059_codes(shared_data_dir: Path) -> None:
    result = import_file(shared_data_dir / "opps_addendum_b_2026_04.csv.gz")
    assert result.row_counts == {"opps_items": 19059}
