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


def test_the_right_column_holds_the_page_actions_beside_the_section_list(
    code_samples, client, open_gate
):
    # Before: Ask, What changed and JSON were only at the foot of the page (first-hour review).
    html = client.get("/codes/27130/?date=2025-11-03", HTTP_HOST="localhost").content.decode()
    start = html.index('<nav class="toc" aria-label="On this page">')
    toc = html[start : html.index("</nav>", start)]
    assert 'href="/pilot/?code=27130"' in toc and 'href="/changes/code/27130/"' in toc
    assert 'href="/api/v1/codes/27130' in toc


def test_a_code_gets_one_mue_panel_with_each_tables_newest_value_and_a_rationale(
    code_samples, client, open_gate
):
    import datetime as dt

    from medcode.codes.models import MueLimit, Release
    from medcode.codes.queries import clear_caches

    # A newer per-table practitioner file (no rationale column) beside the combined 2024Q3 file.
    newer = Release.objects.create(
        dataset="ncci_mue_practitioner",
        version_label="2025Q4",
        effective_from=dt.date(2025, 10, 1),
        source_file="MCR_MUE_PractitionerServices_Eff_10-01-2025.csv",
        sha256="f" * 64,
        row_counts={"mue_limits": 1},
        is_current=True,
    )
    MueLimit.objects.create(
        release=newer, code="63650", service_type="practitioner", value=4, mai=3, rationale=""
    )
    clear_caches()
    html = client.get("/codes/63650/?date=2025-11-03", HTTP_HOST="localhost").content.decode()
    assert html.count("NCCI medically unlikely edits (MUE)</h3>") == 1, "one MUE panel"
    start = html.index("MUE values")
    table = html[start : html.index("</table>", start)]
    practitioner = table[table.index("Practitioner services") :].split("</tr>")[0]
    assert ">4<" in practitioner  # the newer file's value
    assert "Nature of Service/Procedure" in practitioner  # the rationale the older file gave
    outpatient = table[table.index("Outpatient hospital services") :].split("</tr>")[0]
    assert ">2<" in outpatient  # only the combined file lists it


def test_a_7th_character_code_lists_its_other_sides_not_its_7th_characters_twice(
    code_samples, client, open_gate
):
    html = client.get("/codes/S72.001A/?date=2026-06-01", HTTP_HOST="localhost").content.decode()
    related = html[html.index('id="related-codes"') : html.index('id="data"')]
    assert "Beside it with the same 7th character (A)" in related
    assert 'href="/codes/S72.002A/?date=2026-06-01"' in related  # the left femur
    assert "S72.001B" not in related  # the 7th characters are the panel's, listed once
    assert "Codes beside it" not in related
    assert html.count('href="/codes/S72.001B/?date=2026-06-01"') == 1


def test_the_excludes1_explanation_states_the_unrelated_conditions_exception():
    from medcode.codes.page.meanings import NOTE_TYPES

    text = NOTE_TYPES["excludes1"][1]
    assert "unrelated to each other, both codes may be reported" in text
    assert "I.A.12.a" in text


def test_the_63650_article_states_ncd_160_7s_multidisciplinary_screening():
    from medcode.content.articles import load_article

    article = load_article("CPT", "63650")
    assert article is not None
    documentation = article.sections["documentation"]
    assert "multidisciplinary team" in documentation
    assert "psychological as" in documentation and "physical evaluation" in documentation
    assert "where the MAC asks" not in documentation


def test_the_59_pages_edit_counts_are_kept_per_release_for_every_process(
    code_samples, client, open_gate, settings, tmp_path
):
    import json

    from medcode.codes.catalog import derived
    from medcode.codes.queries import clear_caches

    settings.VAR_DIR = tmp_path
    html = client.get("/codes/59/?date=2025-11-03", HTTP_HOST="localhost").content.decode()
    assert "NCCI pair edits by modifier indicator" in html
    [kept] = list((tmp_path / "derived").glob("ptp-indicator-counts-*.json"))
    assert dict(json.loads(kept.read_text())) == {"0": 2, "1": 2}  # the sample's live edits
    # Another process (no memory of its own) reads the file instead of counting again.
    kept.write_text(json.dumps([["1", 12345]]))
    derived.clear()
    clear_caches()
    html = client.get("/codes/XS/?date=2025-11-03", HTTP_HOST="localhost").content.decode()
    assert "12345" in html


def test_the_modifier_50_article_states_indicator_3s_payment_too():
    from medcode.content.articles import load_article

    article = load_article("MODIFIER", "50")
    assert article is not None
    billing = article.sections["billing"]
    assert "50 changes payment only for indicator 1" not in billing
    assert "indicator 3 each side is paid at up to 100%" in billing
