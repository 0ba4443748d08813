"""The rendered-page cache (medcode.codes.page.cache): kept per data generation, in this
process within a megabyte budget and in the shared cache, as the parts its renderer gives."""

from __future__ import annotations

import pytest

from medcode.codes.page import cache as page_cache
from medcode.ops import conditional, datacache, generation
from medcode.ops.tests.test_datacache import release


@pytest.fixture(autouse=True)
def empty_page_cache():
    page_cache.clear()
    yield
    page_cache.clear()


class Renderer:
    """Counts how often the page had to be rendered."""

    def __init__(self, size: int = 100) -> None:
        self.calls = 0
        self.size = size

    def __call__(self) -> tuple[bytes]:
        self.calls += 1
        return (f"{self.calls}:".encode() + b"x" * self.size,)


def test_a_page_is_rendered_once_per_generation(cache_backend):
    release(1)
    render = Renderer()
    first = page_cache.rendered("test-page", ("A",), render)
    assert page_cache.rendered("test-page", ("A",), render) == first
    page_cache.clear()  # another worker: its own memory is empty, the shared cache is not
    assert page_cache.rendered("test-page", ("A",), render) == first
    assert render.calls == 1
    release(2)
    generation.bump()  # an import committed
    assert page_cache.rendered("test-page", ("A",), render).body.startswith(b"2:")


def test_a_page_is_kept_with_the_digest_of_its_bytes(cache_backend):
    release(1)
    kept = page_cache.rendered("test-page", ("A",), Renderer())
    assert kept.digest == conditional.digest(*kept.parts)
    page_cache.clear()  # from the shared cache, the digest comes with it
    again = Renderer()
    assert page_cache.rendered("test-page", ("A",), again) == kept
    assert again.calls == 0


def test_a_personal_page_is_kept_in_this_process_only(cache_backend):
    release(1)
    render = Renderer()
    page_cache.rendered("test-page", ("mine",), render, shared=False)
    page_cache.clear()
    datacache.reset()
    page_cache.rendered("test-page", ("mine",), render, shared=False)
    assert render.calls == 2


def test_the_memory_budget_evicts_the_least_recently_used_page(db, settings):
    settings.MEDCODE_DATA_CACHE = False  # this process's memory only
    settings.MEDCODE_PAGE_CACHE_MB = 3 * 1645 / (1024 * 1024)  # three pages of 1,100 + 33 + 512
    release(1)
    render = Renderer(size=1098)  # "1:" + 1,098 characters
    for key in "abc":
        page_cache.rendered("test-page", (key,), render)
    page_cache.rendered("test-page", ("a",), render)  # "b" is now the least recently used
    page_cache.rendered("test-page", ("d",), render)
    assert render.calls == 4
    page_cache.rendered("test-page", ("a",), render)
    assert render.calls == 4
    page_cache.rendered("test-page", ("b",), render)
    assert render.calls == 5


def test_a_budget_of_zero_keeps_nothing(db, settings):
    settings.MEDCODE_DATA_CACHE = False
    settings.MEDCODE_PAGE_CACHE_MB = 0
    release(1)
    render = Renderer()
    page_cache.rendered("test-page", ("a",), render)
    page_cache.rendered("test-page", ("a",), render)
    assert render.calls == 2


def test_a_page_is_kept_as_the_parts_it_was_rendered_in(db, settings):
    settings.MEDCODE_DATA_CACHE = False
    release(1)
    kept = page_cache.rendered("test-page", ("a",), lambda: (b"<p>one", b"two</p>"))
    assert kept.parts == (b"<p>one", b"two</p>") and kept.body == b"<p>onetwo</p>"
    assert page_cache.rendered("test-page", ("a",), lambda: (b"other",)) == kept
