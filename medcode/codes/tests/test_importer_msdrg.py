"""The MS-DRG importers: CC/MCC designations and DRG relative weights."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from medcode.codes.importers import msdrg
from medcode.codes.importers.base import LICENSED_TEXT_REFUSED
from medcode.codes.models import ReferenceRow, Release, SeverityDesignation
from medcode.codes.services import import_file
from medcode.lib.errors import DataFileError

CC_MCC_CSV = """\
code,code_nodot,severity,description
A02.1,A021,MCC,Salmonella sepsis
A02.21,A0221,MCC,Salmonella meningitis
E11.00,E1100,CC,Type 2 diabetes mellitus with hyperosmolarity without NKHHC
"""
WEIGHTS_HEADER = (
    "ms_drg,post_acute_drg,special_pay_drg,mdc,type,title,weight_before_cap,weight_10pct_cap,"
    "geometric_mean_los,arithmetic_mean_los\n"
)
WEIGHTS_CSV = WEIGHTS_HEADER + (
    "001,No,No,PRE,SURG,HEART TRANSPLANT OR IMPLANT OF HEART ASSIST SYSTEM WITH MCC,"
    "28.0239,28.0239,25.8,36.2\n"
    "987,Yes,Yes,,SURG,NON-EXTENSIVE O.R. PROCEDURES UNRELATED TO PRINCIPAL DIAGNOSIS WITH MCC,"
    "3.4284,3.4284,7.8,11.1\n"
    "999,No,No,,**,UNGROUPABLE,.,.,.,\n"
)


def write(path: Path, text: str, *, gz: bool = False) -> Path:
    if gz:
        with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def refused(path: Path) -> DataFileError:
    """Import a bad file: the error it raises, after checking nothing was written."""
    before = Release.objects.count()
    with pytest.raises(DataFileError) as caught:
        import_file(path)
    assert Release.objects.count() == before
    assert SeverityDesignation.objects.count() == 0
    assert ReferenceRow.objects.count() == 0
    assert str(path) in str(caught.value)
    return caught.value


@pytest.mark.django_db
def test_it_loads_cc_and_mcc_designations_by_undotted_code(tmp_path):
    result = import_file(write(tmp_path / "icd10cm_cc_mcc_fy2026.csv.gz", CC_MCC_CSV, gz=True))

    assert (result.dataset, result.row_counts) == ("msdrg_cc_mcc", {"severities": 3})
    release = Release.objects.get()
    assert release.version_label == "MS-DRG v43 FY2026"
    assert (release.effective_from, release.effective_to) == (
        dt.date(2025, 10, 1),
        dt.date(2026, 9, 30),
    )
    assert set(SeverityDesignation.objects.values_list("code", "severity")) == {
        ("A021", "MCC"),
        ("A0221", "MCC"),
        ("E1100", "CC"),
    }


@pytest.mark.django_db
def test_it_loads_drg_weights_with_numbers_as_numbers(tmp_path):
    result = import_file(write(tmp_path / "msdrg_weights_fy2026.csv", WEIGHTS_CSV))

    assert (result.dataset, result.version_label) == ("msdrg_weights", "MS-DRG v43 FY2026")
    assert result.row_counts == {"drg_weights": 3}
    rows = {r.key: r.data for r in ReferenceRow.objects.all()}
    assert rows["001"] == {
        "post_acute_drg": False,
        "special_pay_drg": False,
        "mdc": "PRE",
        "type": "SURG",
        "title": "HEART TRANSPLANT OR IMPLANT OF HEART ASSIST SYSTEM WITH MCC",
        "weight_before_cap": 28.0239,
        "weight_10pct_cap": 28.0239,
        "geometric_mean_los": 25.8,
        "arithmetic_mean_los": 36.2,
    }
    assert rows["987"]["post_acute_drg"] is True
    assert rows["999"]["weight_before_cap"] is None
    assert rows["999"]["arithmetic_mean_los"] is None


def test_the_grouper_version_follows_the_fiscal_year(tmp_path):
    describe = msdrg.describe_fiscal_year(msdrg.WEIGHTS_NAME)

    assert describe(tmp_path / "msdrg_weights_fy2025.csv").version_label == "MS-DRG v42 FY2025"


@pytest.mark.django_db
def test_it_imports_the_same_file_twice_as_unchanged(tmp_path):
    path = write(tmp_path / "icd10cm_cc_mcc_fy2026.csv", CC_MCC_CSV)
    import_file(path)

    assert import_file(path).status == "unchanged"
    assert SeverityDesignation.objects.count() == 3


@pytest.mark.django_db
def test_it_refuses_a_severity_other_than_cc_or_mcc(tmp_path):
    error = refused(write(tmp_path / "icd10cm_cc_mcc_fy2026.csv", CC_MCC_CSV + "I10,I10,XX,x\n"))

    assert (error.line, error.message) == (5, msdrg.BAD_SEVERITY.format(value="XX"))


@pytest.mark.django_db
def test_it_refuses_codes_that_disagree_with_their_undotted_form(tmp_path):
    text = CC_MCC_CSV + "I21.0,I210X,MCC,STEMI\n"
    error = refused(write(tmp_path / "icd10cm_cc_mcc_fy2026.csv", text))

    assert error.line == 5
    assert error.message == msdrg.DOT_MISMATCH.format(code="I21.0", nodot="I210X")


@pytest.mark.django_db
def test_it_refuses_a_duplicate_code(tmp_path):
    text = CC_MCC_CSV + "A02.1,A021,CC,Salmonella sepsis\n"
    error = refused(write(tmp_path / "icd10cm_cc_mcc_fy2026.csv", text))

    assert error.line == 5
    assert "duplicate code 'A021' (first seen on line 2)" in error.message


@pytest.mark.django_db
def test_it_refuses_cpt_descriptor_text_naming_file_and_line(tmp_path):
    text = CC_MCC_CSV + "99291,99291,MCC,Critical care first hour\n"
    error = refused(write(tmp_path / "icd10cm_cc_mcc_fy2026.csv", text))

    assert error.line == 5
    assert error.message == LICENSED_TEXT_REFUSED.format(kind="CPT", code="99291")


@pytest.mark.django_db
def test_it_refuses_a_bad_weight_and_a_duplicate_drg(tmp_path):
    text = WEIGHTS_CSV + "002,No,No,PRE,SURG,HEART TRANSPLANT,eleven,11.3,8.5,14.0\n"
    error = refused(write(tmp_path / "msdrg_weights_fy2026.csv", text))
    assert error.line == 5
    assert "bad number 'eleven' in column weight_before_cap" in error.message

    text = WEIGHTS_CSV + "001,No,No,PRE,SURG,AGAIN,1.0,1.0,1.0,1.0\n"
    error = refused(write(tmp_path / "msdrg_weights_fy2026.csv", text))
    assert error.line == 5
    assert "duplicate MS-DRG '001'" in error.message


@pytest.mark.django_db
def test_it_refuses_a_missing_column_and_a_truncated_gzip_file(tmp_path):
    text = CC_MCC_CSV.replace("severity,", "level,")
    error = refused(write(tmp_path / "icd10cm_cc_mcc_fy2026.csv", text))
    assert error.line == 1
    assert "header lacks column(s): severity" in error.message

    lines = ["code,code_nodot,severity,description\n"]
    lines += [f"T{n // 100:02d}.{n % 100:02d},T{n // 100:02d}{n % 100:02d},CC,Code {n}\n"
              for n in range(9000)]  # fmt: skip
    path = write(tmp_path / "icd10cm_cc_mcc_fy2026.csv.gz", "".join(lines), gz=True)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    error = refused(path)
    assert "truncated or corrupt" in error.message
    assert error.line is not None and error.line > 1


SHARED = {
    "icd10cm_cc_mcc_fy2026.csv.gz": ("msdrg_cc_mcc", {"severities": 18_419}),
    "msdrg_weights_fy2026.csv.gz": ("msdrg_weights", {"drg_weights": 772}),
}


@pytest.mark.fulldata
@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SHARED))
def test_the_shared_msdrg_files_load_every_row(shared_data_dir, name):
    result = import_file(shared_data_dir / name)

    assert (result.dataset, result.row_counts) == SHARED[name]
    assert result.version_label == "MS-DRG v43 FY2026"
