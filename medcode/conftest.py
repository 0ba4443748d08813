"""Fixtures for every test under medcode/ (the root conftest.py has the shared ones)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


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


@pytest.fixture(autouse=True)
def cpt_titles_file(settings: Any) -> Iterator[Path]:
    """Tests read CPT titles from a header-only file, not the shipped content (which the
    editors change): a test wanting titles points MEDCODE_CPT_TITLES_FILE at its own file
    (medcode/content/tests/data/cpt_titles_sample.csv). The content has tests of its own."""
    from medcode.content import cpt_titles

    path = Path(__file__).resolve().parent / "content" / "tests" / "data" / "cpt_titles_none.csv"
    settings.MEDCODE_CPT_TITLES_FILE = str(path)
    cpt_titles.clear_cache()
    yield path
    cpt_titles.clear_cache()


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
