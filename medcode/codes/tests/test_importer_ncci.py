"""NCCI importers: official PTP/MUE/AOC layouts, the shared CSVs, bad input, re-imports."""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Sequence
from pathlib import Path

import pytest
from django.db.models import Count

from medcode.codes.importers import ncci
from medcode.codes.importers.registry import get_dataset
from medcode.codes.models import AddOnEdit, MueLimit, PtpEdit, ReferenceRow, Release
from medcode.codes.services import import_file
from medcode.lib.errors import DataFileError
from medcode.ops.bulk import insert_rows

NOTICE = (
    "CPT codes, descriptions and other data only are copyright 2023 American Medical "
    "Association. All Rights Reserved."
)
PTP_TITLES = (
    "Column 1\tColumn 2\t*=in existence prior to 1996\tEffective Date\t"
    "Deletion Date *=no data\tModifier 0=not allowed 1=allowed 9=not applicable\t"
    "PTP Edit Rationale"
)
PTP_ROWS = [
    "10021\t10004\t\t20190101\t*\t1\tMisuse of column two code with column one code",
    "10021\t10005\t\t20190101\t20221231\t0\tStandards of medical/surgical practice",
    "10021\t10005\t\t20230101\t*\t1\tStandards of medical/surgical practice",
    "11010\t11000\t*\t19960101\t*\t1\tHCPCS/CPT procedure code definition",
    "G0102\t99211\t\t20020101\t20020101\t9\tMutually exclusive procedures",
]
PTP_CSV_HEADER = (
    "column_1,column_2,prior_1996,deletion_date,modifier_indicator,ptp_edit_rationale\n"
)
PTP_CSV_ROWS = (
    "0001A,0591T,,2023-12-31,1,CPT Manual or CMS manual coding instruction\n"
    "88108,88162,,1996-01-01,9,Mutually exclusive procedures\n"
    "88108,88162,,1996-01-01,9,Standards of medical/surgical practice\n"
    "99213,36415,*,,0,Standards of medical/surgical practice\n"
)
MUE_HEADER = (
    "HCPCS/CPT Code,{kind} Services MUE Values,MUE Adjudication Indicator,MUE Rationale\r\n"
)
MUE_ROWS = (
    "0001U,1,2 Date of Service Edit: Policy,Code Descriptor / CPT Instruction\r\n"
    "A0425,250,1 Line Edit,Nature of Service/Procedure\r\n"
    "J0129,100,3 Date of Service Edit: Clinical,Clinical: Data\r\n"
)
MUE_CSV = (
    "hcpcs,service_type,mue_value,mai,mai_description,mue_rationale\n"
    "0001U,practitioner,1,2,Date of Service Edit: Policy,Code Descriptor / CPT Instruction\n"
    "0001U,outpatient_hospital,1,2,Date of Service Edit: Policy,CMS Policy\n"
    "E0100,dme_supplier,0,3,Date of Service Edit: Clinical,Nature of Equipment\n"
)
AOC_TITLES = (
    "Add-on Code\tPrimary Code\tAOC Edit Type\tAOC_DEL_DT_JULIAN\tPrimary Code Del Dt Julian\t"
    "AOC Edit Eff Dt Julian\tAOC Edit Del Dt Julian\tSpecial Instruction Notes"
)
AOC_ROWS = [
    "11001\t11000\t1\t9999999\t9999999\t2013001\t9999999\t",
    "11008\t11004\t1\t9999999\t2020366\t2013001\t9999999\t",
    "0054T\tCCCCC\t2\t9999999\t9999999\t2013001\t2024182\tContractor Defined Primary Codes",
]


def write_official(path: Path, lines: list[str], *, gz: bool = False) -> Path:
    """CMS writes cp1252 with CRLF line ends."""
    data = "\r\n".join(lines).encode("cp1252") + b"\r\n"
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def write_text(path: Path, text: str, *, gz: bool = False) -> Path:
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def ptp_txt(tmp_path: Path, name: str = "ccipra-v302r0-f1.txt", rows: list[str] | None = None):
    lines = [NOTICE, "CPT\u00ae is a registered trademark.", "Column1/Column 2 Edits", PTP_TITLES]
    lines += ["\t\t\t\t\t0=not allowed\t", *(PTP_ROWS if rows is None else rows)]
    return write_official(tmp_path / name, lines)


