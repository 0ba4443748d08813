"""CMS diagnosis General Equivalence Mappings (GEMs): ICD-10-CM <-> ICD-9-CM.

`<year>_I10gem.txt` maps ICD-10-CM codes to ICD-9-CM (forward), `<year>_I9gem.txt` ICD-9-CM
to ICD-10-CM (backward). Each record is a source code, a target code (or NoDx) and five flag
digits, separated by spaces (the source column is padded): approximate, no map, combination,
scenario, choice list (CMS, "Diagnosis Code Set General Equivalence Mappings", 2018 GEM
documentation). Codes carry no dots. The 2018 GEMs were the last CMS published.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from pathlib import Path

from medcode.codes.importers.base import Dataset, LoadContext, ReleaseInfo, name_matches
from medcode.codes.importers.icd10cm_order import first_line
from medcode.codes.models import DiagnosisGem
from medcode.lib.codeshapes import ICD10CM_STORED_CODE
from medcode.lib.datafiles import iter_lines
from medcode.lib.errors import DataFileError

I10_NAME = r"(?:(?P<year>20\d\d)_)?I10gem\.txt"
I9_NAME = r"(?:(?P<year>20\d\d)_)?I9gem\.txt"
ICD10CM_CODE = ICD10CM_STORED_CODE
# ICD-9-CM diagnoses without the dot: 001-999 (up to two decimals), V01-V91, E000-E999.
ICD9CM_CODE = re.compile(r"^(?:\d{3}\d{0,2}|V\d{2}\d{0,2}|E\d{3}\d?)$")
NO_MAP_TARGET = "NoDx"
FLAGS = re.compile(r"^[01]{3}\d\d$")
GEM_FIELDS = (
    "source",
    "target",
    "approximate",
    "no_map",
    "combination",
    "scenario",
    "choice_list",
)

BAD_RECORD = "expected a source code, a target code (or NoDx) and 5 flag digits; found {found!r}"
BAD_FLAGS = "bad GEM flags {value!r}: five digits, the first three 0 or 1"
BAD_SOURCE = "not an {system} code: {code!r}"
BAD_TARGET = "not an {system} code (nor NoDx): {code!r}"
NO_MAP_DISAGREES = "the no-map flag and the target {target!r} disagree"
COMBINATION_DISAGREES = "a combination entry needs a scenario and a choice list (flags {flags!r})"


def parse_gem(
    path: Path, *, source: re.Pattern[str], target: re.Pattern[str], names: tuple[str, str]
) -> Iterator[tuple[object, ...]]:
    """Rows of GEM_FIELDS; `names` are the source and target code sets (for messages)."""
    for number, line in iter_lines(path):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 3:
            raise DataFileError(path, BAD_RECORD.format(found=line[:60]), line=number)
        # The 2018 I10 GEM writes one target in lower case ("v5889", T8853XD): read as V5889.
        code, mapped, flags = parts[0].upper(), parts[1], parts[2]
        if mapped.upper() != NO_MAP_TARGET.upper():
            mapped = mapped.upper()
        if not FLAGS.match(flags):
            raise DataFileError(path, BAD_FLAGS.format(value=flags), line=number)
        if not source.match(code):
            raise DataFileError(path, BAD_SOURCE.format(system=names[0], code=code), line=number)
        no_map = flags[1] == "1"
        if mapped != NO_MAP_TARGET and not target.match(mapped):
            raise DataFileError(path, BAD_TARGET.format(system=names[1], code=mapped), line=number)
        if no_map != (mapped == NO_MAP_TARGET):
            raise DataFileError(path, NO_MAP_DISAGREES.format(target=mapped), line=number)
        combination = flags[2] == "1"
        if combination and (flags[3] == "0" or flags[4] == "0"):
            raise DataFileError(path, COMBINATION_DISAGREES.format(flags=flags), line=number)
        yield (code, mapped, flags[0] == "1", no_map, combination, int(flags[3]), int(flags[4]))


def load_i10(ctx: LoadContext) -> dict[str, int]:
    rows = parse_gem(
        ctx.path,
        source=ICD10CM_CODE,
        target=ICD9CM_CODE,
        names=("ICD-10-CM", "ICD-9-CM"),
    )
    return {"diagnosis_gems": ctx.insert(DiagnosisGem, GEM_FIELDS, rows)}


def load_i9(ctx: LoadContext) -> dict[str, int]:
    rows = parse_gem(
        ctx.path,
        source=ICD9CM_CODE,
        target=ICD10CM_CODE,
        names=("ICD-9-CM", "ICD-10-CM"),
    )
    return {"diagnosis_gems": ctx.insert(DiagnosisGem, GEM_FIELDS, rows)}


def describe(path: Path) -> ReleaseInfo:
    """The GEMs of year Y took effect with fiscal year Y (October 1 of Y-1)."""
    name = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
    found = re.match(r"(20\d\d)_", name)
    year = int(found.group(1)) if found else 2018
    return ReleaseInfo(version_label=f"{year} GEM", effective_from=dt.date(year - 1, 10, 1))


def _matcher(
    pattern: str, source: re.Pattern[str], target: re.Pattern[str]
) -> Callable[[Path, list[str]], bool]:
    def matches(path: Path, header: list[str]) -> bool:
        if not name_matches(path, pattern):
            return False
        parts = first_line(path).split()
        return (
            len(parts) == 3
            and source.match(parts[0]) is not None
            and (parts[1] == NO_MAP_TARGET or target.match(parts[1]) is not None)
            and FLAGS.match(parts[2]) is not None
        )

    return matches


DATASETS = [
    Dataset(
        name="icd10cm_gem_i10",
        title="ICD-10-CM to ICD-9-CM diagnosis GEM (CMS)",
        code_system="",
        matches=_matcher(I10_NAME, ICD10CM_CODE, ICD9CM_CODE),
        describe=describe,
        load=load_i10,
        order=40,
    ),
    Dataset(
        name="icd10cm_gem_i9",
        title="ICD-9-CM to ICD-10-CM diagnosis GEM (CMS)",
        code_system="",
        matches=_matcher(I9_NAME, ICD9CM_CODE, ICD10CM_CODE),
        describe=describe,
        load=load_i9,
        order=40,
    ),
]
