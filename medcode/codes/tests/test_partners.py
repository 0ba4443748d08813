"""All of a code's NCCI pair edits: titles, filters, paging and "check this pair"."""

from __future__ import annotations

import pytest

from medcode.codes.page import partners
from medcode.codes.tests.sample_data import code_samples_fixture  # noqa: F401

DATE = "2025-11-03"


@pytest.fixture
def open_gate(settings):
    settings.MEDCODE_METERING = False


def get(client, url: str):
    return client.get(url, HTTP_HOST="localhost")


def test_the_partner_list_names_each_partner_and_its_indicator(code_samples, client):
    html = get(client, f"/codes/63650/ncci/?date={DATE}").content.decode()
    assert "NCCI pair edits of 63650" in html
    assert 'href="/codes/63661/?date=2025-11-03"' in html
    assert "1: a modifier may bypass the edit" in html
    assert "Misuse of column two code with column one code" in html
    # 77003 is a CPT code without a descriptor: named by medcode's range name.
    row = html[html.index(">77003<") :].split("</tr>")[0]
    assert "Radiology: imaging guidance" in row
    assert "0: never paid together" in row


def test_the_indicator_filter_and_the_pair_check(code_samples, client):
    html = get(client, f"/codes/63650/ncci/?date={DATE}&indicator=0").content.decode()
    assert ">77003<" in html and ">63661<" not in html
    html = get(client, f"/codes/63685/ncci/?date={DATE}&pair=63650").content.decode()
    assert "No NCCI pair edit in force" not in html or "63685" in html
    html = get(client, f"/codes/63661/ncci/?date={DATE}&pair=63650").content.decode()
    assert "63661 is bundled into 63650 (column 1)" in html  # found in the other order
    html = get(client, f"/codes/63650/ncci/?date={DATE}&pair=99213").content.decode()
    assert "No NCCI pair edit in force on 2025-11-03 pairs 63650 with 99213" in html


def test_paging_splits_the_list(code_samples, client, monkeypatch):
    whole = get(client, f"/codes/63650/ncci/?date={DATE}").content.decode()
    total = whole.count("<tr><td>")
    assert total >= 2
    monkeypatch.setattr(partners, "PAGE_SIZE", 1)
    first = get(client, f"/codes/63650/ncci/?date={DATE}").content.decode()
    assert f"page 1 of {total}" in first and "page=2" in first
    assert first.count("<tr><td>") == 1
    second = get(client, f"/codes/63650/ncci/?date={DATE}&page=2").content.decode()
    assert f"page 2 of {total}" in second and "Previous" in second


def test_a_diagnosis_code_has_no_pair_edits_page(code_samples, client):
    response = get(client, "/codes/S72.001A/ncci/")
    assert response.status_code == 400


def test_the_code_page_links_to_the_full_list(code_samples, client, open_gate):
    html = get(client, f"/codes/63650/?date={DATE}").content.decode()
    assert f'href="/codes/63650/ncci/?table=ncci_ptp_practitioner&amp;date={DATE}"' in html
