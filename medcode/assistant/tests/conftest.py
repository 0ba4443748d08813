"""CasePilot fixtures: the code pages' sample releases plus a few rows CasePilot needs.

The samples are medcode/codes/tests/sample_data.py's files (ICD-10-CM, PFS, HCPCS and
modifiers, PCS, OPPS, POS, NCCI), with the ICD-10-CM files rewritten to add two categories whose
Excludes1 notes name each other (E10/E11), and the coverage tables (an NCD, a DME LCD list and
article rows) in the shared layouts. Everything goes through the real importers.
"""

from __future__ import annotations

import datetime as dt
import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest

from medcode.codes.importers.coverage import ARTICLE_COLUMNS, LCD_COLUMNS, NCD_COLUMNS
from medcode.codes.queries import clear_caches
from medcode.codes.services import import_file
from medcode.codes.tests import sample_data
from medcode.codes.tests.sample_data import importable, write_csv

# The date the sample answers are asked on: every sample release is in force.
ON = dt.date(2026, 4, 15)

# Added to the samples: two categories whose Excludes1 notes name each other.
EXTRA_ICD = """\
E10,E10,Type 1 diabetes mellitus,category,0,,4,E08-E13,0
E10.9,E109,Type 1 diabetes mellitus without complications,subcategory,1,E10,4,E08-E13,0
E11,E11,Type 2 diabetes mellitus,category,0,,4,E08-E13,0
E11.9,E119,Type 2 diabetes mellitus without complications,subcategory,1,E11,4,E08-E13,0
"""
EXTRA_NOTES = """\
E10,excludes1,1,type 2 diabetes mellitus (E11.-)
E11,excludes1,1,type 1 diabetes mellitus (E10.-)
E11,includes,1,diabetes NOS
"""
EXTRA = {
    "icd10cm_codes_2026.csv.gz": EXTRA_ICD,
    "icd10cm_tabular_notes_2026.csv": EXTRA_NOTES,
}


def write_code_samples(folder: Path) -> list[Path]:
    """The code pages' sample files, with CasePilot's extra rows appended."""
    paths = []
    for name, text in sample_data.SAMPLES.items():
        path = folder / name
        text += EXTRA.get(name, "")
        if name.endswith(".gz"):
            with gzip.open(path, "wt", encoding="utf-8") as fh:
                fh.write(text)
        else:
            path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def write_coverage(folder: Path) -> list[Path]:
    ncd = dict.fromkeys(NCD_COLUMNS, "")
    ncd.update(
        id="240", version="1", coverage="Restricted", section="160.7",
        section_name="Electrical Nerve Stimulators", date_eff="1995-08-07",
        under_review="False", lab="False", ama_copyright="False",
        pub_code="25", pub_number="100-3", pub_title="National Coverage Determinations",
    )  # fmt: skip
    lcd = dict.fromkeys(LCD_COLUMNS, "")
    lcd.update(
        lcd_id="33802", lcd_version="12", hcpc_code_id="E0114", hcpc_code_version="1",
        hcpc_code_group="1", range="N", last_updated="2023-04-27",
        long_description="Crutches underarm, other than wood, pair", short_description="Crutch",
    )  # fmt: skip
    return [
        write_csv(
            folder / "mcd_ncd_2022_12.csv", NCD_COLUMNS, [tuple(ncd[c] for c in NCD_COLUMNS)]
        ),
        write_csv(
            folder / "mcd_lcd_x_hcpc_code_dme_subset_2023_04.csv",
            LCD_COLUMNS,
            [tuple(lcd[c] for c in LCD_COLUMNS)],
        ),
        write_csv(
            folder / "mcd_lcd_article_code_icd10_union_2026_04_partial.csv",
            ARTICLE_COLUMNS,
            [
                ("63650", "M54.50", "covered", "L36204"),
                ("63650", "A01.00", "noncovered", "L36204"),
            ],
        ),
    ]


def write_samples(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return write_code_samples(folder) + write_coverage(folder)


@pytest.fixture
def pilot_samples(db: None, tmp_path: Path, settings) -> Iterator[Path]:
    """Every sample release imported, the search index built, metering off, caches clear."""
    from medcode.search.index import rebuild_index

    settings.MEDCODE_METERING = False
    settings.MEDCODE_RELEASE_CHECK_SECONDS = 0
    settings.MEDCODE_LLM_BASE_URL = ""
    settings.MEDCODE_LLM_MODEL = ""
    clear_caches()
    folder = tmp_path / "data"
    for path in write_samples(folder):
        if importable(path):
            import_file(path)
    rebuild_index(force=True)
    clear_caches()
    yield folder
    clear_caches()


@pytest.fixture
def needs_ncci(pilot_samples: Path) -> None:
    from medcode.codes.models import Release

    if not Release.objects.filter(row_counts__has_key="ptp_edits").exists():
        pytest.skip(sample_data.NCCI_MISSING)
