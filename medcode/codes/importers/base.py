"""What every importer is made of: a dataset description, and the one service that loads it.

A dataset says which files it takes (by name and header), what release a file is (version,
effective dates) and how to load it: a pure parser yields typed rows, and a load function
hands them to `insert_rows` inside the release's transaction.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import models

from medcode.lib.codeshapes import CDT_CODE, CPT_CODE
from medcode.lib.errors import DataFileError
from medcode.ops.bulk import insert_rows

# CPT and CDT codes (medcode.lib.codeshapes): their descriptors belong to the AMA and ADA and
# may only enter through the licensed-descriptor importer.
LICENSED_TEXT_REFUSED = (
    "descriptor text for the {kind} code {code} is refused: {kind} descriptors are licensed "
    "(AMA/ADA) and may only be imported with `medcode data import --licensed-cpt`"
)


@dataclass(frozen=True)
class ReleaseInfo:
    """What a file says about the release it belongs to.

    `companions` are files beside it that the release is also read from (its sha256 covers
    them); `earlier` are releases the file implies besides its own, each with its own loader
    (an April update's file, read with its addenda, also gives the October release it
    updated). `notes` is said when the file is imported. Of two copies of one release that
    write as many releases, the one with the higher `fullness` is imported (a PCS order file
    has the table headers and short titles that the codes file lacks).
    """

    version_label: str
    effective_from: dt.date
    effective_to: dt.date | None = None
    source_url: str = ""
    notes: str = ""
    companions: tuple[Path, ...] = ()
    earlier: tuple[ImpliedRelease, ...] = ()
    fullness: int = 0

    @property
    def labels(self) -> tuple[str, ...]:
        """The version labels of every release this file writes."""
        return (self.version_label, *(e.info.version_label for e in self.earlier))


ProgressFn = Callable[[int], None]

# The paths given to one import run (`medcode data import PATH...`): a file's companions may sit
# in another of them (the ICD-10-PCS addenda in incoming/2026/ for the order file in data/).
_RUN_PATHS: ContextVar[tuple[Path, ...]] = ContextVar("medcode_import_run_paths", default=())


@contextmanager
def import_run(paths: Iterable[Path]) -> Iterator[None]:
    """Describe and load files knowing the other paths of the same import run."""
    token = _RUN_PATHS.set(tuple(paths))
    try:
        yield
    finally:
        _RUN_PATHS.reset(token)


def run_paths() -> tuple[Path, ...]:
    """The paths of the import run under way (see `import_run`); none outside one."""
    return _RUN_PATHS.get()


@dataclass(frozen=True)
class ImpliedRelease:
    """A release that a file implies besides its own, and how to load it from the file."""

    info: ReleaseInfo
    source_file: str
    load: Callable[[LoadContext], dict[str, int]]


@dataclass
class LoadContext:
    """Handed to a dataset's load function: the file, its new release, and progress."""

    path: Path
    release: Any  # medcode.codes.models.Release (Any keeps this module free of model imports)
    progress: ProgressFn = field(default=lambda n: None)

    def insert(
        self, model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> int:
        """Insert rows (without the release column) for this release."""
        return insert_rows(
            model, fields, rows, on_batch=self.progress, constants={"release_id": self.release.pk}
        )


@dataclass(frozen=True)
class Dataset:
    """One family of release files that one importer understands."""

    name: str
    title: str
    code_system: str
    matches: Callable[[Path, list[str]], bool]
    describe: Callable[[Path], ReleaseInfo]
    load: Callable[[LoadContext], dict[str, int]]
    # Lower loads first when a folder is imported (codes before what refers to them).
    order: int = 50
    # Whether a file can take a while (progress bar by rows instead of a spinner).
    is_large: bool = False


def refuse_licensed_text(path: Path, line: int, code: str, text: str) -> None:
    """Raise if a non-licensed importer meets descriptor text on a CPT- or CDT-shaped code."""
    if not text.strip():
        return
    if CPT_CODE.match(code):
        kind = "CPT"
    elif CDT_CODE.match(code):
        kind = "CDT"
    else:
        return
    raise DataFileError(path, LICENSED_TEXT_REFUSED.format(kind=kind, code=code), line=line)


def parse_date(path: Path, line: int, value: str, *, column: str) -> dt.date | None:
    """ISO (YYYY-MM-DD), YYYYMMDD, MM/DD/YYYY or Julian YYYYDDD; blank, '*' or 9999999 -> None."""
    value = value.strip()
    if value in {"", "*", "9999999", "99991231", "NA"}:
        return None
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return dt.date.fromisoformat(value)
        if re.fullmatch(r"\d{8}", value):
            return dt.datetime.strptime(value, "%Y%m%d").date()
        if re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", value):
            return dt.datetime.strptime(value, "%m/%d/%Y").date()
        if re.fullmatch(r"\d{7}", value):
            return dt.datetime.strptime(value, "%Y%j").date()
    except ValueError:
        pass
    raise DataFileError(path, f"bad date {value!r} in column {column}", line=line)


def parse_float(path: Path, line: int, value: str, *, column: str) -> float | None:
    value = value.strip().replace(",", "")
    if value in {"", "NA", "N/A", "-"}:
        return None
    try:
        return float(value)
    except ValueError:
        raise DataFileError(path, f"bad number {value!r} in column {column}", line=line) from None


def parse_int(path: Path, line: int, value: str, *, column: str) -> int:
    value = value.strip()
    try:
        return int(float(value)) if "." in value else int(value)
    except ValueError:
        raise DataFileError(
            path, f"bad whole number {value!r} in column {column}", line=line
        ) from None


class DuplicateGuard:
    """Remembers keys seen in one file and names the line of a repeat."""

    def __init__(self, path: Path, what: str) -> None:
        self.path = path
        self.what = what
        self.seen: dict[Any, int] = {}

    def check(self, key: Any, line: int) -> None:
        first = self.seen.setdefault(key, line)
        if first != line:
            raise DataFileError(
                self.path, f"duplicate {self.what} {key!r} (first seen on line {first})", line=line
            )


@dataclass(frozen=True)
class NameAndHeader:
    """A dataset's `matches`: the file name fits `pattern` and the header holds `columns`.

    Detection uses the two parts apart too: a file named like a dataset whose header does
    not fit is reported with the columns it lacks, rather than as an unknown file.
    """

    pattern: str
    columns: tuple[str, ...]

    def __call__(self, path: Path, header: list[str]) -> bool:
        return self.name_fits(path) and not self.missing(header)

    def name_fits(self, path: Path) -> bool:
        return name_matches(path, self.pattern)

    def missing(self, header: list[str]) -> list[str]:
        return [c for c in self.columns if c not in header]


def name_matches(path: Path, pattern: str) -> bool:
    """Match a file name (without .gz) against a regular expression, case-insensitively."""
    name = path.name
    if name.lower().endswith(".gz"):
        name = name[:-3]
    return re.fullmatch(pattern, name, flags=re.IGNORECASE) is not None
