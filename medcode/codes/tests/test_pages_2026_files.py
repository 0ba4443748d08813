"""The real 2026 files on the 63650 page (skipped where ../shared is absent): the July 2026
relative values (RVU26C, its own conversion factor, the PRIC IND value as published) and the 2026Q2 MUE."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from medcode.codes.services import import_file


@pytest.fixture
def open_gate(settings: Any) -> None:
    settings.MEDCODE_METERING = False


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.fulldata
@pytest.mark.django_db
def test_63650_in_august_2026_shows_rvu26c_and_the_2026q2_mue(
    shared_data_dir: Path, client: Client, open_gate: None
) -> None:
    incoming = shared_data_dir.parent / "incoming" / "2026"
    if not incoming.is_dir():
        pytest.skip(f"{incoming} is absent")
    import_file(shared_data_dir / "pfs_rvu_2025d.csv.gz")
    import_file(incoming / "PPRRVU2026_Jul_nonQPP.csv.gz")
    import_file(shared_data_dir / "MCR_MUE_PractitionerServices_Eff_04-01-2026.csv")

    response = client.get("/codes/63650/?date=2026-08-01", HTTP_HOST="localhost")

    assert response.status_code == 200
    page = response.content.decode()
    # The History section names both releases of each change (RVU25D -> RVU26C); the rest of
    # the page shows the release in force only.
    text = text_of(page.split('id="history"')[0])
    assert not re.search(r"DATA_LAYOUTS|RVU26<letter>|\.pdf\b|\.md\b|PRIC IND", text_of(page))
    assert "RVU26C" in text and "RVU25D" not in text
    assert "33.4009" in text and "32.3465" not in text
    assert re.search(r"Global period 010", text)
    assert "6.97" in text
    # Payment at the release's own conversion factor: 71.51 non-facility RVUs x 33.4009.
    assert f"${71.51 * 33.4009:,.2f}" in text
    assert re.search(r"PFS pricing indicator \(2026 column, as published\) 9", text)
    assert "not verified" in text
    assert "2026Q2" in text

    older = client.get("/codes/63650/?date=2025-11-03", HTTP_HOST="localhost")
    old_text = text_of(older.content.decode())
    assert (
        "RVU25D" in old_text and "32.3465" in old_text and "PFS pricing indicator" not in old_text
    )
