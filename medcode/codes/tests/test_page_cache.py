"""The per-process page caches: bounded by entries, and the rendered pages also by size."""

from __future__ import annotations

from medcode.codes.catalog import LRU


def test_an_lru_drops_the_least_recently_used_entry_beyond_its_size(settings):
    settings.TEST_LRU_SIZE = 2
    cache = LRU("TEST_LRU_SIZE", 99)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the least recently used
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)


def test_a_byte_budget_evicts_by_weight_and_refuses_an_entry_larger_than_itself(settings):
    settings.TEST_LRU_MB = 1000 / (1024 * 1024)  # 1,000 bytes
    cache = LRU("TEST_LRU_SIZE", 100, budget_setting="TEST_LRU_MB", weigh=len)
    for key in "abcd":
        cache.put(key, key * 300)
    assert [cache.get(k) is not None for k in "abcd"] == [False, True, True, True]
    assert cache.weight == 900
    cache.put("b", "b" * 100)  # replacing an entry counts its new weight only
    assert cache.weight == 700
    cache.put("huge", "x" * 1001)
    assert cache.get("huge") is None and cache.weight == 700
    cache.clear()
    assert cache.weight == 0 and cache.get("c") is None


def test_a_size_of_zero_turns_the_cache_off(settings):
    settings.TEST_LRU_SIZE = 0
    cache = LRU("TEST_LRU_SIZE", 5)
    cache.put("a", 1)
    assert cache.get("a") is None