def mue_official(tmp_path: Path, kind: str = "Practitioner", rows: str = MUE_ROWS) -> Path:
    name = f"MCR_MUE_{kind.replace(' ', '')}Services_Eff_07-01-2024.csv"
    notice = f'"{NOTICE}\r\nApplicable FARS/HHSARS apply.\r\nCPT\u00ae is a trademark.",,,\r\n'
    data = (notice + MUE_HEADER.format(kind=kind) + rows).encode("cp1252")
    (tmp_path / name).write_bytes(data)
    return tmp_path / name


def release_count() -> int:
    return Release.objects.count()


def assert_refused(path: Path, line: int, *words: str) -> None:
    before = release_count()
    with pytest.raises(DataFileError) as caught:
        import_file(path)
    message = str(caught.value)
    assert str(path) in message
    assert f"line {line}:" in message
    for word in words:
        assert word in message
    assert release_count() == before


# --- PTP --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_reads_an_official_ptp_part_after_its_notice_and_title_lines(tmp_path):
    result = import_file(ptp_txt(tmp_path))
    release = Release.objects.get(pk=result.release_id)
    assert (result.dataset, result.version_label) == (
        "ncci_ptp_practitioner",
        "2024Q3 (v30.2) part 1",
    )
    assert (release.effective_from, release.effective_to) == (
        dt.date(2024, 7, 1),
        dt.date(2024, 9, 30),
    )
    assert release.row_counts == {"ptp_edits": 5}
    rows = list(
        PtpEdit.objects.order_by("pk").values_list(
            "column_1",
            "column_2",
            "prior_1996",
            "effective_on",
            "deleted_on",
            "modifier_indicator",
            "rationale",
        )
    )
    assert rows[0] == (
        "10021",
        "10004",
        False,
        dt.date(2019, 1, 1),
        None,
        "1",
        "Misuse of column two code with column one code",
    )
    assert rows[1][4] == dt.date(2022, 12, 31)
    assert rows[3][2] is True
    assert rows[4][5] == "9"


@pytest.mark.django_db
def test_the_hospital_table_and_other_versions_are_told_from_the_file_name(tmp_path):
    result = import_file(ptp_txt(tmp_path, "ccioph-v321r0-f3.txt"))
    release = Release.objects.get(pk=result.release_id)
    assert (result.dataset, result.version_label) == ("ncci_ptp_hospital", "2026Q2 (v32.1) part 3")
    assert (release.effective_from, release.effective_to) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 6, 30),
    )
    assert ncci.describe_ptp(Path("ccipra-v323r0-f1.txt")).version_label == "2026Q4 (v32.3) part 1"
    assert ncci.describe_ptp(Path("ccipra-v300r0-f4.txt")).effective_from == dt.date(2024, 1, 1)


@pytest.mark.django_db
def test_the_parts_of_a_quarter_are_separate_releases_that_are_in_force_together(tmp_path):
    first = import_file(ptp_txt(tmp_path, "ccipra-v302r0-f1.txt"))
    second = import_file(ptp_txt(tmp_path, "ccipra-v302r0-f2.txt", rows=PTP_ROWS[:2]))
    older = import_file(ptp_txt(tmp_path, "ccipra-v301r0-f1.txt", rows=PTP_ROWS[:1]))
    assert second.status == "imported"
    assert Release.objects.filter(dataset="ncci_ptp_practitioner").count() == 3
    in_force = ncci.release_ids_in_force(dataset="ncci_ptp_practitioner", on=dt.date(2024, 8, 15))
    assert in_force == [first.release_id, second.release_id]
    assert PtpEdit.objects.filter(release_id__in=in_force).count() == 7
    assert ncci.release_ids_in_force(dataset="ncci_ptp_practitioner", on=dt.date(2024, 5, 1)) == [
        older.release_id
    ]
    assert ncci.release_ids_in_force(dataset="ncci_ptp_practitioner", on=dt.date(2023, 1, 1)) == []


