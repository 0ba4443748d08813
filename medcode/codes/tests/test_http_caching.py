"""HTTP caching of code pages, their JSON twin and search: validators, 304s, invalidation
after a real import, and no gated content crossing from one viewer to another."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from medcode.codes.commands import run_imports
from medcode.codes.page import cache as page_cache
from medcode.codes.page import locality
from medcode.codes.tests.sample_data import code_samples_fixture  # noqa: F401
from medcode.ops import datacache, generation
from medcode.search.index import rebuild_index
from tests.users import browser, make_user

CODE_PAGE = "/codes/63685/?date=2025-11-03"  # a page with gated (editorial) sections
CODE_JSON = "/api/v1/codes/63685?date=2025-11-03"
KEPT_PARTS = {"codes/_body_before_gate.html", "codes/_body_from_gate.html"}  # what is kept


@pytest.fixture(autouse=True)
def empty_cache():
    """The suite's local-memory cache starts and ends empty (a shared Redis is never flushed:
    tests on it use keys of their own, see medcode/conftest.py cache_backend)."""
    clear_local_memory()
    yield
    clear_local_memory()


def forget_process_memory() -> None:
    """What another worker starts with: nothing of this process's data or pages."""
    datacache.reset()
    page_cache.clear()


def clear_local_memory() -> None:
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()


@pytest.fixture
def open_gate(settings):
    settings.MEDCODE_METERING = False


# ------------------------------------------------------------------ validators and 304


@pytest.mark.parametrize("url", [CODE_PAGE, CODE_JSON, "/codes/S72.001A/"])
def test_a_code_page_answers_304_to_its_own_etag(code_samples, open_gate, url):
    client = browser()
    first = client.get(url)
    assert first.status_code == 200
    etag = first["ETag"]
    assert re.fullmatch(r'(W/)?"[0-9a-f]{32}"', etag)
    assert first["Last-Modified"].endswith(" GMT")
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    other = client.get(url, HTTP_IF_NONE_MATCH='"0123456789abcdef0123456789abcdef"')
    assert other.status_code == 200 and other.content


def test_the_html_etag_ignores_the_per_request_csrf_masking(code_samples, open_gate):
    client = browser()
    first = client.get(CODE_PAGE)
    second = client.get(CODE_PAGE)
    token = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert token.findall(first.content) != token.findall(second.content)
    assert first["ETag"] == second["ETag"]
    # A new CSRF secret (another browser) is another representation.
    assert browser("203.0.113.8").get(CODE_PAGE)["ETag"] != first["ETag"]


