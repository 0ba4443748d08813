"""The ICD-10-PCS tables and definitions XML: importers, the seven axes on a PCS code page."""

from __future__ import annotations

import datetime as dt
import gzip
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from medcode.codes.models import ReferenceRow, Release
from medcode.codes.pcs_tables import pcs_reading
from medcode.codes.queries import clear_caches
from medcode.codes.services import import_file
from medcode.codes.tests.incoming import FIXTURES, incoming_file
from medcode.lib.errors import DataFileError

TABLES = FIXTURES / "pcs" / "icd10pcs_tables_2026.xml"
DEFINITIONS = FIXTURES / "pcs" / "icd10pcs_definitions_2026.xml"
CODES_TXT = (
    "0SR90J9 Replacement of Right Hip Joint with Synthetic Substitute, Cemented, Open Approach\n"
    "0SR90JA Replacement of Right Hip Joint with Synthetic Substitute, Uncemented, Open Approach\n"
    "0SR90JZ Replacement of Right Hip Joint with Synthetic Substitute, Open Approach\n"
    "0SP90JZ Removal of Synthetic Substitute from Right Hip Joint, Open Approach\n"
    "B020ZZZ Computerized Tomography (CT Scan) of Brain\n"
)
AUG_2026 = dt.date(2026, 8, 1)


@pytest.fixture
def tables_loaded(db: None, tmp_path: Path, settings: Any) -> Any:
    settings.MEDCODE_RELEASE_CHECK_SECONDS = 0
    settings.MEDCODE_METERING = False
    clear_caches()
    codes = tmp_path / "icd10pcs_codes_2026.txt"
    codes.write_text(CODES_TXT)
    for path in (codes, TABLES, DEFINITIONS):
        import_file(path)
    yield
    clear_caches()


@pytest.mark.django_db
def test_the_tables_and_definitions_load_as_reference_rows(tmp_path: Path):
    gz = tmp_path / "icd10pcs_tables_2026.xml.gz"
    with gzip.open(gz, "wb") as fh:
        fh.write(TABLES.read_bytes())
    tables = import_file(gz)
    definitions = import_file(DEFINITIONS)

    assert (tables.dataset, tables.row_counts) == ("icd10pcs_tables", {"pcs_tables": 2})
    assert definitions.row_counts == {"pcs_definitions": 4}
    release = Release.objects.get(dataset="icd10pcs_tables")
    assert (release.version_label, release.effective_from) == ("FY2026", dt.date(2025, 10, 1))
    table = ReferenceRow.objects.get(key="pcs_table:0SR").data
    assert [a["label"] for a in table["axes"]] == [
        "Medical and Surgical",
        "Lower Joints",
        "Replacement",
    ]
    assert table["rows"][0]["axes"]["7"]["labels"] == {"9": "Cemented", "A": "Uncemented"}
    device = ReferenceRow.objects.get(key="pcs_definitions:0:6").data
    assert device["terms"][0]["includes"] == (
        "Ceramic on ceramic bearing surface; Metal on polyethylene bearing surface"
    )
    # A Body Part Key term keeps every value it names, and its includes one by one.
    body = ReferenceRow.objects.get(key="pcs_definitions:0:4").data
    assert body["terms"][0]["titles"] == ["Hip Joint, Left", "Hip Joint, Right"]
    assert body["terms"][2]["included"] == ["Deltoid muscle", "Supraspinatus muscle"]
    assert import_file(DEFINITIONS).status == "unchanged"


