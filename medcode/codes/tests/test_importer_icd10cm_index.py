"""The ICD-10-CM index importers: alphabetic index, external cause index, drug and neoplasm tables."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
from pathlib import Path
from typing import Any

import pytest

from medcode.codes.importers import icd10cm_index
from medcode.codes.importers.base import LICENSED_TEXT_REFUSED
from medcode.codes.models import IndexEntry, Release
from medcode.codes.services import import_file
from medcode.lib.errors import DataFileError

INDEX_XML = """\
<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.index>
  <version>2025</version>
  <title>ICD-10-CM INDEX TO DISEASES and INJURIES</title>
  <letter>
    <title>A</title>
    <mainTerm>
      <title>Aarskog's syndrome</title>
      <code>Q87.19</code>
    </mainTerm>
    <mainTerm>
      <title>Abasia<nemod>(-astasia) (hysterical)</nemod></title>
      <code>F44.4</code>
    </mainTerm>
    <mainTerm>
      <title>Abdomen, abdominal</title>
      <seeAlso>condition</seeAlso>
      <term level="1">
        <title>acute</title>
        <code>R10.0</code>
      </term>
      <term level="1">
        <title>angina</title>
        <code>K55.1</code>
        <term level="2">
          <title>with infarction<nemod>(acute)</nemod> NEC</title>
          <code>K55.0-</code>
        </term>
      </term>
    </mainTerm>
    <mainTerm>
      <title>Abandonment</title>
      <see>Maltreatment</see>
    </mainTerm>
  </letter>
</ICD10CM.index>
"""

DRUG_XML = """\
<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.index>
  <version>2025</version>
  <indexHeading>
    <head col="1">Substance</head>
    <head col="2">Poisoning Accidental (unintentional)</head>
    <head col="3">Poisoning Intentional self-harm</head>
    <head col="4">Poisoning Assault</head>
    <head col="5">Poisoning Undetermined</head>
    <head col="6">Adverse effect</head>
    <head col="7">Underdosing</head>
  </indexHeading>
  <letter>
    <title>#</title>
    <mainTerm>
      <title>2,4-D<nemod>(dichlorophen-oxyacetic acid)</nemod></title>
      <cell col="2">T60.3X1</cell>
      <cell col="3">T60.3X2</cell>
      <cell col="4">T60.3X3</cell>
      <cell col="5">T60.3X4</cell>
      <cell col="6">--</cell>
      <cell col="7">--</cell>
    </mainTerm>
  </letter>
  <letter>
    <title>A</title>
    <mainTerm>
      <title>Acetaminophen</title>
      <cell col="2">T39.1X1</cell>
      <cell col="3">T39.1X2</cell>
      <cell col="4">T39.1X3</cell>
      <cell col="5">T39.1X4</cell>
      <cell col="6">T39.1X5</cell>
      <cell col="7">T39.1X6</cell>
      <term level="1">
        <title>with codeine</title>
        <see>Codeine</see>
      </term>
    </mainTerm>
  </letter>
</ICD10CM.index>
"""

NEOPLASM_XML = """\
<?xml version="1.0" encoding="utf-8"?>
<ICD10CM.index>
  <version>2025</version>
  <indexHeading>
    <head col="1">Neoplasm</head>
    <head col="2">Malignant Primary</head>
    <head col="3">Malignant Secondary</head>
    <head col="4">Ca in situ</head>
    <head col="5">Benign</head>
    <head col="6">Uncertain Behavior</head>
    <head col="7">Unspecified Behavior</head>
  </indexHeading>
  <letter>
    <title>N</title>
    <mainTerm>
      <title>Neoplasm, neoplastic</title>
      <cell col="2">C80.1</cell>
      <cell col="3">C79.9</cell>
      <cell col="4">D09.9</cell>
      <cell col="5">D36.9</cell>
      <cell col="6">D48.9</cell>
      <cell col="7">D49.9</cell>
      <term level="1">
        <title>skin</title>
        <cell col="2">C44.509</cell>
      </term>
    </mainTerm>
  </letter>
