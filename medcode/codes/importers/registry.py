"""Every dataset medcode can import, and detection of a file's dataset."""

from __future__ import annotations

import re
from functools import cache
from importlib import import_module
from pathlib import Path

from medcode.codes.importers.base import Dataset, NameAndHeader
from medcode.lib.datafiles import read_header
from medcode.lib.errors import DataFileError

# One module per file family; each exposes DATASETS.
IMPORTER_MODULES = (
    "icd10cm_csv",
    "icd10cm_xml",
    "icd10cm_order",
    "icd10cm_index",
    "icd10pcs",
    "msdrg",
    "hcpcs",
    "pos",
    "pfs",
    "opps",
    "coverage",
    "cpt_licensed",
    "ncci",
    "gems",
    "ncd",
    "mce",
    "icd10pcs_tables",
)

# Files a folder import passes over without complaint (documentation, schemas).
IGNORED_SUFFIXES = {".md", ".xsd", ".pdf", ".txt.md", ".json", ".html", ".zip"}
UNKNOWN_FILE = "unknown file: no importer recognises its name and header (header: {header})"
WRONG_HEADER = (
    "named like a {title} file, but its header lacks column(s): {missing} (found: {header})"
)
AMBIGUOUS_FILE = "ambiguous file: several importers recognise it ({names})"


@cache
def all_datasets() -> tuple[Dataset, ...]:
    found: list[Dataset] = []
    for name in IMPORTER_MODULES:
        module = import_module(f"medcode.codes.importers.{name}")
        found.extend(module.DATASETS)
    return tuple(sorted(found, key=lambda d: (d.order, d.name)))


def get_dataset(name: str) -> Dataset:
    for dataset in all_datasets():
        if dataset.name == name:
            return dataset
    raise KeyError(name)


def dataset_title(name: str) -> str:
    try:
        return get_dataset(name).title
    except KeyError:
        return name


def detect(path: Path) -> Dataset:
    """The one dataset that takes this file, or a DataFileError naming the file."""
    header = read_header(path)
    matching = [d for d in all_datasets() if d.matches(path, header)]
    if not matching:
        shown = ", ".join(header[:8]) or "none"
        for dataset in all_datasets():
            rule = dataset.matches
            if isinstance(rule, NameAndHeader) and rule.name_fits(path):
                message = WRONG_HEADER.format(
                    title=dataset.title, missing=", ".join(rule.missing(header)), header=shown
                )
                raise DataFileError(path, message, line=1)
        raise DataFileError(path, UNKNOWN_FILE.format(header=shown), line=1)
    if len(matching) > 1:
        raise DataFileError(path, AMBIGUOUS_FILE.format(names=", ".join(d.name for d in matching)))
    return matching[0]


# Companion files that ship inside the publishers' zips beside the release files. They are not
# releases of their own: the ICD-10-PCS codes and order addenda (codes_, order_addenda_<year>.txt)
# are read with the codes or order file beside them, to date an April update's changes
# (icd10pcs_addenda.py); the tables addenda are not read (the tables XML is October's).
IGNORED_NAMES = re.compile(
    r"(?i)(.*recordlayout.*|proc_notes_.*|noc codes.*|.*_trans_alpha.*|readme.*|.*license.*"
    r"|(?:codes|order|tables)_addenda_\d{4}\.txt)"
)


def is_ignored(path: Path) -> bool:
    name = path.name
    return (
        name.startswith(".")
        or any(name.lower().endswith(s) for s in IGNORED_SUFFIXES)
        or IGNORED_NAMES.fullmatch(name) is not None
    )
