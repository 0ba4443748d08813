"""A claim check on a date after the newest loaded tables says so, on each finding it affects."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from medcode.claims import services
from medcode.claims.tests.samples import load_samples
from medcode.codes.services import import_file

CHECK = "/api/v1/claims/check"
LATE, EARLY = "2026-12-05", "2024-07-15"
PTP_LATE = (
    "NCCI PTP edits, practitioner for 2026-12-05 are not loaded; the newest loaded are "
    "2024Q3 (v30.2), effective 2024-07-01 to 2024-09-30."
)


def line(code: str, on: str, **fields: Any) -> dict[str, Any]:
    return {"code": code, "units": 1, "date_of_service": on, "diagnosis_pointers": [1], **fields}


def check(client: Client, *lines: dict[str, Any]) -> Any:
    body = {"diagnoses": ["M79.89"], "lines": list(lines)}
    response = client.post(CHECK, data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_2026_claim_check_says_the_ptp_edits_are_not_loaded(client: Client, samples: Any) -> None:
    body = check(client, line("11042", LATE), line("97597", LATE))

    [ptp] = [f for f in body["findings"] if f["rule"] == "ptp"]
    assert ptp["stale"] == PTP_LATE
    assert PTP_LATE in body["notices"]
    assert any(n.startswith("NCCI MUEs for 2026-12-05 are not loaded") for n in body["notices"])
    assert any(n.startswith("NCCI add-on code edits for 2026-12-05") for n in body["notices"])
    assert not any("in force" in n for n in body["notices"])


def test_the_notice_disappears_for_a_date_the_tables_cover(client: Client, samples: Any) -> None:
    body = check(client, line("11042", EARLY), line("97597", EARLY))

    assert [f for f in body["findings"] if f["rule"] == "ptp"]
    assert all(f["stale"] == "" for f in body["findings"])
    assert body["notices"] == []


def test_each_finding_is_judged_on_its_own_lines_dates(client: Client, samples: Any) -> None:
    body = check(
        client,
        line("11042", EARLY),
        line("97597", EARLY),
        line("11042", LATE),
        line("97597", LATE),
    )

    ptp = {tuple(f["lines"]): f["stale"] for f in body["findings"] if f["rule"] == "ptp"}
    assert ptp == {(1, 2): "", (3, 4): PTP_LATE}


def test_a_rule_that_reads_no_table_carries_no_notice(client: Client, samples: Any) -> None:
    body = check(client, line("11042", LATE, diagnosis_pointers=[4]))

    [pointer] = [f for f in body["findings"] if f["rule"] == "dx_pointer"]
    assert pointer["stale"] == ""


def test_the_hospital_setting_is_judged_by_the_hospital_ptp_table(samples: Any) -> None:
    parsed = services.parse_claim(
        {
            "setting": "outpatient_hospital",
            "lines": [line("11042", LATE), line("97597", LATE)],
        }
    )

    result = services.check_parsed(parsed)

    # No outpatient hospital PTP table is loaded at all: nothing to call stale.
    assert not any(n.startswith("NCCI PTP edits") for n in result.notices)
    assert any(n.startswith("NCCI MUEs for 2026-12-05") for n in result.notices)


def test_the_worksheet_and_its_export_show_the_notice(client: Client, samples: Any) -> None:
    for code in ("11042", "97597"):
        client.post("/claims/add/", {"code": code, "date": LATE})

    html = client.get("/claims/").content.decode()
    rows = list(csv.DictReader(io.StringIO(client.get("/claims/export/findings.csv").text)))

    assert PTP_LATE in re.sub(r"\s+", " ", html)
    assert 'class="finding__stale' in html
    assert [r["stale"] for r in rows if r["rule"] == "ptp"] == [PTP_LATE]


def test_the_worksheet_for_2024_has_no_notice(client: Client, samples: Any) -> None:
    for code in ("11042", "97597"):
        client.post("/claims/add/", {"code": code, "date": EARLY})

    html = client.get("/claims/").content.decode()

    assert 'data-rule="ptp"' in html
    assert "notice--stale" not in html


@pytest.mark.django_db
def test_real_files_a_2026_check_is_stale_and_an_august_2024_one_is_not(
    shared_data_dir: Path, client: Client, tmp_path: Path
) -> None:
    for name in ("ncci_mue_2024q3.csv.gz", "ncci_aoc_2024q3.csv.gz", "pfs_rvu_2025d.csv.gz"):
        import_file(shared_data_dir / name)
    load_samples(tmp_path, ["ncci_ptp_practitioner_2024q3.csv"])

    late = check(client, line("11042", "2026-08-01"), line("97597", "2026-08-01"))
    early = check(client, line("11042", "2024-08-01"), line("97597", "2024-08-01"))

    assert any(n.startswith("NCCI add-on code edits for 2026-08-01") for n in late["notices"])
    assert any(f["stale"] for f in late["findings"] if f["rule"] == "ptp")
    assert early["notices"] == []
    assert all(f["stale"] == "" for f in early["findings"])
