"""A code page offers only the actions that work for its code set."""

from __future__ import annotations

import pytest

from medcode.codes.tests.sample_data import code_samples_fixture  # noqa: F401


@pytest.fixture
def open_gate(settings):
    settings.MEDCODE_METERING = False


def test_a_pcs_page_offers_no_use_code_and_says_why(code_samples, client, open_gate):
    html = client.get("/codes/0SR90J9/?date=2025-11-03", HTTP_HOST="localhost").content.decode()
    assert 'action="/claims/add/"' not in html
    assert "inpatient hospital procedures" in html


def test_a_modifier_page_asks_for_a_line_rather_than_using_the_last(
    code_samples, client, open_gate
):
    html = client.get("/codes/XS/", HTTP_HOST="localhost").content.decode()
    assert 'action="/claims/add/"' in html and 'name="system" value="MODIFIER"' in html
    assert "Use on a claim line" in html


def test_a_cpt_page_keeps_use_code(code_samples, client, open_gate):
    html = client.get("/codes/27130/?date=2025-11-03", HTTP_HOST="localhost").content.decode()
    assert 'action="/claims/add/"' in html and ">Use code</button>" in html
