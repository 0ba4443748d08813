"""`medcode data status`: each dataset's newest loaded release and how far behind today it is."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone

from conftest import run_cli, write_text
from medcode.codes.tests.test_import_service import HEADER, ROWS

pytestmark = pytest.mark.process

AOC = """\
add_on_code,primary_code,aoc_edit_type,aoc_edit_effective_year,special_instruction_note
22552,22551,1,2017,
"""


@pytest.mark.django_db(transaction=True)
def test_status_lists_each_datasets_newest_release_and_its_lag(
    tmp_path: Path, scratch_database_url: str
) -> None:
    folder = tmp_path / "data"
    write_text(folder / "icd10cm_codes_2026.csv.gz", HEADER + ROWS, gz=True)
    write_text(folder / "ncci_aoc_2024q3.csv", AOC)
    run_cli(["data", "import", str(folder)], database_url=scratch_database_url, var_dir=tmp_path)

    as_json = run_cli(
        ["data", "status", "--json"], database_url=scratch_database_url, var_dir=tmp_path
    )
    as_text = run_cli(["data", "status"], database_url=scratch_database_url, var_dir=tmp_path)

    datasets = {d["key"]: d for d in json.loads(as_json.stdout)["datasets"]}
    today = timezone.localdate()
    aoc = datasets["ncci_aoc"]
    assert (aoc["newest"], aoc["effective_to"]) == ("2024Q3", "2024-09-30")
    assert aoc["days_behind"] == (today - dt.date(2024, 9, 30)).days
    assert aoc["periods_behind"] >= 9 and aoc["is_stale"] is True
    assert datasets["icd10cm"]["newest"] == "FY2026 April"
    assert datasets["pfs"]["newest"] is None and datasets["pfs"]["is_stale"] is False
    assert "Newest release of each dataset" in as_text.stdout
    assert "none loaded" in as_text.stdout
