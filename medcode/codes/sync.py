"""`medcode data sync`: download the official releases named in the catalog.

Each entry names a publisher address and the members to keep from it (zips are unpacked).
Downloads go to a temporary file first, so an interrupted download never leaves a
half-written release file where the importer would pick it up.
"""

from __future__ import annotations

import fnmatch
import json
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlparse

USER_AGENT = "medcode-data-sync/0.1"
TIMEOUT_SECONDS = 60


class SyncError(Exception):
    """A download or catalog problem, naming the entry and address."""


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    url: str
    extract: tuple[str, ...] = ()
    publisher: str = ""


def load_catalog(path: str | None = None) -> list[CatalogEntry]:
    """The built-in catalog, or one given on the command line."""
    try:
        if path:
            raw = Path(path).read_text(encoding="utf-8")
        else:
            raw = resources.files("medcode.codes").joinpath("catalog.json").read_text("utf-8")
        data: dict[str, Any] = json.loads(raw)
        return [
            CatalogEntry(
                name=str(e["name"]),
                url=str(e["url"]),
                extract=tuple(e.get("extract", ())),
                publisher=str(e.get("publisher", "")),
            )
            for e in data["entries"]
        ]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SyncError(f"catalog {path or 'built-in'} cannot be read: {exc}") from exc


def sync_catalog(
    entries: list[CatalogEntry], dest: Path, *, log: Callable[[str], None] = print
) -> list[Path]:
    """Download every entry into dest; returns the release files now there."""
    dest.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for entry in entries:
        files.extend(_sync_entry(entry, dest, log))
    return files


def _sync_entry(entry: CatalogEntry, dest: Path, log: Callable[[str], None]) -> list[Path]:
    filename = PurePosixPath(urlparse(entry.url).path).name or entry.name
    request = urllib.request.Request(entry.url, headers={"User-Agent": USER_AGENT})
    with tempfile.NamedTemporaryFile(dir=dest, prefix=".download-", delete=False) as tmp:
        tmp_path = Path(tmp.name)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                shutil.copyfileobj(response, tmp)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            tmp_path.unlink(missing_ok=True)
            raise SyncError(f"{entry.name}: download of {entry.url} failed: {exc}") from exc
    try:
        if zipfile.is_zipfile(tmp_path):
            return _unpack(entry, tmp_path, dest, log)
        target = dest / filename
        tmp_path.replace(target)
        log(f"{entry.name}: downloaded {target.name}")
        return [target]
    finally:
        tmp_path.unlink(missing_ok=True)


def _unpack(
    entry: CatalogEntry, archive: Path, dest: Path, log: Callable[[str], None]
) -> list[Path]:
    kept: list[Path] = []
    with zipfile.ZipFile(archive) as zf:
        for info in zf.infolist():
            name = PurePosixPath(info.filename).name
            if info.is_dir() or not name:
                continue
            if entry.extract and not any(fnmatch.fnmatch(name, p) for p in entry.extract):
                continue
            target = dest / name  # flattened: never trust folder names inside an archive
            with zf.open(info) as src, tempfile.NamedTemporaryFile(dir=dest, delete=False) as out:
                shutil.copyfileobj(src, out)
            Path(out.name).replace(target)
            kept.append(target)
    if not kept:
        raise SyncError(f"{entry.name}: {entry.url} held no file matching {list(entry.extract)}")
    log(f"{entry.name}: unpacked {', '.join(p.name for p in kept)}")
    return kept