@pytest.mark.parametrize(
    ("old", "new", "message", "element"),
    [
        # The Femoral Nerve term loses its title: the error names the <terms> line above it.
        ("<title>Femoral Nerve</title>", "", "section 0, axis 4: a term without a title", -1),
        ('<axis pos="5">', "<axis>", "section 0: an axis without a position or title", 0),
        ("<includes>Achilles tendon</includes>", "<includes>Achilles", "not well-formed XML", 1),
    ],
)
@pytest.mark.django_db
def test_a_bad_definitions_file_names_its_line_and_the_loaded_one_stays(
    tmp_path: Path, old: str, new: str, message: str, element: int
):
    import_file(DEFINITIONS)
    text = DEFINITIONS.read_text()
    line = next(n for n, row in enumerate(text.splitlines(), start=1) if old in row)
    path = tmp_path / DEFINITIONS.name
    path.write_text(text.replace(old, new, 1))

    with pytest.raises(DataFileError, match=re.escape(message)) as raised:
        import_file(path)
    assert raised.value.line == line + element
    assert f"line {line + element}" in str(raised.value)
    # The release loaded before is untouched.
    (release,) = Release.objects.filter(dataset="icd10pcs_definitions")
    assert import_file(DEFINITIONS).status == "unchanged"
    assert ReferenceRow.objects.filter(release=release).count() == 4


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('<pcsRow codes="4">', '<pcsRow codes="5">', "says it builds 5 codes; its axes build 4"),
        ('<label code="R">Replacement</label>', '<label code="I">Replacement</label>', "axis 3"),
        ("</ICD10PCS.tabular>", "", "not well-formed XML"),
        ('<axis pos="7" values="2">', '<axis pos="8" values="2">', "instead of 4-7"),
    ],
)
@pytest.mark.django_db
def test_a_bad_tables_file_is_refused_and_nothing_is_kept(
    tmp_path: Path, old: str, new: str, message: str
):
    text = TABLES.read_text()
    assert old in text
    path = tmp_path / TABLES.name
    path.write_text(text.replace(old, new, 1))

    with pytest.raises(DataFileError, match=re.escape(message)):
        import_file(path)
    assert not Release.objects.exists() and not ReferenceRow.objects.exists()


def test_files_are_recognised_by_name_and_root_element(tmp_path: Path):
    from medcode.codes.importers.registry import detect

    assert detect(TABLES).name == "icd10pcs_tables"
    assert detect(DEFINITIONS).name == "icd10pcs_definitions"
    swapped = tmp_path / "icd10pcs_tables_2026.xml"
    shutil.copy(DEFINITIONS, swapped)
    with pytest.raises(DataFileError, match="unknown file"):
        detect(swapped)


def test_a_code_reads_through_its_table_row_with_labels_and_definitions(tables_loaded: None):
    reading = pcs_reading("0SR90J9", AUG_2026)

    assert reading is not None and reading.is_in_tables
    assert [(a.title, a.char, a.label) for a in reading.axes] == [
        ("Section", "0", "Medical and Surgical"),
        ("Body System", "S", "Lower Joints"),
        ("Operation", "R", "Replacement"),
        ("Body Part", "9", "Hip Joint, Right"),
        ("Approach", "0", "Open"),
        ("Device", "J", "Synthetic Substitute"),
        ("Qualifier", "9", "Cemented"),
    ]
    assert reading.axes[2].definition.startswith("Putting in or on biological")
    assert reading.axes[4].definition.startswith("Cutting through the skin")
    assert reading.axes[5].definition == (
        "Includes: Ceramic on ceramic bearing surface; Metal on polyethylene bearing surface"
    )
    # The body part is the Key term's second title ("Hip Joint, Left", "Hip Joint, Right").
    assert reading.axes[3].definition == "Includes: Acetabulofemoral joint"
    # The qualifier Z is in no row of the table: characters 4-6 read from the table's rows.
    partial = pcs_reading("0SR90JZ", AUG_2026)
    assert partial is not None and not partial.is_in_tables and partial.has_table
    assert [(a.char, a.label, a.read_from) for a in partial.axes[3:]] == [
        ("9", "Hip Joint, Right", "other rows of table 0SR"),
        ("0", "Open", "other rows of table 0SR"),
        ("J", "Synthetic Substitute", "other rows of table 0SR"),
        ("Z", "", ""),
    ]


def test_a_code_whose_table_is_not_loaded_gets_only_its_section_and_body_system(
    tables_loaded: None,
):
    reading = pcs_reading("0SP90JZ", AUG_2026)

    assert reading is not None and not reading.is_in_tables and not reading.has_table
    # Section and body system as table 0SR names them; no table of the fixture has operation
    # P, and characters 4-7 are never read from another table (their meaning depends on it).
    assert [(a.char, a.label) for a in reading.axes] == [
        ("0", "Medical and Surgical"),
        ("S", "Lower Joints"),
        ("P", ""),
        ("9", ""),
        ("0", ""),
        ("J", ""),
        ("Z", ""),
    ]


