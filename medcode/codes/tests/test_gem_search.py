"""Searching an ICD-9-CM code offers the ICD-10-CM codes the backward GEM maps it to, labelled."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medcode.codes.queries import clear_caches
from medcode.codes.services import import_file
from medcode.codes.tests.incoming import FIXTURES
from medcode.codes.tests.test_list_panels import CODES_CSV
from medcode.search.facade import search
from medcode.search.index import rebuild_index


@pytest.fixture
def indexed(db: None, tmp_path: Path, settings: Any) -> Any:
    settings.MEDCODE_RELEASE_CHECK_SECONDS = 0
    clear_caches()
    codes = tmp_path / "icd10cm_codes_2026.csv"
    codes.write_text(CODES_CSV)
    for path in (codes, FIXTURES / "gems" / "2018_I9gem.txt"):
        import_file(path)
    rebuild_index(force=True)
    yield
    clear_caches()


@pytest.mark.parametrize("query", ["250.00", "25000"])
def test_an_icd9_code_offers_its_gem_target_with_a_label(indexed: None, query: str):
    found = search(query, semantic=False)

    gem = [r for r in found.results if r.match == "gem"]
    assert [r.display for r in gem] == ["E11.9"]
    assert any(
        "250.00 is an ICD-9-CM code" in n
        and "E11.9 (approximate)" in n
        and "not coding advice" in n
        for n in found.notices
    )


def test_no_gem_offer_outside_icd10cm_or_for_a_code_without_a_mapping(indexed: None):
    assert not [
        r for r in search("250.00", system="HCPCS", semantic=False).results if r.match == "gem"
    ]
    assert not search("365.70", semantic=False).notices  # NoDx: nothing to offer
    assert not [r for r in search("E11.9", semantic=False).results if r.match == "gem"]


def test_the_search_page_and_suggestions_label_a_gem_offer(
    indexed: None, client: Any, settings: Any
):
    from django.urls import reverse

    settings.MEDCODE_METERING = False
    page = client.get(reverse("search:search"), {"q": "250.00"}, HTTP_HOST="localhost")
    html = page.content.decode()
    assert "250.00 is an ICD-9-CM code" in html
    assert "via the ICD-9-CM GEM: a navigation aid" in html
    suggestions = client.get(reverse("search:suggest"), {"q": "250.00"}, HTTP_HOST="localhost")
    assert "from the ICD-9-CM GEM (navigation aid)" in suggestions.content.decode()
