"""A worker's warm-up fills the process-wide caches its first requests would otherwise fill."""

from __future__ import annotations

import pytest

from medcode.codes.page.reads import _article_titles
from medcode.content.articles import load_article
from medcode.ops.conditional import code_stamp
from medcode.ops.warmup import warm_master, warm_worker
from medcode.rules.drg import _engine
from medcode.search.index_matcher import load_index


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


@pytest.mark.django_db(transaction=True)
def test_the_master_warm_up_builds_note_mode_tables_and_leaves_no_connection_open(caplog):
    from django.db import connections
    from django.db.backends.sqlite3.base import DatabaseWrapper as SQLite

    load_index.cache_clear()
    code_stamp.cache_clear()
    seconds = warm_master()
    assert seconds > 0
    # Built in the calling thread (a thread started before a fork does not live on in the
    # workers), with the rest of the worker's warm-up.
    assert load_index.cache_info().currsize == 1
    assert code_stamp.cache_info().currsize == 1
    # A connection must not cross the fork into the workers (the test run's in-memory SQLite
    # database is the one SQLite never closes).
    kept = [c for c in connections.all() if not (isinstance(c, SQLite) and c.is_in_memory_db())]
    assert all(c.connection is None for c in kept)
    assert "caches loaded before forking the workers" in caplog.text
    assert "failed" not in caplog.text
