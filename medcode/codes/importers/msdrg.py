"""MS-DRG: the CC/MCC lists (IPPS Tables 6I/6J) and the DRG weights (IPPS Table 5).

Both shared CSVs come from the FY2026 IPPS Final Rule (MS-DRG v43; MANIFEST.md). The grouper
version follows the fiscal year: v43 is FY2026, v42 FY2025, so version = fiscal year - 1983.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

from medcode.codes.importers.base import (
    Dataset,
    DuplicateGuard,
    LoadContext,
    NameAndHeader,
    ReleaseInfo,
    parse_float,
    refuse_licensed_text,
)
from medcode.codes.importers.icd10cm_csv import fiscal_year_release
from medcode.codes.models import ReferenceRow, SeverityDesignation
from medcode.lib.codeshapes import ICD10CM_CODE
from medcode.lib.datafiles import iter_csv_dicts
from medcode.lib.errors import DataFileError

CC_MCC_NAME = r"icd10cm_cc_mcc_fy(?P<year>20\d\d)\.csv"
CC_MCC_COLUMNS = ("code", "code_nodot", "severity", "description")
SEVERITIES = {"CC", "MCC"}
WEIGHTS_NAME = r"msdrg_weights_fy(?P<year>20\d\d)\.csv"
WEIGHTS_COLUMNS = (
    "ms_drg",
    "post_acute_drg",
    "special_pay_drg",
    "mdc",
    "type",
    "title",
    "weight_before_cap",
    "weight_10pct_cap",
    "geometric_mean_los",
    "arithmetic_mean_los",
)
WEIGHT_NUMBERS = (
    "weight_before_cap",
    "weight_10pct_cap",
    "geometric_mean_los",
    "arithmetic_mean_los",
)
WEIGHT_FLAGS = ("post_acute_drg", "special_pay_drg")
GROUPER_OFFSET = 1983  # MS-DRG version = fiscal year - 1983 (v43 = FY2026)

NOT_A_CODE = "not an ICD-10-CM code: {code!r}"
DOT_MISMATCH = "code {code!r} and code_nodot {nodot!r} disagree"
BAD_SEVERITY = "severity must be CC or MCC, not {value!r}"
BAD_DRG = "an MS-DRG is three digits, not {value!r}"
BAD_YES_NO = "{column} must be Yes or No, not {value!r}"
NO_YEAR = "cannot tell the fiscal year from the file name"


def parse_cc_mcc(path: Path) -> Iterator[tuple[str, str]]:
    guard = DuplicateGuard(path, "code")
    for line, row in iter_csv_dicts(path, required=CC_MCC_COLUMNS):
        display = row["code"].strip().upper()
        code = row["code_nodot"].strip().upper() or display.replace(".", "")
        refuse_licensed_text(path, line, display, row["description"])
        if not ICD10CM_CODE.match(display):
            raise DataFileError(path, NOT_A_CODE.format(code=display), line=line)
        if display.replace(".", "") != code:
            raise DataFileError(path, DOT_MISMATCH.format(code=display, nodot=code), line=line)
        severity = row["severity"].strip().upper()
        if severity not in SEVERITIES:
            raise DataFileError(path, BAD_SEVERITY.format(value=row["severity"]), line=line)
        guard.check(code, line)
        yield code, severity


def load_cc_mcc(ctx: LoadContext) -> dict[str, int]:
    return {
        "severities": ctx.insert(SeverityDesignation, ("code", "severity"), parse_cc_mcc(ctx.path))
    }


def parse_weights(path: Path) -> Iterator[tuple[str, dict[str, object]]]:
    """(DRG, the other columns) with numbers as numbers ("." = none) and Yes/No as booleans."""
    guard = DuplicateGuard(path, "MS-DRG")
    for line, row in iter_csv_dicts(path, required=WEIGHTS_COLUMNS):
        drg = row["ms_drg"].strip()
        if not re.fullmatch(r"\d{3}", drg):
            raise DataFileError(path, BAD_DRG.format(value=drg), line=line)
        refuse_licensed_text(path, line, drg, row["title"])
        guard.check(drg, line)
        data: dict[str, object] = {}
        for column, value in row.items():
            value = value.strip()
            if column == "ms_drg":
                continue
            if column in WEIGHT_NUMBERS:
                data[column] = (
                    None if value == "." else parse_float(path, line, value, column=column)
                )
            elif column in WEIGHT_FLAGS:
                if value not in {"Yes", "No"}:
                    raise DataFileError(
                        path, BAD_YES_NO.format(column=column, value=value), line=line
                    )
                data[column] = value == "Yes"
            else:
                data[column] = value
        yield drg, data


def load_weights(ctx: LoadContext) -> dict[str, int]:
    return {"drg_weights": ctx.insert(ReferenceRow, ("key", "data"), parse_weights(ctx.path))}


def describe_fiscal_year(pattern: str) -> Callable[[Path], ReleaseInfo]:
    def describe(path: Path) -> ReleaseInfo:
        """MS-DRG v<NN> FY<YYYY>, in force for the fiscal year (Oct 1 - Sep 30)."""
        name = path.name[:-3] if path.name.lower().endswith(".gz") else path.name
        found = re.fullmatch(pattern, name, flags=re.IGNORECASE)
        if not found:
            raise DataFileError(path, NO_YEAR)
        year = int(found.group("year"))
        fiscal = fiscal_year_release(year)
        return ReleaseInfo(
            f"MS-DRG v{year - GROUPER_OFFSET} FY{year}", fiscal.effective_from, fiscal.effective_to
        )

    return describe


DATASETS = [
    Dataset(
        name="msdrg_cc_mcc",
        title="MS-DRG CC/MCC list",
        code_system="",
        matches=NameAndHeader(CC_MCC_NAME, CC_MCC_COLUMNS),
        describe=describe_fiscal_year(CC_MCC_NAME),
        load=load_cc_mcc,
        order=40,
    ),
    Dataset(
        name="msdrg_weights",
        title="MS-DRG relative weights",
        code_system="",
        matches=NameAndHeader(WEIGHTS_NAME, WEIGHTS_COLUMNS),
        describe=describe_fiscal_year(WEIGHTS_NAME),
        load=load_weights,
        order=40,
    ),
]