@pytest.mark.django_db
def test_a_whole_quarter_file_and_the_parts_of_that_quarter_replace_each_other(tmp_path):
    import_file(ptp_txt(tmp_path, "ccipra-v302r0-f1.txt"))
    import_file(ptp_txt(tmp_path, "ccipra-v302r0-f2.txt", rows=PTP_ROWS[:2]))
    whole = write_text(tmp_path / "ncci_ptp_practitioner_2024q3.csv", PTP_CSV_HEADER + PTP_CSV_ROWS)
    import_file(whole)
    labels = list(Release.objects.values_list("version_label", flat=True))
    assert labels == ["2024Q3 (v30.2)"]
    import_file(ptp_txt(tmp_path, "ccipra-v302r0-f3.txt"))
    labels = list(Release.objects.values_list("version_label", flat=True))
    assert labels == ["2024Q3 (v30.2) part 3"]
    assert PtpEdit.objects.count() == 5


@pytest.mark.django_db
def test_it_reads_the_shared_csvs_with_no_effective_date_and_keeps_repeated_pairs(tmp_path):
    path = write_text(
        tmp_path / "ncci_ptp_practitioner_2024q3.csv.gz", PTP_CSV_HEADER + PTP_CSV_ROWS, gz=True
    )
    result = import_file(path)
    assert (result.dataset, result.version_label) == ("ncci_ptp_practitioner", "2024Q3 (v30.2)")
    assert result.row_counts == {"ptp_edits": 4}
    assert not PtpEdit.objects.exclude(effective_on=None).exists()
    repeated = PtpEdit.objects.filter(column_1="88108").values_list("rationale", flat=True)
    assert sorted(repeated) == [
        "Mutually exclusive procedures",
        "Standards of medical/surgical practice",
    ]
    assert PtpEdit.objects.get(column_1="99213").prior_1996 is True
    hospital = write_text(
        tmp_path / "ncci_ptp_outpatient_hospital_2024q3.csv",
        "column_1,column_2,deletion_date,modifier_indicator,ptp_edit_rationale\n"
        "0001A,0591T,2023-12-31,1,CPT Manual or CMS manual coding instruction\n",
    )
    result = import_file(hospital)
    assert (result.dataset, result.row_counts) == ("ncci_ptp_hospital", {"ptp_edits": 1})
    edit = PtpEdit.objects.get(release_id=result.release_id)
    assert (edit.prior_1996, edit.deleted_on) == (False, dt.date(2023, 12, 31))


@pytest.mark.django_db
def test_rows_spanning_several_insert_statements_and_a_short_last_one_all_arrive(tmp_path):
    rows = [
        f"{10000 + i:05d},{20000 + i:05d},,,1,Mutually exclusive procedures" for i in range(613)
    ]
    path = write_text(
        tmp_path / "ncci_ptp_practitioner_2024q3.csv", PTP_CSV_HEADER + "\n".join(rows) + "\n"
    )
    assert import_file(path).row_counts == {"ptp_edits": 613}
    assert list(PtpEdit.objects.order_by("pk").values_list("column_1", flat=True)[612:]) == [
        "10612"
    ]


@pytest.mark.django_db
def test_an_exact_duplicate_ptp_row_is_refused_naming_both_lines(tmp_path):
    path = ptp_txt(tmp_path, rows=[*PTP_ROWS[:3], PTP_ROWS[2]])
    assert_refused(path, 9, "exact duplicate of the row on line 8")


@pytest.mark.django_db
def test_a_bad_modifier_indicator_is_refused_with_its_line(tmp_path):
    path = ptp_txt(tmp_path, rows=[PTP_ROWS[0], PTP_ROWS[1].replace("\t0\t", "\t2\t")])
    assert_refused(path, 7, "modifier indicator must be 0, 1 or 9, not '2'")


@pytest.mark.django_db
def test_a_bad_effective_date_is_refused_with_its_line(tmp_path):
    path = ptp_txt(tmp_path, rows=[PTP_ROWS[0].replace("20190101", "20191301")])
    assert_refused(path, 6, "bad date '20191301' in column effective date")


@pytest.mark.django_db
def test_a_bad_code_and_a_missing_field_are_refused_with_their_lines(tmp_path):
    assert_refused(ptp_txt(tmp_path, rows=["1002\t10004\t\t20190101\t*\t1\tx"]), 6, "'1002'")
    short = ptp_txt(tmp_path, "ccipra-v302r0-f2.txt", rows=[*PTP_ROWS[:2], "10021\t10006\t\t"])
    assert_refused(short, 8, "expected 7 fields, found 4")


