"""`medcode data sync` against a real HTTP server on loopback serving small files."""

from __future__ import annotations

import functools
import http.server
import json
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import run_cli, write_text
from medcode.codes.sync import CatalogEntry, SyncError, load_catalog, sync_catalog
from medcode.codes.tests.test_import_service import HEADER, ROWS


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()


def test_the_built_in_catalog_names_official_https_addresses() -> None:
    entries = load_catalog()
    assert entries and all(e.url.startswith("https://www.cms.gov/") for e in entries)


def test_it_unpacks_only_the_wanted_members_of_a_zip(
    file_server: tuple[str, Path], tmp_path: Path
) -> None:
    base, root = file_server
    with zipfile.ZipFile(root / "release.zip", "w") as zf:
        zf.writestr("nested/icd10cm_codes_2026.csv", HEADER + ROWS)
        zf.writestr("readme.pdf", "not wanted")
    entry = CatalogEntry(name="icd", url=f"{base}/release.zip", extract=("icd10cm_codes_*.csv",))

    files = sync_catalog([entry], tmp_path / "dest", log=lambda m: None)

    assert [f.name for f in files] == ["icd10cm_codes_2026.csv"]
    assert files[0].read_text() == HEADER + ROWS
    assert sorted(p.name for p in (tmp_path / "dest").iterdir()) == ["icd10cm_codes_2026.csv"]


def test_a_missing_file_is_an_error_naming_the_entry_and_address(
    file_server: tuple[str, Path], tmp_path: Path
) -> None:
    base, _ = file_server
    entry = CatalogEntry(name="pfs", url=f"{base}/rvu99z.zip")

    with pytest.raises(
        SyncError, match=r"pfs: download of http://127\.0\.0\.1:\d+/rvu99z\.zip failed"
    ):
        sync_catalog([entry], tmp_path / "dest", log=lambda m: None)
    assert list((tmp_path / "dest").iterdir()) == []


@pytest.mark.django_db(transaction=True)
def test_data_sync_downloads_and_imports_through_the_cli(
    file_server: tuple[str, Path], tmp_path: Path, scratch_database_url: str
) -> None:
    base, root = file_server
    write_text(root / "icd10cm_codes_2026.csv.gz", HEADER + ROWS, gz=True)
    catalog = tmp_path / "catalog.json"
    catalog.write_text(
        json.dumps({"entries": [{"name": "icd", "url": f"{base}/icd10cm_codes_2026.csv.gz"}]})
    )

    run_cli(
        ["data", "sync", "--catalog", str(catalog), "--dest", str(tmp_path / "dl")],
        database_url=scratch_database_url,
        var_dir=tmp_path,
    )
    status = run_cli(
        ["data", "status", "--json"], database_url=scratch_database_url, var_dir=tmp_path
    )

    assert json.loads(status.stdout)["releases"][0]["row_counts"]["codes"] == 5
