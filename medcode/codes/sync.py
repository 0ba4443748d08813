"""`medcode data sync`: find and download the newest official release of each catalog entry.

A catalog entry is a URL template in the publisher's own naming ({year}, {quarter}, {ncci_version}
...). Sync fills it in for the period holding today (or a few periods ahead, for files published
before they take effect), asks the publisher, and steps back one period at a time while the
answer is 404, so the newest release is found without a list of guessed addresses.

Downloads go to temporary files; a zip is checked whole (every member's CRC) before anything
is unpacked, and the members are written to temporary names and renamed only when all of an
entry's parts are good. A truncated or corrupt download leaves the folder as it was.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Any, Literal
from urllib.parse import urlparse

USER_AGENT = "medcode-data-sync/0.2"
TIMEOUT_SECONDS = 60
DEFAULT_LOOKBACK = 8  # periods tried before giving up (two years of quarters)

Period = Literal["quarter", "fiscal_year", "year"]
PERIODS: tuple[Period, ...] = ("quarter", "fiscal_year", "year")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)

NOT_FOUND = "{name}: no release found: {tried} answered 404"
DOWNLOAD_FAILED = "{name}: download of {url} failed: {error}"
NOT_A_ZIP = (
    "{name}: {url} did not download as a complete zip ({error}); nothing from it was kept "
    "and the files already in {dest} are unchanged"
)
NO_MEMBERS = "{name}: {url} held no file matching {patterns}"
BAD_ENTRY = "catalog {where}: entry {index} {problem}"
BAD_PLACEHOLDER = "{name}: the url template names {{{key}}}, which sync does not fill in"


class SyncError(Exception):
    """A download or catalog problem, naming the entry and address."""


@dataclass(frozen=True)
class CatalogEntry:
    name: str
    url: str  # a fixed address, or a template with {year}, {quarter}, ... (see fill_url)
    extract: tuple[str, ...] = ()
    publisher: str = ""
    period: Period | None = None  # None: a fixed address, tried as it is
    parts: tuple[int, ...] = ()  # {part} values of a release published in several files
    ahead: int = 0  # periods after today's to try first (files published before they apply)
    lookback: int = DEFAULT_LOOKBACK


@dataclass(frozen=True)
class Found:
    """The release chosen for an entry: its period and the addresses of its files."""

    entry: CatalogEntry
    label: str  # "2026Q3", "FY2027", "CY2026", or "" for a fixed address
    urls: tuple[str, ...]


# Catalog -------------------------------------------------------------------------------------


def load_catalog(path: str | None = None) -> list[CatalogEntry]:
    """The built-in catalog, or one given on the command line."""
    where = path or "built-in"
    try:
        if path:
            raw = Path(path).read_text(encoding="utf-8")
        else:
            raw = resources.files("medcode.codes").joinpath("sync_catalog.json").read_text("utf-8")
        data: dict[str, Any] = json.loads(raw)
        items = data["entries"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SyncError(f"catalog {where} cannot be read: {exc}") from exc
    return [_entry(item, index, where) for index, item in enumerate(items, 1)]


def _entry(item: Any, index: int, where: str) -> CatalogEntry:
    def bad(problem: str) -> SyncError:
        return SyncError(BAD_ENTRY.format(where=where, index=index, problem=problem))

    if not isinstance(item, dict) or not item.get("name") or not item.get("url"):
        raise bad("needs a name and a url")
    period = item.get("period")
    if period is not None and period not in PERIODS:
        raise bad(f"has period {period!r}; use one of {', '.join(PERIODS)}")
    try:
        entry = CatalogEntry(
            name=str(item["name"]),
            url=str(item["url"]),
            extract=tuple(str(p) for p in item.get("extract", ())),
            publisher=str(item.get("publisher", "")),
            period=period,
            parts=tuple(int(p) for p in item.get("parts", ())),
            ahead=int(item.get("ahead", 0)),
            lookback=int(item.get("lookback", DEFAULT_LOOKBACK)),
        )
    except (TypeError, ValueError) as exc:
        raise bad(f"is malformed: {exc}") from exc
    fill_url(entry, dt.date(2026, 1, 1), part=entry.parts[0] if entry.parts else 1)
    return entry


# Periods and templates -----------------------------------------------------------------------


def period_start(period: Period, day: dt.date) -> dt.date:
    """The first day of the period holding `day` (fiscal years begin on October 1)."""
    if period == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    if period == "year":
        return dt.date(day.year, 1, 1)
    return dt.date(day.year if day.month >= 10 else day.year - 1, 10, 1)


def shift(period: Period, start: dt.date, steps: int) -> dt.date:
    """The start of the period `steps` periods after (or before, when negative) `start`."""
    months = 3 * steps if period == "quarter" else 12 * steps
    index = start.year * 12 + start.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def period_label(period: Period, start: dt.date) -> str:
    if period == "quarter":
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    if period == "fiscal_year":
        return f"FY{start.year + 1}"
    return f"CY{start.year}"


def ncci_version(year: int, quarter: int) -> str:
    """The NCCI version in file names: v31.0 is 2025Q1, so 2026Q4 is "323"."""
    return f"{year - 1994}{quarter - 1}"


def fill_url(entry: CatalogEntry, start: dt.date, *, part: int = 1) -> str:
    """The entry's address for the period starting on `start`.

    {year} is the period's year (a fiscal year's own number: FY2027 for 2026-10-01 on), {yy}
    its last two digits, {quarter} 1-4, {letter} a-d (PFS files), {month} the quarter's first
    month in lower case (HCPCS files), {ncci_version} e.g. 323, {part} the file number.
    """
    if entry.period is None:
        return entry.url
    year = start.year + 1 if entry.period == "fiscal_year" else start.year
    quarter = (start.month - 1) // 3 + 1
    values = {
        "year": str(year),
        "yy": f"{year % 100:02d}",
        "quarter": str(quarter),
        "letter": "abcd"[quarter - 1],
        "month": MONTHS[start.month - 1],
        "ncci_version": ncci_version(start.year, quarter),
        "part": str(part),
    }
    try:
        return entry.url.format(**values)
    except (KeyError, IndexError, ValueError) as exc:
        key = exc.args[0] if exc.args else exc
        raise SyncError(BAD_PLACEHOLDER.format(name=entry.name, key=key)) from exc


def candidates(entry: CatalogEntry, today: dt.date) -> Iterator[tuple[str, tuple[str, ...]]]:
    """(label, urls) for each period to try, newest first."""
    if entry.period is None:
        yield "", (entry.url,)
        return
    newest = shift(entry.period, period_start(entry.period, today), entry.ahead)
    for back in range(entry.ahead + entry.lookback + 1):
        start = shift(entry.period, newest, -back)
        urls = tuple(fill_url(entry, start, part=p) for p in entry.parts or (1,))
        yield period_label(entry.period, start), urls


# Finding the newest release ------------------------------------------------------------------


def _request(url: str, method: str = "GET") -> urllib.request.Request:
    return urllib.request.Request(url, headers={"User-Agent": USER_AGENT}, method=method)


def _exists(entry: CatalogEntry, url: str) -> bool:
    """Whether the publisher has `url`: False on 404, an error on anything else."""
    try:
        with urllib.request.urlopen(_request(url, "HEAD"), timeout=TIMEOUT_SECONDS):
            return True
    except urllib.error.HTTPError as exc:
        if exc.code in (404, 410):
            return False
        if exc.code not in (405, 501):  # HEAD not allowed: ask with GET
            raise SyncError(DOWNLOAD_FAILED.format(name=entry.name, url=url, error=exc)) from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise SyncError(DOWNLOAD_FAILED.format(name=entry.name, url=url, error=exc)) from exc
    try:
        with urllib.request.urlopen(_request(url), timeout=TIMEOUT_SECONDS):
            return True
    except urllib.error.HTTPError as exc:
        if exc.code in (404, 410):
            return False
        raise SyncError(DOWNLOAD_FAILED.format(name=entry.name, url=url, error=exc)) from exc
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise SyncError(DOWNLOAD_FAILED.format(name=entry.name, url=url, error=exc)) from exc


def find_release(
    entry: CatalogEntry, today: dt.date, *, log: Callable[[str], None] = print
) -> Found:
    """The newest period whose first file the publisher has, stepping back past 404s."""
    tried: list[str] = []
    for label, urls in candidates(entry, today):
        if entry.period is None or _exists(entry, urls[0]):
            return Found(entry, label, urls)
        tried.append(urls[0])
        log(f"{entry.name}: {label} not published ({urls[0]} answered 404); trying the one before")
    shown = tried[0] if len(tried) == 1 else f"{tried[0]} .. {tried[-1]} ({len(tried)} addresses)"
    raise SyncError(NOT_FOUND.format(name=entry.name, tried=shown))


def plan_catalog(
    entries: list[CatalogEntry], today: dt.date, *, log: Callable[[str], None] = print
) -> list[Found]:
    """What sync would fetch: each entry's newest release (asks the publisher, downloads none)."""
    return [find_release(entry, today, log=log) for entry in entries]