@pytest.mark.django_db
def test_a_shared_csv_without_the_modifier_column_is_refused(tmp_path):
    text = PTP_CSV_HEADER.replace(",modifier_indicator", "") + "0001A,0591T,,2023-12-31,x\n"
    path = write_text(tmp_path / "ncci_ptp_practitioner_2024q3.csv", text)
    assert_refused(path, 1, "unknown file")
    with pytest.raises(DataFileError, match=r"line 1: no header row naming the columns"):
        import_file(path, dataset=get_dataset("ncci_ptp_practitioner"))
    assert release_count() == 0


@pytest.mark.django_db
def test_a_truncated_gzip_is_refused_with_the_line_reached(tmp_path):
    rows = "".join(f"{10000 + i:05d},{20000 + i:05d},,,1,x\n" for i in range(20000))
    data = gzip.compress((PTP_CSV_HEADER + rows).encode())
    path = tmp_path / "ncci_ptp_practitioner_2024q3.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    before = release_count()
    with pytest.raises(DataFileError, match=r"line \d+: the gzip data is truncated") as caught:
        import_file(path)
    assert str(path) in str(caught.value)
    assert release_count() == before
    assert not PtpEdit.objects.exists()


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    path = ptp_txt(tmp_path)
    first = import_file(path)
    again = import_file(path)
    assert again.status == "unchanged"
    assert again.release_id == first.release_id
    assert PtpEdit.objects.count() == 5


def test_a_renamed_or_foreign_file_is_not_taken_for_ncci(tmp_path):
    renamed = ptp_txt(tmp_path, "edits.txt")
    not_ptp = write_official(tmp_path / "ccipra-v302r0-f1.txt", ["just some notes", "a\tb"])
    for path in (renamed, not_ptp):
        assert not any(d.matches(path, []) for d in ncci.DATASETS)


# --- MUE --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_reads_an_official_mue_csv_after_its_multi_line_copyright_row(tmp_path):
    result = import_file(mue_official(tmp_path))
    release = Release.objects.get(pk=result.release_id)
    assert (result.dataset, result.version_label) == ("ncci_mue_practitioner", "2024Q3")
    assert (release.effective_from, release.effective_to) == (
        dt.date(2024, 7, 1),
        dt.date(2024, 9, 30),
    )
    rows = list(
        MueLimit.objects.order_by("code").values_list(
            "code", "service_type", "value", "mai", "rationale"
        )
    )
    assert rows == [
        ("0001U", "practitioner", 1, 2, "Code Descriptor / CPT Instruction"),
        ("A0425", "practitioner", 250, 1, "Nature of Service/Procedure"),
        ("J0129", "practitioner", 100, 3, "Clinical: Data"),
    ]
    dme = import_file(
        mue_official(tmp_path, "DME Supplier", "E0100,0,3 Date of Service Edit: Clinical,x\r\n")
    )
    assert dme.dataset == "ncci_mue_dme"
    assert MueLimit.objects.get(release_id=dme.release_id).service_type == "dme"


@pytest.mark.django_db
def test_an_mue_line_with_a_bad_indicator_or_value_is_refused_with_its_line(tmp_path):
    # The notice row spans lines 1-3 and the header is line 4.
    bad_mai = MUE_ROWS + "J0130,1,4 Whatever,x\r\n"
    assert_refused(mue_official(tmp_path, rows=bad_mai), 8, "must be 1, 2 or 3, not '4 Whatever'")
    wrong_words = "J0130,1,1 Date of Service Edit: Clinical,x\r\n"
    assert_refused(mue_official(tmp_path, rows=wrong_words), 5, "MAI 1 is described as")
    bad_value = "J0130,lots,1 Line Edit,x\r\n"
    assert_refused(mue_official(tmp_path, rows=bad_value), 5, "whole number of units")


@pytest.mark.django_db
def test_an_mue_file_whose_header_names_another_table_is_refused(tmp_path):
    path = mue_official(tmp_path)
    path.write_bytes(
        path.read_bytes().replace(b"Practitioner Services MUE", b"DME Supplier Services MUE")
    )
    assert_refused(path, 4, "not the practitioner table")


