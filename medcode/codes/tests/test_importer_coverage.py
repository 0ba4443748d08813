"""Medicare Coverage Database importers: NCDs, LCD HCPCS codes, article ICD-10-CM codes."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path

import pytest

from conftest import write_text
from medcode.codes.importers.coverage import ARTICLE_COLUMNS, LCD_COLUMNS, NCD_COLUMNS
from medcode.codes.models import ReferenceRow, Release
from medcode.codes.services import import_file
from medcode.lib.errors import DataFileError


def csv_line(values: list[str]) -> str:
    return ",".join(f'"{v}"' if ("," in v or '"' in v) else v for v in values) + "\n"


def ncd_row(ncd_id: str = "1", version: str = "2", **kw: str) -> str:
    values = dict.fromkeys(NCD_COLUMNS, "")
    values.update(
        id=ncd_id,
        version=version,
        coverage="Restricted",
        section="310.1",
        section_name="Routine Costs in Clinical Trials",
        date_eff="2007-07-09",
        date_impl="2007-10-09",
        indications="<p>Made-up indications text</p>",
        under_review="True",
        lab="False",
        ama_copyright="False",
        pub_code="25",
        pub_number="100-3",
        pub_title="National Coverage Determinations",
    )
    values.update(kw)
    return csv_line([values[c] for c in NCD_COLUMNS])


NCD_HEADER = ",".join(NCD_COLUMNS) + "\n"


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
def test_ncds_are_kept_with_their_html_and_repeats_merge_their_benefit_categories(
    tmp_path: Path,
) -> None:
    rows = (
        ncd_row()
        + ncd_row(
            "195", "3", section_name="Xenon Scan - RETIRED", benefit_code="19", benefit_cat="A"
        )
        + ncd_row(
            "195", "3", section_name="Xenon Scan - RETIRED", benefit_code="20", benefit_cat="B"
        )
    )
    result = import_file(
        write_text(tmp_path / "mcd_ncd_2022_12.csv.gz", NCD_HEADER + rows, gz=True)
    )

    assert (result.dataset, result.version_label, result.row_counts) == (
        "mcd_ncd",
        "MCD NCD download 2022-12",
        {"ncd": 2},
    )
    assert Release.objects.get().effective_from == dt.date(2022, 12, 1)
    trials = ReferenceRow.objects.get(data__id=1).data
    assert trials["version"] == 2 and trials["title"] == "Routine Costs in Clinical Trials"
    assert trials["indications"] == "<p>Made-up indications text</p>"
    assert trials["date_eff"] == "2007-07-09" and trials["date_end"] is None
    assert trials["under_review"] is True and trials["lab"] is False
    xenon = ReferenceRow.objects.get(data__id=195).data
    assert xenon["benefit_categories"] == [
        {"code": "19", "category": "A"},
        {"code": "20", "category": "B"},
    ]


@pytest.mark.django_db
def test_an_ncd_repeat_with_other_content_is_refused(tmp_path: Path) -> None:
    rows = ncd_row() + ncd_row(coverage="Full")
    path = write_text(tmp_path / "mcd_ncd_2022_12.csv", NCD_HEADER + rows)
    assert_refused(path, 3, "NCD 1 version 2 appears again with different content")


@pytest.mark.django_db
def test_an_ncd_bad_date_is_refused(tmp_path: Path) -> None:
    path = write_text(tmp_path / "mcd_ncd_2022_12.csv", NCD_HEADER + ncd_row(date_eff="2007-02-30"))
    assert_refused(path, 2, "bad date '2007-02-30' in column date_eff")


LCD_HEADER = ",".join(LCD_COLUMNS) + "\n"
LCD_ROWS = (
    '33312,34,A9900,75,4,N,2020-03-08 00:06:51,"MISCELLANEOUS DME SUPPLY, ACCESSORY",'
    "Supply/accessory/service,\n"
    "33312,34,E0953,75,3,N,2020-03-08 00:06:51,WHEELCHAIR ACCESSORY,W/c lateral thigh/knee sup,\n"
)


@pytest.mark.django_db
def test_lcd_hcpcs_rows_are_kept_with_their_group(tmp_path: Path) -> None:
    name = "mcd_lcd_x_hcpc_code_dme_subset_2023_04.csv.gz"
    result = import_file(write_text(tmp_path / name, LCD_HEADER + LCD_ROWS, gz=True))

    assert (result.dataset, result.row_counts) == ("mcd_lcd_hcpcs", {"lcd_hcpcs": 2})
    assert result.version_label == "MCD LCD download 2023-04 (DME LCDs only)"
    row = ReferenceRow.objects.get(data__hcpcs="A9900").data
    assert (row["lcd_id"], row["lcd_version"], row["group"], row["range"]) == (33312, 34, 4, False)


@pytest.mark.django_db
def test_an_lcd_row_with_cpt_text_or_a_repeat_is_refused(tmp_path: Path) -> None:
    cpt = "33312,34,97760,75,1,N,2020-03-08,Made-up text,Made-up,\n"
    name = "mcd_lcd_x_hcpc_code_dme_subset_2023_04.csv"
    assert_refused(write_text(tmp_path / name, LCD_HEADER + LCD_ROWS + cpt), 4, "CPT code 97760")
    again = LCD_ROWS.splitlines()[1] + "\n"
    path = write_text(tmp_path / "b" / name, LCD_HEADER + LCD_ROWS + again)
    assert_refused(path, 4, "duplicate LCD, version, code and group")


ARTICLE_HEADER = ",".join(ARTICLE_COLUMNS) + "\n"
ARTICLE_ROWS = (
    "27096,M43.28,covered,L39383 L39462 L39464\n"
    "27096,M46.1,noncovered,L39383\n"
    "J9035,C18.0,covered,\n"
)
ARTICLE_NAME = "mcd_lcd_article_code_icd10_union_2026_04_partial.csv.gz"


@pytest.mark.django_db
def test_article_icd10_pairs_are_kept_with_undotted_codes(tmp_path: Path) -> None:
    result = import_file(
        write_text(tmp_path / ARTICLE_NAME, ARTICLE_HEADER + ARTICLE_ROWS, gz=True)
    )

    assert (result.dataset, result.row_counts) == ("mcd_article_icd10", {"article_icd10": 3})
    assert result.version_label == "Coverage API articles 2026-04 (partial)"
    row = ReferenceRow.objects.get(data__icd10cm="M4328")
    assert row.key == "article_icd10"
    assert row.data == {
        "hcpcs": "27096",
        "icd10cm": "M4328",
        "status": "covered",
        "lcd_ids": ["L39383", "L39462", "L39464"],
    }
    assert ReferenceRow.objects.get(data__hcpcs="J9035").data["lcd_ids"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("27096,M43.28,maybe,L1\n", "status must be covered or noncovered, not 'maybe'"),
        ("27096,XYZ,covered,L1\n", "not an ICD-10-CM code: 'XYZ'"),
        ("27096,M43.28,covered,L1\n", "duplicate code pair '27096 / M43.28'"),
        ("27096,M48.0,covered,39383\n", "not an LCD id: '39383'"),
    ],
)
def test_a_bad_article_row_is_refused_naming_the_line(
    tmp_path: Path, row: str, message: str
) -> None:
    path = write_text(tmp_path / ARTICLE_NAME, ARTICLE_HEADER + ARTICLE_ROWS + row, gz=True)
    assert_refused(path, 5, message)


@pytest.mark.django_db
def test_a_missing_column_or_truncated_gzip_is_refused(tmp_path: Path) -> None:
    text = "hcpcs,icd10cm,lcd_ids\n27096,M43.28,L1\n"
    assert_refused(write_text(tmp_path / ARTICLE_NAME, text, gz=True), 1, "unknown file")
    rows = "".join(f"{10000 + i},M43.28,covered,L1\n" for i in range(30000))
    body = gzip.compress((ARTICLE_HEADER + rows).encode())
    path = tmp_path / "cut" / ARTICLE_NAME
    path.parent.mkdir()
    path.write_bytes(body[: len(body) // 2])
    assert_refused(path, None, "truncated or corrupt")


@pytest.mark.django_db
def test_importing_the_same_ncd_file_twice_is_unchanged(tmp_path: Path) -> None:
    path = write_text(tmp_path / "mcd_ncd_2022_12.csv", NCD_HEADER + ncd_row())
    assert import_file(path).status == "imported"
    assert import_file(path).status == "unchanged"


@pytest.mark.fulldata
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "counts"),
    [
        # 352 rows: NCDs 195 v3 and 287 v3 are listed once per benefit category (2 each).
        ("mcd_ncd_2022_12.csv.gz", {"ncd": 350}),
        ("mcd_lcd_x_hcpc_code_dme_subset_2023_04.csv.gz", {"lcd_hcpcs": 2183}),
        ("mcd_lcd_article_code_icd10_union_2026_04_partial.csv.gz", {"article_icd10": 208029}),
    ],
)
def test_the_shared_mcd_files_import_with_their_manifest_row_counts(
    shared_data_dir: Path, name: str, counts: dict[str, int]
) -> None:
    assert import_file(shared_data_dir / name).row_counts == counts
