"""A worker's warm-up fills the process-wide caches its first requests would otherwise fill."""

from __future__ import annotations

import pytest

from medcode.codes.page.reads import _article_titles
from medcode.content.articles import load_article
from medcode.ops.conditional import code_stamp
from medcode.ops.warmup import warm_worker
from medcode.rules.drg import _engine


@pytest.mark.django_db
def test_the_warm_up_loads_articles_and_stamps(caplog):
    _article_titles.cache_clear()
    load_article.cache_clear()
    code_stamp.cache_clear()
    _engine.cache_clear()
    seconds = warm_worker()
    assert seconds > 0
    titles = _article_titles()
    assert titles, "no editorial articles found"
    assert load_article.cache_info().currsize >= len(titles)
    assert code_stamp.cache_info().currsize == 1
    assert _engine.cache_info().currsize >= 1  # drgpy's tables for today's MS-DRG version
    assert "worker warmed up" in caplog.text
    assert "failed" not in caplog.text
