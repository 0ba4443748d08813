"""Fixtures for every test under medcode/ (the root conftest.py has the shared ones)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.kept import KEEPER


@pytest.fixture(autouse=True)
def fresh_data_generation() -> Iterator[None]:
    """Each test reads the data generation of its own database: the token is otherwise kept
    for up to MEDCODE_RELEASE_CHECK_SECONDS, and a test database changes without the commits
    that bump it (tests run inside a transaction that is rolled back)."""
    from medcode.ops import datacache, generation

    generation.bump()
    datacache.reset()
    yield
    generation.bump()
    datacache.reset()


CPT_TITLES_NONE = (
    Path(__file__).resolve().parent / "content" / "tests" / "data" / "cpt_titles_none.csv"
)


@pytest.fixture(autouse=True)
def cpt_titles_file(settings: Any) -> Iterator[Path]:
    """Tests read CPT titles from a header-only file, not the shipped content (which the
    editors change): a test wanting titles points MEDCODE_CPT_TITLES_FILE at its own file
    (medcode/content/tests/data/cpt_titles_sample.csv). The content has tests of its own."""
    from medcode.content import cpt_titles

    settings.MEDCODE_CPT_TITLES_FILE = str(CPT_TITLES_NONE)
    cpt_titles.clear_cache()
    yield CPT_TITLES_NONE
    cpt_titles.clear_cache()


@contextmanager
def kept_build_context() -> Iterator[None]:
    """Kept test data (tests/kept.py) is built before a test's fixtures: build it as the
    autouse fixtures above set up a test (fresh generation, no CPT titles)."""
    from django.test import override_settings

    from medcode.content import cpt_titles
    from medcode.ops import datacache, generation

    with override_settings(MEDCODE_CPT_TITLES_FILE=str(CPT_TITLES_NONE)):
        generation.bump()
        datacache.reset()
        cpt_titles.clear_cache()
        try:
            yield
        finally:
            generation.bump()
            datacache.reset()
            cpt_titles.clear_cache()


def kept_test_cache(request: Any) -> None:
    """A test on kept data gets a cache key prefix of its own: the data generation (the data
    cache's version) is derived from the tables, so it is the same for every test on the same
    kept data, and one test's cached pages (built under its settings) must not reach the next.
    A test that set its own prefix (cache_backend) keeps it."""
    import uuid

    settings = request.getfixturevalue("settings")
    default = dict(settings.CACHES["default"])
    if default.get("KEY_PREFIX"):
        return
    prefix = f"kept-{uuid.uuid4().hex[:12]}"
    settings.CACHES = {**settings.CACHES, "default": {**default, "KEY_PREFIX": prefix}}
    if "redis" in default.get("BACKEND", "").lower():

        def forget() -> None:
            import redis

            client = redis.Redis.from_url(default["LOCATION"])
            keys = list(client.scan_iter(f"{prefix}:*"))
            if keys:
                client.delete(*keys)

        request.addfinalizer(forget)


KEEPER.build_context = kept_build_context

KEEPER.per_test = kept_test_cache


CACHE_BACKENDS = ("locmem", "database", "redis")


def redis_url() -> str:
    """The Redis to test against (REDIS_URL, else the local default), or "" when none answers."""
    import os

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5).ping()
    except Exception:
        return ""
    return url


@pytest.fixture(params=CACHE_BACKENDS)
def cache_backend(request: Any, settings: Any, db: None) -> Iterator[str]:
    """Django's default cache as each backend medcode supports: local memory, the database
    cache table, Redis (skipped when no Redis answers). Keys get a prefix of their own."""
    import uuid

    from django.core.management import call_command

    prefix = f"test-{uuid.uuid4().hex[:12]}"
    if request.param == "locmem":
        config = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": prefix}
    elif request.param == "database":
        config = {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "test_cache",
        }
    else:
        url = redis_url()
        if not url:
            pytest.skip("no Redis answers at REDIS_URL or 127.0.0.1:6379")
        config = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    settings.CACHES = {"default": {**config, "KEY_PREFIX": prefix}}
    if request.param == "database":
        call_command("createcachetable", verbosity=0)
    yield request.param
    if request.param == "redis":
        import redis

        client = redis.Redis.from_url(redis_url())
        keys = list(client.scan_iter(f"{prefix}:*"))
        if keys:
            client.delete(*keys)