@pytest.mark.django_db
def test_it_reads_the_shared_mue_csv_with_the_three_tables_normalised(tmp_path):
    result = import_file(write_text(tmp_path / "ncci_mue_2024q3.csv.gz", MUE_CSV, gz=True))
    assert (result.dataset, result.version_label) == ("ncci_mue", "2024Q3")
    kinds = MueLimit.objects.order_by("pk").values_list("service_type", "value", "mai")
    assert list(kinds) == [("practitioner", 1, 2), ("outpatient_hospital", 1, 2), ("dme", 0, 3)]


@pytest.mark.django_db
def test_the_partial_mai3_file_is_labelled_and_listed_as_partial(tmp_path):
    text = "hcpcs,service_type,mue_value,mai\n0002M,practitioner,1,3\n0009U,practitioner,2,3\n"
    result = import_file(write_text(tmp_path / "ncci_mue_practitioner_2026q2_mai3_only.csv", text))
    release = Release.objects.get(pk=result.release_id)
    assert (result.dataset, result.version_label) == (
        "ncci_mue_mai3_partial",
        "2026Q2 (MAI 3 only, partial)",
    )
    assert (release.effective_from, release.effective_to) == (
        dt.date(2026, 4, 1),
        dt.date(2026, 6, 30),
    )
    assert result.dataset in ncci.PARTIAL_DATASETS
    assert MueLimit.objects.filter(release=release, rationale="").count() == 2


@pytest.mark.django_db
def test_a_code_twice_in_one_mue_table_is_refused(tmp_path):
    text = MUE_CSV + "0001U,practitioner,2,2,,CMS Policy\n"
    assert_refused(write_text(tmp_path / "ncci_mue_2024q3.csv", text), 5, "first seen on line 2")


@pytest.mark.django_db
def test_cpt_descriptor_text_in_a_description_column_is_refused(tmp_path):
    text = "hcpcs,service_type,mue_value,mai,description\n0002M,practitioner,1,3,\nJ0129,practitioner,1,3,Injection\n99213,practitioner,1,3,Office visit text\n"
    path = write_text(tmp_path / "ncci_mue_practitioner_2026q2_mai3_only.csv", text)
    assert_refused(path, 4, "descriptor text for the CPT code 99213 is refused")


# --- AOC --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_reads_an_official_aoc_file_with_julian_dates(tmp_path):
    path = write_official(tmp_path / "AOC_V2024Q3-MCR.txt", [NOTICE, AOC_TITLES, *AOC_ROWS])
    result = import_file(path)
    release = Release.objects.get(pk=result.release_id)
    assert (result.dataset, result.version_label) == ("ncci_aoc", "2024Q3")
    assert (release.effective_from, release.effective_to) == (
        dt.date(2024, 7, 1),
        dt.date(2024, 9, 30),
    )
    rows = list(
        AddOnEdit.objects.order_by("pk").values_list(
            "addon", "primary", "edit_type", "effective_on", "deleted_on", "notes"
        )
    )
    assert rows == [
        ("11001", "11000", 1, dt.date(2013, 1, 1), None, ""),
        ("11008", "11004", 1, dt.date(2013, 1, 1), dt.date(2020, 12, 31), ""),
        (
            "0054T",
            "CCCCC",
            2,
            dt.date(2013, 1, 1),
            dt.date(2024, 6, 30),
            "Contractor Defined Primary Codes",
        ),
    ]


@pytest.mark.django_db
def test_the_2026_aoc_column_titles_in_another_order_are_understood(tmp_path):
    lines = [
        f'"{NOTICE}",,,,,,,',
        "AOC_Edit_Type,Add-On_Code,AOC_DelDT,Primary_Code,Primary_Code_DelDT,AOC_Edit_EffDT,AOC_Edit_DelDT,Special_Instruction_Notes",
        "1,11001,,11000,,2026091,,",
    ]
    result = import_file(write_official(tmp_path / "AOC_V2026Q2_01-MCR.csv", lines))
    assert result.version_label == "2026Q2"
    edit = AddOnEdit.objects.get()
    assert (edit.addon, edit.primary, edit.effective_on, edit.deleted_on) == (
        "11001",
        "11000",
        dt.date(2026, 4, 1),
        None,
    )


