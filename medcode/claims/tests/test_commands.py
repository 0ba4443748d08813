"""`medcode claims check FILE`: JSON, JSON lines and CSV, tables or --json, exit statuses."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from medcode.claims import services
from medcode.claims.commands import EXIT_CLEAN, EXIT_FINDINGS, EXIT_INVALID
from medcode.cli import main

DOS = "2024-07-15"


def a_claim(claim_id: str, *codes: str, units: int = 1) -> dict[str, object]:
    return {
        "claim_id": claim_id,
        "diagnoses": ["M79.89"],
        "lines": [
            {"code": c, "units": units, "date_of_service": DOS, "diagnosis_pointers": [1]}
            for c in codes
        ],
    }


def run(capsys, *args: str) -> tuple[int, str, str]:
    status = main(["claims", "check", *args])
    out, err = capsys.readouterr()
    return status, out, err


def test_it_prints_the_findings_of_a_json_claim_as_a_table(samples, tmp_path, capsys):
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(a_claim("A-1", "11042", "97597")))

    status, out, _ = run(capsys, str(path))

    assert status == EXIT_FINDINGS
    assert "A-1" in out
    assert "ptp" in out
    assert "Append 59" in out
    assert "1 claim(s), 0 not valid" in out


def test_it_checks_json_lines_and_prints_json_with_a_summary(samples, tmp_path, capsys):
    path = tmp_path / "claims.jsonl.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(json.dumps(a_claim("A", "99213")) + "\n")
        fh.write(json.dumps(a_claim("B", "11042", "97597")) + "\n")

    status, out, _ = run(capsys, str(path), "--json")

    rows = [json.loads(row) for row in out.splitlines()]
    assert status == EXIT_FINDINGS
    assert [r.get("claim_id") for r in rows[:2]] == ["A", "B"]
    assert rows[0]["findings"] == []
    assert rows[2]["summary"]["claims"] == 2


def test_a_clean_batch_exits_0(samples, tmp_path, capsys):
    path = tmp_path / "claims.json"
    path.write_text(json.dumps([a_claim("A", "99213"), a_claim("B", "11042")]))

    status, _, _ = run(capsys, str(path))

    assert status == EXIT_CLEAN


def test_it_reads_the_worksheet_csv_layout(samples, tmp_path, capsys):
    path = tmp_path / "claims.csv"
    path.write_text(
        "claim_id,line,code,modifiers,units,date_of_service,diagnosis_pointers,diagnoses\n"
        "A,1,11042,,1,2024-07-15,1,M79.89\nA,2,97597,xs,1,2024-07-15,1,\n"
    )

    status, out, _ = run(capsys, str(path), "--json")

    assert status == EXIT_CLEAN
    assert json.loads(out.splitlines()[0])["findings"] == []


def test_an_invalid_claim_names_line_and_field_and_exits_2(samples, tmp_path, capsys):
    path = tmp_path / "claims.jsonl"
    path.write_text(json.dumps(a_claim("A", "99213", units=-2)) + "\n")

    status, out, _ = run(capsys, str(path))

    assert status == EXIT_INVALID
    assert "units must be between 0 and 9999, not -2" in out


def test_a_csv_without_a_required_column_exits_2_naming_it(db, tmp_path, capsys):
    path = tmp_path / "claims.csv"
    path.write_text("claim_id,code,units\nA,99213,1\n")

    status, _, err = run(capsys, str(path))

    assert status == EXIT_INVALID
    expected = services.CSV_MISSING_COLUMNS.format(
        columns="date_of_service", required=", ".join(services.CSV_REQUIRED)
    )
    assert expected in err


@pytest.mark.parametrize(
    ("name", "content"),
    [("missing.json", None), ("broken.json", "{"), ("empty.json", "")],
)
def test_an_unreadable_file_exits_2(db, tmp_path: Path, capsys, name, content):
    path = tmp_path / name
    if content is not None:
        path.write_text(content)

    status, _, err = run(capsys, str(path))

    assert status == EXIT_INVALID
    assert err.startswith("error:")


def test_it_prints_the_expected_payment_with_its_total(samples, tmp_path, capsys):
    claim = a_claim("P-1", "11042", "99213")
    path = tmp_path / "claim.json"
    path.write_text(json.dumps(claim))

    _, out, _ = run(capsys, str(path))
    _, as_json, _ = run(capsys, str(path), "--json")

    assert "Expected Medicare payment (national): $211.85" in out
    record = json.loads(as_json.splitlines()[0])
    assert record["payment"]["total"] == "211.85"
    assert [p["amount"] for p in record["payment"]["lines"]] == ["126.72", "85.13"]
