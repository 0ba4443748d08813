"""CasePilot's coverage facts read the LCD article crosswalk from the claim check's indexed
copy (medcode.claims.articles), with the same counts, LCDs and pair status as a scan of the
imported reference rows."""

from __future__ import annotations

import datetime as dt

from medcode.assistant import tools
from medcode.claims.models import ArticleIndex
from medcode.claims.tests.test_lcd_articles import crosswalk  # noqa: F401
from medcode.codes.queries import release_catalog

ON = dt.date(2026, 5, 4)


def test_coverage_of_reads_the_crosswalk_copy(crosswalk):  # noqa: F811
    found = tools.coverage_of("27096", ON, diagnosis="M545")

    assert (found.article_covered, found.article_noncovered) == (2, 1)
    assert found.article_lcds == ("L39383", "L39462")
    assert found.pair_status == "noncovered"
    assert ArticleIndex.objects.get().rows == 3  # the copy was made, once
    assert tools.coverage_of("27096", ON, diagnosis="M4328").pair_status == "covered"
    assert tools.coverage_of("99213", ON).article_covered == 0


def test_the_copy_and_the_scan_of_reference_rows_agree(crosswalk):  # noqa: F811
    [release] = release_catalog().in_force("article_icd10", ON)
    scanned = [
        (str(data["icd10cm"]), str(data["status"]), [str(lcd) for lcd in data["lcd_ids"]])
        for data in tools._reference_rows(release.pk, "article_icd10", "27096")
    ]

    assert tools._crosswalk(release.pk, "27096") == scanned
    assert len(scanned) == 3