@pytest.mark.django_db
def test_it_reads_the_shared_aoc_csv_without_dates(tmp_path):
    text = (
        "add_on_code,primary_code,aoc_edit_type,aoc_edit_effective_year,special_instruction_note\n"
        "0054T,CCCCC,2,2013,Contractor Defined Primary Codes\n"
        "0071U,0070U,1,2018,\n"
        "0072U,0070U,1,,\n"
    )
    result = import_file(write_text(tmp_path / "ncci_aoc_2024q3.csv.gz", text, gz=True))
    assert (result.dataset, result.version_label, result.row_counts) == (
        "ncci_aoc",
        "2024Q3",
        {"addon_edits": 3},
    )
    assert not AddOnEdit.objects.exclude(effective_on=None).exists()


@pytest.mark.django_db
def test_a_bad_aoc_type_a_bad_julian_date_or_a_repeated_edit_is_refused(tmp_path):
    bad_type = AOC_ROWS[0].replace("\t1\t", "\t4\t", 1)
    path = write_official(tmp_path / "AOC_V2024Q3-MCR.txt", [NOTICE, AOC_TITLES, bad_type])
    assert_refused(path, 3, "AOC edit type must be 1, 2 or 3, not '4'")
    bad_date = AOC_ROWS[0].replace("2013001", "2013400")
    path = write_official(tmp_path / "AOC_V2024Q3-MCR.txt", [NOTICE, AOC_TITLES, bad_date])
    assert_refused(path, 3, "bad date '2013400'")
    path = write_official(
        tmp_path / "AOC_V2024Q3-MCR.txt", [NOTICE, AOC_TITLES, *AOC_ROWS, AOC_ROWS[1]]
    )
    assert_refused(path, 6, "first seen on line 4")


# --- the bulk insert the loaders share ---------------------------------------------------------


@pytest.mark.django_db
def test_bulk_inserts_dump_dicts_for_json_columns_and_fill_defaults():
    release = Release.objects.create(
        dataset="x", version_label="x", effective_from=dt.date(2024, 1, 1), sha256="x"
    )
    rows = [(release.pk, "a", {"n": 1}), (release.pk, "b", '{"n": 2}'), (release.pk, "c", [1])]
    assert insert_rows(ReferenceRow, ("release_id", "key", "data"), rows) == 3
    assert [r.data for r in ReferenceRow.objects.order_by("key")] == [{"n": 1}, {"n": 2}, [1]]
    assert insert_rows(ReferenceRow, ("release_id", "key"), [(release.pk, "d")]) == 1
    assert ReferenceRow.objects.get(key="d").data == {}
    with pytest.raises(ValueError, match="a row has 4 values for 3 columns"):
        insert_rows(ReferenceRow, ("release_id", "key", "data"), [(release.pk, "e", {}, "f")])


@pytest.mark.django_db
def test_bulk_insert_constants_are_given_once_and_quoted_or_bound():
    release = Release.objects.create(
        dataset="x", version_label="x", effective_from=dt.date(2024, 1, 1), sha256="x"
    )
    # Text with a quote is written as an SQL literal on SQLite (bound on PostgreSQL).
    constants = {"release_id": release.pk, "key": "it's"}
    assert insert_rows(ReferenceRow, ("data",), [({"n": 1},), ("[2]",)], constants=constants) == 2
    stored = ReferenceRow.objects.filter(release=release, key="it's").order_by("pk")
    assert [r.data for r in stored] == [{"n": 1}, [2]]
    # A date has no literal form: it is bound with each row instead.
    fields = ("column_1", "column_2", "modifier_indicator")
    day = {"release_id": release.pk, "effective_on": dt.date(2024, 7, 1)}
    assert insert_rows(PtpEdit, fields, [("63650", "63685", "1")], constants=day) == 1
    edit = PtpEdit.objects.get(release=release)
    assert (edit.effective_on, edit.deleted_on, edit.rationale) == (dt.date(2024, 7, 1), None, "")
    # (Counted without the constants on SQLite, with them on PostgreSQL.)
    with pytest.raises(ValueError, match=r"a row has (2|4) values for (1|3) columns"):
        insert_rows(ReferenceRow, ("data",), [("{}", "x")], constants=constants)


# --- the real shared files ---------------------------------------------------------------------

