"""The shared data cache on each backend: keyed by data generation, shared, and harmless
when the cache fails."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache

from medcode.codes.models import Release
from medcode.ops import datacache, generation


def release(n: int) -> Release:
    return Release.objects.create(
        dataset="pos",
        code_system="POS",
        version_label=f"test {n}",
        effective_from=dt.date(2024, n, 1),
        source_file=f"place_of_service_codes_2024_{n:02d}.csv",
        sha256=f"{n:064x}",
        row_counts={"codes": 1},
    )


class Builder:
    """Counts how often the cache had to build the value."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> dict[str, object]:
        self.calls += 1
        return {"built": self.calls, "when": dt.date(2025, 1, 1)}


# Shared by every process: the database cache table and Redis. The local-memory backend is one
# process's memory, which keeps no copy of what the process keeps in front of it (below).
SHARED = pytest.mark.parametrize("cache_backend", ["database", "redis"], indirect=True)


@SHARED
def test_a_value_is_built_once_per_generation(cache_backend):
    release(1)
    build = Builder()
    first = datacache.get_or_build("test", ("A", 1), build)
    assert datacache.get_or_build("test", ("A", 1), build) == first
    assert build.calls == 1
    old = datacache.version()
    assert cache.get(datacache.cache_key("test", ("A", 1)), version=old) == first
    assert datacache.get_or_build("test", ("B", 1), build)["built"] == 2

    release(2)
    generation.bump()  # what the import service does when its transaction commits
    assert datacache.version() != old
    assert datacache.get_or_build("test", ("A", 1), build)["built"] == 3
    assert cache.get(datacache.cache_key("test", ("A", 1)), version=old) == first  # unread


@SHARED
def test_a_decorated_query_is_kept_by_its_arguments(cache_backend):
    release(1)
    calls: list[tuple[str, int]] = []

    @datacache.cached("test-query")
    def query(text: str, *, n: int) -> str:
        calls.append((text, n))
        return f"{text}{n}"

    assert (query("a", n=1), query("a", n=1), query("a", n=2), query("b", n=1)) == (
        "a1",
        "a1",
        "a2",
        "b1",
    )
    assert calls == [("a", 1), ("a", 2), ("b", 1)]
    datacache.reset()  # another process: read from the shared cache, not run again
    assert query("a", n=2) == "a2" and len(calls) == 3


@pytest.mark.parametrize("cache_backend", ["locmem"], indirect=True)
def test_local_memory_keeps_no_second_copy_of_what_the_process_keeps(cache_backend):
    release(1)
    build = Builder()
    first = datacache.get_or_build("test", ("L",), build)
    assert datacache.get_or_build("test", ("L",), build) is first and build.calls == 1
    assert cache.get(datacache.cache_key("test", ("L",)), version=datacache.version()) is None
    # A value read once (local=False) is still kept there.
    datacache.get_or_build("test", ("once",), build, local=False)
    assert cache.get(datacache.cache_key("test", ("once",)), version=datacache.version())


def test_the_generation_follows_the_release_table_without_a_bump(cache_backend, settings):
    settings.MEDCODE_RELEASE_CHECK_SECONDS = 0  # another process imported: seen at the next check
    release(1)
    before = generation.current()
    release(2)
    after = generation.current()
    assert after.token != before.token
    assert after.changed_at is not None and before.changed_at is not None
    assert after.changed_at >= before.changed_at


@pytest.mark.parametrize("cache_backend", ["redis"], indirect=True)
def test_values_are_shared_through_redis(cache_backend):
    import redis

    from medcode.conftest import redis_url

    release(1)
    datacache.get_or_build("test", ("shared",), Builder())
    key = datacache.cache_key("test", ("shared",))
    client = redis.Redis.from_url(redis_url())
    stored = [k for k in client.scan_iter(f"*:{datacache.version()}:{key}")]
    assert stored, "the value is not in Redis under the generation's version"


def test_a_failing_cache_is_stepped_around(db, settings, caplog):
    release(1)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        }
    }
    datacache.reset()
    build = Builder()
    try:
        assert datacache.get_or_build("test", ("down",), build)["built"] == 1
        assert "shared data cache unavailable" in caplog.text
        # The value is still kept in this process; another is built without asking Redis.
        assert datacache.get_or_build("test", ("down",), build)["built"] == 1
        assert datacache.get_or_build("test", ("other",), build)["built"] == 2
        assert caplog.text.count("shared data cache unavailable") == 1  # then stepped around
    finally:
        datacache.reset()


def test_each_process_keeps_recent_values_in_front_of_the_shared_cache(cache_backend):
    release(1)
    build = Builder()
    first = datacache.get_or_build("test", ("near",), build)
    # The shared copy is gone.
    cache.delete(datacache.cache_key("test", ("near",)), version=datacache.version())
    # This process still has the value.
    assert datacache.get_or_build("test", ("near",), build) is first
    assert datacache.get_or_build("test", ("near",), build, local=False)["built"] == 2
    assert build.calls == 2


def test_the_shared_level_can_be_turned_off(db, settings):
    settings.MEDCODE_DATA_CACHE = False
    release(1)
    build = Builder()
    datacache.get_or_build("test", ("off",), build)
    datacache.get_or_build("test", ("off",), build)
    assert build.calls == 2


def test_a_reference_table_stays_in_the_process_with_the_shared_level_off(db, settings):
    settings.MEDCODE_DATA_CACHE = False
    release(1)
    build = Builder()
    datacache.get_or_build("test", ("kept",), build, keep_when_off=True)
    datacache.get_or_build("test", ("kept",), build, keep_when_off=True)
    assert build.calls == 1
    release(2)
    generation.bump()  # a new import: the kept value is of the old generation
    datacache.get_or_build("test", ("kept",), build, keep_when_off=True)
    assert build.calls == 2
