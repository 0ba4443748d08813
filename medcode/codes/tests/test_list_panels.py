"""GEM, NCD spreadsheet and MCE panels on code pages, and the read functions behind them."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from medcode.codes import gems, mce, ncd_lists
from medcode.codes.page import lists as list_panels
from medcode.codes.queries import clear_caches
from medcode.codes.services import import_file
from medcode.codes.tests.incoming import FIXTURES, incoming_file
from medcode.codes.tests.test_importer_ncd import NAME as NCD_NAME
from medcode.codes.tests.test_importer_ncd import ROWS as NCD_ROWS
from medcode.codes.tests.test_importer_ncd import workbook

CODES_CSV = """\
code,code_nodot,description,level,billable,parent,chapter,section,description_derived
E11,E11,Type 2 diabetes mellitus,category,0,,4,E08-E13,0
E11.9,E119,Type 2 diabetes mellitus without complications,subcategory,1,E11,4,E08-E13,0
O09.00,O0900,"Supervision of pregnancy with history of infertility, unspecified trimester",subcategory,1,O090,15,O09-O09,0
Z51.89,Z5189,Encounter for other specified aftercare,subcategory,1,Z518,21,Z40-Z53,0
"""
AUG_2026 = dt.date(2026, 8, 1)


def text_of(response: Any) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section(text: str, title: str) -> str:
    """The page text from a panel's title to the next panel (about)."""
    start = text.index(title)
    return text[start : start + 1500]


@pytest.fixture
def lists_loaded(db: None, tmp_path: Path, settings: Any) -> Any:
    settings.MEDCODE_RELEASE_CHECK_SECONDS = 0
    settings.MEDCODE_METERING = False
    clear_caches()
    codes = tmp_path / "icd10cm_codes_2026.csv"
    codes.write_text(CODES_CSV)
    for path in (
        codes,
        FIXTURES / "gems" / "2018_I10gem.txt",
        FIXTURES / "gems" / "2018_I9gem.txt",
        FIXTURES / "mce" / "Definitions_of_Medicare_Code_Edits_v_43_1.txt",
        workbook(tmp_path / NCD_NAME, NCD_ROWS),
    ):
        import_file(path)
    yield
    clear_caches()


def test_the_icd10cm_page_shows_its_icd9_codes_labelled_as_an_approximate_navigation_aid(
    lists_loaded: None, client: Client
):
    text = text_of(client.get("/codes/E11.9/?date=2026-08-01", HTTP_HOST="localhost"))

    gem = section(text, list_panels.GEM_TITLE)
    assert "navigation aid, not coding advice" in gem
    assert "250.00" in gem and "approximate" in gem
    assert "ICD-10-CM to ICD-9-CM GEM" in gem and "ICD-9-CM to ICD-10-CM GEM" in gem
    assert "2018_I10gem.txt" not in gem and "2018_I9gem.txt" not in gem  # no file names


def test_the_older_codes_come_from_both_directions_with_their_flags(lists_loaded: None):
    entries = gems.older_codes_for("E11.9", AUG_2026)

    assert [(e.direction, e.icd9cm, e.approximate) for e in entries] == [
        (gems.FORWARD, "25000", True),
        (gems.BACKWARD, "25000", True),
    ]
    combination = gems.older_codes_for("E0821", AUG_2026)
    assert [(e.icd9cm, e.combination, e.scenario, e.choice_list) for e in combination] == [
        ("24940", True, 1, 1),
        ("58181", True, 1, 2),
        ("24940", False, 0, 0),
    ]
    panel = list_panels.gem_panel("E08.21", combination, AUG_2026)
    assert panel is not None
    assert panel.tables[0].rows[1] == (
        "581.81",
        "approximate",
        "combination: scenario 1, choice list 2",
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("250.00", ["E119"]),
        ("25000", ["E119"]),
        ("v58.89", ["Z5189"]),
        ("365.70", []),
        ("E11.9", []),
    ],
)
def test_an_icd9_code_finds_its_icd10cm_codes_through_the_backward_gem(
    lists_loaded: None, query: str, expected: list[str]
):
    assert [e.icd10cm for e in gems.icd10cm_for_icd9(query, AUG_2026)] == expected


