from datetime import date

import pytest

from medcode.rules.coverage import (
    ALL_OTHERS,
    NCD_NOT_COVERED,
    check_lcd_articles,
    check_ncd,
    ncd_verdicts,
)
from medcode.rules.tables import ArticleListing, NcdEntry
from medcode.rules.tests.builders import DOS, claim, line, tables

START = date(2015, 10, 1)


def procedure(ncd: str, code: str, title: str = "Blood Counts") -> NcdEntry:
    return NcdEntry(ncd, title, "HCPCS", code, START, None, None)


def diagnosis(ncd: str, code: str, resolution: int, *, terminated: date | None = None) -> NcdEntry:
    return NcdEntry(ncd, "", "ICD10CM", code, START, terminated, resolution)


# An NCD like 190.15: it lists the diagnoses that are denied (2) or do not support medical
# necessity (3); every other diagnosis is covered (1). And one like 190.22: it lists covered
# diagnoses; every other does not support medical necessity.
BLOOD_COUNTS = [
    procedure("190.15", "85025"),
    diagnosis("190.15", "Z0000", 2),
    diagnosis("190.15", "E039", 3),
    diagnosis("190.15", ALL_OTHERS, 1),
]
THYROID = [
    procedure("190.22", "84443", "Thyroid Testing"),
    diagnosis("190.22", "E039", 1),
    diagnosis("190.22", "R7989", 1, terminated=date(2020, 9, 30)),
    diagnosis("190.22", ALL_OTHERS, 3),
]
NCDS = tables(ncd=BLOOD_COUNTS + THYROID)


@pytest.mark.parametrize(
    ("code", "diagnoses", "expected"),
    [
        pytest.param("85025", ("Z0000",), "error", id="listed-denied"),
        pytest.param("85025", ("E039",), "warning", id="listed-not-medically-necessary"),
        pytest.param("85025", ("D649",), None, id="not-listed-covered-by-all-others"),
        pytest.param("85025", ("Z0000", "D649"), None, id="one-covered-diagnosis-is-enough"),
        pytest.param("84443", ("E039",), None, id="listed-covered"),
        pytest.param("84443", ("Z0000",), "warning", id="not-listed-all-others-not-necessary"),
        pytest.param("84443", ("R7989",), "warning", id="covered-listing-ended-before-the-date"),
        pytest.param("99213", ("Z0000",), None, id="no-ncd-applies-to-the-procedure"),
    ],
)
def test_the_ncd_spreadsheet_decides_medical_necessity(code, diagnoses, expected):
    pointers = tuple(range(1, len(diagnoses) + 1))
    found = check_ncd(claim(line(1, code, pointers=pointers), diagnoses=diagnoses), NCDS)

    assert [f.severity for f in found] == ([expected] if expected else [])
    assert all(f.rule == "ncd" for f in found)


def test_the_finding_names_the_ncd_and_the_resolution_of_each_diagnosis():
    [finding] = check_ncd(claim(line(2, "85025"), diagnoses=("Z0000",)), NCDS)

    assert finding.message == NCD_NOT_COVERED.format(
        code="85025",
        line="line 2",
        ncd="190.15",
        title=" (Blood Counts)",
        verdicts="Z00.00 denied",
    )
    assert finding.source == "ncd table (in memory)"


def test_only_the_diagnoses_a_line_points_to_count():
    c = claim(line(1, "85025", pointers=(2,)), diagnoses=("D649", "Z0000"))

    assert [f.lines for f in check_ncd(c, NCDS)] == [(1,)]


def test_verdicts_say_whether_the_ncd_listed_the_diagnosis():
    verdicts = ncd_verdicts("84443", ["E039", "K219"], DOS, NCDS)

    assert [(v.ncd, v.diagnosis, v.resolution, v.is_listed) for v in verdicts] == [
        ("190.22", "E039", 1, True),
        ("190.22", "K219", 3, False),
    ]


# --- LCD billing-and-coding article crosswalk ------------------------------------------------

ARTICLES = tables(
    articles=[
        ArticleListing("27096", "M4328", "covered", ("L39383", "L39462")),
        ArticleListing("27096", "M5416", "covered", ("L39383",)),
        ArticleListing("27096", "M545", "noncovered", ("L39462",)),
    ]
)


@pytest.mark.parametrize(
    ("code", "diagnoses", "pointers", "expected"),
    [
        pytest.param("27096", ("M4328",), (1,), None, id="listed-covering"),
        pytest.param("27096", ("M545", "M4328"), (1, 2), None, id="one-covering-is-enough"),
        pytest.param("27096", ("M545",), (1,), "warning", id="listed-non-covering"),
        pytest.param("27096", ("R52",), (1,), "info", id="not-listed"),
        pytest.param("27096", ("M4328", "R52"), (2,), "info", id="only-pointed-diagnoses"),
        pytest.param("99214", ("R52",), (1,), None, id="code-not-in-crosswalk"),
    ],
)
def test_the_article_crosswalk_flags_lines_without_a_covering_diagnosis(
    code, diagnoses, pointers, expected
):
    found = check_lcd_articles(
        claim(line(1, code, pointers=pointers), diagnoses=diagnoses), ARTICLES
    )

    assert [f.severity for f in found] == ([expected] if expected else [])
    for finding in found:
        assert finding.rule == "lcd_article"
        assert "partial and approximate" in finding.message
        assert "L39" in finding.message


def test_a_non_covering_listing_names_the_diagnosis_and_its_lcd():
    [finding] = check_lcd_articles(claim(line(1, "27096"), diagnoses=("M545",)), ARTICLES)

    assert "M54.5 as non-covering" in finding.message
    assert "LCDs L39462" in finding.message
