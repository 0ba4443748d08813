"""The add-on rule over the database honours each AOC edit's own dates for the date of service:
the 2026 official AOC xlsx carries effective and deletion dates (Julian YYYYDDD, blank = none)
for the edit and for the add-on and primary codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from medcode.claims.services import check_claim_data
from medcode.codes.services import import_file

HEADER = (
    "AOC_Edit_Type",
    "Add-On_Code",
    "AOC_DelDT",
    "Primary_Code",
    "Primary_Code_DelDT",
    "AOC_Edit_EffDT",
    "AOC_Edit_DelDT",
    "Special_Instruction_Notes",
)
ROWS = (
    # type, add-on, its deletion, primary, its deletion, edit effective, edit deletion, notes
    ("1", "11045", None, "11042", None, "2026091", None, None),  # from 2026-04-01
    ("1", "11046", None, "11043", None, "2026121", None, None),  # from 2026-05-01
    ("1", "11047", None, "11044", None, "2013001", "2026120", None),  # to 2026-04-30
    ("1", "11048", "2026120", "11044", None, "2013001", None, None),  # add-on deleted 04-30
)


def aoc_workbook(path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(("Made-up notice row standing where CMS puts the AMA notice",))
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    book.save(path)
    return path


def addon_lines(dos: str) -> set[int]:
    lines: list[dict[str, Any]] = [
        {
            "code": code,
            "modifiers": [],
            "units": 1,
            "date_of_service": dos,
            "diagnosis_pointers": [1],
        }
        for code in ("11045", "11046", "11047", "11048")
    ]
    result = check_claim_data({"diagnoses": ["M79.89"], "lines": lines, "setting": "practitioner"})
    return {n for f in result.findings if f.rule == "addon" for n in f.lines}


@pytest.mark.django_db
def test_the_add_on_rule_applies_each_edit_only_between_its_dates(tmp_path: Path) -> None:
    result = import_file(aoc_workbook(tmp_path / "AOC_V2026Q2-MCR.xlsx"))
    assert (result.dataset, result.version_label, result.row_counts) == (
        "ncci_aoc",
        "2026Q2",
        {"addon_edits": 4},
    )

    # Line n is the n-th add-on; each is reported without its primary.
    assert addon_lines("2026-04-15") == {1, 3, 4}  # 11046's edit starts on 2026-05-01
    assert addon_lines("2026-04-30") == {1, 3, 4}  # deletion dates are the last day in force
    assert addon_lines("2026-05-15") == {1, 2}  # 11047's edit and the add-on 11048 deleted
    assert addon_lines("2026-03-31") == set()  # before the release: no AOC table in force