def test_the_etag_tells_apart_what_the_layout_shows_around_the_kept_parts(code_samples, open_gate):
    """The layout is rendered for each request around the page's kept parts: a page showing a
    pending message, a signed-in reader's page and the htmx body each have their own ETag, so
    none is answered 304 for a copy of the guest's page."""
    client = browser()
    first = client.get(CODE_PAGE)
    assert client.get(CODE_PAGE, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    # Forgetting a remembered locality leaves the page as it was, and queues a message.
    client.post("/codes/locality/", {"locality": "", "next": CODE_PAGE})
    told = client.get(CODE_PAGE, HTTP_IF_NONE_MATCH=first["ETag"])
    assert told.status_code == 200 and locality.CLEARED.encode() in told.content
    # Shown once: the guest's page again.
    assert client.get(CODE_PAGE, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    body = client.get(CODE_PAGE, HTTP_HX_REQUEST="true", HTTP_IF_NONE_MATCH=first["ETag"])
    assert body.status_code == 200 and b"<html" not in body.content
    client.force_login(make_user())
    signed_in = client.get(CODE_PAGE, HTTP_IF_NONE_MATCH=first["ETag"])
    assert signed_in.status_code == 200 and b">Account</a>" in signed_in.content


def test_an_htmx_body_is_built_from_the_kept_parts_and_leaves_messages_for_the_next_page(
    code_samples, open_gate
):
    client = browser()
    assert client.get(CODE_PAGE).status_code == 200
    client.post("/codes/locality/", {"locality": "", "next": CODE_PAGE})  # queues a message
    body = client.get(CODE_PAGE, HTTP_HX_REQUEST="true")
    assert body.status_code == 200 and b"<html" not in body.content
    assert not KEPT_PARTS & {t.name for t in body.templates}
    assert locality.CLEARED.encode() not in body.content
    assert locality.CLEARED.encode() in client.get(CODE_PAGE).content


def test_only_a_page_with_a_form_gives_a_new_visitor_a_csrf_cookie(code_samples, open_gate):
    # An ICD-10-PCS page has nothing to post (no "Use code" form): no token, no cookie.
    pcs = browser().get("/codes/0SR90J9/")
    assert pcs.status_code == 200
    assert b"csrfmiddlewaretoken" not in pcs.content
    assert "csrftoken" not in pcs.cookies
    # A page with the claim form: a token in the form, the secret in the cookie.
    page = browser().get(CODE_PAGE)
    assert re.search(rb'name="csrfmiddlewaretoken" value="[A-Za-z0-9]{64}"', page.content)
    assert page.cookies["csrftoken"].value


def test_if_modified_since_gives_304_when_the_page_is_the_same_for_everyone(
    code_samples, open_gate
):
    client = browser()
    first = client.get(CODE_JSON)
    assert first["Cache-Control"] == "public, max-age=60"
    again = client.get(CODE_JSON, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 304
    page = client.get(CODE_PAGE)  # sets the CSRF cookie; the page has a form
    assert "private" in page["Cache-Control"] and "no-cache" in page["Cache-Control"]
    page_again = client.get(CODE_PAGE, HTTP_IF_MODIFIED_SINCE=page["Last-Modified"])
    assert page_again.status_code == 304
    stale = client.get(CODE_JSON, HTTP_IF_MODIFIED_SINCE="Mon, 01 Jan 2001 00:00:00 GMT")
    assert stale.status_code == 200


def test_a_metered_answer_is_private_and_validated_by_its_etag_only(code_samples, settings):
    settings.MEDCODE_METERING = True
    client = browser()
    first = client.get(CODE_JSON)
    assert first.status_code == 200 and first.json()["gate"]["reason"] == "metered"
    assert set(first["Cache-Control"].split(", ")) == {"private", "no-cache"}
    assert "Authorization" in first["Vary"] and "Cookie" in first["Vary"]
    by_time = client.get(CODE_JSON, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert by_time.status_code == 200  # a time cannot tell one viewer's copy from another's
    assert client.get(CODE_JSON, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.mark.parametrize("url", ["/api/v1/search?q=femur", "/search/?q=femur"])
def test_search_answers_304_to_its_etag(code_samples, open_gate, url):
    rebuild_index(force=True)
    client = browser()
    first = client.get(url)
    assert first.status_code == 200 and b"S72" in first.content
    assert first["ETag"].startswith('W/"')
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get(url + "+neck", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_errors_get_no_validators(code_samples, open_gate):
    response = browser().get("/api/v1/codes/S72.001A?date=2025-13-40")
    assert response.status_code == 400 and "ETag" not in response


# ------------------------------------------------------------------ invalidation on import

POS_2025 = """\
pos_code,facility_or_nonfacility,pos_name,pos_description
11,Non-Facility,Office,Clinic office where the health professional routinely sees patients.
12,Non-Facility,Home,Location other than a hospital where the patient receives care.
50,Non-Facility,Federally Qualified Health Center,A facility in a medically underserved area.
"""


def test_an_import_starts_a_new_generation_and_pages_and_search_follow(
    code_samples, open_gate, tmp_path: Path, django_capture_on_commit_callbacks, settings
):
    settings.MEDCODE_RELEASE_CHECK_SECONDS = 60  # only the import's bump can show the change
    rebuild_index(force=True)
    generation.bump()
    client = browser()
    before = generation.current()
    page = client.get("/api/v1/codes/11")
    assert page.status_code == 200 and page.json()["title"].startswith("Location where")
    found = client.get("/api/v1/search?q=patient")
    assert not {"11", "12"} & {r["code"] for r in found.json()["results"]}
    assert client.get("/api/v1/codes/12").status_code == 404

    new_file = tmp_path / "new" / "place_of_service_codes_2025_01.csv"
    new_file.parent.mkdir()
    new_file.write_text(POS_2025)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert run_imports([new_file]) == 0  # the CLI's import: releases, then the word index
    assert callbacks, "the import registered no generation bump"
    after = generation.current()
    assert after.token != before.token
    assert after.changed_at and before.changed_at and after.changed_at > before.changed_at

    fresh = client.get("/api/v1/codes/11", HTTP_IF_NONE_MATCH=page["ETag"])
    assert fresh.status_code == 200 and fresh.json()["title"].startswith("Clinic office")
    assert fresh["ETag"] != page["ETag"]
    assert client.get("/api/v1/codes/12").status_code == 200
    searched = client.get("/api/v1/search?q=patient", HTTP_IF_NONE_MATCH=found["ETag"])
    assert searched.status_code == 200
    assert {"11", "12"} <= {r["code"] for r in searched.json()["results"]}


# ------------------------------------------------------------------ the shared data cache


# Shared by processes: the database cache table and Redis (local memory is one process's).
@pytest.mark.parametrize("cache_backend", ["database", "redis"], indirect=True)
def test_a_page_built_by_one_process_is_read_by_another_from_the_shared_cache(
    code_samples, open_gate, cache_backend
):
    client = browser()
    with CaptureQueriesContext(connection) as cold:
        assert client.get(CODE_PAGE).status_code == 200
    # Another worker: nothing in its own memory, the shared cache holds the page data.
    forget_process_memory()
    with CaptureQueriesContext(connection) as warm:
        assert client.get(CODE_PAGE).status_code == 200
    assert len(warm.captured_queries) < len(cold.captured_queries) - 5
    assert not any("codes_code" in q["sql"] for q in warm.captured_queries)


def test_a_guests_page_parts_are_rendered_once_for_every_process(
    code_samples, open_gate, cache_backend
):
    first = browser().get(CODE_PAGE)
    assert first.status_code == 200
    assert "codes/detail.html" in {t.name for t in first.templates}
    assert {t.name for t in first.templates} >= KEPT_PARTS
    # Another worker, another guest: the kept parts come from the shared cache, not rendered;
    # the layout, the gate's notice and the form with this guest's own token are.
    forget_process_memory()
    other = browser("198.51.100.5")
    second = other.get(CODE_PAGE)
    assert second.status_code == 200
    assert "codes/detail.html" in {t.name for t in second.templates}
    assert not KEPT_PARTS & {t.name for t in second.templates}
    tokens = re.findall(rb'name="csrfmiddlewaretoken" value="([^"]+)"', second.content)
    assert len(tokens) == 1 and len(tokens[0]) == 64
    # The same page apart from the per-request tokens.
    masked = re.compile(rb'value="[A-Za-z0-9]{64}"')
    assert masked.sub(b"", first.content) == masked.sub(b"", second.content)


def test_what_is_kept_of_a_page_holds_no_visitors_part(code_samples, settings):
    """Neither the CSRF token nor the gate's notice (pages left) is kept: with metering on, a
    guest's kept parts are the same bytes as another guest's."""
    settings.MEDCODE_METERING = True
    settings.MEDCODE_DATA_CACHE = False
    guest = browser("198.51.100.21")
    page = guest.get(CODE_PAGE)
    assert page.status_code == 200 and b'class="gated"' in page.content
    assert b"gate-notice" in page.content  # "This is your free full code page this month"
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page.content)
    assert token
    kept = [
        value
        for key, value in page_cache._memory().items()  # type: ignore[union-attr]
        if key[1] == "code-page" and isinstance(value, page_cache.Kept)
    ]
    assert len(kept) == 1
    for part in kept[0].parts:
        assert b"csrfmiddlewaretoken" not in part and token.group(1) not in part
        assert b"gate-notice" not in part and b'class="locked"' not in part


@pytest.mark.parametrize("url", [CODE_PAGE, CODE_JSON, "/codes/s72001a/"])
def test_a_kept_answer_needs_no_second_lookup_of_the_code(code_samples, open_gate, settings, url):
    """Once this process has looked a code up, its kept page, JSON twin or redirect is answered
    without looking it up again, even when the data cache keeps no lookup (its front holds a
    fixed number of values, fewer than a long tail of codes)."""
    settings.MEDCODE_DATA_CACHE = False
    first = browser().get(url)
    assert first.status_code in (200, 301)
    with CaptureQueriesContext(connection) as again:
        second = browser("198.51.100.9").get(url)
    assert (second.status_code, second.get("Location")) == (
        first.status_code,
        first.get("Location"),
    )
    assert not any("codes_code" in q["sql"] for q in again.captured_queries)
    if first.status_code == 301:
        # The page it leads to is looked up once, then kept too.
        assert browser().get(first["Location"]).status_code == 200
        with CaptureQueriesContext(connection) as kept:
            assert browser("198.51.100.9").get(first["Location"]).status_code == 200
        assert not any("codes_code" in q["sql"] for q in kept.captured_queries)


# ------------------------------------------------------------------ no leaks between viewers


def test_gated_content_never_crosses_from_one_viewer_to_another(code_samples, settings):
    settings.MEDCODE_METERING = True
    reader = browser("198.51.100.1")
    spent = browser("198.51.100.2")
    # The second guest spends the one free page on another code first.
    assert b'class="gated"' in spent.get("/codes/C1778/").content
    opened = reader.get(CODE_PAGE)
    assert opened.status_code == 200 and b'class="gated"' in opened.content
    locked = spent.get(CODE_PAGE)
    assert locked.status_code == 200
    assert b'class="gated"' not in locked.content and b'class="locked"' in locked.content
    # The reader's validator does not unlock the page for the other guest.
    replay = spent.get(CODE_PAGE, HTTP_IF_NONE_MATCH=opened["ETag"])
    assert replay.status_code == 200 and b'class="gated"' not in replay.content
    assert "private" in opened["Cache-Control"]
    # The JSON twin: the same, the gated fields null for the locked guest.
    reader_json = reader.get(CODE_JSON)
    assert reader_json.json()["modifiers"]
    locked_json = spent.get(CODE_JSON, HTTP_IF_NONE_MATCH=reader_json["ETag"])
    assert locked_json.status_code == 200
    assert locked_json.json()["modifiers"] is None
    assert locked_json.json()["gate"]["visible"] is False
    # And the reader still gets the page it opened, from its own validator.
    assert reader.get(CODE_PAGE, HTTP_IF_NONE_MATCH=opened["ETag"]).status_code == 304


def test_a_guests_search_page_is_rendered_once_and_never_shown_to_a_user(code_samples, open_gate):
    rebuild_index(force=True)
    guest = browser()
    first = guest.get("/search/?q=femur")
    assert first.status_code == 200 and b"__medcode_elapsed_ms__" not in first.content
    with CaptureQueriesContext(connection) as queries:
        again = guest.get("/search/?q=femur")
    assert again.status_code == 200 and b"S72" in again.content
    assert not any("search_document" in q["sql"] for q in queries.captured_queries)
    assert re.search(rb"in [0-9.]+ ms", again.content)
    user = make_user("reader@example.org")
    member = browser("203.0.113.9")
    member.force_login(user)
    page = member.get("/search/?q=femur")
    assert page.status_code == 200 and b"S72" in page.content
    assert b'href="/account/"' in page.content and b'href="/account/"' not in again.content
