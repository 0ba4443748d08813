"""Searching CPT by words without licensed descriptors: medcode's range names are found."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def get(client: Any, url: str, **params: Any) -> Any:
    return client.get(url, params, HTTP_HOST="localhost")


def test_the_search_page_offers_the_cpt_ranges_its_words_name(code_store, lexical_only, client):
    html = get(client, "/search/", q="total hip arthroplasty").content.decode()
    assert "CPT ranges for these words" in html
    assert 'href="/search/browse/cpt/26990-27299/"' in html
    assert "has not loaded a licensed file" in html
    # A code set other than CPT asked for: no CPT ranges.
    html = get(client, "/search/", q="total hip arthroplasty", system="ICD10CM").content.decode()
    assert "CPT ranges for these words" not in html


def test_a_range_of_ours_lists_its_codes_without_a_descriptor_placeholder(code_store, client):
    response = get(client, "/search/browse/cpt/26990-27299/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "27130" in html and "63650" not in html
    assert "descriptor not loaded</em>" not in html
    # A wide section names each code's own range.
    html = get(client, "/search/browse/cpt/musculoskeletal/").content.decode()
    assert "Pelvis and hip joint" in html


@pytest.mark.parametrize("key", ["26990-27300", "00000-99999", "27130"])
def test_a_range_we_do_not_name_is_a_404(code_store, client, key):
    assert get(client, f"/search/browse/cpt/{key}/").status_code == 404


def test_typing_the_first_digits_of_a_cpt_code_suggests_the_codes_they_start(code_store):
    from medcode.search.facade import suggest

    # Before: "2713" is no code shape (CPT has 5), so the box offered word and ICD-9 matches.
    codes = [r.code for r in suggest("2713").results]
    assert codes[:1] == ["27130"]


def test_a_cpt_code_without_a_pfs_payment_is_not_called_a_header_in_browse(code_store, client):
    from medcode.codes.models import Code, Release
    from medcode.search.index import rebuild_index

    # Before: a CPT code whose PFS status is not payable (B, bundled: 20930) got the ICD-10
    # "header" badge.
    pfs = Release.objects.get(dataset="pfs_rvu")
    Code.objects.create(release=pfs, system="CPT", code="20930", display="20930", is_billable=False)
    rebuild_index(force=True)
    html = get(client, "/search/browse/cpt/musculoskeletal/").content.decode()
    assert "20930" in html
    assert "no separate PFS payment" in html and 'badge--heading">header' not in html
