"""CMS Place of Service code set (01-99) from `place_of_service_codes_<YYYY>.csv`.

The shared file (MANIFEST.md) was scraped from the CMS POS page in June 2024; its
`facility_or_nonfacility` column is the PFS rate setting (IOM 100-04 ch.26). Unused numbers are
listed as "Unassigned": they are kept, not billable, with level "unassigned".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

from medcode.codes.importers.base import (
    Dataset,
    DuplicateGuard,
    LoadContext,
    ReleaseInfo,
    name_matches,
    refuse_licensed_text,
)
from medcode.codes.models import Code, CodeSystem
from medcode.lib.datafiles import iter_csv_dicts
from medcode.lib.errors import DataFileError

COLUMNS = ("pos_code", "facility_or_nonfacility", "pos_name", "pos_description")
SETTINGS = {"facility": "facility", "non-facility": "nonfacility", "nonfacility": "nonfacility"}
POS_CODE = re.compile(r"^\d{2}$")
NOT_POS = "not a place of service code (two digits): {code!r}"
BAD_SETTING = "facility_or_nonfacility must be Facility, Non-Facility or Unassigned, not {value!r}"
CODE_FIELDS = (
    "system",
    "code",
    "display",
    "short_description",
    "long_description",
    "is_billable",
    "level",
    "attributes",
)
NAME = r"place_of_service_codes_(\d{4})(?:_(\d{2}))?\.csv"
# The shared file's snapshot month (MANIFEST.md: June 2024). Name a later snapshot
# place_of_service_codes_<YYYY>_<MM>.csv; a bare year otherwise means that year's January page.
SNAPSHOT_MONTH = {2024: 6}


def describe(path: Path) -> ReleaseInfo:
    found = re.search(NAME, path.name, re.IGNORECASE)
    if not found or not 1 <= int(found.group(2) or 1) <= 12:
        raise DataFileError(path, "cannot tell the date of the POS code set from the file name")
    year = int(found.group(1))
    month = int(found.group(2)) if found.group(2) else SNAPSHOT_MONTH.get(year, 1)
    label = dt.date(year, month, 1).strftime("%Y %B")
    return ReleaseInfo(label, dt.date(year, month, 1))


def parse(path: Path) -> Iterator[tuple[object, ...]]:
    guard = DuplicateGuard(path, "place of service code")
    for line, row in iter_csv_dicts(path, required=COLUMNS):
        code = row["pos_code"].strip().zfill(2)
        if not POS_CODE.match(code):
            raise DataFileError(path, NOT_POS.format(code=code), line=line)
        guard.check(code, line)
        name = row["pos_name"].strip()
        text = row["pos_description"].strip()
        refuse_licensed_text(path, line, code, name)
        setting = row["facility_or_nonfacility"].strip().lower()
        if setting == "unassigned" or name.lower() == "unassigned":
            yield (CodeSystem.POS, code, code, "Unassigned", "", False, "unassigned", {})
            continue
        if setting not in SETTINGS:
            raise DataFileError(path, BAD_SETTING.format(value=setting), line=line)
        attributes = {"setting": SETTINGS[setting]}
        yield (CodeSystem.POS, code, code, name, text, True, "", attributes)


def load(ctx: LoadContext) -> dict[str, int]:
    return {"codes": ctx.insert(Code, CODE_FIELDS, parse(ctx.path))}


def matches(path: Path, header: list[str]) -> bool:
    return name_matches(path, NAME) and all(c in header for c in COLUMNS)


DATASETS = [
    Dataset(
        name="pos",
        title="Place of service codes",
        code_system=CodeSystem.POS,
        matches=matches,
        describe=describe,
        load=load,
        order=10,
    )
]
