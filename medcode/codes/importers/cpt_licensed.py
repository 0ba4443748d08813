"""An operator's own licensed CPT descriptor file (never bundled, never detected).

CPT descriptors are AMA copyright. An install whose operator holds a licence loads them with
`medcode data import --licensed-cpt FILE`, which uses LICENSED_DATASET directly; detection never
picks this dataset (matches() is always False), so no other file can bring CPT text in.

Accepted layouts, one descriptor per line:
- tab-separated: `code<TAB>descriptor`,
- CSV: `code,descriptor` (quoted as CSV needs), with or without a header row,
- text: `code descriptor` (the AMA data files' layout: the code, one space, the text).
A header row (first field "code", "cpt", "cpt code" or "hcpcs") is skipped on line 1 only.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

from medcode.codes.importers.base import (
    Dataset,
    DuplicateGuard,
    LoadContext,
    ReleaseInfo,
)
from medcode.codes.importers.hcpcs import detect_encoding
from medcode.codes.models import CodeSystem, LicensedDescriptor
from medcode.lib.codeshapes import CPT, CPT_CODE
from medcode.lib.datafiles import iter_lines, sha256_of
from medcode.lib.errors import DataFileError

HEADER_NAMES = {"code", "cpt", "cpt code", "cpt_code", "hcpcs", "hcpcs code"}
CSV_LINE = re.compile(rf'^\s*"?(?:{CPT}|code|cpt|cpt[ _]code|hcpcs)"?\s*,', re.IGNORECASE)
NOT_CPT = "not a CPT code: {code!r} (expected 5 digits, or 4 digits and A, F, M, T or U)"
NO_DESCRIPTOR = "code {code} has no descriptor"


def describe(path: Path) -> ReleaseInfo:
    found = re.search(r"(?<!\d)(20\d\d)(?!\d)", path.name)
    if found:
        year = int(found.group(1))
        return ReleaseInfo(str(year), dt.date(year, 1, 1))
    return ReleaseInfo(f"licensed {sha256_of(path)[:8]}", dt.date(dt.date.today().year, 1, 1))


def split_line(path: Path, line: int, text: str, layout: str) -> tuple[str, str]:
    if layout == "tab":
        code, _, descriptor = text.partition("\t")
    elif layout == "csv":
        try:
            fields = next(csv.reader([text]))
        except (csv.Error, StopIteration) as exc:
            raise DataFileError(path, f"malformed CSV ({exc})", line=line) from exc
        code, descriptor = (fields[0], ",".join(fields[1:])) if fields else ("", "")
    else:
        code, _, descriptor = text.strip().partition(" ")
    return code.strip().strip('"').upper(), descriptor.strip()


def layout_of(first: str) -> str:
    if "\t" in first:
        return "tab"
    if CSV_LINE.match(first):
        return "csv"
    return "text"


def parse(path: Path) -> Iterator[tuple[str, str]]:
    guard = DuplicateGuard(path, "code")
    layout = ""
    for line, text in iter_lines(path, encoding=detect_encoding(path)):
        if not text.strip():
            continue
        layout = layout or layout_of(text.lstrip("\ufeff"))
        code, descriptor = split_line(path, line, text.lstrip("\ufeff"), layout)
        if line == 1 and code.lower() in HEADER_NAMES:
            continue
        if not CPT_CODE.match(code):
            raise DataFileError(path, NOT_CPT.format(code=code[:20]), line=line)
        if not descriptor:
            raise DataFileError(path, NO_DESCRIPTOR.format(code=code), line=line)
        guard.check(code, line)
        yield code, descriptor


def load(ctx: LoadContext) -> dict[str, int]:
    # Parse the whole file first: a bad line leaves no partial descriptor set behind.
    rows = list(parse(ctx.path))
    return {"descriptors": ctx.insert(LicensedDescriptor, ("code", "descriptor"), rows)}


def never_detected(path: Path, header: list[str]) -> bool:
    return False


LICENSED_DATASET = Dataset(
    name="cpt_licensed",
    title="CPT descriptors (licensed, this install only)",
    code_system=CodeSystem.CPT,
    matches=never_detected,
    describe=describe,
    load=load,
    order=90,
)
DATASETS = [LICENSED_DATASET]