SHARED_FILES = [
    ("ncci_ptp_practitioner_2024q3.csv.gz", "ncci_ptp_practitioner", "ptp_edits", 2_546_017),
    ("ncci_ptp_outpatient_hospital_2024q3.csv.gz", "ncci_ptp_hospital", "ptp_edits", 1_775_818),
    ("ncci_mue_2024q3.csv.gz", "ncci_mue", "mue_limits", 32_233),
    ("ncci_mue_practitioner_2026q2_mai3_only.csv.gz", "ncci_mue_mai3_partial", "mue_limits", 9_637),
    ("ncci_aoc_2024q3.csv.gz", "ncci_aoc", "addon_edits", 7_465),
]


@pytest.mark.fulldata
@pytest.mark.django_db
@pytest.mark.parametrize(("name", "dataset", "table", "rows"), SHARED_FILES)
def test_the_shared_ncci_files_import_with_the_manifest_row_counts(
    shared_data_dir, name, dataset, table, rows
):
    result = import_file(shared_data_dir / name)
    assert (result.dataset, result.row_counts) == (dataset, {table: rows})


def aoc_xlsx(
    path: Path, rows: Sequence[Sequence[object]], header: tuple[str, ...] | None = None
) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(("Made-up notice in the first row",))
    sheet.append(
        header
        or (
            "AOC_Edit_Type",
            "Add-On_Code",
            "AOC_DelDT",
            "Primary_Code",
            "Primary_Code_DelDT",
            "AOC_Edit_EffDT",
            "AOC_Edit_DelDT",
            "Special_Instruction_Notes",
        )
    )
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


@pytest.mark.django_db
def test_it_reads_the_2026_aoc_xlsx_with_julian_dates_blank_meaning_none(tmp_path):
    rows = [
        ("2", "0054T", None, "CCCCC", None, "2013091", None, "Contractor Defined Primary Codes"),
        ("1", "11001", None, "11000", "2026181", "2013001", "2026120", None),
        (
            "3",
            "96376",
            "2025365",
            "96374",
            None,
            2013001,
            None,
            "96376 may be reported by facilities only",
        ),
    ]
    result = import_file(aoc_xlsx(tmp_path / "AOC_V2026Q2-MCR.xlsx", rows))

    assert (result.dataset, result.version_label, result.row_counts) == (
        "ncci_aoc",
        "2026Q2",
        {"addon_edits": 3},
    )
    got = list(
        AddOnEdit.objects.order_by("pk").values_list(
            "addon", "primary", "edit_type", "effective_on", "deleted_on", "notes"
        )
    )
    assert got == [
        ("0054T", "CCCCC", 2, dt.date(2013, 4, 1), None, "Contractor Defined Primary Codes"),
        # The earliest of the edit's and the codes' deletion dates ends the edit.
        ("11001", "11000", 1, dt.date(2013, 1, 1), dt.date(2026, 4, 30), ""),
        (
            "96376",
            "96374",
            3,
            dt.date(2013, 1, 1),
            dt.date(2025, 12, 31),
            "96376 may be reported by facilities only",
        ),
    ]


@pytest.mark.django_db
def test_a_bad_row_of_the_aoc_xlsx_is_refused_naming_its_row(tmp_path):
    rows = [("1", "11001", None, "11000", None, "2013001", None, None)] * 2
    assert_refused(aoc_xlsx(tmp_path / "AOC_V2026Q2-MCR.xlsx", rows), 4, "first seen on line 3")
    rows = [("1", "11001", None, "11000", None, "2013999", None, None)]
    assert_refused(aoc_xlsx(tmp_path / "AOC_V2026Q2-MCR.xlsx", rows), 3, "bad date '2013999'")
    header = ("Type", "Add-On_Code", "Primary_Code")
    path = aoc_xlsx(tmp_path / "AOC_V2026Q3-MCR.xlsx", rows, header=header)
    with pytest.raises(DataFileError, match="unknown file"):
        import_file(path)


@pytest.mark.fulldata
@pytest.mark.django_db
def test_the_real_2026q2_aoc_xlsx_imports_every_edit(shared_data_dir):
    path = shared_data_dir.parent / "incoming" / "2026" / "AOC_V2026Q2-MCR.xlsx"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    result = import_file(path)
    assert result.row_counts == {"addon_edits": 9000}  # README: type 1 8,293, 2 47, 3 660
    by_type = dict(AddOnEdit.objects.values_list("edit_type").annotate(n=Count("id")).order_by())
    assert by_type == {1: 8293, 2: 47, 3: 660}