def test_a_pcs_page_without_its_table_row_says_the_row_is_not_in_the_loaded_release(
    tables_loaded: None, client: Client
):
    html = client.get("/codes/0SR90JZ/?date=2026-08-01", HTTP_HOST="localhost").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "no row of the loaded ICD-10-PCS tables" in text
    assert "table row for this code is not in the loaded release" in text
    assert "4 Body Part 9 Hip Joint, Right" in text and "other rows of table 0SR" in text

    data = client.get("/api/v1/codes/0SR90JZ?date=2026-08-01", HTTP_HOST="localhost").json()
    panel = next(p for p in data["panels"] if p["key"] == "pcs_structure")
    assert "not in the loaded release" in panel["summary"]
    assert panel["tables"][0]["columns"][-1] == "Label read from"
    assert panel["tables"][0]["rows"][6][2:4] == ["Z", ""]
    whole = client.get("/api/v1/codes/0SR90J9?date=2026-08-01", HTTP_HOST="localhost").json()
    whole_panel = next(p for p in whole["panels"] if p["key"] == "pcs_structure")
    assert "not in the loaded release" not in whole_panel["summary"]


def test_the_pcs_page_shows_all_seven_axes_with_labels(tables_loaded: None, client: Client):
    html = client.get("/codes/0SR90J9/?date=2026-08-01", HTTP_HOST="localhost").content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))

    for cells in (
        "4 Body Part 9 Hip Joint, Right",
        "5 Approach 0 Open Cutting through the skin",
        "6 Device J Synthetic Substitute",
        "7 Qualifier 9 Cemented",
    ):
        assert cells in text
    # The page names the releases as readers do; the JSON twin keeps the files (5edd3b0).
    assert "ICD-10-PCS tables (CMS) FY2026" in text and "ICD-10-PCS definitions (CMS)" in text
    data = client.get("/api/v1/codes/0SR90J9?date=2026-08-01", HTTP_HOST="localhost").json()
    panel = next(p for p in data["panels"] if p["key"] == "pcs_structure")
    assert panel["source"]["source_file"] == "icd10pcs_tables_2026.xml"
    assert "icd10pcs_definitions" not in html and "icd10pcs_tables" not in html
    imaging = client.get("/codes/B020ZZZ/?date=2026-08-01", HTTP_HOST="localhost").content.decode()
    assert "Contrast" in imaging


@pytest.mark.django_db
def test_the_real_tables_give_0sr90j9_its_seven_labels(shared_data_dir: Path, settings: Any):
    settings.MEDCODE_RELEASE_CHECK_SECONDS = 0
    clear_caches()
    tables = import_file(incoming_file(shared_data_dir, "icd10pcs_tables_2026.xml.gz"))
    import_file(incoming_file(shared_data_dir, "icd10pcs_definitions_2026.xml"))

    # The README of ../shared/incoming: 914 tables, 2,733 rows building 79,115 codes.
    assert tables.row_counts == {"pcs_tables": 914}
    rows = [
        d["rows"]
        for d in ReferenceRow.objects.filter(release_id=tables.release_id).values_list(
            "data", flat=True
        )
    ]
    assert sum(len(r) for r in rows) == 2733
    assert sum(row["codes"] for r in rows for row in r) == 79_115
    reading = pcs_reading("0SR90J9", AUG_2026)
    assert reading is not None
    assert [a.label for a in reading.axes] == [
        "Medical and Surgical", "Lower Joints", "Replacement", "Hip Joint, Right", "Open",
        "Synthetic Substitute", "Cemented",
    ]  # fmt: skip
    clear_caches()


@pytest.mark.parametrize(
    "name", ["codes_addenda_2026.txt", "order_addenda_2026.txt", "tables_addenda_2026.txt"]
)
def test_a_folder_import_passes_over_the_pcs_addenda(name: str):
    from medcode.codes.importers.registry import is_ignored

    assert is_ignored(Path(name))
    assert not is_ignored(Path("icd10pcs_codes_2026.txt"))
