"""An article's second review (issue 21, item 6): who and when, both or neither, and never
dated before the text it covers was last updated."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from medcode.content import articles
from medcode.content.articles import ArticleError, load_all, parse_article

from .test_articles import write_article

REVIEWER = '"medcode second-pass reviewer (not the author)"'


def test_both_fields_are_read_into_the_article(tmp_path: Path) -> None:
    path = write_article(
        tmp_path,
        fields={"second_reviewed_by": REVIEWER, "second_reviewed": "2026-12-06"},
    )
    article = parse_article(path)
    assert article.second_reviewed_by == "medcode second-pass reviewer (not the author)"
    assert article.second_reviewed == dt.date(2026, 12, 6)


def test_an_article_without_a_second_review_still_loads(tmp_path: Path) -> None:
    article = parse_article(write_article(tmp_path))
    assert article.second_reviewed_by == ""
    assert article.second_reviewed is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"second_reviewed_by": REVIEWER}, articles.SECOND_REVIEW_PAIR),
        ({"second_reviewed": "2026-12-06"}, articles.SECOND_REVIEW_PAIR),
        ({"second_reviewed_by": REVIEWER, "second_reviewed": "soon"}, articles.SECOND_REVIEW_DATE),
        ({"second_reviewed_by": '""', "second_reviewed": "2026-12-06"}, "second_reviewed_by must"),
        (
            {"second_reviewed_by": REVIEWER, "second_reviewed": "2026-11-01"},
            "second_reviewed (2026-11-01) is before updated (2026-11-23)",
        ),
    ],
)
def test_a_bad_second_review_is_named(
    tmp_path: Path, fields: dict[str, str | None], message: str
) -> None:
    path = write_article(tmp_path, fields=fields)
    with pytest.raises(ArticleError) as caught:
        parse_article(path)
    assert message in caught.value.message
    assert caught.value.path == path


def test_every_shipped_article_had_its_second_review_after_its_last_update() -> None:
    shipped = load_all()
    assert len(shipped) == 50
    for article in shipped:
        assert article.second_reviewed_by, article.path
        assert article.second_reviewed is not None and article.second_reviewed >= article.updated
        # The second reviewer is not the author the article names.
        assert article.second_reviewed_by != article.reviewed_by


def test_corrected_statements_stay_corrected() -> None:
    """The second pass's corrections, each against the source it cites."""

    def text(folder: str, code: str) -> str:
        return re.sub(r"\s+", " ", (articles.CONTENT_ROOT / folder / f"{code}.md").read_text())

    # RVU layout, bilateral indicator 2: values already bilateral, 100% for both sides.
    assert "indicator 2 the code already describes both sides" not in text("modifiers", "50")
    # CPT/IOM 100-04 ch. 12: 76 and 77 also cover a repeat in the postoperative period.
    assert "already performed that day" not in text("modifiers", "77")
    assert "postoperative period" in text("modifiers", "77").split("## What it is")[0]
    assert "postoperative period" in text("modifiers", "76").split("## What it does not")[0]
    # Emergency department visits are levelled by MDM only.
    assert "emergency department visits are levelled by MDM only" in text("modifiers", "22")
