"""The LCD article crosswalk in the claim check: imported through the real importer, copied
once into its indexed table, and read for the lines' pointed diagnoses."""

from __future__ import annotations

from pathlib import Path

import pytest

from medcode.claims.models import ArticleIndex, ArticleListing
from medcode.claims.services import check_claim_data
from medcode.claims.tables import STORE
from medcode.codes.services import import_file

CROSSWALK = """hcpcs,icd10cm,status,lcd_ids
27096,M43.28,covered,L39383 L39462
27096,M54.16,covered,L39383
27096,M54.5,noncovered,L39462
"""


@pytest.fixture
def crosswalk(db: None, tmp_path: Path) -> None:
    path = tmp_path / "mcd_lcd_article_code_icd10_union_2026_04_partial.csv"
    path.write_text(CROSSWALK)
    import_file(path)


def check(diagnoses: list[str], dos: str = "2026-05-04") -> list[tuple[str, str]]:
    result = check_claim_data(
        {
            "diagnoses": diagnoses,
            "lines": [{"code": "27096", "date_of_service": dos, "diagnosis_pointers": [1]}],
        }
    )
    return [(f.severity, f.message) for f in result.findings if f.rule == "lcd_article"]


def test_a_diagnosis_listed_as_non_covering_is_a_warning_naming_the_lcd(crosswalk):
    [(severity, message)] = check(["M54.5"])

    assert severity == "warning"
    assert "M54.5 as non-covering" in message
    assert "L39462" in message
    assert "partial and approximate" in message


def test_a_covering_diagnosis_gives_no_finding_and_an_unlisted_one_a_note(crosswalk):
    assert check(["M43.28"]) == []
    [(severity, message)] = check(["R52"])
    assert severity == "info"
    assert "none of its diagnoses (R52) is listed as covering" in message


def test_the_crosswalk_is_copied_into_its_index_once(crosswalk):
    check(["M54.5"])
    STORE.reset()  # a new process: the marker, not memory, says the copy is there
    check(["R52"])

    assert ArticleIndex.objects.count() == 1
    assert ArticleIndex.objects.get().rows == 3
    assert set(ArticleListing.objects.values_list("icd10cm", "lcd_ids")) == {
        ("M4328", "L39383 L39462"),
        ("M5416", "L39383"),
        ("M545", "L39462"),
    }


def test_the_crosswalk_is_not_applied_before_it_starts(crosswalk):
    assert check(["M54.5"], dos="2025-11-03") == []
