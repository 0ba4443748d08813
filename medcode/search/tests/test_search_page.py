"""The search page, the autocomplete fragment, case mode and the hierarchy pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.users import make_user

pytestmark = pytest.mark.django_db


def get(client: Any, url: str, **params: Any) -> Any:
    return client.get(url, params, HTTP_HOST="localhost")


def test_the_page_lists_results_with_matched_words_highlighted(code_store, lexical_only, client):
    response = get(client, "/search/", q="nephropathy")
    assert response.status_code == 200
    html = response.content.decode()
    assert "E11.21" in html
    assert "diabetic <mark>nephropathy</mark>" in html
    assert 'href="/codes/E11.21/?system=ICD10CM"' in html


def test_the_page_without_a_query_shows_the_form(db, client):
    html = get(client, "/search/").content.decode()
    assert 'name="q"' in html and 'name="system"' in html and 'name="billable"' in html
    assert 'name="date"' in html


def test_html_in_the_query_is_escaped_everywhere(code_store, lexical_only, client):
    html = get(client, "/search/", q="<script>alert(1)</script> fever").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_the_filters_stay_as_chosen(code_store, client):
    html = get(
        client, "/search/", q="power", system="HCPCS", billable="1", date="2024-08-01"
    ).content.decode()
    assert '<option value="HCPCS" selected>' in html
    assert 'name="billable" value="1" checked' in html
    assert 'value="2024-08-01"' in html
    assert "K0898" in html and "E11" not in html


def test_a_bad_date_is_a_400_that_says_how_to_write_it(code_store, client):
    from medcode.search.views import BAD_DATE

    response = get(client, "/search/", q="fever", date="yesterday")
    assert response.status_code == 400
    assert BAD_DATE in response.content.decode()


def test_a_note_pasted_into_the_box_runs_case_mode(code_store, lexical_only, client):
    note = (
        "A 67-year-old man presents with chest pain radiating to the left arm since this morning. "
        "He has hypertension. The patient denies fever. Family history of heart disease in his father."
    )
    html = get(client, "/search/", q=note).content.decode()
    assert "Suggested codes" in html and "R07.9" in html
    assert "Not coded" in html and "denied" in html


def test_case_mode_takes_a_long_note_by_post(code_store, lexical_only, client):
    # Signed in: a guest's note is capped lower (medcode.accounts.costs).
    client.force_login(make_user("note-writer"))
    response = client.post(
        reverse("search:note"), {"note": "Chest pain. " * 1500}, HTTP_HOST="localhost"
    )
    assert response.status_code == 200
    assert "R07.9" in response.content.decode()
    too_long = client.post(reverse("search:note"), {"note": "x" * 20_001}, HTTP_HOST="localhost")
    assert too_long.status_code == 400
    assert "20,001" in too_long.content.decode()


def test_the_suggest_fragment_is_a_list_of_options_linking_to_code_pages(code_store, client):
    response = get(client, "/search/suggest", q="S72.00")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert 'role="option"' in html
    assert 'id="site-search-option-0"' in html
    assert 'data-href="/codes/S72.00/?system=ICD10CM"' in html
    assert "All results for" in html


def test_the_suggest_fragment_is_empty_for_an_empty_box(db, client):
    assert get(client, "/search/suggest", q="").content.decode().strip() == ""


def test_the_suggest_fragment_says_when_nothing_matches(code_store, client):
    html = get(client, "/search/suggest", q="xylophone").content.decode()
    assert 'aria-disabled="true"' in html and "No codes match" in html


def test_every_page_loads_the_autocomplete_script(code_store, client):
    for url in ("/", "/search/", "/codes/"):
        html = get(client, url).content.decode()
        assert "medcode/autocomplete.js" in html, url
        assert 'id="site-search"' in html, url


def test_browsing_starts_from_chapters_letter_groups_and_cpt_sections(code_store, client):
    html = get(client, "/search/browse/").content.decode()
    assert "Endocrine, nutritional and metabolic diseases" in html
    assert "Durable medical equipment" in html
    assert "Surgery: nervous system" in html


def test_a_chapter_lists_its_sections_and_a_section_its_categories(code_store, client):
    html = get(client, "/search/browse/icd10cm/4/").content.decode()
    assert "Diabetes mellitus (E08-E13)" in html
    html = get(client, "/search/browse/icd10cm/section/E08-E13/").content.decode()
    assert "E11" in html and "Type 2 diabetes mellitus" in html
    assert "E11.29" not in html  # categories only


def test_a_letter_group_and_a_cpt_section_list_their_codes(code_store, client):
    html = get(client, "/search/browse/hcpcs/K/").content.decode()
    assert "K0898" in html and "Power wheelchair" in html
    html = get(client, "/search/browse/cpt/nervous/").content.decode()
    assert "63650" in html and "63685" in html


@pytest.mark.parametrize(
    "url", ["/search/browse/icd10cm/99/", "/search/browse/hcpcs/Z/", "/search/browse/cpt/nope/"]
)
def test_an_unknown_group_is_a_404(code_store, client, url):
    assert get(client, url).status_code == 404


def test_category_iii_codes_browse_apart_from_category_i(code_store, client):
    html = get(client, "/search/browse/").content.decode()
    assert "Category III (emerging technology)" in html
    assert "Category II (performance measurement)" not in html
    html = get(client, "/search/browse/cpt/category-iii/").content.decode()
    assert "0042T" in html and "63650" not in html
    assert "0042T" not in get(client, "/search/browse/cpt/anesthesia/").content.decode()
