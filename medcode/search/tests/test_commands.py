"""`medcode search build | query | status`, run as a user runs them."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from medcode.search.embeddings import is_model_installed

pytestmark = pytest.mark.process

REPO = Path(__file__).resolve().parents[3]
HEADER = "code,code_nodot,description,level,billable,parent,chapter,section,description_derived\n"
ROWS = (
    "S72,S72,Fracture of femur,category,0,,19,S70-S79,0\n"
    "S72.0,S720,Fracture of head and neck of femur,subcategory,0,S72,19,S70-S79,0\n"
    'S72.001A,S72001A,"Fracture of unspecified part of neck of right femur, initial encounter",'
    "code_7th_char,1,S72.0,19,S70-S79,1\n"
)


def run_cli(
    args: list[str], *, database_url: str, var_dir: Path, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """The `medcode` script as a user runs it (the root conftest's helper, importable here
    even when tests/browser/conftest.py is collected in the same run)."""
    env = {**os.environ, "DATABASE_URL": database_url, "MEDCODE_VAR_DIR": str(var_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "medcode.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=REPO,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"medcode {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def write_text(path: Path, text: str, *, gz: bool = False) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write(text)
    return path


@pytest.mark.django_db(transaction=True)
def test_build_then_query_finds_an_imported_code_by_code_and_by_words(
    tmp_path: Path, scratch_database_url: str
) -> None:
    path = write_text(tmp_path / "data" / "icd10cm_codes_2026.csv.gz", HEADER + ROWS, gz=True)
    imported = run_cli(
        ["data", "import", str(path)], database_url=scratch_database_url, var_dir=tmp_path
    )
    assert "search word index built" in imported.stdout + imported.stderr
    if is_model_installed():
        assert "meaning-aware search ready" in imported.stdout + imported.stderr

    forced = run_cli(
        ["search", "build", "--lexical-only", "--force"],
        database_url=scratch_database_url,
        var_dir=tmp_path,
    )
    assert "word index built" in forced.stdout + forced.stderr
    again = run_cli(
        ["search", "build", "--lexical-only"], database_url=scratch_database_url, var_dir=tmp_path
    )
    assert "word index unchanged" in again.stdout + again.stderr

    by_code = run_cli(
        ["search", "query", "S72.001A", "--json"],
        database_url=scratch_database_url,
        var_dir=tmp_path,
    )
    assert json.loads(by_code.stdout)["results"][0]["code"] == "S72001A"
    by_words = run_cli(
        ["search", "query", "neck of femur", "--json", "--limit", "3"],
        database_url=scratch_database_url,
        var_dir=tmp_path,
    )
    found = json.loads(by_words.stdout)
    assert found["results"] and len(found["results"]) <= 3
    # `data import` embedded the new texts too: meaning-aware search needs no operator step.
    assert found["is_semantic"] is is_model_installed()

    status = run_cli(
        ["search", "status", "--json"], database_url=scratch_database_url, var_dir=tmp_path
    )
    body = json.loads(status.stdout)
    assert body["documents"] >= 1
    assert (body["vectors"]["vectors"] > 0) is is_model_installed()


@pytest.mark.django_db(transaction=True)
def test_query_with_a_bad_filter_exits_2_with_the_reason(
    tmp_path: Path, scratch_database_url: str
) -> None:
    result = run_cli(
        ["search", "query", "fever", "--system", "snomed"],
        database_url=scratch_database_url,
        var_dir=tmp_path,
        check=False,
    )
    assert result.returncode == 2
    assert "Unknown code set 'snomed'" in result.stderr
