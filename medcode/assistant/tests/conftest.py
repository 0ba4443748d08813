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
from tests.kept import Keeper, keeps, kept, kept_value

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
# Rows behind the questions quoted in issue 14 (values as in the 2024Q3 NCCI and RVU25D
# files: 99417 and 99358 status I with RVUs not used for payment; 64483 bilateral 1; the 63650/
# 62321 edit modifier indicator 0 for practitioners, 1 for hospitals).
WHY_ICD = """\
E10.2,E102,Type 1 diabetes mellitus with kidney complications,subcategory,0,E10,4,E08-E13,0
E10.22,E1022,Type 1 diabetes mellitus with diabetic chronic kidney disease,subcategory,1,E102,4,E08-E13,0
E11.2,E112,Type 2 diabetes mellitus with kidney complications,subcategory,0,E11,4,E08-E13,0
E11.22,E1122,Type 2 diabetes mellitus with diabetic chronic kidney disease,subcategory,1,E112,4,E08-E13,0
N18,N18,Chronic kidney disease (CKD),category,0,,14,N17-N19,0
N18.1,N181,"Chronic kidney disease, stage 1",subcategory,1,N18,14,N17-N19,0
N18.6,N186,End stage renal disease,subcategory,1,N18,14,N17-N19,0
N18.3,N183,"Chronic kidney disease, stage 3 (moderate)",subcategory,0,N18,14,N17-N19,0
N18.30,N1830,"Chronic kidney disease, stage 3 unspecified",subcategory,1,N183,14,N17-N19,0
"""
WHY_NOTES = """\
E11.22,useAdditionalCode,1,code to identify stage of chronic kidney disease (N18.1-N18.6)
"""
_PFS_TAIL = "32.3465,09,0,99,0.00,0.00,0.00"
WHY_PFS = f"""\
99417,,,I,+,0.61,0.29,,0.29,,0.04,0.94,0.94,0,ZZZ,0.00,0.00,0.00,0,0,0,0,0,,{_PFS_TAIL}
99358,,,I,+,2.10,0.80,,0.77,,0.17,3.07,3.04,0,ZZZ,0.00,0.00,0.00,0,0,0,0,0,,{_PFS_TAIL}
99214,,,A,,1.92,1.57,,0.77,,0.13,3.62,2.82,0,XXX,0.00,0.00,0.00,0,0,0,0,0,,{_PFS_TAIL}
99205,,,A,,3.50,2.20,,1.40,,0.25,5.95,5.15,0,XXX,0.00,0.00,0.00,0,0,0,0,0,,{_PFS_TAIL}
62281,,,A,,2.50,4.10,,1.30,,0.20,6.80,4.00,0,010,0.10,0.80,0.10,2,0,1,0,0,,{_PFS_TAIL}
99215,,,A,,2.80,2.10,,1.12,,0.19,5.09,4.11,0,XXX,0.00,0.00,0.00,0,0,0,0,0,,{_PFS_TAIL}
G2212,,,A,,0.61,0.29,,0.25,,0.04,0.94,0.90,0,ZZZ,0.00,0.00,0.00,0,0,0,0,0,,{_PFS_TAIL}
62321,,,A,,1.80,5.20,,0.70,,0.15,7.15,2.65,0,000,0.00,0.00,0.00,2,0,1,0,0,,{_PFS_TAIL}
77003,,,A,,0.60,2.10,,2.10,,0.04,2.74,2.74,1,ZZZ,0.00,0.00,0.00,0,0,1,0,0,,{_PFS_TAIL}
64483,,,A,,1.90,5.05,,0.95,,0.17,7.12,3.02,0,000,0.00,0.00,0.00,2,1,1,0,0,,{_PFS_TAIL}
"""
WHY_HCPCS = """\
C1768,"Graft, vascular",Graft vascular,53,A,D,D1A,9:S,N,,,,,,,,0,,2001-01-01,,2001-01-01
C1820,"Generator, neurostimulator (implantable), with rechargeable battery and charging system",Generator neuro rechg bat sys,53,A,D,D1A,9:S,N,,,,,,,,0,,2006-01-01,,2006-01-01
G2212,"Prolonged office or other outpatient evaluation and management service(s) beyond the maximum required time of the primary procedure which has been selected using total time",Prolong outpt/office vis,11,9,C,M1B,1,N,,,,,,,,0,,2021-01-01,,2021-01-01
"""
# A visit code and a quality-reporting code whose titles share the question's words (rows as in
# the 2024-07 HCPCS file): "Welcome to Medicare visit ... first 12 months" is G0402, not G9383.
IPPE_HCPCS = """\
G0402,"Initial preventive physical examination; face-to-face visit, services limited to new beneficiary during the first 12 months of medicare enrollment",Initial preventive exam,11,A,C,M1A,1,N,,,,,,,0153,0,,2009-01-01,,2009-01-01
G9383,Patient received screening for hcv infection within the 12 month reporting period,Recd scrn hcv infec,00,9,C,Z2,1,N,,,,,,,,0,,2015-01-01,,2015-01-01
"""
WHY_PTP = """\
64483,99214,,,1,Standards of medical/surgical practice
"""
WHY_MUE = """\
20552,practitioner,1,2,Date of Service Edit: Policy,Code Descriptor / CPT Instruction
"""
WHY_AOC = """\
77003,62281,1,2017,
99417,99205,1,2021,
99417,99215,1,2021,
G2212,99205,1,2021,
G2212,99215,1,2021,
"""
# The outpatient hospital PTP table, which ASCs do not use.
HOSPITAL_PTP = """\
column_1,column_2,prior_1996,deletion_date,modifier_indicator,ptp_edit_rationale
63650,62321,,,1,Standards of medical/surgical practice
"""
EXTRA = {
    "icd10cm_codes_2026.csv.gz": EXTRA_ICD + WHY_ICD,
    "icd10cm_tabular_notes_2026.csv": EXTRA_NOTES + WHY_NOTES,
    "pfs_rvu_2025d.csv": WHY_PFS,
    "hcpcs_level2_2024_07.csv": WHY_HCPCS + IPPE_HCPCS,
    "ncci_ptp_practitioner_2024q3.csv": WHY_PTP,
    "ncci_mue_2024q3.csv": WHY_MUE,
    "ncci_aoc_2024q3.csv": WHY_AOC,
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
    hospital = folder / "ncci_ptp_outpatient_hospital_2024q3.csv"
    hospital.write_text(HOSPITAL_PTP, encoding="utf-8")
    return [*paths, hospital]


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


PILOT_SETTINGS = {
    "MEDCODE_METERING": False,
    "MEDCODE_RELEASE_CHECK_SECONDS": 0,
    "MEDCODE_LLM_BASE_URL": "",
    "MEDCODE_LLM_MODEL": "",
}


@kept("pilot_samples")
def build_pilot_samples(folder: Path) -> Path:
    """Every sample release imported and the search index built (kept: tests/kept.py)."""
    from django.test import override_settings

    from medcode.search.index import rebuild_index

    with override_settings(**PILOT_SETTINGS):
        clear_caches()
        for path in write_samples(folder / "data"):
            if importable(path):
                import_file(path)
        rebuild_index(force=True)
        clear_caches()
    return folder / "data"


@pytest.fixture
@keeps("pilot_samples")
def pilot_samples(kept_database: Keeper, db: None, settings, request) -> Iterator[Path]:
    """Every sample release imported, the search index built, metering off, caches clear.
    Built once while consecutive tests use it (tests/kept.py); each test's changes are
    rolled back."""
    for name, value in PILOT_SETTINGS.items():
        setattr(settings, name, value)
    clear_caches()
    yield kept_value(kept_database, "pilot_samples", request)
    clear_caches()


@pytest.fixture
def needs_ncci(pilot_samples: Path) -> None:
    from medcode.codes.models import Release

    if not Release.objects.filter(row_counts__has_key="ptp_edits").exists():
        pytest.skip(sample_data.NCCI_MISSING)
