"""Code page panels say when the date of service is after the newest loaded release."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from medcode.codes.queries import clear_caches
from medcode.codes.services import import_file
from medcode.codes.tests.sample_data import Samples, code_samples_fixture  # noqa: F401

PTP_STALE = (
    "NCCI PTP edits, practitioner for 2026-12-05 are not loaded; the newest loaded are "
    "2024Q3 (v30.2), effective 2024-07-01 to 2024-09-30."
)


@pytest.fixture
def open_gate(settings: Any) -> None:
    settings.MEDCODE_METERING = False


def stale_notices(html: str) -> list[str]:
    return re.findall(r'<p class="notice notice--stale" role="status">([^<]*)</p>', html)


def panel_html(html: str, key: str) -> str:
    start = html.index(f'id="panel-{key}"')
    return html[start : html.index("</section>", start)]


def test_the_63650_page_for_a_2026_date_says_the_ncci_edits_are_not_loaded(
    code_samples: Samples, client: Client, open_gate: None
) -> None:
    html = client.get("/codes/63650/?date=2026-12-05", HTTP_HOST="localhost").content.decode()

    assert stale_notices(panel_html(html, "ptp_ncci_ptp_practitioner")) == [PTP_STALE]
    mue = stale_notices(panel_html(html, "mue_ncci_mue"))
    assert mue and mue[0].startswith("NCCI MUEs (practitioner, outpatient hospital, DME")
    assert "the newest loaded are 2024Q3, effective 2024-07-01 to 2024-09-30." in mue[0]
    fee = stale_notices(panel_html(html, "fee_schedule"))
    assert fee == [
        "Medicare PFS relative values for 2026-12-05 are not loaded; the newest loaded are "
        "RVU25D, effective 2025-10-01 to 2025-12-31."
    ]
    assert not any("in force" in n for n in stale_notices(html))


def test_the_63650_page_for_2024_08_01_has_no_stale_notice(
    code_samples: Samples, client: Client, open_gate: None
) -> None:
    html = client.get("/codes/63650/?date=2024-08-01", HTTP_HOST="localhost").content.decode()

    assert 'id="panel-ptp_ncci_ptp_practitioner"' in html
    assert stale_notices(html) == []


def test_the_json_twin_carries_each_panels_notice(
    code_samples: Samples, client: Client, open_gate: None
) -> None:
    late = client.get("/api/v1/codes/63650?date=2026-12-05", HTTP_HOST="localhost").json()
    early = client.get("/api/v1/codes/63650?date=2024-08-01", HTTP_HOST="localhost").json()

    late_panels = {p["key"]: p["stale"] for p in late["panels"]}
    assert late_panels["ptp_ncci_ptp_practitioner"] == PTP_STALE
    assert all(p["stale"] == "" for p in early["panels"])


def test_the_add_on_panel_of_a_2026_date_says_its_edits_are_not_loaded(
    code_samples: Samples, client: Client, open_gate: None
) -> None:
    html = client.get("/codes/22552/?date=2026-12-05", HTTP_HOST="localhost").content.decode()

    assert stale_notices(panel_html(html, "addon")) == [
        "NCCI add-on code edits for 2026-12-05 are not loaded; the newest loaded are 2024Q3, "
        "effective 2024-07-01 to 2024-09-30."
    ]


def test_real_files_63650_page_is_stale_in_2026_and_not_in_august_2024(
    shared_data_dir: Path, db: None, settings: Any, client: Client, open_gate: None
) -> None:
    settings.MEDCODE_RELEASE_CHECK_SECONDS = 0
    for name in ("pfs_rvu_2025d.csv.gz", "ncci_mue_2024q3.csv.gz", "ncci_aoc_2024q3.csv.gz"):
        import_file(shared_data_dir / name)
    clear_caches()

    late = client.get("/codes/63650/?date=2026-08-01", HTTP_HOST="localhost").content.decode()
    early = client.get("/codes/63650/?date=2024-08-01", HTTP_HOST="localhost").content.decode()

    assert any(n.startswith("NCCI MUEs") and "2026-08-01" in n for n in stale_notices(late))
    assert stale_notices(early) == []