@pytest.mark.parametrize(
    ("code", "display"),
    [
        ("25000", "250.00"),
        ("V5889", "V58.89"),
        ("E8490", "E849.0"),
        ("401", "401"),
        ("0010", "001.0"),
    ],
)
def test_icd9_codes_are_shown_with_their_dot(code: str, display: str):
    assert gems.icd9_display(code) == display


def test_mce_lists_name_a_code_with_their_edit_and_ages(lists_loaded: None):
    labels = [e.label for e in mce.mce_edits_for("O09.00", AUG_2026)]

    assert labels == ["MCE 4C: Age conflict: maternity diagnosis, age 9-64"]
    assert [e.label for e in mce.mce_edits_for("Z5189", AUG_2026)] == [
        "MCE 9: Unacceptable principal diagnosis (acceptable with a secondary diagnosis)"
    ]
    assert mce.codes_in_mce_list("age_perinatal", AUG_2026) == ("A33", "Z3800")
    assert mce.mce_edits_for("E11.9", AUG_2026) == ()


def test_the_mce_panel_shows_on_icd10cm_and_pcs_pages(lists_loaded: None, client: Client):
    cm = text_of(client.get("/codes/O09.00/?date=2026-08-01", HTTP_HOST="localhost"))
    assert "MCE 4C: Age conflict: maternity diagnosis, age 9-64" in cm
    assert "Medicare Code Editor" in cm or "MCE" in cm
    assert "Definitions_of_Medicare_Code_Edits_v_43_1.txt" not in cm  # no file names shown


def test_the_ncd_listings_give_the_resolution_and_the_other_ncds_rule(lists_loaded: None):
    listings = ncd_lists.ncd_listings_for("A02.1", AUG_2026)
    assert [(x.ncd, x.resolution_text) for x in listings] == [("190.12", "covered by Medicare")]
    # Terminated on 2025-09-30: listed on an earlier date only.
    assert ncd_lists.ncd_listings_for("Z8489", AUG_2026) == ()
    assert [x.resolution for x in ncd_lists.ncd_listings_for("Z8489", dt.date(2025, 1, 1))] == [2]
    release = ncd_lists.ncd_release(AUG_2026)
    assert release is not None
    blood = ncd_lists.ncd_summaries(release)["190.15"]
    assert (blood.procedures, blood.diagnoses_by_resolution, blood.all_others) == (
        ("85004",),
        {3: 1},
        1,
    )


def test_ncd_panels_on_diagnosis_and_procedure_pages(lists_loaded: None, client: Client):
    dx = text_of(client.get("/codes/E11.9/?date=2026-08-01", HTTP_HOST="localhost"))
    lab = section(dx, "NCD coding spreadsheet")
    assert "190.20A" in lab and "Blood Glucose Testing" in lab and "covered by Medicare" in lab
    assert "190.12" in lab and "all other codes" in lab  # 190.12 does not list E11.9

    # A CPT page needs other data to exist (fee schedule, NCCI); its panel alone:
    (panel,) = list_panels.list_panels("CPT", "87086", "87086", AUG_2026)
    assert panel.tables[0].rows == (
        (
            "190.12",
            "Urine Culture, Bacterial",
            "1 covered by Medicare, 1 denied, 0 does not support medical necessity",
            "does not support medical necessity",
            "",
            "",
        ),
    )


@pytest.mark.django_db
def test_the_real_e11_9_page_shows_250_00_labelled_approximate(
    shared_data_dir: Path, client: Client, settings: Any
):
    settings.MEDCODE_RELEASE_CHECK_SECONDS = 0
    settings.MEDCODE_METERING = False
    clear_caches()
    import_file(shared_data_dir / "icd10cm_codes_2026.csv.gz")
    import_file(incoming_file(shared_data_dir, "2018_I10gem.txt.gz"))
    import_file(incoming_file(shared_data_dir, "2018_I9gem.txt"))

    text = text_of(client.get("/codes/E11.9/", HTTP_HOST="localhost"))

    gem = section(text, list_panels.GEM_TITLE)
    assert re.search(r"250\.00 approximate", gem)
    clear_caches()
