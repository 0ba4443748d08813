"""The `medcode` console script, run as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import run_cli, write_text
from medcode.codes.tests.test_import_service import HEADER, ROWS

pytestmark = pytest.mark.process


@pytest.mark.django_db(transaction=True)
def test_data_import_then_status_json_reports_the_release(
    tmp_path: Path, scratch_database_url: str
) -> None:
    folder = tmp_path / "data"
    write_text(folder / "icd10cm_codes_2026.csv.gz", HEADER + ROWS, gz=True)
    write_text(folder / "README.md", "notes are passed over\n")

    imported = run_cli(
        ["data", "import", str(folder)], database_url=scratch_database_url, var_dir=tmp_path
    )
    status = run_cli(
        ["data", "status", "--json"], database_url=scratch_database_url, var_dir=tmp_path
    )

    assert "Import summary" in imported.stdout
    (release,) = json.loads(status.stdout)["releases"]
    assert release["version_label"] == "FY2026 April"
    assert release["row_counts"] == {"codes": 5, "billable": 1}
    assert release["effective_from"] == "2026-04-01" and release["is_current"] is True


@pytest.mark.django_db(transaction=True)
def test_data_import_of_a_folder_with_an_unknown_file_imports_nothing_and_exits_non_zero(
    tmp_path: Path, scratch_database_url: str
) -> None:
    folder = tmp_path / "data"
    write_text(folder / "icd10cm_codes_2026.csv", HEADER + ROWS)
    write_text(folder / "surprise.csv", "x,y\n1,2\n")

    result = run_cli(
        ["data", "import", str(folder)],
        database_url=scratch_database_url,
        var_dir=tmp_path,
        check=False,
    )
    status = run_cli(
        ["data", "status", "--json"], database_url=scratch_database_url, var_dir=tmp_path
    )

    assert result.returncode == 2
    assert "surprise.csv, line 1: unknown file" in result.stderr.replace("\n", "")
    assert json.loads(status.stdout)["releases"] == []


@pytest.mark.django_db(transaction=True)
def test_data_import_of_a_bad_file_exits_non_zero_naming_file_and_line(
    tmp_path: Path, scratch_database_url: str
) -> None:
    path = write_text(
        tmp_path / "icd10cm_codes_2026.csv", HEADER + "A00,A00,Cholera,category,7,,1,A00-A09,0\n"
    )

    result = run_cli(
        ["data", "import", str(path)],
        database_url=scratch_database_url,
        var_dir=tmp_path,
        check=False,
    )

    assert result.returncode == 1
    assert f"{path}, line 2: billable must be 0 or 1" in " ".join(result.stderr.split())


@pytest.mark.django_db(transaction=True)
def test_data_import_can_leave_embedding_for_later(
    tmp_path: Path, scratch_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "data"
    write_text(folder / "icd10cm_codes_2026.csv.gz", HEADER + ROWS, gz=True)
    monkeypatch.setenv("MEDCODE_SEARCH_EMBED_ON_IMPORT", "off")
    words_only = run_cli(
        ["data", "import", str(folder)], database_url=scratch_database_url, var_dir=tmp_path
    )
    said = " ".join((words_only.stdout + words_only.stderr).split())
    assert "not embedded for meaning-aware search" in said
    assert "meaning-aware search ready" not in said