# Downloading ---------------------------------------------------------------------------------


def sync_catalog(
    entries: list[CatalogEntry],
    dest: Path,
    *,
    log: Callable[[str], None] = print,
    today: dt.date | None = None,
) -> list[Path]:
    """Download each entry's newest release into dest; returns the release files now there."""
    today = today or dt.date.today()
    dest.mkdir(parents=True, exist_ok=True)
    files: list[Path] = []
    for entry in entries:
        found = find_release(entry, today, log=log)
        files.extend(fetch_release(found, dest, log=log))
    return files


def fetch_release(found: Found, dest: Path, *, log: Callable[[str], None] = print) -> list[Path]:
    """Download every file of the release, check each, then put the wanted files in place."""
    entry = found.entry
    downloads: list[tuple[str, Path]] = []
    staged: list[tuple[Path, Path]] = []  # (temporary file, final name)
    try:
        for url in found.urls:
            downloads.append((url, _download(entry, url, dest)))
        for url, path in downloads:
            staged.extend(_stage(entry, url, path, dest))
        for tmp, target in staged:
            tmp.replace(target)
    finally:
        for _, path in downloads:
            path.unlink(missing_ok=True)
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
    kept = [target for _, target in staged]
    release = f" {found.label}" if found.label else ""
    log(f"{entry.name}{release}: {', '.join(p.name for p in kept)}")
    return kept


