"""Static files once collected: pages link hashed names, served compressed and cached for a
year; before collecting, plain names still work (a server started without `serve`)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client

from medcode.ops.static import STAMP_NAME, ensure_collected, private_dir

pytestmark = pytest.mark.django_db
YEAR = 365 * 24 * 3600


@pytest.fixture
def collected(settings, tmp_path) -> Path:
    settings.STATIC_ROOT = tmp_path / "static"
    settings.MEDCODE_METERING = False
    assert ensure_collected() is True
    return Path(settings.STATIC_ROOT)


def test_collecting_writes_a_manifest_and_is_skipped_when_nothing_changed(collected):
    assert (private_dir() / "staticfiles.json").is_file() and (private_dir() / STAMP_NAME).is_file()
    assert list(collected.glob("medcode/site.*.css.gz"))
    assert ensure_collected() is False


def test_the_manifest_and_the_stamp_are_not_served(collected):
    # Before: /static/staticfiles.json listed every static file to anyone (issue 20, item 13).
    assert not (collected / "staticfiles.json").exists() and not (collected / STAMP_NAME).exists()
    for name in ("staticfiles.json", STAMP_NAME):
        assert Client().get(f"/static/{name}").status_code == 404


def test_pages_link_hashed_names_served_compressed_with_year_long_caching(collected):
    html = Client().get("/").content.decode()
    match = re.search(r'href="(/static/medcode/site\.[0-9a-f]{12}\.css)"', html)
    assert match, "the page should link the hashed stylesheet"
    response = Client().get(match.group(1), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    cache = response["Cache-Control"]
    assert f"max-age={YEAR * 10}" in cache or f"max-age={YEAR}" in cache, cache
    assert "immutable" in cache and "public" in cache
    assert response["Vary"] == "Accept-Encoding"


def test_unhashed_names_get_only_a_short_cache_lifetime(collected):
    response = Client().get("/static/medcode/site.css")
    assert response.status_code == 200
    assert "immutable" not in response["Cache-Control"]


def test_an_uncollected_file_keeps_its_plain_url(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "empty"
    assert staticfiles_storage.url("medcode/site.css") == "/static/medcode/site.css"