</ICD10CM.index>
"""

EINDEX_CSV = """\
seq,letter,level,term,nemod,path,code,see,see_also,see_cat,subcat
1,A,0,Abandonment NEC,(causing exposure to weather conditions),Abandonment NEC,X58,,,,
2,A,0,Accident,(to),Accident,X58,,,,
3,A,1,aircraft,(in transit),Accident > aircraft,,,"Accident, transport, aircraft",,
4,A,2,"due to, caused by cataclysm",,"Accident > aircraft > due to, caused by cataclysm",,"Forces of nature, by type",,,
5,L,0,Lightning,,Lightning,,,,,T75.0
"""

INDEX_CSV_HEADER = "seq,letter,level,term,see,see_also,nemod,code\n"
INDEX_CSV = INDEX_CSV_HEADER + (
    "1,A,0,Aarskog's syndrome,,,,Q87.19\n"
    "2,A,0,Abandonment,Maltreatment,,,\n"
    '3,A,0,"Abdomen, abdominal",,condition,,\n'
    "4,A,1,acute,,,,R10.0\n"
    "5,A,1,angina,,,,K55.1\n"
    "6,A,2,with infarction,,,(acute),K55.0-\n"
)


def write(path: Path, text: str, *, gz: bool = False) -> Path:
    if gz:
        with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def entries(table: str) -> list[tuple[Any, ...]]:
    return list(
        IndexEntry.objects.filter(table=table)
        .order_by("seq")
        .values_list("seq", "level", "term", "path", "code", "see", "see_also", "cells")
    )


def refused(path: Path) -> DataFileError:
    """Import a bad file: the error it raises, after checking nothing was written."""
    before = Release.objects.count()
    with pytest.raises(DataFileError) as caught:
        import_file(path)
    assert Release.objects.count() == before
    assert IndexEntry.objects.count() == 0
    assert str(path) in str(caught.value)
    return caught.value


@pytest.mark.django_db
def test_it_loads_the_alphabetic_index_xml_in_document_order(tmp_path):
    result = import_file(write(tmp_path / "icd10cm-index-2025.xml", INDEX_XML))

    assert (result.dataset, result.row_counts) == ("icd10cm_index", {"index_entries": 7})
    release = Release.objects.get()
    assert (release.code_system, release.version_label) == ("ICD10CM", "FY2025")
    assert (release.effective_from, release.effective_to) == (
        dt.date(2024, 10, 1),
        dt.date(2025, 9, 30),
    )
    assert entries("index") == [
        (1, 0, "Aarskog's syndrome", "Aarskog's syndrome", "Q8719", "", "", {}),
        (2, 0, "Abasia", "Abasia", "F444", "", "", {"nemod": "(-astasia) (hysterical)"}),
        (3, 0, "Abdomen, abdominal", "Abdomen, abdominal", "", "", "condition", {}),
        (4, 1, "acute", "Abdomen, abdominal > acute", "R100", "", "", {}),
        (5, 1, "angina", "Abdomen, abdominal > angina", "K551", "", "", {}),
        (
            6,
            2,
            "with infarction NEC",
            "Abdomen, abdominal > angina > with infarction NEC",
            "K550-",
            "",
            "",
            {"nemod": "(acute)"},
        ),
        (7, 0, "Abandonment", "Abandonment", "", "Maltreatment", "", {}),
    ]


@pytest.mark.django_db
def test_it_loads_the_drug_table_xml_with_its_six_columns(tmp_path):
    result = import_file(write(tmp_path / "icd-10-cm-drug-2025.xml.gz", DRUG_XML, gz=True))

    assert (result.dataset, result.row_counts) == ("icd10cm_drug", {"index_entries": 3})
    rows = entries("drug")
    assert rows[0][:5] == (1, 0, "2,4-D", "2,4-D", "")
    assert rows[0][7] == {
        "poisoning_accidental": "T60.3X1",
        "poisoning_intentional_self_harm": "T60.3X2",
        "poisoning_assault": "T60.3X3",
        "poisoning_undetermined": "T60.3X4",
        "adverse_effect": "--",
        "underdosing": "--",
        "nemod": "(dichlorophen-oxyacetic acid)",
    }
    assert rows[2][:6] == (3, 1, "with codeine", "Acetaminophen > with codeine", "", "Codeine")
    assert rows[2][7] == dict.fromkeys(icd10cm_index.DRUG_COLUMNS, "")


@pytest.mark.django_db
def test_it_loads_the_neoplasm_table_xml_leaving_missing_cells_blank(tmp_path):
    result = import_file(write(tmp_path / "icd-10-cm-neoplasm-2025.xml", NEOPLASM_XML))

    assert (result.dataset, result.row_counts) == ("icd10cm_neoplasm", {"index_entries": 2})
    skin = entries("neoplasm")[1]
    assert skin[3] == "Neoplasm, neoplastic > skin"
    assert skin[7]["malignant_primary"] == "C44.509"
    assert skin[7]["benign"] == ""


@pytest.mark.django_db
def test_it_loads_the_external_cause_csv_with_its_extra_fields(tmp_path):
    path = write(tmp_path / "icd10cm_external_cause_index_2025.csv.gz", EINDEX_CSV, gz=True)
    result = import_file(path)

    assert (result.dataset, result.row_counts) == ("icd10cm_eindex", {"index_entries": 5})
    rows = entries("eindex")
    assert rows[0] == (
        1,
        0,
        "Abandonment NEC",
        "Abandonment NEC",
        "X58",
        "",
        "",
        {"nemod": "(causing exposure to weather conditions)"},
    )
    assert rows[2][6] == "Accident, transport, aircraft"
    assert rows[3][3:6] == (
        "Accident > aircraft > due to, caused by cataclysm",
        "",
        "Forces of nature, by type",
    )
    assert rows[4][7] == {"subcat": "T75.0"}


@pytest.mark.django_db
def test_it_rebuilds_the_path_of_the_alphabetic_index_csv_from_levels(tmp_path):
    import_file(write(tmp_path / "icd10cm_index_2025.csv", INDEX_CSV))

    rows = entries("index")
    assert [r[3] for r in rows] == [
        "Aarskog's syndrome",
        "Abandonment",
        "Abdomen, abdominal",
        "Abdomen, abdominal > acute",
        "Abdomen, abdominal > angina",
        "Abdomen, abdominal > angina > with infarction",
    ]
    assert rows[5][4] == "K550-"
    assert rows[1][5] == "Maltreatment"


@pytest.mark.django_db
def test_the_xml_and_the_csv_of_one_table_and_year_are_one_release(tmp_path):
    drug_csv = (
        "seq,letter,level,term,nemod,path,poisoning_accidental,poisoning_intentional_self_harm,"
        "poisoning_assault,poisoning_undetermined,adverse_effect,underdosing,see,see_also\n"
        "1,#,0,2-propanol,,2-propanol,T51.2X1,T51.2X2,T51.2X3,T51.2X4,--,--,,\n"
    )
    first = import_file(write(tmp_path / "icd10cm_drug_table_2025.csv", drug_csv))
    second = import_file(write(tmp_path / "icd-10-cm-drug-2025.xml", DRUG_XML))

    assert (first.version_label, second.version_label) == ("FY2025", "FY2025")
    assert second.status == "replaced"
    assert Release.objects.get().source_file == "icd-10-cm-drug-2025.xml"


@pytest.mark.django_db
def test_it_imports_the_same_file_twice_as_unchanged(tmp_path):
    path = write(tmp_path / "icd10cm-index-2025.xml", INDEX_XML)
    import_file(path)

    assert import_file(path).status == "unchanged"
    assert IndexEntry.objects.count() == 7


@pytest.mark.django_db
def test_it_refuses_a_term_that_skips_a_level(tmp_path):
    text = INDEX_CSV + "7,A,4,deep,,,,K55.9\n"
    error = refused(write(tmp_path / "icd10cm_index_2025.csv", text))

    assert (error.line, error.message) == (8, icd10cm_index.BAD_LEVEL.format(value=4))


@pytest.mark.django_db
def test_it_refuses_a_bad_level_in_the_xml(tmp_path):
    text = INDEX_XML.replace('<term level="2">', '<term level="two">')
    error = refused(write(tmp_path / "icd10cm-index-2025.xml", text))

    assert error.message == icd10cm_index.BAD_LEVEL.format(value="two")
    assert error.line == text[: text.index('level="two"')].count("\n") + 1


@pytest.mark.django_db
def test_it_refuses_a_duplicate_sequence_number(tmp_path):
    text = INDEX_CSV + "5,A,1,bloated,,,,R14.0\n"
    error = refused(write(tmp_path / "icd10cm_index_2025.csv", text))

    assert error.line == 8
    assert "duplicate seq 5 (first seen on line 6)" in error.message


@pytest.mark.django_db
def test_it_refuses_cpt_descriptor_text_naming_file_and_line(tmp_path):
    text = INDEX_CSV + "7,A,0,Office visit established,,,,99213\n"
    error = refused(write(tmp_path / "icd10cm_index_2025.csv", text))

    assert error.line == 8
    assert error.message == LICENSED_TEXT_REFUSED.format(kind="CPT", code="99213")


@pytest.mark.django_db
def test_it_refuses_a_truncated_gzip_file(tmp_path):
    lines = [INDEX_CSV_HEADER]
    lines += [
        f"{n},A,0,Term number {n} of a long index,,,,R{n % 100:02d}.{n % 7}\n"
        for n in range(1, 8000)
    ]
    path = write(tmp_path / "icd10cm_index_2025.csv.gz", "".join(lines), gz=True)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    error = refused(path)

    assert "truncated or corrupt" in error.message
    assert error.line is not None and error.line > 1


@pytest.mark.django_db
def test_it_refuses_a_csv_without_a_required_column(tmp_path):
    text = INDEX_CSV.replace("see_also,", "also,")
    error = refused(write(tmp_path / "icd10cm_index_2025.csv", text))

    assert error.line == 1
    assert "header lacks column(s): see_also" in error.message


@pytest.mark.django_db
def test_a_drug_table_is_not_taken_for_the_alphabetic_index(tmp_path):
    with pytest.raises(DataFileError, match="unknown file"):
        import_file(write(tmp_path / "icd10cm-index-2025.xml", DRUG_XML))
    assert Release.objects.count() == 0


SHARED = {
    "icd10cm_index_2025.csv.gz": ("icd10cm_index", 81_024),
    "icd10cm_drug_table_2025.csv.gz": ("icd10cm_drug", 7_428),
    "icd10cm_neoplasm_table_2025.csv.gz": ("icd10cm_neoplasm", 1_939),
    "icd10cm_external_cause_index_2025.csv.gz": ("icd10cm_eindex", 8_064),
    "raw/icd10cm_index_2025/icd-10-cm-drug-2025.xml.gz": ("icd10cm_drug", 7_428),
    "raw/icd10cm_index_2025/icd-10-cm-neoplasm-2025.xml": ("icd10cm_neoplasm", 1_939),
    "raw/icd10cm_index_2025/icd-10-cm-eindex-2025.xml.gz": ("icd10cm_eindex", 8_064),
}


@pytest.mark.fulldata
@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(SHARED))
def test_the_shared_index_files_load_every_row(shared_data_dir, name):
    result = import_file(shared_data_dir / name)

    assert (result.dataset, result.row_counts["index_entries"]) == SHARED[name]
    assert result.version_label == "FY2025"


@pytest.mark.fulldata
@pytest.mark.parametrize(
    ("table", "csv_name", "xml_name"),
    [
        ("eindex", "icd10cm_external_cause_index_2025.csv.gz", "icd-10-cm-eindex-2025.xml.gz"),
        ("drug", "icd10cm_drug_table_2025.csv.gz", "icd-10-cm-drug-2025.xml.gz"),
        ("neoplasm", "icd10cm_neoplasm_table_2025.csv.gz", "icd-10-cm-neoplasm-2025.xml"),
    ],
)
def test_the_official_xml_and_the_shared_csv_give_the_same_rows(
    shared_data_dir, table, csv_name, xml_name
):
    spec = next(t for t in icd10cm_index.TABLES if t.table == table)
    from_csv = list(icd10cm_index.parse_index_csv(shared_data_dir / csv_name, spec))
    from_xml = list(
        icd10cm_index.parse_index_xml(shared_data_dir / "raw/icd10cm_index_2025" / xml_name, spec)
    )

    assert from_xml == from_csv


@pytest.mark.fulldata
def test_the_shared_index_csvs_have_the_columns_the_importer_needs(shared_data_dir):
    for spec in icd10cm_index.TABLES:
        name = {
            "index": "icd10cm_index_2025.csv.gz",
            "eindex": "icd10cm_external_cause_index_2025.csv.gz",
            "drug": "icd10cm_drug_table_2025.csv.gz",
            "neoplasm": "icd10cm_neoplasm_table_2025.csv.gz",
        }[spec.table]
        with gzip.open(shared_data_dir / name, "rt", encoding="utf-8") as fh:
            header = next(csv.reader(fh))
        assert set(spec.csv_columns) <= set(header)
