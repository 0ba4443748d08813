"""The ICD-10-PCS importers: order file, codes file, the shared CSVs and the ICD-9 -> PCS GEM."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from medcode.codes.importers import icd10pcs
from medcode.codes.importers.base import LICENSED_TEXT_REFUSED
from medcode.codes.models import Code, ReferenceRow, Release
from medcode.codes.services import import_file
from medcode.lib.errors import DataFileError

LONG_0016070 = (
    "Bypass Cerebral Ventricle to Nasopharynx with Autologous Tissue Substitute, Open Approach"
)


def record(number: int, code: str, flag: str, short: str, long: str) -> str:
    """One order-file record in the CMS layout (order 1-5, code 7-13, flag 15, short 17-76)."""
    return f"{number:05d} {code:<7} {flag} {short:<60} {long}"


ORDER_LINES = [
    record(1, "001", "0", "Central Nervous System and Cranial Nerves, Bypass",
           "Central Nervous System and Cranial Nerves, Bypass"),
    record(2, "0016070", "1", "Bypass Cereb Vent to Nasophar with Autol Sub, Open Approach",
           LONG_0016070),
    record(3, "0016071", "1", "Bypass Cereb Vent to Mastoid Sinus w Autol Sub, Open",
           "Bypass Cerebral Ventricle to Mastoid Sinus with Autologous Tissue Substitute, "
           "Open Approach"),
    record(4, "B020ZZZ", "1", "Plain Radiography of Brain",
           "Plain Radiography of Brain"),
]  # fmt: skip
ORDER_TXT = "\n".join(ORDER_LINES) + "\n"
CODES_TXT = f"0016070 {LONG_0016070}\nB020ZZZ Plain Radiography of Brain\n"
TUVA_CSV = f'code,long_description\n0016070,"{LONG_0016070}"\nB020ZZZ,Plain Radiography of Brain\n'
MEDSURG_CSV = (
    "code,short_description,long_description\n"
    f'0016070,"Bypass Cereb Vent to Nasophar with Autol Sub, Open Approach","{LONG_0016070}"\n'
)
GEM_TXT = "0001  6A750Z4 10000\n0016  NoPCS   11000\n016   0NB00ZZ 10000\n0052  02H43KZ 10111\n"
GEM_CSV = (
    "icd9_proc,icd10_pcs,flags,approximate,no_map,combination,scenario,choice_list\n"
    "0001,6A750Z4,10000,1,0,0,0,0\n"
    "0016,NoPCS,11000,1,1,0,0,0\n"
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
    assert Code.objects.count() == 0
    assert ReferenceRow.objects.count() == 0
    assert str(path) in str(caught.value)
    return caught.value


@pytest.mark.django_db
def test_it_loads_the_order_file_with_tables_as_headers(tmp_path):
    result = import_file(write(tmp_path / "icd10pcs_order_2025.txt", ORDER_TXT))

    assert (result.dataset, result.row_counts) == ("icd10pcs_order", {"codes": 4})
    release = Release.objects.get()
    assert (release.code_system, release.version_label) == ("ICD10PCS", "FY2025")
    assert (release.effective_from, release.effective_to) == (
        dt.date(2024, 10, 1),
        dt.date(2025, 9, 30),
    )
    codes = {c.code: c for c in Code.objects.all()}
    bypass = codes["0016070"]
    assert (bypass.display, bypass.short_description, bypass.long_description) == (
        "0016070",
        "Bypass Cereb Vent to Nasophar with Autol Sub, Open Approach",
        LONG_0016070,
    )
    assert (bypass.is_billable, bypass.level, bypass.parent) == (True, "code", "001")
    assert bypass.attributes == {"section": "0", "body_system": "0", "operation": "1"}
    assert (codes["001"].is_billable, codes["001"].level) == (False, "table")
    assert codes["B020ZZZ"].attributes == {"section": "B", "body_system": "0", "operation": "2"}
    assert codes["B020ZZZ"].parent == ""


@pytest.mark.django_db
def test_it_loads_the_codes_file_as_the_same_fiscal_year(tmp_path):
    result = import_file(write(tmp_path / "icd10pcs_codes_2025.txt", CODES_TXT))

    assert (result.dataset, result.version_label, result.row_counts) == (
        "icd10pcs_order",
        "FY2025",
        {"codes": 2},
    )
    code = Code.objects.get(code="0016070")
    assert (code.long_description, code.short_description, code.is_billable) == (
        LONG_0016070,
        "",
        True,
    )


@pytest.mark.django_db
def test_the_tuva_list_is_labelled_as_an_inferred_fy2024_without_a_third_party_name(tmp_path):
    result = import_file(write(tmp_path / "icd10pcs_codes_tuva.csv.gz", TUVA_CSV, gz=True))

    release = Release.objects.get(pk=result.release_id)
    assert (release.dataset, release.version_label) == (
        "icd10pcs_codes_tuva",
        "FY2024 (year inferred)",
    )
    assert release.citation == "ICD-10-PCS code list FY2024 (year inferred)"
    assert (release.effective_from, release.effective_to) == (
        dt.date(2023, 10, 1),
        dt.date(2024, 9, 30),
    )
    assert Code.objects.get(code="B020ZZZ").attributes["section"] == "B"


@pytest.mark.django_db
def test_the_medsurg_csv_is_its_fiscal_year_with_short_titles(tmp_path):
    result = import_file(write(tmp_path / "icd10pcs_medsurg_2025.csv", MEDSURG_CSV))

    release = Release.objects.get(pk=result.release_id)
    assert (release.dataset, release.version_label) == ("icd10pcs_medsurg", "FY2025 Med/Surg")
    assert release.effective_from == dt.date(2024, 10, 1)
    code = Code.objects.get()
    assert code.short_description == "Bypass Cereb Vent to Nasophar with Autol Sub, Open Approach"


@pytest.mark.django_db
def test_it_loads_the_official_gem_keyed_by_icd9_code(tmp_path):
    result = import_file(write(tmp_path / "gem_i9pcs.txt", GEM_TXT))

    release = Release.objects.get(pk=result.release_id)
    assert (release.dataset, release.code_system, release.version_label) == (
        "icd10pcs_gem",
        "",
        "2018 GEM",
    )
    assert (release.effective_from, release.effective_to) == (dt.date(2017, 10, 1), None)
    assert result.row_counts == {"gems": 4}
    rows = {(r.key, r.data["icd10_pcs"]): r.data for r in ReferenceRow.objects.all()}
    assert rows["0001", "6A750Z4"] == {
        "icd9_proc": "0001",
        "icd10_pcs": "6A750Z4",
        "flags": "10000",
        "approximate": True,
        "no_map": False,
        "combination": False,
        "scenario": 0,
        "choice_list": 0,
    }
    assert rows["0016", "NoPCS"]["no_map"] is True
    assert ("016", "0NB00ZZ") in rows
    assert rows["0052", "02H43KZ"]["combination"] is True
    assert rows["0052", "02H43KZ"]["scenario"] == 1


@pytest.mark.django_db
def test_the_gem_csv_and_the_official_file_are_one_release(tmp_path):
    import_file(write(tmp_path / "icd10pcs_gem_i9_to_pcs_2018.csv", GEM_CSV))
    second = import_file(write(tmp_path / "gem_i9pcs.txt", GEM_TXT))

    assert second.status == "replaced"
    assert Release.objects.get().row_counts == {"gems": 4}


@pytest.mark.django_db
def test_it_imports_the_same_file_twice_as_unchanged(tmp_path):
    path = write(tmp_path / "icd10pcs_order_2025.txt", ORDER_TXT)
    import_file(path)

    assert import_file(path).status == "unchanged"
    assert Code.objects.count() == 4


@pytest.mark.django_db
def test_it_refuses_a_code_that_is_no_pcs_code(tmp_path):
    text = TUVA_CSV + "00I6070,Bypass with the letter I\n"
    error = refused(write(tmp_path / "icd10pcs_codes_tuva.csv", text))

    assert (error.line, error.message) == (4, icd10pcs.NOT_A_CODE.format(code="00I6070"))


@pytest.mark.django_db
def test_it_refuses_a_duplicate_code(tmp_path):
    text = MEDSURG_CSV + "0016070,Bypass again,Bypass again\n"
    error = refused(write(tmp_path / "icd10pcs_medsurg_2025.csv", text))

    assert error.line == 3
    assert "duplicate code '0016070' (first seen on line 2)" in error.message


@pytest.mark.django_db
def test_it_refuses_a_bad_valid_flag_in_the_order_file(tmp_path):
    lines = [*ORDER_LINES[:2], record(3, "0016071", "2", "Bypass", "Bypass")]
    error = refused(write(tmp_path / "icd10pcs_order_2025.txt", "\n".join(lines)))

    assert (error.line, error.message) == (3, icd10pcs.BAD_FLAG.format(value="2"))


@pytest.mark.django_db
def test_it_refuses_a_record_too_short_for_the_order_layout(tmp_path):
    lines = [*ORDER_LINES[:2], "00003 0016071 1 Bypass"]
    error = refused(write(tmp_path / "icd10pcs_order_2025.txt", "\n".join(lines)))

    assert error.line == 3
    assert error.message == icd10pcs.SHORT_RECORD.format(length=22, need=78)


@pytest.mark.django_db
def test_it_refuses_cpt_descriptor_text_naming_file_and_line(tmp_path):
    text = CODES_TXT + "99213   Office or other outpatient visit\n"
    error = refused(write(tmp_path / "icd10pcs_codes_2025.txt", text))

    assert error.line == 3
    assert error.message == LICENSED_TEXT_REFUSED.format(kind="CPT", code="99213")


@pytest.mark.django_db
def test_it_refuses_a_missing_column(tmp_path):
    text = "code,long_description\n0016070,x\n"
    error = refused(write(tmp_path / "icd10pcs_medsurg_2025.csv", text))

    assert error.line == 1
    assert "header lacks column(s): short_description" in error.message


@pytest.mark.django_db
def test_it_refuses_bad_gem_flags_and_flags_that_disagree_with_their_columns(tmp_path):
    error = refused(write(tmp_path / "gem_i9pcs.txt", GEM_TXT + "0053  0JH607Z 1x000\n"))
    assert (error.line, error.message) == (5, icd10pcs.BAD_GEM_FLAGS.format(value="1x000"))

    text = GEM_CSV + "0053,0JH607Z,10000,0,0,0,0,0\n"
    error = refused(write(tmp_path / "icd10pcs_gem_i9_to_pcs_2018.csv", text))
    assert error.line == 4
    assert error.message == icd10pcs.GEM_FLAGS_DISAGREE.format(
        flags="10000", column="approximate", value="0"
    )


@pytest.mark.django_db
def test_it_refuses_a_truncated_gzip_file(tmp_path):
    lines = ["code,long_description\n"]
    lines += [f"0{n:06d},Procedure number {n} on some body part\n" for n in range(9000)]
    path = write(tmp_path / "icd10pcs_codes_tuva.csv.gz", "".join(lines), gz=True)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    error = refused(path)

    assert "truncated or corrupt" in error.message
    assert error.line is not None and error.line > 1


@pytest.mark.django_db
def test_it_does_not_take_a_pcs_file_by_name_alone(tmp_path):
    with pytest.raises(DataFileError, match="unknown file"):
        import_file(write(tmp_path / "icd10pcs_order_2025.txt", CODES_TXT))
    with pytest.raises(DataFileError, match="unknown file"):
        import_file(write(tmp_path / "gem_i9pcs.txt", ORDER_TXT))


SHARED = {
    "icd10pcs_codes_tuva.csv.gz": ("icd10pcs_codes_tuva", "codes", 78_638),
    "icd10pcs_medsurg_2025.csv.gz": ("icd10pcs_medsurg", "codes", 68_367),
    "icd10pcs_gem_i9_to_pcs_2018.csv.gz": ("icd10pcs_gem", "gems", 73_593),
}


@pytest.mark.fulldata
@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SHARED))
def test_the_shared_pcs_files_load_every_row(shared_data_dir, name):
    result = import_file(shared_data_dir / name)

    dataset, key, count = SHARED[name]
    assert (result.dataset, result.row_counts) == (dataset, {key: count})
