"""The NCD coding spreadsheet importer, on small workbooks built in CMS's layout."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from medcode.codes.importers import ncd
from medcode.codes.models import NcdCodeListing, Release
from medcode.codes.services import import_file
from medcode.codes.tests.incoming import incoming_file
from medcode.lib.errors import DataFileError

NAME = "2026100-Initial-ICD10-NCD-Spreadsheet-20250721.xlsx"
LEGEND: list[list[Any]] = [
    [None, None, None, "MEDICARE NATIONAL COVERAGE DETERMINATIONS"],
    [None, None, "Legend", None, None, None, "Resolution Code Definitions "],
    ["Red in this spreadsheet indicates an January 2026 change.", None, None, None, None,
     "     1 - ICD-10-CM codes covered by Medicare."],
    [None, None, None, None, None, "     2 - ICD-10-CM codes denied. "],
    [None, None, None, None, None, "     3 - ICD-10-CM codes that do not support medical necessity."],
]  # fmt: skip
HEADER: list[list[Any]] = [
    ["NCD ", "NCD", "CPT/HCPCS ", "CPT/HCPCS", "CPT/HCPCS", "ICD-10", "ICD-10 EFF",
     "ICD-10 TERM", "RESOLUTION"],
    ["Number", "DESCRIPTION", "CODES", "EFF DATE", "TERM DATE", "CODE", " DATE", "DATE",
     "CODE 1/"],
]  # fmt: skip
OCT_2015 = dt.datetime(2015, 10, 1)
ROWS: list[list[Any]] = [
    [190.12, "Urine Culture, Bacterial", 87086, None, None, "A021", OCT_2015, None, 1],
    [190.12, None, 87088, None, None, "Z8489", OCT_2015, dt.datetime(2025, 9, 30), 2],
    [190.12, None, None, None, None, "@@@@@@@", OCT_2015, None, 3],
    [190.15, "Blood Counts", 85004, dt.datetime(2003, 7, 1), None, "A000", OCT_2015, None, 3],
    [190.15, None, None, None, None, "@@@@@@@", OCT_2015, None, 1],
    ["190.20A", "Blood Glucose Testing", 82948, None, None, "E119", OCT_2015, None, 1],
    ["190.30", "Tumor Antigen by Immunoassay", 86301, None, None, "C250", OCT_2015, None, 1],
]


def workbook(path: Path, rows: list[list[Any]], *, header: list[list[Any]] = HEADER) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in [*LEGEND, *header, *rows]:
        sheet.append(row)
    book.save(path)
    return path


def listings(release_id: int) -> list[tuple[Any, ...]]:
    return list(
        NcdCodeListing.objects.filter(release_id=release_id)
        .order_by("line", "system")
        .values_list(
            "ncd", "title", "system", "code", "effective_on", "terminated_on", "resolution"
        )
    )


@pytest.mark.django_db
def test_it_loads_both_lists_of_each_ncd_with_dates_and_resolutions(tmp_path):
    result = import_file(workbook(tmp_path / NAME, ROWS))

    assert (result.dataset, result.row_counts) == ("ncd_coding_spreadsheet", {"ncd_codes": 12})
    release = Release.objects.get()
    assert release.version_label == "January 2026 (issued 2025-07-21)"
    assert release.effective_from == dt.date(2026, 1, 1)
    found = listings(release.pk)
    urine = "Urine Culture, Bacterial"
    assert found[:5] == [
        ("190.12", urine, "HCPCS", "87086", None, None, None),
        ("190.12", urine, "ICD10CM", "A021", dt.date(2015, 10, 1), None, 1),
        ("190.12", urine, "HCPCS", "87088", None, None, None),
        ("190.12", urine, "ICD10CM", "Z8489", dt.date(2015, 10, 1), dt.date(2025, 9, 30), 2),
        ("190.12", urine, "ICD10CM", "@@@@@@@", dt.date(2015, 10, 1), None, 3),
    ]
    blood = [row for row in found if row[0] == "190.15"]
    assert blood[0] == ("190.15", "Blood Counts", "HCPCS", "85004", dt.date(2003, 7, 1), None, None)
    assert blood[-1][3:] == ("@@@@@@@", dt.date(2015, 10, 1), None, 1)
    # NCD numbers stored as text keep their letters and trailing zeros.
    assert {row[0] for row in found} == {"190.12", "190.15", "190.20A", "190.30"}


@pytest.mark.django_db
def test_a_reimport_is_unchanged(tmp_path):
    path = workbook(tmp_path / NAME, ROWS)
    import_file(path)

    assert import_file(path).status == "unchanged"
    assert NcdCodeListing.objects.count() == 12


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ([190.12, None, None, None, None, "A02.1X", OCT_2015, None, 4], "resolution code"),
        ([190.12, None, None, None, None, "1234", OCT_2015, None, 1], "not an ICD-10-CM code"),
        ([190.12, None, None, None, None, "A021", OCT_2015, None, None], "no resolution code"),
        ([190.12, None, "8708", None, None, "A021", OCT_2015, None, 1], "not a CPT/HCPCS code"),
        ([190.12, None, None, None, None, "A021", "soon", None, 1], "bad date"),
        (["NCD?", None, None, None, None, "A021", OCT_2015, None, 1], "bad NCD number"),
    ],
)
@pytest.mark.django_db
def test_a_bad_row_is_refused_with_its_row_number_and_nothing_is_kept(tmp_path, row, message):
    path = workbook(tmp_path / NAME, [ROWS[0], row])

    with pytest.raises(DataFileError) as caught:
        import_file(path)

    assert message in str(caught.value)
    assert caught.value.line == len(LEGEND) + len(HEADER) + 2
    assert not Release.objects.exists() and not NcdCodeListing.objects.exists()


@pytest.mark.django_db
def test_a_header_without_a_column_names_the_column(tmp_path):
    header = [row[:8] for row in HEADER]  # no RESOLUTION CODE ...
    header[0][7], header[1][7] = "RESOLUTION", "CODE 1/"  # ... in place of the term date
    path = workbook(tmp_path / NAME, [row[:8] for row in ROWS], header=header)

    with pytest.raises(DataFileError, match="ICD-10 TERM DATE"):
        import_file(path)


def test_a_workbook_with_another_name_or_no_such_header_is_not_taken(tmp_path):
    assert ncd.matches(workbook(tmp_path / NAME, ROWS), [])
    assert not ncd.matches(workbook(tmp_path / "other.xlsx", ROWS), [])
    plain = Workbook()
    plain.save(tmp_path / "2026-ICD10-NCD-Spreadsheet.xlsx")
    assert not ncd.matches(tmp_path / "2026-ICD10-NCD-Spreadsheet.xlsx", [])


@pytest.mark.django_db
def test_the_real_spreadsheet_imports_whole(shared_data_dir):
    result = import_file(incoming_file(shared_data_dir, NAME))

    # 66,285 sheet rows: 7 legend and header rows, then one ICD-10-CM code a row; 60 rows
    # also name a CPT code.
    assert result.row_counts == {"ncd_codes": 66_278 + 60}
    rows = NcdCodeListing.objects.filter(release_id=result.release_id)
    assert rows.values("ncd").distinct().count() == 26
    # Every NCD ends its diagnosis list with one "all other codes" row.
    assert rows.filter(code=ncd.ALL_OTHERS).count() == 26
    assert set(rows.filter(ncd="190.15", code="85025").values_list("system", flat=True)) == {
        "HCPCS"
    }
