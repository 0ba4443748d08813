"""medcode's own plain-language titles and summaries for CPT codes (one CSV, in git).

CPT descriptors are AMA text and are never shipped; these titles and summaries are ours,
written from what the service is, and shown in headings, related lists, browse, search and
autocomplete, and as the plain-language description of a code page. Only rows with status
``reviewed`` are shown.

The file is ``medcode/content/cpt_titles.csv`` (UTF-8, csv-module quoting), header row
``code,title,summary,status,reviewed_by``. An install may point MEDCODE_CPT_TITLES_FILE (a
Django setting) at another file of the same layout. The file is read once per process.
"""

from __future__ import annotations

import csv
import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from django.conf import settings

from medcode.content.articles import CODE_PATTERNS, STATUSES

log = logging.getLogger(__name__)

CPT_TITLES_FILE = Path(__file__).resolve().parent / "cpt_titles.csv"
COLUMNS = ("code", "title", "summary", "status", "reviewed_by")
SHOWN_STATUS = "reviewed"

# User-facing messages (the tests reuse them).
NOT_UTF8 = "the file is not valid UTF-8"
BAD_HEADER = "the header row must be exactly: " + ",".join(COLUMNS)
WRONG_FIELD_COUNT = "expected {expected} fields, found {found}"
BAD_CODE = "code {code!r} is not a CPT code (5 digits, or 4 digits and F, T or U)"
EMPTY_FIELD = "code {code}: {field} is empty"
BAD_STATUS = "code {code}: status must be one of: " + ", ".join(STATUSES)
DUPLICATE_CODE = "code {code} appears twice (first on line {first})"
DUPLICATE_TITLE = "code {code}: the title {title!r} is already used by {other}"
REVIEWER_NEEDED = "code {code}: a reviewed row names who reviewed it (reviewed_by)"


class CptTitlesError(Exception):
    """The titles file is invalid; the message names the file and the line."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        self.path = path
        self.line = line
        self.message = message
        super().__init__(f"{path}, line {line}: {message}" if line else f"{path}: {message}")


@dataclass(frozen=True)
class CptTitle:
    code: str
    title: str
    summary: str
    status: str
    reviewed_by: str


def parse_cpt_titles(path: Path) -> list[CptTitle]:
    """Every row of the file, validated; raises CptTitlesError on the first bad line."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CptTitlesError(path, 0, NOT_UTF8) from exc
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None or tuple(h.strip().lower() for h in header) != COLUMNS:
        raise CptTitlesError(path, 1, BAD_HEADER)
    rows: list[CptTitle] = []
    line_of_code: dict[str, int] = {}
    code_of_title: dict[str, str] = {}
    for fields in reader:
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue
        if len(fields) != len(COLUMNS):
            raise CptTitlesError(
                path, line, WRONG_FIELD_COUNT.format(expected=len(COLUMNS), found=len(fields))
            )
        code, title, summary, status, reviewed_by = (" ".join(f.split()) for f in fields)
        code = code.upper()
        if not CODE_PATTERNS["CPT"].match(code):
            raise CptTitlesError(path, line, BAD_CODE.format(code=code[:20]))
        for name, value in (("title", title), ("summary", summary)):
            if not value:
                raise CptTitlesError(path, line, EMPTY_FIELD.format(code=code, field=name))
        if status not in STATUSES:
            raise CptTitlesError(path, line, BAD_STATUS.format(code=code))
        if status == SHOWN_STATUS and not reviewed_by:
            raise CptTitlesError(path, line, REVIEWER_NEEDED.format(code=code))
        if code in line_of_code:
            raise CptTitlesError(
                path, line, DUPLICATE_CODE.format(code=code, first=line_of_code[code])
            )
        other = code_of_title.get(title.lower())
        if other is not None:
            raise CptTitlesError(
                path, line, DUPLICATE_TITLE.format(code=code, title=title, other=other)
            )
        line_of_code[code] = line
        code_of_title[title.lower()] = code
        rows.append(CptTitle(code, title, summary, status, reviewed_by))
    return rows


def cpt_titles_path() -> Path:
    configured = getattr(settings, "MEDCODE_CPT_TITLES_FILE", "")
    return Path(configured) if configured else CPT_TITLES_FILE


def reviewed_cpt_titles() -> Mapping[str, CptTitle]:
    """code -> its reviewed title and summary, read once per process (per configured file).

    An invalid file shows no titles (logged); the content tests fail on it.
    """
    return _reviewed(str(cpt_titles_path()))


@functools.cache
def _reviewed(path: str) -> Mapping[str, CptTitle]:
    file = Path(path)
    if not file.is_file():
        return MappingProxyType({})
    try:
        rows = parse_cpt_titles(file)
    except (CptTitlesError, OSError) as exc:
        log.error("CPT titles not loaded: %s", exc)
        return MappingProxyType({})
    return MappingProxyType({r.code: r for r in rows if r.status == SHOWN_STATUS})


def cpt_title(code: str) -> CptTitle | None:
    """The reviewed title and summary of one CPT code, or None."""
    return reviewed_cpt_titles().get(code.strip().upper())


def clear_cache() -> None:
    """Forget the files read (after editing the file in a running process, and in tests)."""
    _reviewed.cache_clear()
