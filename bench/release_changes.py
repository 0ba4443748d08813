"""What the 2026 official files change against the older copies, read by medcode's own parsers.

An importer mistake (a column read from the wrong place, a continuation not joined, a date
misread) shows up as a wrong count here. Each figure the issue quotes is checked against its
expected value; the script prints one JSON document and exits 1 when any check fails.
Run from the repository root:

    .venv/bin/python bench/release_changes.py [--data ../shared/data] \
        [--incoming ../shared/incoming/2026]

Figures (issue 16): AOC: 7,243 of 2024Q3's 7,465 active pairs still active in 2026Q2, 497
new; HCPCS: 590 codes in January 2026 that the July 2024 file lacks; 63650 work RVU 7.15
(RVU25D) -> 6.97 (RVU26C).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

EXPECTED = {
    "aoc.active_2024q3_pairs": 7465,
    "aoc.still_active_in_2026q2": 7243,
    "aoc.new_active_in_2026q2": 497,
    "hcpcs.codes_not_in_july_2024": 590,
    "pfs.63650_work_rvu_before": 7.15,
    "pfs.63650_work_rvu_after": 6.97,
    "pfs.conversion_factor_after": 33.4009,
}


def active_on(day: dt.date) -> Callable[[tuple[Any, ...]], bool]:
    """An AOC row (addon, primary, type, effective, deleted, notes) in force on day."""

    def check(row: tuple[Any, ...]) -> bool:
        effective, deleted = row[3], row[4]
        return (effective is None or effective <= day) and (deleted is None or day <= deleted)

    return check


def aoc_changes(old_file: Path, new_file: Path) -> dict[str, Any]:
    from medcode.codes.importers.ncci import describe_aoc, parse_aoc

    old_rows, new_rows = list(parse_aoc(old_file)), list(parse_aoc(new_file))
    old_day = describe_aoc(old_file).effective_from
    new_day = describe_aoc(new_file).effective_from
    old = {(r[0], r[1]) for r in old_rows if active_on(old_day)(r)}
    new = {(r[0], r[1]) for r in new_rows if active_on(new_day)(r)}
    every_new = {(r[0], r[1]) for r in new_rows}
    by_type: dict[int, int] = {}
    for row in new_rows:
        by_type[row[2]] = by_type.get(row[2], 0) + 1
    return {
        "old": f"{old_file.name} (active on {old_day})",
        "new": f"{new_file.name} (active on {new_day})",
        "new_edits": len(new_rows),
        "new_edits_by_type": dict(sorted(by_type.items())),
        "active_2024q3_pairs": len(old),
        "active_2026q2_pairs": len(new),
        "still_active_in_2026q2": len(old & new),
        "new_active_in_2026q2": len(new - old),
        "2024q3_pairs_deleted_by_2026q2": len((old & every_new) - new),
        "2024q3_pairs_absent_from_2026q2": len(old - every_new),
        "2026q2_edits_with_an_effective_date": sum(1 for r in new_rows if r[3] is not None),
        "2026q2_edits_with_a_deletion_date": sum(1 for r in new_rows if r[4] is not None),
    }


def hcpcs_codes(path: Path) -> dict[tuple[str, str], tuple[Any, ...]]:
    from medcode.codes.importers.hcpcs import describe_hcpcs, parse_codes

    start = describe_hcpcs(path).effective_from
    return {(str(r[0]), str(r[1])): r for r in parse_codes(path, start)}


def hcpcs_changes(old_file: Path, txt_file: Path, xlsx_file: Path | None) -> dict[str, Any]:
    old, new = hcpcs_codes(old_file), hcpcs_codes(txt_file)
    level2 = {k[1] for k in new if k[0] == "HCPCS"}
    old_level2 = {k[1] for k in old if k[0] == "HCPCS"}
    result: dict[str, Any] = {
        "old": old_file.name,
        "new": txt_file.name,
        "txt_codes": len(level2),
        "txt_modifiers": sum(1 for k in new if k[0] == "MODIFIER"),
        "codes_not_in_july_2024": len(level2 - old_level2),
        "july_2024_codes_not_in_2026": len(old_level2 - level2),
        "codes_added_after_2024_07_01": sum(
            1 for k, r in new.items() if k[0] == "HCPCS" and r[8] and r[8] > dt.date(2024, 7, 1)
        ),
        "records_with_a_termination_date": sum(1 for k, r in new.items() if r[10] is not None),
    }
    if xlsx_file is not None:
        result["txt_vs_xlsx"] = txt_vs_xlsx(new, hcpcs_codes(xlsx_file))
    return result


def txt_vs_xlsx(
    txt: dict[tuple[str, str], tuple[Any, ...]], xlsx: dict[tuple[str, str], tuple[Any, ...]]
) -> dict[str, Any]:
    """Field-by-field differences between the two CMS files of one release."""
    from medcode.codes.importers.hcpcs import CODE_FIELDS

    differences: dict[str, int] = {}
    examples: dict[str, str] = {}

    def note(field: str, code: str, a: object, b: object) -> None:
        differences[field] = differences.get(field, 0) + 1
        examples.setdefault(field, f"{code}: txt {a!r} / xlsx {b!r}")

    whitespace_only = 0
    for key in sorted(set(txt) & set(xlsx)):
        a, b = (
            dict(zip(CODE_FIELDS, txt[key], strict=True)),
            dict(zip(CODE_FIELDS, xlsx[key], strict=True)),
        )
        for field in CODE_FIELDS:
            if field == "attributes":
                for name in sorted(set(a[field]) | set(b[field])):
                    if a[field].get(name) != b[field].get(name):
                        note(f"attributes.{name}", key[1], a[field].get(name), b[field].get(name))
            elif a[field] != b[field]:
                if field == "long_description" and a[field].split() == b[field].split():
                    whitespace_only += 1
                note(field, key[1], a[field], b[field])
    return {
        "codes_only_in_txt": sorted(k[1] for k in set(txt) - set(xlsx)),
        "codes_only_in_xlsx": sorted(k[1] for k in set(xlsx) - set(txt)),
        "fields_that_differ": differences,
        "long_descriptions_differing_only_in_spaces": whitespace_only,
        "examples": examples,
    }


def fee_rows(path: Path) -> dict[tuple[str, str], tuple[Any, ...]]:
    from medcode.codes.importers.pfs import parse_rvu

    return {(str(fee[0]), str(fee[1])): fee for fee, _ in parse_rvu(path)}


def pfs_changes(old_file: Path, new_file: Path) -> dict[str, Any]:
    from medcode.codes.importers.pfs import FEE_FIELDS, describe_quarterly

    old, new = fee_rows(old_file), fee_rows(new_file)
    work = FEE_FIELDS.index("work_rvu")
    cf = FEE_FIELDS.index("conv_factor")
    attributes = FEE_FIELDS.index("attributes")
    both = set(old) & set(new)
    pricing: dict[str, int] = {}
    for row in new.values():
        value = str(row[attributes].get("pricing_ind", ""))
        pricing[value] = pricing.get(value, 0) + 1
    return {
        "old": f"{old_file.name} ({describe_quarterly(old_file).version_label})",
        "new": f"{new_file.name} ({describe_quarterly(new_file).version_label})",
        "rows_before": len(old),
        "rows_after": len(new),
        "rows_added": len(set(new) - set(old)),
        "rows_removed": len(set(old) - set(new)),
        "work_rvu_changed": sum(1 for k in both if old[k][work] != new[k][work]),
        "conversion_factors_before": sorted({r[cf] for r in old.values() if r[cf] is not None}),
        "conversion_factors_after": sorted({r[cf] for r in new.values() if r[cf] is not None}),
        "conversion_factor_after": new[("63650", "")][cf],
        "63650_work_rvu_before": old[("63650", "")][work],
        "63650_work_rvu_after": new[("63650", "")][work],
        "63650_global_days_after": new[("63650", "")][FEE_FIELDS.index("global_days")],
        "pric_ind_values_after": pricing,
    }


def checks(report: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for key, expected in EXPECTED.items():
        section, name = key.split(".", 1)
        actual = report.get(section, {}).get(name)
        found.append({"figure": key, "expected": expected, "actual": actual})
        found[-1]["ok"] = actual == expected
    return found


def timed(work: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    started = time.perf_counter()
    result = work()
    result["seconds"] = round(time.perf_counter() - started, 2)
    return result


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    default_data = Path(os.environ.get("MEDCODE_DATA_DIR") or REPO.parent / "shared" / "data")
    parser.add_argument("--data", type=Path, default=default_data)
    parser.add_argument("--incoming", type=Path, default=None)
    args = parser.parse_args(list(argv) if argv is not None else None)
    data: Path = args.data
    incoming: Path = args.incoming or data.parent / "incoming" / "2026"

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medcode.settings")
    import django

    django.setup()

    xlsx = data / "HCPC2026_JAN_ANWEB_01122026.xlsx"
    report: dict[str, Any] = {
        "aoc": timed(
            lambda: aoc_changes(data / "ncci_aoc_2024q3.csv.gz", incoming / "AOC_V2026Q2-MCR.xlsx")
        ),
        "hcpcs": timed(
            lambda: hcpcs_changes(
                data / "hcpcs_level2_2024_07.csv.gz",
                incoming / "HCPC2026_JAN_ANWEB_01122026.txt.gz",
                xlsx if xlsx.is_file() else None,
            )
        ),
        "pfs": timed(
            lambda: pfs_changes(
                data / "pfs_rvu_2025d.csv.gz", incoming / "PPRRVU2026_Jul_nonQPP.csv.gz"
            )
        ),
    }
    report["checks"] = checks(report)
    report["ok"] = all(c["ok"] for c in report["checks"])
    print(json.dumps(report, indent=2, default=str))
    return 0 if report["ok"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
