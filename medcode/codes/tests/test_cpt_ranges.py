"""CPT pages without a licence: medcode's range names in titles, lists and word search."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest

from medcode.codes import cpt_ranges, queries
from medcode.codes.tests.sample_data import code_samples_fixture  # noqa: F401


@pytest.mark.parametrize(
    ("code", "label"),
    [
        ("27130", "Surgery: pelvis and hip joint"),
        ("27447", "Surgery: thigh and knee joint"),
        ("45378", "Surgery: rectum and colon endoscopy"),
        ("45999", "Surgery: rectum"),
        ("63650", "Surgery: spinal neurostimulators"),
        ("63001", "Surgery: spine and spinal cord"),
        ("99213", "Evaluation and management: office or outpatient visit, established patient"),
        ("99285", "Evaluation and management: emergency department services"),
        ("99499", "Evaluation and management"),
        ("70450", "Radiology: imaging of the head and neck"),
        ("80053", "Pathology and laboratory: organ and disease panels"),
        ("01402", "Anesthesia: for procedures on the knee and popliteal area"),
        ("0042T", "Category III: emerging technology"),
        ("99500", "Medicine: home health procedures"),
        ("97153", "Medicine: adaptive behavior services"),  # inside 97010-97799, not PM&R
        ("97110", "Medicine: physical medicine and rehabilitation"),
        # Codes inside a named span that belong to another family get the section only.
        ("99417", "Evaluation and management"),  # prolonged services, not counseling
        ("99484", "Evaluation and management"),  # care management, not neonatal care
        ("10035", "Surgery: skin and subcutaneous tissue"),  # a localization device
        ("99402", "Evaluation and management: preventive counseling and risk reduction"),
        ("99477", "Evaluation and management: neonatal and pediatric critical and intensive care"),
    ],
)
def test_a_cpt_code_is_named_by_the_narrowest_range_holding_it(code: str, label: str) -> None:
    assert cpt_ranges.label(code) == label


@pytest.mark.parametrize("code", ["", "2713", "A0100", "S72.001A", "0001X"])
def test_a_code_cpt_does_not_use_has_no_range(code: str) -> None:
    assert cpt_ranges.label(code) == ""


def test_every_range_is_well_formed_and_a_narrow_range_sits_inside_its_section() -> None:
    sections = [r for r in cpt_ranges.RANGES if not r[3]]
    for first, last, section, area in cpt_ranges.RANGES:
        assert re.fullmatch(r"\d{5}", first) and re.fullmatch(r"\d{5}", last), (first, last)
        assert first <= last, (first, last)
        if area:
            assert any(s[2] == section and s[0] <= first and last <= s[1] for s in sections), (
                f"{first}-{last} lies outside every {section} range"
            )


@pytest.mark.parametrize(
    ("query", "expected", "unexpected"),
    [
        ("total hip arthroplasty", "26990", "01112"),  # not "anesthesia, except the hip"
        ("colonoscopy", "45300", None),
        ("spinal cord stimulator", "63650", "55200"),  # not the spermatic cord
        ("office visit", "99211", None),
    ],
)
def test_words_find_the_ranges_they_name(query: str, expected: str, unexpected: str | None) -> None:
    firsts = [r.first for r in cpt_ranges.matching(query)]
    assert (firsts and firsts[0] == expected) or expected in firsts, firsts
    assert unexpected not in firsts


def test_words_naming_no_range_find_none() -> None:
    assert cpt_ranges.matching("diabetes mellitus") == []
    assert cpt_ranges.matching("of the and") == []


def text_of(response: Any) -> str:
    text = re.sub(r"<[^>]+>", " ", response.content.decode())
    return re.sub(r"\s+", " ", html.unescape(text))


def test_a_cpt_page_without_descriptor_is_titled_by_its_range_and_says_what_it_can_show(
    code_samples, client, settings
) -> None:
    settings.MEDCODE_METERING = False
    response = client.get("/codes/27130/?date=2025-11-03", HTTP_HOST="localhost")
    html = response.content.decode()
    text = text_of(response)
    assert "<title>27130 – Surgery: pelvis and hip joint" in html
    assert "CPT code 27130" not in text
    assert "Pelvis and hip joint (26990–27299)" in text  # the breadcrumb
    assert queries.CPT_NOT_LOADED in text
    assert "medcode data import" not in text  # no operator command shown to a reader
    assert "Listed in" not in text  # no file-version jargon under the heading
    assert "90-day global" in text
