"""Place of service code set importer."""

from __future__ import annotations

import datetime as dt
import gzip
import os
from pathlib import Path

import pytest

from conftest import write_text
from medcode.codes.models import Code, CodeSystem, Release
from medcode.codes.services import import_file
from medcode.lib.errors import DataFileError

HEADER = "pos_code,facility_or_nonfacility,pos_name,pos_description\n"
ROWS = (
    "01,Non-Facility,Pharmacy,A facility where drugs are dispensed.\n"
    '21,Facility,Inpatient Hospital,"A facility, other than psychiatric, which provides care."\n'
    "30,Unassigned,Unassigned,Unassigned\n"
)


def pos_file(tmp_path: Path, rows: str = ROWS, name: str = "place_of_service_codes_2024.csv.gz"):
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
def test_pos_codes_import_with_their_setting_and_unassigned_rows_not_billable(
    tmp_path: Path,
) -> None:
    result = import_file(pos_file(tmp_path))

    assert (result.dataset, result.version_label, result.row_counts) == (
        "pos",
        "2024 June",
        {"codes": 3},
    )
    release = Release.objects.get()
    assert release.effective_from == dt.date(2024, 6, 1) and release.code_system == CodeSystem.POS
    hospital = Code.objects.get(code="21")
    assert hospital.system == CodeSystem.POS and hospital.is_billable
    assert hospital.short_description == "Inpatient Hospital"
    assert hospital.long_description.startswith("A facility, other than psychiatric")
    assert hospital.attributes == {"setting": "facility"}
    assert Code.objects.get(code="01").attributes == {"setting": "nonfacility"}
    unassigned = Code.objects.get(code="30")
    assert not unassigned.is_billable and unassigned.level == "unassigned"


@pytest.mark.django_db
def test_a_later_snapshot_named_with_its_month_is_a_newer_release(tmp_path: Path) -> None:
    import_file(pos_file(tmp_path))
    result = import_file(pos_file(tmp_path, name="place_of_service_codes_2025_10.csv"))
    assert (result.version_label, result.is_current) == ("2025 October", True)


@pytest.mark.django_db
def test_a_bad_code_is_refused_naming_the_line(tmp_path: Path) -> None:
    import_file(pos_file(tmp_path))
    path = pos_file(tmp_path / "b", ROWS + "1A,Facility,Odd,Odd\n")
    path = path.rename(path.with_name("place_of_service_codes_2025.csv.gz"))
    assert_refused(path, 5, "not a place of service code")


@pytest.mark.django_db
def test_a_duplicate_code_is_refused(tmp_path: Path) -> None:
    path = pos_file(tmp_path, ROWS + "01,Non-Facility,Pharmacy again,Text\n")
    assert_refused(path, 5, "duplicate place of service code '01' (first seen on line 2)")


@pytest.mark.django_db
def test_an_unknown_setting_is_refused(tmp_path: Path) -> None:
    assert_refused(pos_file(tmp_path, ROWS + "99,Somewhere,Other,Other\n"), 5, "'somewhere'")


@pytest.mark.django_db
def test_a_missing_column_makes_the_file_unknown(tmp_path: Path) -> None:
    path = write_text(tmp_path / "place_of_service_codes_2024.csv", "pos_code,pos_name\n01,X\n")
    assert_refused(path, 1, "unknown file")


@pytest.mark.django_db
def test_a_truncated_gzip_is_refused(tmp_path: Path) -> None:
    rows = "".join(f"{i:02d},Facility,Name,{os.urandom(2000).hex()}\n" for i in range(1, 100))
    body = gzip.compress((HEADER + rows).encode())
    path = tmp_path / "place_of_service_codes_2024.csv.gz"
    path.write_bytes(body[: len(body) // 2])
    assert_refused(path, None, "truncated or corrupt")


@pytest.mark.django_db
def test_importing_the_same_pos_file_twice_is_unchanged(tmp_path: Path) -> None:
    path = pos_file(tmp_path)
    assert import_file(path).status == "imported"
    assert import_file(path).status == "unchanged"


@pytest.mark.fulldata
@pytest.mark.django_db
def test_the_shared_pos_file_imports_its_99_codes(shared_data_dir: Path) -> None:
    result = import_file(shared_data_dir / "place_of_service_codes_2024.csv.gz")
    assert result.row_counts == {"codes": 99}
    assert Code.objects.filter(is_billable=True).count() == 52