def _download(entry: CatalogEntry, url: str, dest: Path) -> Path:
    with tempfile.NamedTemporaryFile(dir=dest, prefix=".download-", delete=False) as tmp:
        path = Path(tmp.name)
        try:
            with urllib.request.urlopen(_request(url), timeout=TIMEOUT_SECONDS) as response:
                shutil.copyfileobj(response, tmp)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            tmp.close()
            path.unlink(missing_ok=True)
            raise SyncError(DOWNLOAD_FAILED.format(name=entry.name, url=url, error=exc)) from exc
    return path


def _is_zip_name(url: str) -> bool:
    return PurePosixPath(urlparse(url).path).suffix.lower() == ".zip"


def _stage(entry: CatalogEntry, url: str, path: Path, dest: Path) -> list[tuple[Path, Path]]:
    """The downloaded file (or the wanted members of a zip) as temporary files beside dest's."""
    if not _is_zip_name(url) and not zipfile.is_zipfile(path):
        filename = PurePosixPath(urlparse(url).path).name or entry.name
        tmp = dest / f".staged-{path.name}"
        path.replace(tmp)
        return [(tmp, dest / filename)]
    staged: list[tuple[Path, Path]] = []
    try:
        with zipfile.ZipFile(path) as zf:
            broken = zf.testzip()
            if broken is not None:
                raise zipfile.BadZipFile(f"member {broken} fails its CRC check")
            for info in zf.infolist():
                name = PurePosixPath(info.filename).name
                if info.is_dir() or not name:
                    continue
                if entry.extract and not any(fnmatch.fnmatch(name, p) for p in entry.extract):
                    continue
                with (
                    zf.open(info) as src,
                    tempfile.NamedTemporaryFile(dir=dest, prefix=".staged-", delete=False) as out,
                ):
                    staged.append((Path(out.name), dest / name))  # flattened: no folder names
                    shutil.copyfileobj(src, out)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise SyncError(NOT_A_ZIP.format(name=entry.name, url=url, error=exc, dest=dest)) from exc
    if not staged:
        raise SyncError(NO_MEMBERS.format(name=entry.name, url=url, patterns=list(entry.extract)))
    return staged
