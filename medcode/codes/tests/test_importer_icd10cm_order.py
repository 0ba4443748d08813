"""The ICD-10-CM order file importer: the CMS fixed-width file and the shared CSV."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from medcode.codes.importers import icd10cm_order
from medcode.codes.importers.base import LICENSED_TEXT_REFUSED
from medcode.codes.models import Code, Release
from medcode.codes.services import import_file
from medcode.lib.errors import DataFileError

CSV_HEADER = "code,code_dot,billable,short_description,long_description\n"


def record(number: int, code: str, flag: str, short: str, long: str) -> str:
    """One order-file record in the CMS layout (order 1-5, code 7-13, flag 15, short 17-76)."""
    return f"{number:05d} {code:<7} {flag} {short:<60} {long}"


ORDER_LINES = [
    record(1, "A00", "0", "Cholera", "Cholera"),
    record(2, "A000", "1", "Cholera due to Vibrio cholerae 01, biovar cholerae",
           "Cholera due to Vibrio cholerae 01, biovar cholerae"),
    record(3, "A009", "1", "Cholera, unspecified", "Cholera, unspecified"),
    record(4, "M485", "0", "Collapsed vertebra, NEC",
           "Collapsed vertebra, not elsewhere classified"),
    record(5, "M4850", "0", "Collapsed vertebra, NEC, site unsp",
           "Collapsed vertebra, not elsewhere classified, site unspecified"),
    record(6, "M4850XA", "1", "Collapsed vertebra, NEC, site unsp, init",
           "Collapsed vertebra, not elsewhere classified, site unspecified, initial encounter "
           "for fracture"),
]  # fmt: skip
ORDER_TXT = "\r\n".join(ORDER_LINES) + "\r\n"


def write(path: Path, text: str, *, gz: bool = False) -> Path:
    if gz:
        with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def csv_rows(count: int) -> str:
    lines = [CSV_HEADER]
    for n in range(count):
        code = f"T{n // 100 % 100:02d}{n % 100:02d}"
        lines.append(f"{code},{code[:3]}.{code[3:]},1,Short {n},Long description number {n}\n")
    return "".join(lines)


def refused(path: Path) -> DataFileError:
    """Import a bad file: the error it raises, after checking nothing was written."""
    before = Release.objects.count()
    with pytest.raises(DataFileError) as caught:
        import_file(path)
    assert Release.objects.count() == before
    assert Code.objects.count() == 0
    assert str(path) in str(caught.value)
    return caught.value


@pytest.mark.django_db
def test_it_loads_the_fixed_width_order_file_with_short_and_long_titles(tmp_path):
    result = import_file(write(tmp_path / "icd10cm_order_2025.txt", ORDER_TXT))

    assert (result.status, result.row_counts) == ("imported", {"codes": 6})
    release = Release.objects.get()
    assert (release.dataset, release.code_system, release.version_label) == (
        "icd10cm_order",
        "ICD10CM",
        "FY2025",
    )
    assert (release.effective_from, release.effective_to) == (
        dt.date(2024, 10, 1),
        dt.date(2025, 9, 30),
    )
    codes = {c.code: c for c in Code.objects.all()}
    a000 = codes["A000"]
    assert (a000.display, a000.short_description, a000.is_billable, a000.level, a000.parent) == (
        "A00.0",
        "Cholera due to Vibrio cholerae 01, biovar cholerae",
        True,
        "code",
        "A00",
    )
    assert (codes["A00"].level, codes["A00"].is_billable) == ("category", False)
    assert (codes["M4850"].level, codes["M4850"].parent) == ("subcategory", "M485")
    seventh = codes["M4850XA"]
    assert (seventh.display, seventh.parent, seventh.short_description) == (
        "M48.50XA",
        "M4850",
        "Collapsed vertebra, NEC, site unsp, init",
    )
    assert seventh.long_description.endswith("initial encounter for fracture")


@pytest.mark.django_db
def test_an_april_order_file_is_the_april_update(tmp_path):
    result = import_file(write(tmp_path / "icd10cm-order-April-2025.txt", ORDER_TXT))

    release = Release.objects.get(pk=result.release_id)
    assert release.version_label == "FY2025 April"
    assert release.effective_from == dt.date(2025, 4, 1)


@pytest.mark.django_db
def test_it_loads_the_shared_csv(tmp_path):
    text = CSV_HEADER + (
        "A00,A00,0,Cholera,Cholera\n"
        'A000,A00.0,1,"Cholera due to Vibrio cholerae 01, biovar cholerae",'
        '"Cholera due to Vibrio cholerae 01, biovar cholerae"\n'
    )
    result = import_file(write(tmp_path / "icd10cm_order_2025.csv.gz", text, gz=True))

    assert result.row_counts == {"codes": 2}
    assert Release.objects.get().version_label == "FY2025"
    assert Code.objects.get(code="A000").parent == "A00"


@pytest.mark.django_db
def test_it_imports_the_same_file_twice_as_unchanged(tmp_path):
    path = write(tmp_path / "icd10cm_order_2025.txt", ORDER_TXT)
    import_file(path)

    assert import_file(path).status == "unchanged"
    assert Code.objects.count() == 6


@pytest.mark.django_db
def test_it_refuses_a_csv_without_a_required_column(tmp_path):
    text = "code,code_dot,billable,long_description\nA00,A00,0,Cholera\n"
    error = refused(write(tmp_path / "icd10cm_order_2025.csv", text))

    assert error.line == 1
    assert "header lacks column(s): short_description" in error.message


@pytest.mark.django_db
def test_it_refuses_a_record_too_short_for_the_layout(tmp_path):
    lines = [*ORDER_LINES[:2], "00003 A009    1 Cholera, unspecified"]
    error = refused(write(tmp_path / "icd10cm_order_2025.txt", "\n".join(lines)))

    assert error.line == 3
    assert error.message == icd10cm_order.SHORT_RECORD.format(length=36)


@pytest.mark.django_db
def test_it_refuses_a_record_out_of_column(tmp_path):
    lines = [*ORDER_LINES[:2], " " + ORDER_LINES[2]]
    error = refused(write(tmp_path / "icd10cm_order_2025.txt", "\n".join(lines)))

    assert error.line == 3
    assert "column 6 should be blank" in error.message


@pytest.mark.django_db
def test_it_refuses_a_bad_billable_flag(tmp_path):
    lines = [*ORDER_LINES[:2], record(3, "A009", "Y", "Cholera, unspecified", "Cholera")]
    error = refused(write(tmp_path / "icd10cm_order_2025.txt", "\n".join(lines)))

    assert (error.line, error.message) == (3, icd10cm_order.BAD_FLAG.format(value="Y"))


@pytest.mark.django_db
def test_it_refuses_a_duplicate_code(tmp_path):
    lines = [*ORDER_LINES, record(7, "A000", "1", "Cholera again", "Cholera again")]
    error = refused(write(tmp_path / "icd10cm_order_2025.txt", "\n".join(lines)))

    assert error.line == 7
    assert "duplicate code 'A000' (first seen on line 2)" in error.message


@pytest.mark.django_db
def test_it_refuses_cpt_descriptor_text_naming_file_and_line(tmp_path):
    lines = [*ORDER_LINES[:3], record(4, "99213", "1", "Office visit", "Office or other visit")]
    error = refused(write(tmp_path / "icd10cm_order_2025.txt", "\n".join(lines)))

    assert error.line == 4
    assert error.message == LICENSED_TEXT_REFUSED.format(kind="CPT", code="99213")


@pytest.mark.django_db
def test_it_refuses_a_truncated_gzip_file(tmp_path):
    path = write(tmp_path / "icd10cm_order_2025.csv.gz", csv_rows(6000), gz=True)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    error = refused(path)

    assert "truncated or corrupt" in error.message
    assert error.line is not None and error.line > 1


@pytest.mark.django_db
def test_it_does_not_take_an_order_file_by_name_alone(tmp_path):
    path = write(tmp_path / "icd10cm_order_2025.txt", "code,long_description\nA00,Cholera\n")

    with pytest.raises(DataFileError, match="unknown file"):
        import_file(path)


@pytest.mark.fulldata
@pytest.mark.django_db
def test_the_shared_fy2025_order_csv_loads_every_code(shared_data_dir):
    result = import_file(shared_data_dir / "icd10cm_order_2025.csv.gz")

    assert result.row_counts == {"codes": 97_584}
    assert result.version_label == "FY2025"
    release = Release.objects.get(pk=result.release_id)
    s72001a = release.codes.get(code="S72001A")
    assert s72001a.parent == "S72001"
    assert s72001a.short_description
