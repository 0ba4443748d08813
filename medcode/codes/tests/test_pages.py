"""Code pages over HTTP: content in PRODUCT.md order, redirects, dates, errors, htmx, SEO."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from typing import Any

import pytest
from django.test import Client

from medcode.codes import queries
from medcode.codes.tests.sample_data import code_samples_fixture  # noqa: F401
from medcode.content.articles import load_article
from tests.users import make_user

NOV_2025 = "2025-11-03"
NOV = dt.date(2025, 11, 3)


def get(client: Client, url: str, **headers: Any) -> Any:
    return client.get(url, HTTP_HOST="localhost", **headers)


def text_of(response) -> str:
    html = response.content.decode()
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def section_positions(html: str, ids: list[str]) -> list[int]:
    return [html.index(f'id="{section_id}"') for section_id in ids]


@pytest.fixture
def open_gate(settings):
    settings.MEDCODE_METERING = False


def test_the_63650_page_shows_every_section_in_product_order_with_its_article(
    code_samples, client, open_gate
):
    article = load_article("CPT", "63650")
    assert article is not None, "the 63650 article must exist and be valid"
    response = get(client, f"/codes/63650/?date={NOV_2025}")
    assert response.status_code == 200
    html = response.content.decode()
    ids = [
        "official",
        "plain-language",
        "what-it-is",
        "documentation",
        "billing",
        "modifiers",
        "related-codes",
        "data",
        "faq",
        "actions",
    ]
    positions = section_positions(html, ids)
    assert positions == sorted(positions)
    text = text_of(response)
    assert queries.CPT_NOT_LOADED.split(".")[0] in text
    assert article.faq[0][0] in text
    assert "Medicare Physician Fee Schedule" in text
    assert "$2,127.11" in text
    assert "10-day global" in text
    assert 'action="/claims/add/"' in html and 'name="code" value="63650"' in html
    assert 'href="/pilot/?code=63650"' in html
    assert "csrfmiddlewaretoken" in html
    # Modifier cards name their indicator in words, never by the file's column name.
    assert "From PFS multiple procedure indicator 2" in text
    assert "_ind =" not in text and "modifier_indicator" not in text


def test_related_codes_link_to_their_pages_and_keep_the_date(code_samples, client, open_gate):
    html = get(client, f"/codes/63650/?date={NOV_2025}").content.decode()
    assert f'href="/codes/63655/?date={NOV_2025}"' in html
    assert f'href="/codes/63685/?date={NOV_2025}"' in html


def test_every_data_panel_on_a_page_names_its_source_and_date(code_samples, client, open_gate):
    for url in [
        "/codes/63650/",
        "/codes/S72.001A/",
        "/codes/E0114/",
        "/codes/0SR90J9/",
        "/codes/50/",
    ]:
        html = get(client, f"{url}?date={NOV_2025}").content.decode()
        panels = re.findall(r'<section class="panel".*?</section>', html, flags=re.S)
        assert panels, url
        for panel in panels:
            assert "Source: <cite>" in panel and f"as of {NOV_2025}" in panel, (url, panel[:80])


def test_the_icd10cm_page_shows_notes_7th_characters_hierarchy_and_severity(
    code_samples, client, open_gate
):
    response = get(client, "/codes/S72.001A/?date=2026-05-01")
    text = text_of(response)
    assert (
        "Fracture of unspecified part of neck of right femur, initial encounter for closed fracture"
        in text
    )
    assert "Billable" in text
    assert "NOT CODED HERE" in text and "NOT INCLUDED HERE" in text
    assert "from chapter 19" in text and "from section S70-S79" in text
    assert "7th characters" in text and "S72.001D" in text
    assert "MCC" in text
    html = response.content.decode()
    assert 'href="/codes/S72.001/?date=2026-05-01"' in html


def test_the_hcpcs_page_shows_the_public_description_and_record(code_samples, client, open_gate):
    text = text_of(get(client, f"/codes/E0114/?date={NOV_2025}"))
    assert "Crutches underarm, other than wood" in text
    assert "Coverage code" in text and "BETOS" in text and "Pricing indicator" in text
    assert "Non-implantable durable medical equipment" in text
    assert "E0112" in text and "E0116" in text


def test_the_pcs_page_reads_the_code_by_position(code_samples, client, open_gate):
    text = text_of(get(client, f"/codes/0SR90J9/?date={NOV_2025}"))
    assert (
        "Replacement of Right Hip Joint with Synthetic Substitute, Cemented, Open Approach" in text
    )
    assert "root operation Replacement" in text and "0SR90JA" in text


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("50", "CPT modifier"),
        ("59", "the explanation below is our own"),
        ("XS", "Separate structure, a service that is distinct"),
    ],
)
def test_modifier_pages(code_samples, client, open_gate, code, expected):
    response = get(client, f"/codes/{code}/?date={NOV_2025}")
    assert response.status_code == 200
    assert expected in text_of(response)


def test_the_cpt_modifier_page_never_claims_an_official_descriptor(code_samples, client, open_gate):
    text = text_of(get(client, "/codes/50/"))
    assert queries.CPT_MODIFIER_NOTICE in text
    assert "Place of service 50" in text


def test_a_code_in_two_sets_gets_a_choice_page_and_system_picks_one(
    code_samples, client, open_gate
):
    response = get(client, "/codes/A0100/")
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        'href="/codes/A0100/?system=HCPCS"' in html
        and 'href="/codes/A01.00/?system=ICD10CM"' in html
    )
    picked = get(client, "/codes/A0100/?system=HCPCS")
    assert picked.status_code == 200
    assert "Nonemergency transportation; taxi" in text_of(picked)
    assert (
        '<link rel="canonical" href="http://localhost/codes/A0100/?system=HCPCS">'
        in picked.content.decode()
    )


@pytest.mark.parametrize(
    ("url", "target"),
    [
        ("/codes/S72001A/", "/codes/S72.001A/"),
        ("/codes/s72.001a/", "/codes/S72.001A/"),
        ("/codes/s72001a/?date=2026-05-01", "/codes/S72.001A/?date=2026-05-01"),
        ("/codes/xs/", "/codes/XS/"),
    ],
)
def test_non_canonical_forms_redirect_to_the_canonical_url(code_samples, client, url, target):
    response = get(client, url)
    assert response.status_code == 301
    assert response["Location"] == target


def test_the_page_has_a_canonical_link_and_schema_org_json_ld(code_samples, client, open_gate):
    html = get(client, "/codes/S72.001A/").content.decode()
    assert '<link rel="canonical" href="http://localhost/codes/S72.001A/">' in html
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, flags=re.S)
    assert found is not None
    data = json.loads(found.group(1))
    assert data["@type"] == "MedicalCode"
    assert data["codeValue"] == "S72.001A" and data["codingSystem"] == "ICD-10-CM"


def test_an_unknown_code_is_a_404_offering_the_nearest_codes(code_samples, client):
    response = get(client, "/codes/S72.009A/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'href="/codes/S72.001A/"' in html or 'href="/codes/S72.001/"' in html


@pytest.mark.parametrize("raw", ["%3Cscript%3Ealert(1)%3C%2Fscript%3E", "A" * 40, "S72..1"])
def test_a_malformed_code_is_a_400_that_does_not_echo_it(code_samples, client, raw):
    response = get(client, f"/codes/{raw}/")
    assert response.status_code in {400, 404}
    html = response.content.decode()
    assert "<script>alert" not in html
    assert "A" * 40 not in html


@pytest.mark.parametrize("date", ["2026-13-01", "2026-02-30", "tomorrow"])
def test_a_malformed_date_is_a_400_with_a_message(code_samples, client, date):
    response = get(client, f"/codes/S72.001A/?date={date}")
    assert response.status_code == 400
    assert queries.BAD_DATE in response.content.decode()


def test_a_date_before_any_release_shows_a_notice_and_the_nearest_release(
    code_samples, client, open_gate
):
    text = text_of(get(client, "/codes/S72.001A/?date=2001-01-01"))
    assert "is before the earliest loaded ICD-10-CM release" in text
    assert "FY2025" in text


def test_a_far_future_date_shows_a_notice(code_samples, client, open_gate):
    assert "2099-01-01 is far in the future" in text_of(
        get(client, "/codes/S72.001A/?date=2099-01-01")
    )


def test_a_deleted_code_says_when_it_ended_and_what_replaced_it(code_samples, client, open_gate):
    response = get(client, "/codes/C9159/?date=2024-08-01")
    text = text_of(response)
    assert "Deleted (valid through 2024-03-31)" in text
    assert 'href="/codes/J7168/?date=2024-08-01"' in response.content.decode()


def test_the_default_date_is_today(code_samples, client, open_gate):
    from django.utils import timezone

    html = get(client, "/codes/S72.001A/").content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in html


def test_an_htmx_request_gets_only_the_page_body(code_samples, client, open_gate):
    response = get(client, "/codes/S72.001A/?date=2025-03-01", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<article id="code-page-body"')
    assert "<html" not in html and 'data-date="2025-03-01"' in html
    assert "HX-Request" in response["Vary"]


def test_the_date_switch_works_without_javascript(code_samples, client, open_gate):
    html = get(client, "/codes/S72.001A/").content.decode()
    form = re.search(r'<form class="date-switch"[^>]*>', html)
    assert form is not None
    assert 'method="get"' in form.group(0) and 'action="/codes/S72.001A/"' in form.group(0)
    assert 'hx-get="/codes/S72.001A/"' in form.group(0)
    assert '<label for="date-of-service">' in html


def test_the_page_has_landmarks_and_ordered_headings(code_samples, client, open_gate):
    html = get(client, f"/codes/63650/?date={NOV_2025}").content.decode()
    for landmark in ("<header", "<nav", "<main", "<footer", 'role="search"'):
        assert landmark in html
    levels = [int(h) for h in re.findall(r"<h([1-6])", html)]
    assert levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    assert 'id="site-search"' in html


def test_the_gate_decides_whether_the_gated_sections_show(code_samples, client, monkeypatch):
    from medcode.accounts import gate

    monkeypatch.setattr(
        "medcode.codes.views.can_see_gated",
        lambda request, system, code: gate.GateDecision(False, "test", "Sign in to read more."),
    )
    html = get(client, f"/codes/63650/?date={NOV_2025}").content.decode()
    assert 'id="documentation"' not in html and 'id="faq"' not in html
    assert 'id="modifiers"' not in html
    # The CMS data panels and the data-derived related lists are public domain: always shown.
    assert 'id="data"' in html and 'id="related-codes"' in html
    assert "Often reported or confused with it" not in html  # the editorial group is gated
    assert "Sign in to read more." in html
    assert 'id="official"' in html and 'id="actions"' in html


def test_the_gate_is_open_when_metering_is_off(settings):
    from medcode.accounts.gate import can_see_gated

    settings.MEDCODE_METERING = False
    assert can_see_gated(None, "CPT", "63650").visible


def test_the_sitemap_index_lists_code_sections_and_a_section_lists_pages(code_samples, client):
    index = get(client, "/sitemap.xml")
    assert index.status_code == 200
    assert "sitemap-icd10cm.xml" in index.content.decode()
    section = get(client, "/sitemap-icd10cm.xml").content.decode()
    assert "http://localhost/codes/S72.001A/" in section


def test_robots_txt_points_at_the_sitemap(client):
    body = get(client, "/robots.txt").content.decode()
    assert "Sitemap: http://localhost/sitemap.xml" in body


def test_the_home_page_has_the_search_box_and_example_pages(code_samples, client):
    html = get(client, "/").content.decode()
    assert 'action="/search/"' in html and 'href="/codes/63650/"' in html
    assert "ICD-10-CM" in html


def test_static_files_are_served(client):
    css = get(client, "/static/medcode/site.css")
    assert css.status_code == 200
    js = b"".join(get(client, "/static/medcode/htmx.min.js").streaming_content)
    assert js.startswith(b"/*! htmx")


def test_the_modifier_sitemap_lists_level2_and_cpt_modifiers(code_samples, client):
    section = get(client, "/sitemap-modifier.xml").content.decode()
    assert "http://localhost/codes/XS/" in section and "http://localhost/codes/59/" in section


def test_codes_cited_in_icd10cm_notes_link_to_their_pages():
    from medcode.codes.templatetags.code_links import link_codes

    html = str(link_codes("traumatic amputation (S78.-) & birth trauma (P10-P15), see T63.4-"))
    assert '<a href="/codes/S78/">S78.-</a>' in html
    assert '<a href="/codes/P10/">P10</a>-<a href="/codes/P15/">P15</a>' in html
    assert '<a href="/codes/T63.4/">T63.4-</a>' in html
    assert "&amp;" in html
    assert str(link_codes("<b>type I or II</b>")) == "&lt;b&gt;type I or II&lt;/b&gt;"


def test_a_cached_page_still_carries_each_visitors_own_csrf_token(code_samples, open_gate):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    a = get(first, "/codes/63650/").content.decode()
    b = get(second, "/codes/63650/").content.decode()
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    found_a, found_b = token.search(a), token.search(b)
    assert found_a and found_b
    assert found_a.group(1) != found_b.group(1)
    # Each page's "Use code" form posts with its own visitor's cookie, not with the other's.
    line = {"code": "63650", "system": "CPT", "date": "2025-11-03"}
    assert (
        first.post("/claims/add/", {**line, "csrfmiddlewaretoken": found_b.group(1)}).status_code
        == 403
    )
    assert (
        first.post("/claims/add/", {**line, "csrfmiddlewaretoken": found_a.group(1)}).status_code
        != 403
    )
    assert (
        second.post("/claims/add/", {**line, "csrfmiddlewaretoken": found_b.group(1)}).status_code
        != 403
    )


def test_a_new_import_drops_cached_pages(code_samples, client, open_gate, tmp_path):
    from medcode.codes.services import import_file
    from medcode.codes.tests.sample_data import write_csv

    assert "Crutches underarm, other than wood" in text_of(get(client, "/codes/E0114/"))
    first = queries.lookup_code("E0114", system=None, on=NOV)
    assert queries.lookup_code("E0114", system=None, on=NOV) is first
    write_csv(
        tmp_path / "hcpcs_level2_2024_10.csv",
        (
            "hcpcs_code",
            "long_description",
            "short_description_2024_04",
            "pricing_indicator",
            "date_added",
            "action_date",
        ),
        [
            (
                "E0114",
                "Crutches, wording of a later release",
                "Crutch",
                "32",
                "1986-01-01",
                "2024-10-01",
            )
        ],
    )
    import_file(tmp_path / "hcpcs_level2_2024_10.csv")
    assert "Crutches, wording of a later release" in text_of(get(client, "/codes/E0114/"))


def test_a_cached_body_never_carries_one_visitors_layout_to_another(code_samples, open_gate):

    guest = Client()
    assert "Sign in" in get(guest, "/codes/63650/").content.decode()
    user = make_user("coder")
    member = Client()
    member.force_login(user)
    html = get(member, "/codes/63650/").content.decode()
    assert "Sign in" not in html and ">Account<" in html


def test_the_gate_notice_is_built_for_each_request(code_samples, client, monkeypatch):
    from medcode.accounts import gate

    decisions = iter(
        [
            gate.GateDecision(True, "metered", "2 full code pages remaining."),
            gate.GateDecision(True, "metered", "1 full code page remaining."),
        ]
    )
    monkeypatch.setattr("medcode.codes.views.can_see_gated", lambda r, s, c: next(decisions))
    assert "2 full code pages remaining." in text_of(get(client, "/codes/63650/"))
    assert "1 full code page remaining." in text_of(get(client, "/codes/63650/"))
